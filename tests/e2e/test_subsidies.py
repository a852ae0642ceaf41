"""Journeys (R-SUB-2, R-RSK-3): the poverty office reviews the demo county's waiting subsidy
claim, striking one line with its reason; the finance bureau confirms and another person there
pays; the public announcement downloads. A loan officer on a phone claims on the risk fund for a
late loan with a proof uploaded; village, township and poverty office agree; the finance bureau
pays by shares and the loan is written off. A screenshot of every step."""

from __future__ import annotations

import pytest

from tests.e2e.test_registry import shot
from tests.e2e.test_roles import switch_user

pytestmark = pytest.mark.e2e


def test_subsidy_claim_reviewed_struck_confirmed_and_paid(live_world, page, watch, output_path):
    from fupin.subsidies.models import Batch, Line

    demo, base = live_world
    # the credit union's (the construction bank's, from its files, waits too)
    waiting = Batch.objects.get(state=Batch.State.PREPARED, institution__code="FM000")
    line = Line.objects.filter(batch=waiting).order_by("pk").first()

    switch_user(page, base, "fupinban")
    page.goto(f"{base}/subsidies/")
    page.wait_for_selector("text=应收财政贴息账龄")
    shot(page, output_path, "subsidy-1-overview-aging")
    page.click(f"a:has-text('#{waiting.pk}')")
    page.fill(f"input[name=strike_{line.pk}]", "该期还款凭证缺失")
    page.fill("input[name=note]", "其余明细核实无误")
    page.click("button:has-text('审核通过')")
    page.wait_for_selector("text=扶贫办已审核")
    waiting.refresh_from_db()
    assert waiting.approved == waiting.claimed - line.amount
    shot(page, output_path, "subsidy-2-reviewed-with-a-line-struck")

    switch_user(page, base, "caizheng")
    page.goto(f"{base}/subsidies/batches/{waiting.pk}/")
    page.click("button:has-text('确认审核金额')")
    page.wait_for_selector("text=财政局已确认")
    switch_user(page, base, "caizheng2", 390)
    page.goto(f"{base}/subsidies/batches/{waiting.pk}/")
    page.fill("input[name=payment_ref]", "富财农〔2026〕088号")
    page.click("button:has-text('登记拨付')")
    page.wait_for_selector("text=已拨付结清")
    waiting.refresh_from_db()
    assert waiting.paid == waiting.approved and waiting.payment_ref == "富财农〔2026〕088号"
    shot(page, output_path, "subsidy-3-paid-phone")
    href = page.locator("a:has-text('Excel')").first.get_attribute("href")
    r = page.request.get(base + href)
    assert r.status == 200 and r.body()[:2] == b"PK"  # an xlsx is a zip
    assert not watch.problems, watch.problems


def test_fund_claim_with_proof_through_the_chain_to_payout(live_world, page, watch, output_path, tmp_path):
    from fupin.loans.models import Loan, Servicing
    from fupin.riskfund.models import Claim

    demo, base = live_world
    taken = set(Claim.objects.values_list("loan_id", flat=True))
    sv = (
        Servicing.objects.filter(
            active=True,
            village_code=demo.villages[0],
            late_since__isnull=False,
            loan__product__in=["subsidy", "annual", "group"],
        )
        .exclude(loan_id__in=taken)
        .order_by("late_since")
        .first()
    )
    assert sv is not None
    proof = tmp_path / "受灾证明.pdf"
    proof.write_bytes(b"%PDF-1.4\n% disaster report\n%%EOF\n")

    switch_user(page, base, "xindai", 390)
    page.goto(f"{base}/loans/{sv.loan_id}/")
    page.click("a:has-text('申请风险补偿金代偿')")
    page.select_option("select[name=cause]", value="disaster")
    page.fill("textarea[name=description]", "冰雹砸毁烤烟 8 亩，当年绝收")
    page.set_input_files("input[name=proofs]", str(proof))
    shot(page, output_path, "fund-1-claim-form-phone")
    page.click("button:has-text('提出申请')")
    page.wait_for_selector("text=已申请，待村委会审查")
    claim = Claim.objects.get(loan_id=sv.loan_id)
    assert claim.proofs.get().name == "受灾证明.pdf"
    for user in ("cungan", "xiangzhen", "fupinban"):
        switch_user(page, base, user)
        page.goto(f"{base}/riskfund/claims/{claim.pk}/")
        page.click("button:has-text('同意')")
        page.wait_for_selector("text=已办理")
    switch_user(page, base, "caizheng")
    page.goto(f"{base}/riskfund/claims/{claim.pk}/")
    page.click("button:has-text('按比例代偿并核销贷款')")
    page.wait_for_selector("text=已代偿并核销")
    claim.refresh_from_db()
    assert claim.state == Claim.State.PAID and Loan.objects.get(pk=sv.loan_id).state == Loan.State.WRITTEN_OFF
    assert sum(s[3] for s in claim.shares) + claim.insurance == claim.principal + claim.interest
    assert page.locator("text=县风险补偿金").count() >= 1
    shot(page, output_path, "fund-2-paid-by-shares")
    assert not watch.problems, watch.problems

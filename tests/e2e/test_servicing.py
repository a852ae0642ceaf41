"""Journey (R-REP-1, 4, 5): the loan officer opens today's collection list on a phone (made by
last night's close of the demo book), takes a late loan's repayment from it, asks for an
extension of another loan; the branch director approves it; the head office sees the close's
run. A screenshot of every step."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.e2e.test_registry import shot
from tests.e2e.test_roles import switch_user

pytestmark = pytest.mark.e2e


def test_collect_extend_and_approve(live_world, page, watch, output_path):
    from django.utils import timezone

    from fupin.cob.models import CollectionItem
    from fupin.loans.models import Loan, LoanEvent, Repayment

    demo, base = live_world

    def as_user(username, width=1280):
        switch_user(page, base, username, width)

    as_user("xindai", 390)
    page.click("#todo >> text=今日收款与逾期")  # from the home page's to-do (issue 27 (3))
    page.wait_for_selector("h1:has-text('收款清单')")
    today = timezone.localdate()
    item = (
        CollectionItem.objects.filter(
            date=today, village_code__startswith=demo.townships[0][:9], arrears__gt=0, loan__state="active"
        )
        .select_related("loan")
        .first()
    )
    assert item is not None and page.locator(f"text={item.loan.contract_no}").count() == 1
    shot(page, output_path, "servicing-1-collection-list-phone")
    page.click(f"text={item.loan.contract_no}")
    page.wait_for_selector("text=五级分类")
    before = Repayment.objects.filter(loan_id=item.loan_id).count()
    page.fill("input[name=amount]", "100.00")
    page.click("button:has-text('登记还款')")
    page.wait_for_selector("text=还款已登记并记账")
    assert Repayment.objects.filter(loan_id=item.loan_id).count() == before + 1
    shot(page, output_path, "servicing-2-repaid-from-the-list")
    page.click("text=打印还款收据")  # the receipt names the borrower (issue 27 (5))
    page.wait_for_selector("text=还款收据")
    assert "100.00" in page.inner_text("main")
    shot(page, output_path, "servicing-2b-receipt-phone")
    page.goto(f"{base}/cob/collections/")  # the morning's list shows the payment at once
    row = page.locator("tr", has_text=item.loan.contract_no)
    assert row.locator("td").nth(6).inner_text() == "100.00"

    loan = (
        Loan.objects.filter(state="active", start=today).order_by("pk").first()
    )  # paid out today by the demo
    page.goto(f"{base}/loans/{loan.pk}/")
    page.select_option("select[name=kind]", value="extension")
    page.fill("input[name=new_maturity]", (loan.maturity + dt.timedelta(days=60)).isoformat())
    page.fill("input[name=reason]", "受灾，收入推迟两个月")
    page.click("button:has-text('提交申请')")
    page.wait_for_selector("text=展期申请已提交")
    shot(page, output_path, "servicing-3-extension-asked")

    as_user("zhuren")
    page.goto(f"{base}/loans/events/")
    page.click("button:has-text('批准')")
    page.wait_for_selector("text=已批准并记账")
    event = LoanEvent.objects.get(loan=loan)
    loan.refresh_from_db()
    assert event.state == "approved" and loan.maturity == event.new_maturity
    shot(page, output_path, "servicing-4-extension-approved")

    as_user("zongshe")
    page.goto(f"{base}/cob/")
    yesterday = today - dt.timedelta(days=1)
    assert (
        page.locator(f"text={yesterday:%Y-%m-%d}").count() >= 1 and page.locator("text=已完成").count() >= 1
    )
    shot(page, output_path, "servicing-5-cob-runs")
    assert not watch.problems, watch.problems

"""The risk compensation fund on the books (DOMAIN §8): contributions, a claim through village,
township and poverty office to the payout by shares (insurance first), the write-off, recoveries
returned in the same shares, balance and leverage; the blacklist and legal actions."""

from __future__ import annotations

import datetime as dt

import pytest

from fupin.accounts.services import role_assign, user_create
from fupin.core import riskfund as core
from fupin.core.errors import Conflict, NotPermitted, ValidationFailed
from fupin.demo.county import COUNTY
from fupin.loans.models import Loan, LoanEvent
from fupin.loans.repayments import repayment_post
from fupin.riskfund import services
from fupin.riskfund.models import Claim, Recovery
from tests.cob.conftest import books, close_days, on_time, past_loan, today

pytestmark = pytest.mark.clock  # business dates from today: run on other days too

DAY = dt.timedelta(days=1)
PDF = b"%PDF-1.4\n% proof\n"


def fund(rt, preset="80:20", insurance_first=False):
    f = services.fund_create(
        acting_user=rt.world.user("poverty_office"),
        county_code=COUNTY[0],
        name="",
        preset=preset,
        insurance_first=insurance_first,
    )
    services.contribution_post(
        acting_user=rt.world.user("finance_bureau"), fund=f, source="省财政", amount=1_500_000_000
    )
    services.contribution_post(
        acting_user=rt.world.user("finance_bureau"), fund=f, source="县财政", amount=1_500_000_000
    )
    return f


def claim_through(rt, loan, insurance=0):
    w = rt.world
    c = services.claim_submit(
        acting_user=w.user("loan_officer"),
        loan=loan,
        cause="illness",
        description="户主突发重病，丧失劳动能力，无力偿还",
        proofs=[("诊断证明.pdf", "application/pdf", PDF)],
    )
    with pytest.raises(NotPermitted):  # a step out of turn: the poverty office cannot act before the village
        services.claim_review(acting_user=w.user("poverty_office"), claim=c, approve=True)
    for role in ("village_cadre", "township_cadre", "poverty_office"):
        c = services.claim_review(acting_user=w.user(role), claim=c, approve=True)
    assert c.state == Claim.State.APPROVED
    return services.claim_pay(acting_user=w.user("finance_bureau"), claim=c, insurance=insurance)


def test_contributions_balance_and_leverage(rt, hh, head):
    f = fund(rt)
    past_loan(rt, hh, today() - 10 * DAY, amount=1_000_000, product="subsidy", term=12)
    pos = services.fund_position(f)
    assert pos["contributed"] == pos["balance"] == 3_000_000_000
    assert pos["outstanding"] == 1_000_000 and pos["leverage"] == core.leverage(1_000_000, 3_000_000_000)
    assert books(head)["2901"] == 3_000_000_000
    with pytest.raises(Conflict):
        services.fund_create(
            acting_user=rt.world.user("poverty_office"), county_code=COUNTY[0], name="又一个"
        )
    with pytest.raises(ValidationFailed):  # a fund and a bank, each exactly once
        services.fund_create(
            acting_user=rt.world.user("poverty_office"),
            county_code=COUNTY[0],
            name="x",
            parties=[("县", "fund", 1), ("省", "fund", 1)],
        )


def test_a_claim_is_paid_by_shares_after_insurance_and_recoveries_go_back_in_the_same_shares(rt, hh, head):
    f = fund(rt, preset="4:4:2", insurance_first=True)
    start = today() - 200 * DAY  # matured ≈ 110 days ago: past the fund's 90 days
    loan = past_loan(rt, hh, start, amount=1_000_000, product="subsidy", term=3)
    close_days(start, today() - DAY)
    c = claim_through(rt, loan, insurance=200_000)
    loan.refresh_from_db()
    assert loan.state == Loan.State.WRITTEN_OFF and c.state == Claim.State.PAID
    assert c.principal == 1_000_000 and c.interest > 0
    shares = [s[3] for s in c.shares]
    assert c.insurance + sum(shares) == c.loss  # payouts plus the bank's share equal the loss
    assert shares == list(core.loss_split(c.loss, f.sharing(), 200_000).shares)
    event = LoanEvent.objects.get(loan=loan, kind=LoanEvent.Kind.WRITE_OFF)
    assert (event.state, event.amount, event.interest) == (
        LoanEvent.State.APPROVED,
        c.principal,
        c.interest + c.penalty,
    )
    debits = {(p.account_id, p.debit) for p in event.entry.postings.all() if p.debit}
    assert ("2901", shares[0]) in debits and ("1011", 200_000) in debits
    b = books(head)
    assert b["2901"] == 3_000_000_000 - shares[0]
    assert services.fund_position(f)["balance"] == 3_000_000_000 - shares[0]
    # a recovery: back to the fund, the guarantee company and the bank in 4:4:2
    r, _ = repayment_post(
        acting_user=rt.world.user("loan_officer"), loan=loan, amount=300_001, key="recover-0001"
    )
    rec = Recovery.objects.get(repayment=r)
    back = [fen for _, _, fen in rec.shares]
    assert back == core.recovery_split(300_001, f.sharing()) and sum(back) == 300_001
    credits = {(p.account_id, p.credit) for p in r.entry.postings.all() if p.credit}
    assert credits == {("2901", back[0]), ("2262", back[1]), ("6013", back[2])}
    assert services.fund_position(f)["balance"] == 3_000_000_000 - shares[0] + back[0]
    assert books(head)["2901"] == 3_000_000_000 - shares[0] + back[0]


def test_claim_rules_maker_checker_rejection_and_insurance_only_where_configured(rt, hh, head):
    fund(rt)  # 80:20, no insurance
    start = today() - 200 * DAY
    loan = past_loan(rt, hh, start, amount=1_000_000, product="subsidy", term=3)
    close_days(start, today() - DAY)
    w = rt.world
    with pytest.raises(ValidationFailed):  # proofs are PDFs or pictures
        services.claim_submit(
            acting_user=w.user("loan_officer"),
            loan=loan,
            cause="disaster",
            description="洪水冲毁大棚",
            proofs=[("x.exe", "application/octet-stream", b"MZ")],
        )
    c = services.claim_submit(
        acting_user=w.user("loan_officer"), loan=loan, cause="disaster", description="洪水冲毁大棚"
    )
    with pytest.raises(Conflict):  # one live claim per loan
        services.claim_submit(
            acting_user=w.user("village_cadre"), loan=loan, cause="disaster", description="重复申请"
        )
    services.proof_add(
        acting_user=w.user("loan_officer"),
        claim=c,
        name="灾情照片.png",
        content_type="image/png",
        data=b"\x89PNG\r\n\x1a\n" + b"\0" * 16,
    )
    for kind, data in (
        ("image/png", b"<html><script>alert(1)</script></html>"),
        ("application/pdf", b"\xff\xd8\xff\xe0"),
    ):
        with pytest.raises(
            ValidationFailed
        ) as e:  # what a proof says it is, it is: HTML never stored as a picture
            services.proof_add(
                acting_user=w.user("loan_officer"), claim=c, name="x", content_type=kind, data=data
            )
        assert e.value.code == "proof_content"
    with pytest.raises(NotPermitted):  # the village step is the village committee's
        services.claim_review(acting_user=w.user("loan_officer"), claim=c, approve=True)
    with pytest.raises(ValidationFailed):  # a rejection gives its reason
        services.claim_review(acting_user=w.user("village_cadre"), claim=c, approve=False)
    rejected = services.claim_review(
        acting_user=w.user("village_cadre"), claim=c, approve=False, note="不属于灾害损失"
    )
    assert rejected.state == Claim.State.REJECTED
    c2 = services.claim_submit(
        acting_user=w.user("village_cadre"),
        loan=loan,
        cause="disaster",
        description="洪水冲毁大棚，补充材料后重新申请",
    )
    with pytest.raises(NotPermitted):  # who submitted does not also review
        services.claim_review(acting_user=w.user("village_cadre"), claim=c2, approve=True)
    second = user_create(acting_user=None, username="cun2", password="x", check_password=False)
    role_assign(acting_user=None, user=second, role="village_cadre", division_code=w.village)
    for user in (second, w.user("township_cadre"), w.user("poverty_office")):
        c2 = services.claim_review(acting_user=user, claim=c2, approve=True)
    with pytest.raises(ValidationFailed):  # insurance first is not configured in this county
        services.claim_pay(acting_user=w.user("finance_bureau"), claim=c2, insurance=1)
    c2 = services.claim_pay(acting_user=w.user("finance_bureau"), claim=c2)
    assert [s[3] for s in c2.shares] == list(core.loss_split(c2.loss, core.SHARING["80:20"]).shares)
    books(head)


def test_a_claim_needs_the_loan_as_late_as_the_policy_says(rt, hh, head):
    """DOMAIN §8: the fund pays for a loan that cannot be repaid — one past the county's overdue
    threshold (90 days by default), never for a performing loan; and not if it was cured before
    the payout."""
    w = rt.world
    f = fund(rt)
    assert f.overdue_days == 90
    start = today() - 160 * DAY
    late = past_loan(rt, rt.households[1], start, amount=1_000_000, product="subsidy", term=3)
    performing = past_loan(rt, hh, today() - 20 * DAY, amount=1_000_000, product="subsidy", term=12)
    officer = w.user("loan_officer")
    on_time(officer, [late, performing], start, late.maturity - DAY)  # both pay their interest when due …
    on_time(
        officer, [performing], late.maturity - DAY, today()
    )  # … then only one: the other late since maturity
    with pytest.raises(Conflict) as e:
        services.claim_submit(
            acting_user=officer, loan=performing, cause="illness", description="户主生病住院"
        )
    assert e.value.code == "not_overdue_enough" and "未逾期" in e.value.message
    r = w.client("loan_officer").post(
        "/api/v1/fund-claims",
        {"loan_id": late.pk, "cause": "illness", "description": "户主生病住院，无力偿还"},
        content_type="application/json",
    )
    assert r.status_code == 409 and r.json()["details"]["required"] == 90
    assert 60 < r.json()["details"]["days_past_due"] < 90 and "仅逾期" in r.json()["message"]
    assert not Claim.objects.exists()
    # a county may set its own threshold; a claim made past it, then the loan cured before the payout
    type(f).objects.filter(pk=f.pk).update(overdue_days=60)
    c = services.claim_submit(
        acting_user=w.user("loan_officer"), loan=late, cause="illness", description="户主生病住院"
    )
    for role in ("village_cadre", "township_cadre", "poverty_office"):
        c = services.claim_review(acting_user=w.user(role), claim=c, approve=True)
    owed = sum(i.principal - i.principal_paid + i.interest - i.interest_paid for i in late.installments.all())
    repayment_post(
        acting_user=w.user("loan_officer"), loan=late, amount=owed + 100_000, key="cured-before-payout"
    )
    with pytest.raises(Conflict) as e:
        services.claim_pay(acting_user=w.user("finance_bureau"), claim=c)
    assert e.value.code == "not_overdue_enough"
    late.refresh_from_db()
    assert late.state != Loan.State.WRITTEN_OFF
    with pytest.raises(ValidationFailed):
        services.fund_create(
            acting_user=w.user("poverty_office"), county_code=COUNTY[0], name="x", overdue_days=0
        )


def test_legal_actions_are_recorded(rt, hh):
    a = services.legal_action_record(
        acting_user=rt.world.user("loan_officer"),
        household=hh,
        kind="suit",
        on=today(),
        note="向县人民法院起诉",
    )
    assert a.get_kind_display() == "提起诉讼"
    with pytest.raises(ValidationFailed):
        services.legal_action_record(
            acting_user=rt.world.user("loan_officer"),
            household=hh,
            kind="jail",
            on=today(),
            note="不存在的措施",
        )


def test_a_proof_of_five_mb_goes_through_the_api_as_through_the_page(rt, hh):
    """The documented 5 MB proof, base64 inside JSON (≈ 7 MB of body); one byte more is refused."""
    import base64

    from fupin.riskfund.models import Fund, Proof

    fund = Fund.objects.create(
        county_code=COUNTY[0],
        name="富民县风险补偿金",
        parties=[["风险补偿金", "fund", 80], ["贷款银行", "bank", 20]],
    )
    loan = past_loan(rt, hh, today() - 10 * DAY)
    claim = Claim.objects.create(
        fund=fund,
        loan=loan,
        institution_id=loan.institution_id,
        contract_no=loan.contract_no,
        village_code=loan.village_code,
        cause="illness",
        description="户主重病",
        submitted_by=rt.world.user("village_cadre"),
    )
    pdf = b"%PDF-1.4\n" + b"0" * (services.MAX_PROOF - 9)
    c = rt.world.client("loan_officer")
    r = c.post(
        f"/api/v1/fund-claims/{claim.pk}/proofs",
        {
            "name": "诊断证明.pdf",
            "content_type": "application/pdf",
            "content_base64": base64.b64encode(pdf).decode(),
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content[:300]
    assert Proof.objects.get(claim=claim).size == services.MAX_PROOF
    r = c.post(
        f"/api/v1/fund-claims/{claim.pk}/proofs",
        {
            "name": "x.pdf",
            "content_type": "application/pdf",
            "content_base64": base64.b64encode(pdf + b"0").decode(),
        },
        content_type="application/json",
    )
    assert r.status_code in (400, 422) and r.json()["message"]

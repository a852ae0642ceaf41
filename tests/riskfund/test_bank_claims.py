"""The risk fund pays for a loan of a bank that keeps its own core system as it pays for one booked
here (R-RSK-3, issue 25 (3)): a claim on the loan its newest file states late enough, through the
village, the township and the poverty office to the finance bureau's payout shared among the
parties; the bank writes the loan off in its own system, so nothing is posted here; what its files
show repaid after the payout goes back in the same shares and counts in the fund's balance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from fupin.accounts.models import User
from fupin.accounts.services import token_issue
from fupin.core.errors import Conflict, NotFound
from fupin.feeds.models import FeedLoan
from fupin.ledger.models import Posting
from fupin.riskfund import selectors, services
from fupin.riskfund.models import Claim, Fund
from tests.bankfiles import construction_bank

pytestmark = [pytest.mark.sqlite]


def test_a_claim_on_a_banks_loan_from_its_files_to_the_payout_and_the_recoveries(world, tmp_path):
    ccb, (head, officer), county = construction_bank(world, tmp_path)
    fund = Fund.objects.create(
        county_code=county,
        institution=ccb,
        name="富民县风险补偿金（建设银行）",
        parties=[["县风险补偿金", "fund", 80], ["建设银行", "bank", 20]],
        products=["subsidy", "annual"],
        overdue_days=120,
    )

    paid_in = services.contribution_post(
        acting_user=world.user("finance_bureau"),
        fund=fund,
        source="县财政",
        amount=2_000_000,
        on=dt.date(2025, 1, 6),
    )
    assert paid_in.entry is None  # the fund's account is in the bank's own books

    def claim(no: str) -> Claim:
        return services.claim_submit_bank(
            acting_user=officer,
            institution=ccb.pk,
            contract_no=no,
            cause="illness",
            description="户主重病住院",
        )

    with pytest.raises(NotFound):  # a stranger's loan: on the worklist, not the fund's
        claim("JH4")
    with pytest.raises(Conflict) as settled:
        claim("JH2")
    assert settled.value.code == "loan_not_active"
    with pytest.raises(Conflict) as performing:  # its October file: not overdue
        claim("JH3")
    assert performing.value.code == "not_overdue_enough" and performing.value.details["days_past_due"] == 0
    # the household's archive offers a claim on the bank's loan, until one is made
    x = FeedLoan.objects.filter(contract_no="JH6").select_related("feed").order_by("-feed__month").first()
    cadre = world.client("village_cadre")
    page = cadre.get(f"/households/{x.household_id}/").content.decode()
    assert f"/riskfund/bank-loans/{x.pk}/claim/" in page and "JH6" in page
    c = claim("JH6")  # 130 days overdue in October, the fund asks for 120
    assert (c.loan_id, c.institution, c.contract_no, c.fund) == (None, ccb, "JH6", fund)
    assert c.village_code == FeedLoan.objects.filter(contract_no="JH6").first().village_code
    with pytest.raises(Conflict) as twice:
        claim("JH6")
    assert twice.value.code == "claim_exists"

    # the chain: village committee, township, poverty office, and the finance bureau pays
    for role in ("village_cadre", "township_cadre", "poverty_office"):
        c = services.claim_review(acting_user=world.user(role), claim=c, approve=True)
    c = services.claim_pay(acting_user=world.user("finance_bureau"), claim=c)
    loss = 1_400_000 + 30_000  # October's balance and interest owed
    assert (c.state, c.principal, c.interest, c.loss) == (Claim.State.PAID, 1_400_000, 30_000, loss)
    assert c.shares == [
        ["县风险补偿金", "fund", 80, loss * 80 // 100],
        ["建设银行", "bank", 20, loss * 20 // 100],
    ]
    assert not Posting.objects.filter(entry__institution=ccb).exists()  # written off in the bank's system
    assert services.fund_balance(county, fund=fund)["paid_out"] == loss * 80 // 100

    # what the bank's files show repaid after the payout goes back in the same shares
    assert services.bank_recoveries(c) == []  # the 1 000.00 of 28 October came before today's payout
    Claim.objects.filter(pk=c.pk).update(paid_on=dt.date(2025, 10, 25))  # as if paid in October
    c.refresh_from_db()
    [back] = selectors.recoveries(c)
    assert (back["on"], back["amount"]) == (dt.date(2025, 10, 28), 100_000)
    assert back["shares"] == [["县风险补偿金", "fund", 80_000], ["建设银行", "bank", 20_000]]
    money = services.fund_balance(county, fund=fund)
    assert (money["paid_out"], money["recovered"]) == (loss * 80 // 100, 80_000)
    assert money["balance"] == 2_000_000 - loss * 80 // 100 + 80_000
    assert services.fund_balance(county, fund=fund, on=dt.date(2025, 10, 27))["recovered"] == 0

    # the pages: the household's archive offers the claim, the claim names the bank's loan
    page = cadre.get(f"/households/{x.household_id}/").content.decode()
    assert f"/riskfund/bank-loans/{x.pk}/claim/" not in page and f"/riskfund/claims/{c.pk}/" in page
    form = cadre.get(f"/riskfund/bank-loans/{x.pk}/claim/")
    assert form.status_code == 200 and "中国建设银行富民县支行" in form.content.decode()
    shown = world.client("poverty_office").get(f"/riskfund/claims/{c.pk}/").content.decode()
    assert "JH6" in shown and "银行月度数据" in shown and "2025-10-28" in shown
    # another bank's staff do not reach it
    other = Client()
    other.force_login(User.objects.get(username="nh_xindai"))
    assert other.get(f"/riskfund/bank-loans/{x.pk}/claim/").status_code == 404
    assert other.get(f"/riskfund/claims/{c.pk}/").status_code == 404

    # over the API, by institution code and contract number (one of the two ways, not both)
    _, secret = token_issue(acting_user=None, user=officer, name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    body = {"institution": "CCB000", "contract_no": "JH6", "cause": "illness", "description": "户主重病住院"}
    r = api.post("/api/v1/fund-claims", body, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "claim_exists"
    r = api.post("/api/v1/fund-claims", {**body, "loan_id": 1}, content_type="application/json")
    assert r.status_code == 422
    listed = api.get("/api/v1/fund-claims").json()
    rows = listed["items"] if isinstance(listed, dict) else listed
    assert [(x["contract_no"], x["loan_id"]) for x in rows] == [("JH6", None)]

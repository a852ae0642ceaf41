"""The branch's monthly pay sheet from real loans and repayments (R-PAY-1 … 4): the lines to the
fen, computed here independently with Decimal half-up; rollovers excluded; the sheet's pages,
files and API; an officer sees only their own part."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from fupin.accounts.models import RoleAssignment
from fupin.core.reports import period
from fupin.divisions.models import Institution
from fupin.divisions.selectors import lenders_of
from fupin.loans import disbursement
from fupin.loans.events import event_decide, event_request
from fupin.loans.models import Application, Installment
from fupin.loans.repayments import loan_payoff, repayment_post
from fupin.pay import selectors
from fupin.pay.models import PayRules
from tests.cob.conftest import close_days, past_loan, today
from tests.loans.conftest import hh  # noqa: F401
from tests.ratings.conftest import rt  # noqa: F401

pytestmark = pytest.mark.clock  # business dates from today: run on other days too

DAY = dt.timedelta(days=1)


def pct(fen: int, rate: str) -> int:
    return int((Decimal(fen) * Decimal(rate)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def branch(rt):  # noqa: F811
    return RoleAssignment.objects.get(user=rt.world.user("loan_officer"), role="loan_officer").branch


def this_month():
    return period(f"{today():%Y-%m}")


def items(sheet) -> dict[tuple[str, str], int]:
    return {(ln.contract, ln.item): ln.amount for o in sheet.officers for ln in o.lines}


def test_a_loan_paid_off_this_month_earns_five_percent_and_the_rest_of_the_share(rt, hh):  # noqa: F811
    officer, director = rt.world.user("loan_officer"), rt.world.user("branch_director")
    loan = past_loan(rt, hh, today() - 20 * DAY)  # seasonal (short-term): 10 000 yuan
    close_days(today() - 20 * DAY, today() - DAY)
    r, _ = loan_payoff(acting_user=officer, loan=loan, key="payoff-pay-0001")
    interest = r.allocation[0][2]
    assert interest > 0
    s = selectors.sheet(director, branch(rt), this_month())
    got = items(s)
    assert got[(loan.contract_no, "当月结息提成")] == pct(interest, "0.05")
    assert got[(loan.contract_no, "还清本金后补发提成")] == pct(interest, "0.15")  # 20 % − 5 %
    officer_total = pct(interest, "0.05") + pct(interest, "0.15")
    assert s.officers_total == officer_total and [o.officer for o in s.officers] == [officer]
    assert [ln.amount for ln in s.branch_lines] == [pct(officer_total, "0.1"), pct(officer_total, "0.05")]
    assert s.total == officer_total + sum(ln.amount for ln in s.branch_lines)


def cycle_loan(rt, household, start: dt.date, amount: int):  # noqa: F811
    """A group (cycle) loan above the first deduction band, approved as the stateful test does."""
    officer = rt.world.user("loan_officer")
    app = Application.objects.create(
        household=household,
        village_code=household.village_id,
        institution=lenders_of(household.village_id)[0],
        product="group",
        product_version="2026.1",
        purpose="livestock",
        project="养牛两头",
        amount=amount,
        term=12,
        state="approved",
        created_by=officer,
    )
    loan = disbursement.loan_contract(acting_user=officer, application=app, start=start)
    with mock.patch("django.utils.timezone.localdate", return_value=start):
        return disbursement.loan_disburse(acting_user=officer, loan=loan)


def test_arrears_collected_reward_the_collector_and_cycle_arrears_are_deducted_by_band(rt, hh):  # noqa: F811
    officer, director = rt.world.user("loan_officer"), rt.world.user("branch_director")
    start = today() - 100 * DAY
    cycle = cycle_loan(rt, rt.households[2], start, 3_500_000)  # 30 000 – < 40 000: 10 % and 2.5 %
    late = past_loan(
        rt, rt.households[1], start, amount=1_000_000, product="seasonal", term=3
    )  # matured ~10 days ago
    close_days(start, today() - DAY)
    r, _ = repayment_post(acting_user=officer, loan=late, amount=1_000_000, key="late-pay-00001")
    arrears = sum(
        f
        for _, b, f in (x for x in r.allocation if len(x) == 3)
        if b in ("penalty", "overdue_interest", "overdue_principal")
    )
    assert arrears > 0
    s = selectors.sheet(director, branch(rt), this_month())
    got = items(s)
    assert got[(late.contract_no, "收回欠款奖励")] == pct(arrears, "0.05")
    due = [i for i in Installment.objects.filter(loan=cycle, due_date__lt=today())]
    overdue_p = sum(i.principal - i.principal_paid for i in due)
    overdue_i = sum(i.interest - i.interest_paid for i in due)
    assert overdue_p > 0
    assert got[(cycle.contract_no, "月末逾期本金扣减")] == -pct(overdue_p, "0.1")
    assert got.get((cycle.contract_no, "月末逾期利息扣减"), 0) == -pct(
        overdue_i, "0.025"
    )  # P-GROUP: interest up front
    # last month's end: only what was due by then
    last = period(f"{today().replace(day=1) - DAY:%Y-%m}")
    earlier = [i for i in due if i.due_date <= last.end]
    got_last = items(selectors.sheet(director, branch(rt), last))
    assert got_last.get((cycle.contract_no, "月末逾期本金扣减"), 0) == -pct(
        sum(i.principal for i in earlier), "0.1"
    )
    assert (late.contract_no, "收回欠款奖励") not in got_last


def test_a_rollover_earns_nothing_and_is_listed_as_excluded(rt, hh):  # noqa: F811
    officer, director = rt.world.user("loan_officer"), rt.world.user("branch_director")
    start = today() - 100 * DAY
    loan = past_loan(rt, hh, start)
    final = loan.installments.order_by("-seq").first()
    close_days(start, final.due_date)
    day = final.due_date + DAY
    unpaid_interest = sum(i.interest - i.interest_paid for i in loan.installments.all())
    with mock.patch("django.utils.timezone.localdate", return_value=day):  # the open business day
        if unpaid_interest:
            repayment_post(acting_user=officer, loan=loan, amount=unpaid_interest, key="interest-before-roll")
        e = event_request(acting_user=officer, loan=loan, kind="rollover", reason="借新还旧")
        event_decide(acting_user=director, event=e, approve=True)
    e.refresh_from_db()
    s = selectors.sheet(director, branch(rt), period(f"{day:%Y-%m}"))
    excluded = {c for _, c, _ in s.excluded}
    assert {loan.contract_no, e.new_loan.contract_no} <= excluded
    assert not any(ln.contract in excluded and "提成" in ln.item for o in s.officers for ln in o.lines)


def test_pages_files_api_and_an_officer_sees_only_their_own_part(rt, hh):  # noqa: F811
    officer = rt.world.user("loan_officer")
    loan = past_loan(rt, hh, today() - 10 * DAY)
    close_days(today() - 10 * DAY, today() - DAY)
    loan_payoff(acting_user=officer, loan=loan, key="payoff-pay-0002")
    code, month = branch(rt).code, f"{today():%Y-%m}"
    q = f"?branch={code}&month={month}"
    c = rt.world.client("branch_director")
    page = c.get("/pay/" + q)
    assert (
        page.status_code == 200
        and loan.contract_no in page.content.decode()
        and "网点主任绩效" in page.content.decode()
    )
    x = c.get("/pay/sheet.xlsx" + q)
    ws = load_workbook(__import__("io").BytesIO(x.content)).active
    assert "信贷员绩效工资计算表" in ws["A1"].value
    rows = [[cell.value for cell in row] for row in ws.iter_rows(min_row=4)]
    assert any(r[1] == loan.contract_no and r[2] == "当月结息提成" and "× 5%" in r[6] for r in rows)
    assert c.get("/pay/sheet.pdf" + q).content[:4] == b"%PDF"
    api = c.get(f"/api/v1/officer-pay{q}").json()
    s = selectors.sheet(rt.world.user("branch_director"), branch(rt), this_month())
    assert Decimal(api["total"]) == Decimal(s.total) / 100 and api["whole"] is True
    assert api["officers"][0]["lines"][0]["formula"]
    mine = rt.world.client("loan_officer").get(f"/api/v1/officer-pay{q}").json()
    assert (
        mine["whole"] is False
        and mine["branch_lines"] == []
        and {o["username"] for o in mine["officers"]} <= {officer.username}
    )
    assert rt.world.client("township_cadre").get("/pay/" + q).status_code == 403
    assert c.get(f"/pay/?branch=NOPE&month={month}").status_code == 404
    assert c.get(f"/api/v1/officer-pay?branch={code}&month=2026-Q4").status_code == 422


def test_rules_are_versioned_by_head_office_and_refused_when_wrong(rt):  # noqa: F811
    head = rt.world.user("head_office")
    c = rt.world.client("head_office")
    bands = [
        {"low": "30000.00", "high": "40000.00", "principal": "0.1", "interest": "0.025"},
        {"low": "40000.00", "principal": "0.125", "interest": "0.025"},
    ]
    r = c.post(
        "/api/v1/officer-pay/rules",
        {"valid_from": "2026-01-01", "share_cycle": "0.3", "bands": bands},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["values"]["share_cycle"] == "0.3"
    # the bands' bounds in yuan both ways (issue 26 (5)), kept in fen
    assert r.json()["values"]["bands"] == [
        ["30000.00", "40000.00", "0.1", "0.025"],
        ["40000.00", None, "0.125", "0.025"],
    ]
    assert [b[:2] for b in PayRules.objects.get(valid_from="2026-01-01").values["bands"]] == [
        [3_000_000, 4_000_000],
        [4_000_000, None],
    ]
    assert (
        c.post(
            "/api/v1/officer-pay/rules",
            {"valid_from": "2026-01-01", "bands": []},
            content_type="application/json",
        ).status_code
        == 409
    )
    bad = c.post(
        "/api/v1/officer-pay/rules",
        {"valid_from": "2026-02-01", "current": "0.5", "bands": []},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "不能高于" in bad.json()["message"]
    assert (
        rt.world.client("branch_director")
        .post(
            "/api/v1/officer-pay/rules",
            {"valid_from": "2026-03-01", "bands": []},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    union = lenders_of(rt.world.village)[0]  # the head office's institution: its own rules (issue 25)
    rules, row = selectors.rules_on(dt.date(2026, 6, 1), union.pk)
    assert row.created_by == head and row.institution == union and rules.share["cycle"] == Decimal("0.3")
    bank = Institution.objects.get(code="ABC000")  # another lender: the defaults, not the union's
    assert selectors.rules_on(dt.date(2026, 6, 1), bank.pk)[1] is None
    assert selectors.rules_on(dt.date(2026, 6, 1))[1] is None  # nor the rules for every lender
    page = c.post(
        "/pay/rules/save/",
        {
            "valid_from": "2026-04-01",
            "share_cycle": "25",
            "share_short": "20",
            "current": "5",
            "reward": "5",
            "director": "10",
            "accountant": "5",
            "band_low": ["30000", "40000"],
            "band_high": ["40000", ""],
            "band_principal": ["10", "12.5"],
            "band_interest": ["2.5", "2.5"],
        },
    )
    assert page.status_code == 302
    assert (
        selectors.rules_on(dt.date(2026, 6, 1), union.pk)[0] == selectors.rules_on(dt.date(1999, 1, 1))[0]
    )  # the defaults again


@pytest.mark.parametrize("n", [1, 3])
def test_the_sheet_is_bounded_in_queries(rt, hh, n, django_assert_max_num_queries):  # noqa: F811
    officer = rt.world.user("loan_officer")
    for i in range(n):
        loan = past_loan(rt, rt.households[i], today() - 10 * DAY)
        loan_payoff(acting_user=officer, loan=loan, key=f"payoff-bound-{i:04d}")
    director = rt.world.user("branch_director")
    b = branch(rt)
    with CaptureQueriesContext(connection) as ctx:
        selectors.sheet(director, b, this_month())
    assert len(ctx.captured_queries) <= 14


def test_what_the_batch_sets_off_from_a_deposit_is_nobodys_collection(rt, hh):  # noqa: F811
    """R-PAY-3 (谁收回谁提取): the nightly batch setting a matured loan's deposit against its arrears
    collected nothing — no reward line, and the batch is no officer on the sheet."""
    from fupin.accounts.models import BATCH_USERNAME
    from fupin.loans.models import Repayment

    director = rt.world.user("branch_director")
    start = today() - 100 * DAY
    loan = past_loan(
        rt, hh, start, amount=1_000_000, product="seasonal", term=3
    )  # matured ≈ 10 days ago, unpaid
    close_days(start, today() - DAY)
    set_off = Repayment.objects.get(loan=loan, created_by__username=BATCH_USERNAME)
    assert any(b in ("overdue_interest", "penalty", "overdue_principal") for _, b, _ in set_off.allocation)
    month = period(f"{set_off.received_on:%Y-%m}")
    s = selectors.sheet(director, branch(rt), month)
    assert (loan.contract_no, "收回欠款奖励") not in items(s)
    assert BATCH_USERNAME not in [o.officer.username for o in s.officers]

"""Close of business (R-REP-5) day by day against the reference arithmetic of the core: interest
accrual, penalty (R-REP-2), aging and classification (R-REP-3), the deposit at maturity
(R-REP-1), dynamic grades (R-RAT-4), collection lists, and the order the days must go in."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from io import BytesIO

import pytest
from django.db.models import Sum
from openpyxl import load_workbook

from fupin.cob.models import CobRun, CollectionItem, VillageMonth
from fupin.cob.services import categories, cob_run, cob_until
from fupin.core import cob as core
from fupin.core.errors import Conflict, ValidationFailed
from fupin.core.money import from_fen
from fupin.core.servicing import Owed, allocate, category, par_bucket, penalty_accrued
from fupin.ledger.models import JournalEntry, Posting
from fupin.loans.models import Repayment, Servicing
from fupin.loans.repayments import repayment_post
from fupin.ratings.models import GradeChange
from tests.cob.conftest import books, close_days, past_loan, settled_before, today

pytestmark = [
    pytest.mark.sqlite,
    pytest.mark.clock,
]  # the close of business locks and writes differently on SQLite (the default of make run)

DAY = dt.timedelta(days=1)


def cob_credits(code: str, on: dt.date) -> int:
    """What the batch of ``on`` credited to ``code`` less what it debited."""
    x = Posting.objects.filter(entry__source__startswith=f"cob:{on:%Y%m%d}", account_id=code).aggregate(
        c=Sum("credit"), d=Sum("debit")
    )
    return (x["c"] or 0) - (x["d"] or 0)


@settled_before(45)
def test_interest_is_accrued_day_by_day_as_the_core_computes_it(rt, hh, head):
    """45 days with no settlement in them: the first interest falls due after (whatever today is)."""
    start = today() - 45 * DAY
    loan = past_loan(rt, hh, start, amount=800_000, product="subsidy", term=12)
    first = loan.installments.get(seq=1)
    assert first.due_date > today()  # the first interest falls due after the period under test
    runs = close_days(start, today() - DAY)
    assert runs[0].run.previous is None and runs[1].run.previous == start
    earned = [
        core.accrual_target(first.interest, first.period_start, first.due_date, start + k * DAY)
        for k in range(46)
    ]
    assert earned[0] == 0 and earned[45] > 0
    for k in range(1, 45):  # each day's entry is the day's increase, to the fen, rounding never accumulating
        assert cob_credits("6011", start + k * DAY) == earned[k] - earned[k - 1]
    b = books(head)
    assert b["1132"] == b["6011"] == earned[44]
    # the runs over the API: amounts in yuan (issue 26 (5)), the day's accrual to the fen
    listed = {r["date"]: r for r in rt.world.client("branch_director").get("/api/v1/cob/runs").json()}
    day = start + 10 * DAY
    assert listed[str(day)]["summary"]["accrued"] == str(from_fen(earned[10] - earned[9]))
    assert listed[str(day)]["summary"]["loans"] == 1 and listed[str(day)]["state"] == "done"
    # paying the whole instalment's interest early: what was accrued comes off 1132, the rest is income now
    r, _ = repayment_post(
        acting_user=rt.world.user("loan_officer"), loan=loan, amount=first.interest, key="early-int-01"
    )
    assert {(p.account_id, p.credit) for p in r.entry.postings.filter(credit__gt=0)} == {
        ("1132", earned[44]),
        ("6011", first.interest - earned[44]),
    }
    cob_run(today())
    b = books(head)
    assert b["1132"] == 0 and b["6011"] == first.interest  # nothing is accrued twice


def test_an_overdue_loan_ages_accrues_penalty_and_its_deposit_is_set_against_it(rt, hh, head):
    start = today() - 200 * DAY
    loan = past_loan(rt, hh, start)  # P-SEASONAL: 10 000 yuan for 3 months, interest monthly, 5 % deposit
    rows = list(loan.installments.order_by("seq"))
    last = today() - DAY
    cob_until(last) if CobRun.objects.exists() else close_days(start, last)
    loan.refresh_from_db()
    # the deposit is set against what is due on the maturity date (R-REP-1), as the allocation says
    dep = Repayment.objects.get(loan=loan, key__startswith="cob-dep-")
    assert (dep.received_on, dep.amount) == (loan.maturity, loan.deposit) and loan.deposit_held == 0
    nothing_paid = [Owed(i.seq, i.due_date, i.principal, i.interest) for i in rows]
    assert dep.allocation == [list(x) for x in allocate(loan.deposit, nothing_paid, loan.maturity).lines]
    assert {(p.account_id, p.debit) for p in dep.entry.postings.filter(debit__gt=0)} == {
        ("2011", loan.deposit)
    }
    # penalty (R-REP-2): contract rate + 50 % on the principal unpaid at the close of each day
    final = loan.installments.get(seq=rows[-1].seq)
    by_deposit = final.principal_paid
    penalty = penalty_accrued(
        [Owed(final.seq, final.due_date, final.principal, final.interest)],
        annual_rate=Fraction(loan.nominal_rate),
        on=last,
        paid_on={final.seq: [(loan.maturity, by_deposit)]},
    )
    b = books(head)
    # more than 90 days past due it is non-accrual (issue 24 (13)): of all the interest its periods
    # earned and the penalty, what was received is income and the rest is off balance (7011)
    paid = sum(x.interest_paid for x in loan.installments.all())
    assert Servicing.objects.get(loan=loan).non_accrual and penalty > 0
    assert (b["6011"], b["6012"], b["1132"]) == (paid, 0, 0)
    assert b["7011"] == sum(i.interest for i in rows) - paid + penalty
    # aging and classification (R-REP-3): late since the final due date, the deposit having cured
    # the first episode
    sv = Servicing.objects.get(loan=loan)
    dpd = (last - final.due_date).days
    assert sv.late_since == final.due_date and sv.dpd(last) == dpd and sv.ever_late
    assert categories(last, Servicing.objects.filter(pk=loan.pk)) == {category(dpd): 1}
    assert CobRun.objects.get(date=last).summary["par"] == {par_bucket(dpd): 1}  # the only loan
    # grades (R-RAT-4): down when the first interest went unpaid, down again after maturity, bottom at 90 days
    moves = list(
        GradeChange.objects.filter(household=hh)
        .exclude(event="rating")
        .order_by("on")
        .values_list("event", "on")
    )
    assert moves == [
        ("overdue", rows[0].due_date + DAY),
        ("overdue", final.due_date + DAY),
        ("default", final.due_date + 90 * DAY),
    ]
    # tomorrow's collection list: the arrears with the penalty
    item = CollectionItem.objects.get(date=today(), loan=loan)
    assert item.arrears == final.principal - by_deposit + penalty and item.dpd == dpd and item.due == 0


def test_days_close_in_order_once_and_money_only_on_the_open_day(rt, hh, head):
    start = today() - 10 * DAY
    loan = past_loan(rt, hh, start, amount=800_000, product="subsidy", term=12)
    cob_run(start)
    entries = JournalEntry.objects.count()
    assert cob_run(start).already_closed and JournalEntry.objects.count() == entries  # twice changes nothing
    for wrong in (start + 2 * DAY, start - DAY):
        with pytest.raises(Conflict) as e:
            cob_run(wrong)
        assert e.value.code == "cob_out_of_order"
    with pytest.raises(Conflict) as e:
        cob_run(today() + DAY)
    assert e.value.code == "cob_future"
    officer = rt.world.user("loan_officer")
    for day, code in ((start, "business_day_closed"), (start + 2 * DAY, "business_day_open")):
        with pytest.raises(Conflict) as e:
            repayment_post(acting_user=officer, loan=loan, amount=100, key=f"wrong-day-{day:%m%d}", on=day)
        assert e.value.code == code
    from fupin.cob.models import CobRun

    running = CobRun.objects.create(date=start + DAY, previous=start, state=CobRun.State.RUNNING)
    with pytest.raises(Conflict) as e:  # no money while the batch runs
        repayment_post(acting_user=officer, loan=loan, amount=100, key="while-running", on=start + DAY)
    assert e.value.code == "cob_running"
    running.delete()
    repayment_post(acting_user=officer, loan=loan, amount=100, key="open-day-0001", on=start + DAY)
    books(head)


def test_a_village_below_98_percent_three_month_ends_running_is_suspended(rt, hh, head):
    """R-RPT-4 with the batch's own month-end figures; the suspension stops new applications."""
    from fupin.loans.services import application_create

    start = today() - 200 * DAY
    loan = past_loan(rt, hh, start)
    close_days(start, today() - DAY)
    months = list(VillageMonth.objects.filter(village_code=loan.village_code).order_by("month"))
    assert months and all(core.is_month_end(m.month) for m in months)
    below = []
    for m in months:
        due = sum(
            i.principal + i.interest
            for i in loan.installments.filter(due_date__year=m.month.year, due_date__lte=m.month)
        )
        assert m.due == due  # the only loan of the village
        below.append(m.below)
        assert m.suspended == core.suspended(below, len(below) > 1 and months[len(below) - 2].suspended)
    assert any(m.suspended for m in months)  # 200 days of arrears hold three month-ends below 98 %
    # a suspended village takes no new applications until a month-end at 98 % or above
    later = months[-1].month + 40 * DAY

    def refusals() -> list[str]:
        try:
            application_create(
                acting_user=rt.world.user("loan_officer"),
                household=rt.households[1],
                product="subsidy",
                purpose="livestock",
                project="养牛两头",
                amount=500_000,
                term=12,
            )
        except ValidationFailed as e:
            return [d["rule"] for d in e.details]
        return []

    VillageMonth.objects.create(
        village_code=loan.village_code, month=later, due=100, repaid=90, below=True, suspended=True
    )
    assert "R-RPT-4" in refusals()
    VillageMonth.objects.create(
        village_code=loan.village_code,
        month=later + 31 * DAY,
        due=100,
        repaid=99,
        below=False,
        suspended=False,
    )
    assert "R-RPT-4" not in refusals()


def test_the_command_closes_up_to_yesterday_and_prints_a_summary(rt, hh, capsys):
    import json

    from django.core.management import call_command

    start = today() - 3 * DAY
    past_loan(rt, hh, start, amount=800_000, product="subsidy", term=12)
    call_command("cob", "--date", str(start))
    out = capsys.readouterr().out
    assert f"{start} 日终完成" in out and "计提利息" in out and "收款清单" in out
    call_command("cob", "--json")  # the rest, up to yesterday
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["date"] for x in lines] == [str(start + DAY), str(start + 2 * DAY)]
    assert all(x["loans"] >= 1 and not x["already_closed"] for x in lines)
    call_command("cob")
    assert "无需运行" in capsys.readouterr().out
    call_command("cob", "--date", str(start))
    assert "已日终，未做任何改动" in capsys.readouterr().out
    for wrong in ("2026-13-01", str(start - DAY)):
        with pytest.raises(SystemExit) as e:
            call_command("cob", "--date", wrong)
        assert e.value.code == 2


def test_the_collection_list_through_the_api(rt, hh):
    start = today() - 100 * DAY
    loan = past_loan(rt, hh, start)
    close_days(start, today() - DAY)
    c = rt.world.client("loan_officer")
    r = c.get(f"/api/v1/collections?date={today()}")
    assert r.status_code == 200
    item = CollectionItem.objects.get(date=today(), loan=loan)
    row = next(x for x in r.json()["items"] if x["loan_id"] == loan.pk)
    assert row["contract_no"] == loan.contract_no and row["arrears"] == f"{item.arrears / 100:.2f}"
    # the page and its Excel name the person and their phone (masked), with a title and a total
    head = hh.members.get(is_head=True, left_on__isnull=True)
    page = c.get("/cob/collections/", {"date": str(today())}).content.decode()
    assert head.name in page and "户主（户编号）" in page
    sheet = load_workbook(
        BytesIO(c.get("/cob/collections/", {"date": str(today()), "format": "xlsx"}).content)
    ).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith(f"收款清单 {today():%Y年%m月%d日}") and rows[1][3] == "户主"
    mine = next(r for r in rows[2:] if r[2] == loan.contract_no)
    assert (mine[3], mine[5]) == (head.name, head.phone_masked)
    listed = CollectionItem.objects.filter(date=today())
    assert rows[-1][0] == "合计" and round(rows[-1][7], 2) == listed.aggregate(n=Sum("arrears"))["n"] / 100
    assert rt.world.client("finance_bureau").get("/api/v1/collections").status_code == 403


def test_joining_takes_nothing_before_the_balances_and_needs_postgresql(rt, hh, capsys):
    """``fupin cob --join``: chunks of a run whose balances phase is not over are not taken; on
    SQLite (one writer) the command says it needs PostgreSQL."""
    from django.core.management import call_command
    from django.db import connection

    from fupin.cob import services
    from fupin.cob.models import CobChunk, CobRun

    start = today() - 3 * DAY
    past_loan(rt, hh, start, amount=800_000, product="subsidy", term=12)
    if connection.vendor == "postgresql":
        run, _ = services._start(start, 1)  # a run cut into chunks, its balances not yet applied
        assert run.chunks.exists() and not run.chunks_open
        assert services.cob_join(idle_seconds=0.3, poll=0.05) == 0
        assert not CobChunk.objects.filter(done=True).exists()
        services.cob_run(start)
        assert CobRun.objects.get(date=start).chunks_open
    else:
        with pytest.raises(SystemExit) as e:
            call_command("cob", "--join", "--idle", "0")
        assert e.value.code == 2 and "需要 PostgreSQL" in capsys.readouterr().err

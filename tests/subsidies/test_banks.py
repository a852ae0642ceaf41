"""The interest subsidy on the loans of a bank that keeps its own core system (issue 25 (3)): the
register is written from its monthly files as it is for the loans booked here — S-CAPPED on a loan
the files report settled, S-HALF on what the bank deducted at each repayment — and its claim goes
through the county's chain (R-SUB-2) with nothing posted to Fupin's ledger; the bank's staff see
their own bank's claims only."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from fupin.accounts.models import User
from fupin.core import reports as core_reports
from fupin.core import subsidy as core
from fupin.core.errors import Conflict
from fupin.divisions.models import Division
from fupin.feeds.selectors import keeps_own_books
from fupin.ledger.models import Posting
from fupin.reports import tables
from fupin.subsidies import selectors, services
from fupin.subsidies.models import Batch, Line, Policy
from tests.bankfiles import CUTOFF, construction_bank

pytestmark = [pytest.mark.sqlite]


@pytest.fixture
def bank(world, tmp_path):
    return construction_bank(world, tmp_path)


def test_s_capped_on_a_banks_settled_loans_through_the_countys_chain_with_nothing_in_fupins_books(
    world, bank
):
    ccb, (head, officer), county = bank
    assert keeps_own_books(ccb.pk)
    policy = Policy.objects.get(code="S-CAPPED")
    batch = services.batch_prepare(acting_user=head, policy=policy, division_code=county, cutoff=CUTOFF)
    lines = {ln.contract_no: ln for ln in Line.objects.filter(policy=policy, institution=ccb)}
    assert set(lines) == {"JH1", "JH2", "JH5"}  # JH3 is S-HALF's, JH4 a stranger's: on the worklist only
    days = (dt.date(2025, 10, 20) - dt.date(2024, 3, 10)).days  # to the repayment that settled it
    formula = core.half_up(Fraction(3_000_000 * 5 * days, 100 * 360))  # 5 % a year, actual/360
    # the file states 3 000.00 of interest paid since disbursement: the formula gives less
    stated = lines["JH5"]
    assert (stated.loan_id, stated.lent, stated.days, stated.interest) == (None, 3_000_000, days, 300_000)
    assert stated.amount == formula < 300_000 and stated.reason == "" and stated.batch == batch
    # none stated: the interest of the repayments in the files, 100.00, is the ceiling (R-SUB-0)
    summed = lines["JH1"]
    assert (summed.days, summed.interest, summed.amount) == (days, 10_000, 10_000) and formula > 10_000
    # overdue in September: nothing, with the reason
    late = lines["JH2"]
    assert (late.amount, late.reason, late.batch) == (0, core.LATE, None)
    assert batch.claimed == formula + 10_000 and batch.institution == ccb
    with pytest.raises(Conflict):  # everything over by the cut-off is in a claim already
        services.batch_prepare(acting_user=head, policy=policy, division_code=county, cutoff=CUTOFF)

    services.batch_review(acting_user=world.user("poverty_office"), batch=batch, approve=True)
    services.batch_confirm(acting_user=world.user("finance_bureau"), batch=batch)
    services.batch_pay(acting_user=User.objects.get(username="caizheng2"), batch=batch, payment_ref="财拨 9")
    batch = services.batch_credit(acting_user=officer, batch=batch)
    assert batch.state == Batch.State.CREDITED
    assert (
        batch.claimed == batch.approved == batch.confirmed == batch.paid == batch.credited == formula + 10_000
    )
    assert not Posting.objects.filter(entry__institution=ccb).exists()  # the bank keeps its books

    # the bank's staff see their own bank's claim; another bank's do not
    assert [b.pk for b in selectors.batches(head)] == [batch.pk]
    abc = world.users["nh_hangzhang"]
    assert batch.pk not in {b.pk for b in selectors.batches(abc)}
    assert not [ln for ln in selectors.register(abc) if ln.institution_id == ccb.pk]


def test_s_half_takes_what_the_bank_deducted_at_most_what_the_policy_gives(world, bank):
    ccb, (head, _), county = bank
    policy = Policy.objects.get(code="S-HALF")
    batch = services.batch_prepare(acting_user=head, policy=policy, division_code=county, cutoff=CUTOFF)
    lines = sorted(Line.objects.filter(batch=batch), key=lambda ln: ln.seq)
    # one period a month since disbursement (January 2025 is the first): September the 9th
    assert [(ln.contract_no, ln.seq, ln.on) for ln in lines] == [
        ("JH3", 9, dt.date(2025, 9, 15)),
        ("JH3", 10, dt.date(2025, 10, 15)),
    ]
    september, october = lines
    # September: 50.00 paid and 50.00 deducted, half of 100.00 — all of it
    assert (september.interest, september.amount, september.reason) == (10_000, 5_000, "")
    # October: 60.00 paid and 40.00 deducted — the policy gives 50.00, the bank claims its 40.00
    assert (october.interest, october.amount) == (10_000, 4_000)
    assert october.reason == "按银行实际扣减 40.00 元"
    assert batch.claimed == 9_000

    # 附表4 of the bank: what its households paid and what was subsidised, by the repayment's quarter
    q4 = core_reports.period("2025-Q4")
    table = tables.fu4(Division.objects.get(code=county), q4, institution=ccb.pk)
    assert table.total["amount"] == 4_000 and table.total["interest"] == 10_000 - 4_000
    assert table.total["claimed"] == 0  # prepared today, not in 2025's fourth quarter

    # 附表8 of October: the bank's loans as its October file states them, with the register's subsidy
    fu8 = tables.fu8(Division.objects.get(code=county), core_reports.period("2025-10"), institution=ccb.pk)
    rows = {r["contract"]: r for r in fu8.rows}
    assert set(rows) == {"JH1", "JH2", "JH3", "JH5", "JH6"}  # the stranger's is on the worklist only
    assert {r["lender"] for r in fu8.rows} == {"中国建设银行富民县支行"}
    repaid = rows["JH2"]  # 20 000.00 principal with 120.00 and 30.00 of interest, settled
    assert (repaid["principal"], repaid["interest"], repaid["balance"]) == (2_000_000, 15_000, 0)
    half = rows["JH3"]
    assert (half["principal"], half["interest"], half["balance"]) == (0, 6_000, 1_000_000)
    assert (half["subsidy"], half["subsidy_total"]) == (4_000, 9_000)  # October's; and September's too
    assert fu8.total["subsidy"] == 4_000 and [r["n"] for r in fu8.rows] == [1, 2, 3, 4, 5]

"""贷款损失准备 (issue 24 (12)): the month-end batch sets each village's provision to what an
independent recomputation from the loans gives — class by days past due, principal owed, the
county's rates, half up to the fen — posts only the change, reverses what falls, and 附表3 shows it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db.models import Sum

from fupin.cob.models import CobRun
from fupin.cob.provisions import provisions_post
from fupin.cob.services import cob_run
from fupin.core import reports as report_core
from fupin.demo import portfolio
from fupin.demo.county import COUNTY
from fupin.divisions.models import Division
from fupin.ledger.models import JournalEntry, Posting
from fupin.loans.models import Servicing
from fupin.ratings.services import ruleset_create
from fupin.reports.tables import build
from tests.cob.conftest import books, today

pytestmark = pytest.mark.clock  # business dates from today: run on other days too

PRESET = {"normal": "0.01", "special": "0.02", "substandard": "0.25", "doubtful": "0.5", "loss": "1"}


def expected(on: dt.date, rates: dict[str, str]) -> dict[str, int]:
    """Each village's requirement, worked out here from the loan rows."""
    owed: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for sv in Servicing.objects.filter(active=True).select_related("loan"):
        dpd = (on - sv.late_since).days if sv.late_since else 0
        c = (
            "loss"
            if dpd > 360
            else "doubtful"
            if dpd > 270
            else "substandard"
            if dpd > 90
            else "special"
            if dpd > 0
            else "normal"
        )
        owed[sv.village_code][c] += sum(i.principal - i.principal_paid for i in sv.loan.installments.all())
    return {
        v: sum(
            int((Decimal(x) * Decimal(rates[c])).quantize(Decimal(1), rounding=ROUND_HALF_UP))
            for c, x in by.items()
        )
        for v, by in owed.items()
    }


def held() -> dict[str, int]:
    rows = (
        Posting.objects.filter(account_id="1304")
        .values("entry__division_code")
        .annotate(c=Sum("credit"), d=Sum("debit"))
    )
    return {r["entry__division_code"]: r["c"] - r["d"] for r in rows if r["c"] != r["d"]}


def test_the_month_end_sets_aside_what_the_classes_require(rt, head):
    month_end = today().replace(day=1) - dt.timedelta(days=1)
    portfolio.generate_book(loans=90, on=month_end, seed=12, overdue_share=0.4)
    run = cob_run(month_end).run
    assert CobRun.objects.get(pk=run.pk).state == "done"
    want = expected(month_end, PRESET)
    assert held() == {v: x for v, x in want.items() if x} and sum(want.values()) > 0
    classes = {
        c for c in run.summary["categories"] if run.summary["categories"][c]
    }  # the book reaches the worse classes, so the test weighs more than 1 %
    assert {"normal", "special", "substandard"} <= classes and classes & {"doubtful", "loss"}
    assert run.summary["provisions"]["required"] == sum(want.values())
    assert run.summary["provisions"]["entries"] == len([x for x in want.values() if x])

    # run again (a batch killed after posting and run once more): nothing more to post
    entries = JournalEntry.objects.count()
    assert provisions_post(month_end, head)["entries"] == 0 and JournalEntry.objects.count() == entries

    # the county lowers its rates: the next run reverses the difference, Dr 1304 / Cr 6702
    lower = {**PRESET, "normal": "0.005", "substandard": "0.2"}
    ruleset_create(
        acting_user=rt.world.user("poverty_office"),
        county_code=COUNTY[0],
        effective=month_end - dt.timedelta(days=40),
        definition={"provision_rates": lower},
    )
    done = provisions_post(month_end, head)
    assert done["change"] < 0 and held() == {v: x for v, x in expected(month_end, lower).items() if x}
    reversal = Posting.objects.filter(
        entry__source=f"cob.provision:{month_end:%Y%m%d}", account_id="1304", debit__gt=0
    )
    assert reversal.exists() and not reversal.filter(credit__gt=0).exists()
    b = books(head)
    assert -b["1304"] == sum(held().values()) and b["6702"] == sum(held().values())

    # 附表3 shows the provision of the month end
    table = build("fu3", Division.objects.get(code=COUNTY[0]), report_core.period(f"{month_end:%Y-%m}"))
    assert table.total["provision"] == sum(held().values())

"""Early warning (issue 28 (1)): a village's next month-end foreseen from its own months and the
instalments falling due, the amount it must bring in, and the page (the arithmetic's own cases —
a group's member in arrears, the fund ahead, the backtest — are tests/core/test_warning.py's)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from django.db.models import F, Sum

from fupin.cob.models import VillageMonth
from fupin.core.warning import month_end
from fupin.divisions.models import Division
from fupin.loans.models import Installment
from fupin.reports import warning
from tests.cob.conftest import past_loan, today
from tests.loans.conftest import hh  # noqa: F401
from tests.ratings.conftest import rt  # noqa: F401

DAY = dt.timedelta(days=1)


def test_a_village_foreseen_from_its_months_and_the_instalments_falling_due(rt, hh):  # noqa: F811
    w = rt.world
    loan = past_loan(rt, hh, today() - 40 * DAY)  # seasonal: interest monthly
    latest = month_end(today(), -1)
    for n, (due, repaid) in enumerate([(100_000, 100_000), (200_000, 199_000), (300_000, 295_000)]):
        VillageMonth.objects.create(
            village_code=w.village,
            month=month_end(latest, n - 2),
            due=due,
            repaid=repaid,
            below=False,
            suspended=False,
        )
    coming = (
        Installment.objects.filter(
            loan=loan, due_date__gt=latest, due_date__lte=month_end(latest, 1)
        ).aggregate(s=Sum(F("principal") + F("interest")))["s"]
        or 0
    )
    assert coming > 0  # something falls due in the coming month
    township = Division.objects.get(code=w.village[:9] + "000")
    v = warning.villages(w.user("poverty_office"), township, today())
    [row] = [r for r in v["rows"] if r["code"] == w.village]
    assert v["latest"] == latest and row["flow"] == Fraction(195_000, 200_000)  # (99 000 + 96 000) / 200 000
    nxt, _ = row["ahead"][0]
    assert nxt.due == 300_000 + coming
    assert nxt.repaid == 295_000 + int(Fraction(195_000, 200_000) * coming)
    assert nxt.needed == -(-98 * nxt.due // 100) - 295_000  # what the month must bring in for 98 %
    page = w.client("poverty_office").get("/reports/warning/", {"division": township.code}).content.decode()
    assert "村回收率预警" in page and 'id="backtest"' in page and f"{latest:%Y-%m-%d}" in page
    assert w.client("household").get("/reports/warning/").status_code == 403


def test_rates_are_shown_with_two_decimals_rounded_half_up():
    from fupin.web.templatetags.fupin import rate

    assert rate(Fraction(2, 3)) == "66.67%" and rate(Fraction(1, 800)) == "0.13%"  # 0.125 % → 0.13 %
    assert rate(None) == "" and rate(Fraction(1)) == "100.00%"

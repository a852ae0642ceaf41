"""The policy simulator (issue 28 (2)): households whose eligibility a new income line turns, next
year's subsidy under a new share replayed loan by loan to the fen, and the page with its Excel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook

from fupin.core.subsidy import half_up
from fupin.divisions.models import Division
from fupin.loans.models import Installment
from fupin.reports.simulate import Proposal, simulate
from fupin.subsidies.models import Policy
from tests.cob.conftest import past_loan, today
from tests.loans.conftest import hh  # noqa: F401
from tests.ratings.conftest import rt  # noqa: F401


def test_a_new_income_line_and_subsidy_share_replayed_on_the_portfolio(rt, hh):  # noqa: F811
    loan = past_loan(rt, hh, today() - dt.timedelta(days=100), product="annual", term=12)
    county = Division.objects.get(code=rt.world.village[:6] + "000000")
    half = Policy.objects.filter(code="S-HALF").order_by("-effective").first()
    result = simulate(county, Proposal(income_line=Decimal(1500), policy=half.pk, share=Decimal(1)), today())
    # the three rated households earn 2 000 a head: under a 1 500 line none is eligible any more —
    # those whose head is of age and under today's line lose it; each holds a line, one a loan
    rules = result["rules"]

    def fits_today(h) -> bool:
        born = h.members.get(is_head=True, left_on__isnull=True).birth_date
        age = today().year - born.year - ((today().month, today().day) < (born.month, born.day))
        in_programme = h.status in rules.statuses
        return (
            in_programme and h.income_per_capita < rules.income_line and rules.min_age <= age <= rules.max_age
        )

    losing = [h for h in rt.households if fits_today(h)]
    [town] = [t for t in result["households"] if t["code"] == rt.world.village[:9] + "000"]
    assert losing and (town["gain"], town["lose"], town["lose_line"]) == (0, len(losing), len(losing))
    assert town["lose_loan"] == (hh in losing)
    # S-HALF: each of next year's instalments repaid on time earns half its interest, rounded half
    # up (R-SUB-*); a share of 1 earns all of it
    interest = list(
        Installment.objects.filter(loan=loan, due_date__year=today().year + 1).values_list(
            "interest", flat=True
        )
    )
    assert interest
    [row] = [x for x in result["subsidy"] if x["code"] == "S-HALF"]
    assert row["loans"] == 1 and row["changed"]
    assert row["before"] == sum(min(half_up(i * Decimal("0.5")), i) for i in interest)
    assert row["after"] == sum(interest)
    untouched = [x for x in result["subsidy"] if x["code"] != "S-HALF"]
    assert all(not x["changed"] and x["after"] == x["before"] for x in untouched)

    c = rt.world.client("poverty_office")
    page = c.get(
        "/reports/simulate/", {"income_line": "1500", "policy": half.pk, "share": "1"}
    ).content.decode()
    assert "准入变化" in page and "明年贴息预算" in page
    sheet = load_workbook(
        BytesIO(c.get("/reports/simulate/", {"share": "1", "policy": half.pk, "format": "xlsx"}).content)
    )
    assert sheet.sheetnames[0] == "准入变化" and sheet.worksheets[1]["A1"].value == "贴息政策"
    assert rt.world.client("village_cadre").get("/reports/simulate/").status_code == 403


def test_a_new_benchmark_drops_the_loans_above_it_from_a_benchmark_only_subsidy(rt, hh):  # noqa: F811
    """S-CAPPED subsidises loans at or below the benchmark only: replayed against a benchmark below
    the loan's rate, the loan earns nothing next year; against one above it, what it earns today."""
    loan = past_loan(rt, hh, today() - dt.timedelta(days=100), product="subsidy", term=36)
    county = Division.objects.get(code=rt.world.village[:6] + "000000")
    below = Decimal(str(loan.nominal_rate)) - Decimal("0.005")
    low = simulate(county, Proposal(lpr_1y=below, lpr_5y=below), today())
    [capped] = [x for x in low["subsidy"] if x["code"] == "S-CAPPED"]
    assert capped["loans"] == 1 and capped["before"] > 0 and capped["after"] == 0
    high = simulate(county, Proposal(lpr_1y=Decimal("0.09"), lpr_5y=Decimal("0.09")), today())
    [capped] = [x for x in high["subsidy"] if x["code"] == "S-CAPPED"]
    assert capped["changed"] and capped["after"] == capped["before"] > 0

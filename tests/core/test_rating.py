"""Scorecards, back-to-back aggregation, panel composition and dynamic grades (DOMAIN §3)."""

from decimal import Decimal as D

import pytest

from fupin.core.errors import ValidationFailed
from fupin.core.rating import (
    SEED_GRADES,
    Band,
    Item,
    Scorecard,
    aggregate,
    next_grade,
    panel_problems,
)

LABOUR = Item("labour", "家庭劳动力", "range", D(30), bands=(Band(None, D(1), D(0)), Band(D(1), D(3), D(20)), Band(D(3), None, D(30))))
CREDIT = Item("credit", "社会信用", "option", D(40), options={"好": D(40), "一般": D(25), "差": D(0)})
INCOME = Item("income", "人均纯收入", "formula", D(30), standard=D(2000), step=D(500), per_step=D(5), base=D(10))
CARD = Scorecard("p8", "2026.1", (LABOUR, CREDIT, INCOME), SEED_GRADES, cap=D(50000))


def test_three_ways_of_scoring():
    assert LABOUR.score(2) == D(20) and LABOUR.score(0) == D(0) and LABOUR.score(5) == D(30)
    assert CREDIT.score("一般") == D(25)
    # formula: 10 + (3000 − 2000) ÷ 500 × 5 = 20, clamped to [0, 30]
    assert INCOME.score(3000) == D(20) and INCOME.score(100000) == D(30) and INCOME.score(0) == D(0)
    with pytest.raises(ValidationFailed):
        CREDIT.score("极好")
    with pytest.raises(ValidationFailed):
        LABOUR.score("两个")


def test_grades_and_credit_lines_from_the_seed_table():
    """credit_line docstring: AA → 10 000; with 10 % of 50 000 assets → 15 000; capped."""
    assert CARD.grade_of(D(85)).code == "AA" and CARD.grade_of(D(49)) is None
    assert CARD.credit_line(CARD.grade_of(D(85))) == D(10000)
    card = Scorecard("x", "1", (), SEED_GRADES, cap=D(50000), asset_share=D("0.1"))
    assert card.credit_line(card.grade_of(D(85)), assets=D(50000)) == D(15000)
    assert card.credit_line(card.grade_of(D(95)), assets=D(1000000)) == D(50000)


def test_scores_outside_bounds_or_missing_are_refused_with_every_problem():
    with pytest.raises(ValidationFailed) as e:
        CARD.check_scores({"labour": D(31), "bogus": D(1)})
    msgs = [p["message"] for p in e.value.details]
    assert any("超出" in m for m in msgs) and any("缺少" in m for m in msgs) and any("没有指标" in m for m in msgs)


def test_aggregate_worked_example():
    """80, 82, 85, 60: mean 76.75, median 81, trimmed 81, spread 25, the 60 flagged."""
    totals = [D(80), D(82), D(85), D(60)]
    assert aggregate(totals, "mean").score == D("76.75")
    assert aggregate(totals, "median").score == D("81.00")
    assert aggregate(totals, "trimmed_mean").score == D("81.00")
    a = aggregate(totals)
    assert a.spread == D(25) and a.outliers == (3,)


def test_panel_needs_two_fifths_representatives():
    assert panel_problems(["representative", "representative", "committee", "township", "work_team"]) == []
    assert panel_problems(["representative", "committee", "township"])
    assert panel_problems([])


def test_dynamic_grades():
    ladder = ["AAA", "AA", "A", "B", "C"]
    assert next_grade(ladder, "A", "repaid_on_time") == "AA"
    assert next_grade(ladder, "AAA", "repaid_on_time") == "AAA"
    assert next_grade(ladder, "A", "overdue") == "B"
    assert next_grade(ladder, "C", "overdue") == "C"
    assert next_grade(ladder, "AA", "default") == "C"

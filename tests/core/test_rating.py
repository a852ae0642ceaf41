"""Scorecards, back-to-back aggregation, panel composition and dynamic grades (DOMAIN §3)."""

import json
from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fupin.core.errors import ValidationFailed
from fupin.core.rating import (
    PRESET_P2,
    PRESET_P8,
    PRESETS,
    SEED_GRADES,
    Band,
    Item,
    Scorecard,
    VillageThresholds,
    aggregate,
    credit_village_problems,
    next_grade,
    panel_problems,
    scorecard_from_dict,
    scorecard_to_dict,
)

LABOUR = Item(
    "labour",
    "家庭劳动力",
    "range",
    D(30),
    bands=(Band(None, D(1), D(0)), Band(D(1), D(3), D(20)), Band(D(3), None, D(30))),
)
CREDIT = Item("credit", "社会信用", "option", D(40), options={"好": D(40), "一般": D(25), "差": D(0)})
INCOME = Item(
    "income", "人均纯收入", "formula", D(30), standard=D(2000), step=D(500), per_step=D(5), base=D(10)
)
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


def test_a_sheet_with_values_outside_bounds_or_missing_is_refused_with_every_problem():
    with pytest.raises(ValidationFailed) as e:
        PRESET_P2.score_sheet({"truthful": "假", "income": "-5", "bogus": 1})
    msgs = [p["message"] for p in e.value.details]
    assert any("没有选项" in m for m in msgs)
    assert any("超出允许范围" in m for m in msgs)  # income below the formula item's 0 bound
    assert sum("缺少" in m for m in msgs) == 6 and any("没有指标" in m for m in msgs)


def test_a_sheet_scores_every_item_and_totals():
    """篇2 questionnaire: 10 + 5 + 15 + 15 + (10 + (3000 − 2000)/500 × 2 = 14) + 10 + 10 + 10 = 89 → AA."""
    sheet = PRESET_P2.score_sheet(
        {
            "truthful": "真实",
            "resident": "12",
            "ability": "强",
            "project": "好",
            "income": "3000",
            "labour": 2,
            "neighbours": "和睦",
            "reputation": "好",
        }
    )
    assert sheet.points["income"] == D(14) and sheet.points["labour"] == D(10)
    assert sheet.total == D(89) and PRESET_P2.grade_of(sheet.total).code == "AA"
    assert PRESET_P2.credit_line(None) == D(1000)  # 未授信: the unrated line of 篇2


@pytest.mark.parametrize("code", sorted(PRESETS))
def test_presets_round_trip_through_their_stored_definition(code):
    card = PRESETS[code][2]
    again = scorecard_from_dict(code, card.version, json.loads(json.dumps(scorecard_to_dict(card))))
    assert again == card and card.max_total == D(100)


def test_a_bad_definition_lists_every_problem():
    bad = {
        "items": [
            {"code": "a", "label": "甲", "method": "range", "max_points": "5", "bands": [[5, 1, 9]]},
            {"code": "a", "label": "乙", "method": "guess"},
        ],
        "grades": [],
        "cap": "-1",
        "aggregation": "max",
        "term_months": 0,
    }
    with pytest.raises(ValidationFailed) as e:
        scorecard_from_dict("x", "1", bad)
    msgs = " ".join(p["message"] for p in e.value.details)
    for part in (
        "超出 0–5",
        "下限 5 不小于上限 1",
        "重复",
        "计分方式",
        "信用等级",
        "上限应大于 0",
        "汇总方式",
        "term_months",
    ):
        assert part in msgs


def test_p8_preset_is_one_band_of_50000_for_three_years():
    assert PRESET_P8.ladder() == ["L"] and PRESET_P8.term_months == 36
    sheet = PRESET_P8.score_sheet({"labour": 2, "income": "2500", "credit": "好"})
    assert sheet.total == D(75) and PRESET_P8.credit_line(PRESET_P8.grade_of(sheet.total)) == D(50000)
    assert PRESET_P8.credit_line(PRESET_P8.grade_of(D(59))) == D(0)


def test_credit_village_worked_example():
    assert credit_village_problems(households=100, rated=85, due=10000, repaid=9900, defaults=0) == []
    problems = credit_village_problems(households=100, rated=70, due=10000, repaid=9700, defaults=2)
    assert len(problems) == 3 and "70.00%" in problems[0] and "97.00%" in problems[1]
    strict = VillageThresholds(min_rated_share=Fraction(9, 10))
    assert credit_village_problems(households=100, rated=85, due=0, repaid=0, defaults=0, t=strict)


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


@given(
    st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=1, max_size=9),
    st.sampled_from(["mean", "median", "trimmed_mean"]),
)
def test_aggregate_rounds_the_exact_value_half_up(totals, method):
    """The Decimal aggregate equals the exact rational value rounded half up to the fen-like 0.01."""
    xs = sorted(Fraction(t) for t in totals)
    if method == "median":
        n = len(xs)
        exact = xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2
    elif method == "trimmed_mean" and len(xs) >= 4:
        exact = sum(xs[1:-1]) / (len(xs) - 2)
    else:
        exact = sum(xs) / len(xs)
    hundredths = exact * 100
    rounded = int(hundredths) + (1 if hundredths - int(hundredths) >= Fraction(1, 2) else 0)
    assert aggregate(totals, method).score == D(rounded) / 100

"""Eligibility (R-ELG-1 … R-ELG-5): every failing rule, with its id, in Chinese."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from fupin.core.eligibility import Applicant, Exclusion, Rules, evaluate, rules_in_force

ON = dt.date(2026, 11, 27)
RULES = Rules(programme="poverty", version="2026", effective=dt.date(2026, 1, 1))
GOOD = Applicant(
    status="poor",
    registry_year=2016,
    income_per_capita=Decimal("2100"),
    borrower_birth=dt.date(1980, 5, 1),
    full_civil_capacity=True,
    borrower_labour="full",
    project="养殖",
    unpaid_or_late_microloan=False,
    bad_credit_record=False,
    rated=True,
    credit_line=Decimal("30000"),
)


def test_a_good_applicant_is_eligible():
    assert evaluate(GOOD, RULES, ON).eligible


def test_worked_example_every_reason_not_only_the_first():
    """Docstring: 62 years old, 3 000 per capita, not rated -> three R-ELG-1 failures."""
    a = replace(
        GOOD,
        borrower_birth=dt.date(1964, 1, 1),
        income_per_capita=Decimal("3000"),
        rated=False,
        credit_line=Decimal("0"),
    )
    v = evaluate(a, RULES, ON)
    assert [f.rule for f in v.failures] == ["R-ELG-1"] * 3
    text = " ".join(f.message for f in v.failures)
    assert "62 岁" in text and "3000" in text and "评级授信" in text


@pytest.mark.parametrize(
    "change, words",
    [
        ({"status": "lifted"}, "户类型"),
        ({"income_per_capita": None}, "缺少人均纯收入"),
        ({"borrower_birth": dt.date(2010, 1, 1)}, "16 岁"),
        ({"full_civil_capacity": False}, "民事行为能力"),
        ({"borrower_labour": "none"}, "没有劳动能力"),
        ({"project": " "}, "生产经营项目"),
        ({"unpaid_or_late_microloan": True}, "逾期"),
        ({"bad_credit_record": True}, "不良信用"),
    ],
)
def test_each_rule_of_r_elg_1(change, words):
    v = evaluate(replace(GOOD, **change), RULES, ON)
    assert not v.eligible and any(words in f.message and f.rule == "R-ELG-1" for f in v.failures)


def test_non_poor_business_only_as_lead_household():
    v = evaluate(replace(GOOD, status="none"), RULES, ON)
    assert {f.rule for f in v.failures} == {"R-ELG-1", "R-ELG-3"}
    assert evaluate(
        replace(GOOD, status="none", income_per_capita=Decimal("90000"), lead_household=True), RULES, ON
    ).eligible


def test_recorded_exclusions_with_who_and_why_and_withdrawal():
    e = Exclusion(
        "lends_on", recorded_by="王村干", reason="贷款交给他人经营", recorded_on=dt.date(2026, 3, 1)
    )
    v = evaluate(replace(GOOD, exclusions=(e,)), RULES, ON)
    assert (
        v.failures[0].rule == "R-ELG-2b"
        and "王村干" in v.failures[0].message
        and "他人经营" in v.failures[0].message
    )
    withdrawn = replace(e, withdrawn_on=dt.date(2026, 6, 1))
    assert evaluate(replace(GOOD, exclusions=(withdrawn,)), RULES, ON).eligible
    county = Exclusion(
        "court_enforcement", recorded_by="县扶贫办", reason="法院执行", recorded_on=dt.date(2026, 1, 5)
    )
    assert evaluate(replace(GOOD, exclusions=(county,)), RULES, ON).failures[0].rule == "R-ELG-2a"


def test_age_limit_is_configuration():
    older = replace(GOOD, borrower_birth=dt.date(1963, 1, 1))
    assert not evaluate(older, RULES, ON).eligible
    assert evaluate(older, replace(RULES, max_age=65), ON).eligible


def test_the_version_in_force_on_the_application_date_judges():
    v2025 = Rules(
        programme="poverty", version="2025", effective=dt.date(2025, 1, 1), income_line=Decimal("2000")
    )
    v2026 = RULES
    a = replace(GOOD, income_per_capita=Decimal("2200"))
    assert rules_in_force([v2025, v2026], "poverty", dt.date(2025, 12, 31)) is v2025
    assert not evaluate(
        a, rules_in_force([v2025, v2026], "poverty", dt.date(2025, 12, 31)), dt.date(2025, 12, 31)
    ).eligible
    assert evaluate(a, rules_in_force([v2025, v2026], "poverty", ON), ON).eligible
    with pytest.raises(LookupError):
        rules_in_force([v2026], "poverty", dt.date(2020, 1, 1))

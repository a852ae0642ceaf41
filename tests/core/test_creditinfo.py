"""Credit information rules (R-CRD-2, 3): adverse records hidden five years after the event
ended, to the day; the entity scorecards' worked examples; scores stay within 0–100."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fupin.core.creditinfo import LEAD, grade, score, shown


def test_an_adverse_record_is_hidden_five_years_after_it_ended():
    ended = dt.date(2021, 3, 1)
    assert shown(adverse=True, ended=ended, on=dt.date(2026, 2, 28))
    assert not shown(adverse=True, ended=ended, on=dt.date(2026, 3, 1))
    assert shown(adverse=True, ended=None, on=dt.date(2040, 1, 1))  # not yet ended: always shown
    assert shown(adverse=False, ended=dt.date(2000, 1, 1), on=dt.date(2040, 1, 1))
    assert not shown(adverse=True, ended=dt.date(2020, 2, 29), on=dt.date(2025, 2, 28))  # leap day → 28 Feb


def test_lead_household_worked_example():
    s = score(
        "lead", {"years": 4, "driven": 6, "driven_clean": Fraction(5, 6), "own_record": 0, "output": 400_000}
    )
    assert [line[3] for line in s.lines] == [15, 18, 17, 25, 6] and (s.total, s.grade) == (81, "AA")


def test_cooperative_worked_example():
    s = score(
        "coop",
        {"membership": "0.5", "borrowing": "0.66", "repayment": "0.97", "capital": 150_000, "years": 2},
    )
    assert [line[3] for line in s.lines] == [21, 25, 20, 10, 6] and (s.total, s.grade) == (82, "AA")


def test_a_missing_factor_is_named():
    with pytest.raises(KeyError, match="output"):
        score("lead", {"years": 1, "driven": 1, "driven_clean": 1, "own_record": 0})


@given(st.integers(0, 50), st.integers(0, 100), st.fractions(0, 1), st.integers(0, 2), st.integers(0, 10**8))
def test_lead_scores_stay_within_the_card(years, driven, clean, record, output):
    s = score(
        "lead",
        {"years": years, "driven": driven, "driven_clean": clean, "own_record": record, "output": output},
    )
    assert 0 <= s.total <= sum(f.top for f in LEAD) == 100 and s.grade == grade(s.total)

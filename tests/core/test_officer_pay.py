"""Officer pay (R-PAY-1 … 4): the docstring's worked examples, rollovers and extensions excluded,
the sheet's total is the sum of its lines."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from fupin.core.officer_pay import LoanMonth, Rules, branch_lines, lines, rules_from, sheet

R = Rules()


def test_short_term_loan_current_and_rest_of_the_share():
    m = LoanMonth(
        1, "C1", "short", 1_000_000, settled_interest=13_750, repaid_in_full=True, life_interest=41_250
    )
    got = {ln.item: ln.amount for ln in lines(R, m)}
    assert got == {"当月结息提成": 688, "还清本金后补发提成": 6_188}  # 6.875 → 6.88; 61.875 → 61.88
    assert lines(R, m)[0].formula == "137.50 × 5% = 6.88"


def test_cycle_loan_arrears_deductions_by_band():
    a = LoanMonth(2, "C2", "cycle", 3_500_000, overdue_principal=140_000, overdue_interest=10_000)
    assert sum(ln.amount for ln in lines(R, a)) == -14_250
    b = LoanMonth(3, "C3", "cycle", 4_500_000, overdue_principal=180_000, overdue_interest=5_000)
    assert sum(ln.amount for ln in lines(R, b)) == -22_625
    small = LoanMonth(4, "C4", "cycle", 2_000_000, overdue_principal=180_000, overdue_interest=5_000)
    assert lines(R, small) == []  # below 30 000: no deduction band
    short = LoanMonth(5, "C5", "short", 4_500_000, overdue_principal=180_000)
    assert lines(R, short) == []  # deductions are for cycle loans


def test_cycle_share_is_twenty_five_percent_in_all():
    m = LoanMonth(
        6, "C6", "cycle", 4_000_000, settled_interest=320_000, repaid_in_full=True, life_interest=320_000
    )
    assert sum(ln.amount for ln in lines(R, m)) == 320_000 // 4  # 5 % now + 20 % at the end


def test_collection_reward_and_exclusions():
    assert [ln.amount for ln in lines(R, LoanMonth(7, "C7", "short", 1, collected_arrears=200_000))] == [
        10_000
    ]
    for why in ("转据", "展期"):
        assert (
            lines(
                R,
                LoanMonth(
                    8, "C8", "cycle", 4_500_000, settled_interest=99_999, overdue_principal=1, excluded=why
                ),
            )
            == []
        )


def test_rules_are_configuration():
    rules = Rules(share={"cycle": Fraction(30, 100), "short": Fraction(20, 100)}, current=Fraction(10, 100))
    m = LoanMonth(
        9, "C9", "cycle", 1_000_000, settled_interest=10_000, repaid_in_full=True, life_interest=10_000
    )
    assert [ln.amount for ln in lines(rules, m)] == [1_000, 2_000]


months = st.builds(
    LoanMonth,
    st.integers(1, 10**6),
    st.just("C"),
    st.sampled_from(["cycle", "short"]),
    st.integers(1, 10_000_000),
    st.integers(0, 10**6),
    st.booleans(),
    st.integers(0, 10**7),
    st.integers(0, 10**7),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.sampled_from(["", "转据"]),
)


@given(st.lists(months, max_size=30))
def test_the_total_is_the_sum_of_the_lines(ms):
    all_lines, total = sheet(R, ms)
    assert total == sum(ln.amount for ln in all_lines)
    assert all(ln.amount <= 0 for ln in all_lines if "扣减" in ln.item)
    assert all(lines(R, m) == [] for m in ms if m.excluded)  # rollovers and extensions earn nothing
    assert len(all_lines) == sum(len(lines(R, m)) for m in ms)


def test_director_and_accountant_shares_of_the_officers_total():
    got = [(ln.item, ln.amount) for ln in branch_lines(R, 123_456)]
    assert got == [("网点主任绩效", 12_346), ("会计绩效", 6_173)]  # 123.456 → 123.46; 61.728 → 61.73
    assert branch_lines(R, -5_000) == [] and branch_lines(R, 0) == []


def test_rules_round_trip_through_their_stored_values():
    assert rules_from(R.values()) == R
    custom = Rules(share={"cycle": Fraction(3, 10), "short": Fraction(1, 5)}, director=Fraction(0))
    assert rules_from(custom.values()) == custom


def test_bad_rules_are_refused_in_chinese():
    import pytest

    for change, why in [
        ({"share_cycle": "1.5"}, "0–1"),
        ({"current": "0.3"}, "不能高于"),
        ({"bands": [[0, 100, "0.1", "0.1"], [50, None, "0.1", "0.1"]]}, "重叠"),
        ({"reward": "abc"}, "收回欠款奖励"),
    ]:
        with pytest.raises(ValueError, match=why):
            rules_from({**R.values(), **change})

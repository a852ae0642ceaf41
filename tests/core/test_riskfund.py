"""Risk fund loss sharing (R-RSK-2) and recoveries (R-RSK-3): the worked example and properties."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from fupin.core.riskfund import SHARING, Party, leverage, loss_split, recovery_split


def test_worked_example_insurance_first_then_4_4_2():
    s = loss_split(3_000_100, SHARING["4:4:2"], insurance=1_000_000)
    assert s.insurance == 1_000_000
    assert s.shares == (800_040, 800_040, 400_020)
    assert s.insurance + sum(s.shares) == 3_000_100


def test_presets_80_20_and_7_3():
    assert loss_split(1_000_001, SHARING["80:20"]).shares == (800_001, 200_000)
    assert loss_split(1_000_000, SHARING["7:3"]).shares == (700_000, 300_000)
    assert loss_split(100, SHARING["80:20"], insurance=500).shares == (0, 0)  # insurance covers it all


def test_leverage():
    assert leverage(50_000_000, 10_000_000) == Fraction(5)
    assert leverage(1, 0) is None


weights = st.lists(st.integers(1, 100), min_size=1, max_size=6)


@given(st.integers(0, 10**10), st.integers(0, 10**10), weights)
def test_payouts_plus_bank_share_equal_the_loss(loss, insurance, ws):
    parties = [Party(f"p{i}", "fund" if i == 0 else "bank", w) for i, w in enumerate(ws)]
    s = loss_split(loss, parties, insurance)
    assert s.insurance + sum(s.shares) == loss
    assert all(x >= 0 for x in s.shares)


@given(st.integers(1, 10**9), st.integers(0, 10**9), weights)
def test_recoveries_split_by_the_same_shares(loss, recovered, ws):
    parties = [Party(f"p{i}", "fund", w) for i, w in enumerate(ws)]
    back = recovery_split(recovered, parties)
    assert sum(back) == recovered
    total = sum(ws)
    for part, w in zip(back, ws, strict=True):
        assert (
            abs(Fraction(part) - Fraction(recovered * w, total)) < 1
        )  # each within a fen of its exact share

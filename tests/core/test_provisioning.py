"""贷款损失准备 (issue 24 (12)): the module's worked example, the rates a county may set, and the
recipe's entry both ways."""

from fractions import Fraction

import pytest

from fupin.core import provisioning
from fupin.core.ledger import CHART, Entry, check_entry
from fupin.core.postings import provision_postings


def test_the_worked_example():
    owed = {"normal": 10_000_000, "special": 2_000_000, "substandard": 800_000, "loss": 300_000}
    assert provisioning.required(owed) == 100_000 + 40_000 + 200_000 + 300_000 == 640_000
    assert provisioning.required({}) == 0


def test_each_class_is_rounded_once_half_up():
    # 0.50 fen at 1 % (50 fen) rounds up, 0.49 (49 fen) down; 2 % of 25 fen is exactly 0.5 → 1
    assert provisioning.required({"normal": 50}) == 1
    assert provisioning.required({"normal": 49}) == 0
    assert provisioning.required({"special": 25, "normal": 49}) == 1


@pytest.mark.parametrize(
    "stored",
    [
        {"normal": "0.01", "special": "0.02", "substandard": "0.25", "doubtful": "0.5"},  # a class missing
        {"normal": "0.01", "special": "0.02", "substandard": "0.25", "doubtful": "0.5", "loss": "1.2"},
        {"normal": "0.05", "special": "0.02", "substandard": "0.25", "doubtful": "0.5", "loss": "1"},
        {"normal": 0.01, "special": "0.02", "substandard": "0.25", "doubtful": "0.5", "loss": "1"},
        {"normal": "-0.01", "special": "0.02", "substandard": "0.25", "doubtful": "0.5", "loss": "1"},
        {"normal": "0", "special": "0.05", "substandard": "0", "doubtful": "1", "loss": "1"},  # falls
    ],
)
def test_rates_a_county_may_not_set(stored):
    with pytest.raises(ValueError):
        provisioning.rates_of(stored)


def test_rates_a_county_may_set():
    rates = provisioning.rates_of(
        {"normal": "0", "special": "0.05", "substandard": "0.05", "doubtful": 1, "loss": 1}
    )
    assert rates == {
        "normal": 0,
        "special": Fraction(1, 20),
        "substandard": Fraction(1, 20),
        "doubtful": 1,
        "loss": 1,
    }


def test_the_entry_up_and_down():
    """provision_postings docstring: 6 400.00 required against 5 000.00 → 1 400.00."""
    chart = {a.code: a for a in CHART}
    up = provision_postings(change=140_000)
    check_entry(Entry(None, "计提", tuple(up)), chart)
    assert {(p.account, p.debit, p.credit) for p in up} == {("6702", 140_000, 0), ("1304", 0, 140_000)}
    down = provision_postings(change=-30_000)
    assert {(p.account, p.debit, p.credit) for p in down} == {("6702", 0, 30_000), ("1304", 30_000, 0)}
    assert provision_postings(change=0) == []

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fupin.core import money as m
from fupin.core.errors import ValidationFailed


def test_money_is_exact_two_decimals():
    assert m.money("20000") == Decimal("20000.00")
    assert m.money(" 1234.5 ") == Decimal("1234.50")
    assert m.money("0.07") == Decimal("0.07")
    assert m.money("１２３４．５６") == Decimal("1234.56")  # full-width digits, as a Chinese IME types them
    assert m.money(7) == Decimal("7.00")
    assert m.money("9999999999.99") == m.MAX_YUAN


@pytest.mark.parametrize(
    "bad, code",
    [
        (0.1, "money_float"),
        (True, "money_float"),
        ("abc", "money_invalid"),
        ("1.234", "money_precision"),
        ("NaN", "money_invalid"),
        ("Infinity", "money_invalid"),
        (Decimal("NaN"), "money_invalid"),
        # only plain digits: no grouping ("1,5" is not 15.00), exponent, underscore, sign, or space inside
        ("1,5", "money_invalid"),
        ("1,234.50", "money_invalid"),
        ("1e3", "money_invalid"),
        ("1E+30", "money_invalid"),
        ("1e100", "money_invalid"),
        ("1_000", "money_invalid"),
        ("+5", "money_invalid"),
        ("-5", "money_negative"),
        ("--5", "money_invalid"),
        ("1 000", "money_invalid"),
        ("", "money_invalid"),
        (".5", "money_invalid"),
        ("5.", "money_invalid"),
        ("١٢٣", "money_invalid"),  # Arabic-Indic digits are digits to Python, not to a bank
        (-1, "money_negative"),
        (Decimal("-0.01"), "money_negative"),
        ("10000000000", "money_too_large"),
        ("9223372036854775807", "money_too_large"),
        (10**11, "money_too_large"),
        ("90000000000000000", "money_too_large"),
    ],
)
def test_money_refuses(bad, code):
    with pytest.raises(ValidationFailed) as e:
        m.money(bad)
    assert e.value.code == code
    assert e.value.message  # a Chinese sentence saying what is wrong


def test_div_round_worked_examples():
    """Docstring of div_round: 5/2 -> 3 half-up, 2 half-even; -5/2 -> -3 half-up."""
    assert m.div_round(5, 2) == 3
    assert m.div_round(5, 2, "half_even") == 2
    assert m.div_round(7, 2, "half_even") == 4
    assert m.div_round(-5, 2) == -3
    assert m.div_round(14, 10) == 1 and m.div_round(15, 10) == 2 and m.div_round(16, 10) == 2


@given(st.integers(-(10**12), 10**12), st.integers(1, 10**9))
def test_div_round_matches_decimal(n, d):
    from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, localcontext

    with localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(n) / Decimal(d)
        assert m.div_round(n, d) == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        assert m.div_round(n, d, "half_even") == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def test_round_money_modes():
    assert m.round_money(Decimal("2.345")) == Decimal("2.35")
    assert m.round_money(Decimal("2.345"), "half_even") == Decimal("2.34")
    assert m.round_money(Fraction(1, 3)) == Decimal("0.33")


def test_fen_round_trip_and_format():
    assert m.to_fen(Decimal("12.34")) == 1234
    assert m.from_fen(1234) == Decimal("12.34")
    assert m.fmt(1234) == "12.34" and m.fmt(5) == "0.05" and m.fmt(-150) == "-1.50" and m.fmt(0) == "0.00"
    with pytest.raises(ValueError):
        m.to_fen(Decimal("0.001"))


def test_allocate_worked_example():
    """Docstring: 100.00 split 1:1:1 -> 33.34, 33.33, 33.33."""
    assert m.allocate(10000, [1, 1, 1]) == [3334, 3333, 3333]
    assert m.allocate(10000, [8, 2]) == [8000, 2000]
    assert m.allocate(101, [4, 4, 2]) == [41, 40, 20]


@given(
    st.integers(-(10**10), 10**10),
    st.lists(st.integers(0, 1000), min_size=1, max_size=12).filter(lambda w: sum(w) > 0),
)
def test_allocate_parts_sum_to_whole_and_stay_near_share(total, weights):
    parts = m.allocate(total, weights)
    assert sum(parts) == total
    s = sum(weights)
    for p, w in zip(parts, weights, strict=True):
        assert abs(p - Fraction(total * w, s)) < 1


@given(st.integers(0, 10**10), st.integers(1, 500))
def test_equal_split_last_absorbs(total, n):
    parts = m.equal_split(total, n)
    assert sum(parts) == total and len(parts) == n
    assert len(set(parts[:-1])) <= 1


@pytest.mark.parametrize("bad", ["-0.01", "1", "1.5", "x", 0.08])
def test_rate_bounds(bad):
    with pytest.raises(ValidationFailed):
        m.rate(bad)


def test_rate_is_exact():
    assert m.rate("0.165") == Fraction(165, 1000)

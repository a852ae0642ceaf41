"""Money: exact amounts in yuan with two decimals (fen), never floats (R-PRD-3).

Amounts are :class:`decimal.Decimal` values quantised to ``0.01``; inside hot loops the
schedule engine works on integer fen (``int``) and converts at the edges with
:func:`to_fen` / :func:`from_fen`, which is exact both ways.

Rounding happens only at named places and always with an explicit mode:
``ROUND_HALF_UP`` (四舍五入, the default) or ``ROUND_HALF_EVEN`` (selectable per product).
Rational quantities (an interest amount = balance × rate × days / 360) are rounded
once, exactly, by :func:`div_round` on integers, so no intermediate rounding creeps in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Literal

from fupin.core.errors import ValidationFailed

Rounding = Literal["half_up", "half_even"]
FEN = Decimal("0.01")
ZERO = Decimal("0.00")
DECIMAL_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}


MAX_YUAN = Decimal("9999999999.99")  # 99.99 亿元: beyond any one amount of a programme, far inside 64-bit fen
_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")


def money(value: object, *, field: str = "金额") -> Decimal:
    """A Decimal amount in yuan with exactly two decimals, from str, int or Decimal.

    A string is plain decimal digits with at most two decimals (full-width digits are read as
    digits): no sign, exponent, underscore or grouping comma — "1,5" is not 15.00 and "1e3" is
    not 1000. Floats are refused (they cannot represent most fen amounts exactly); more than two
    decimals are refused rather than silently rounded; negative amounts and amounts above
    :data:`MAX_YUAN` are refused.

    >>> money("20000")
    Decimal('20000.00')
    >>> money("１２.５")
    Decimal('12.50')
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise ValidationFailed(f"{field}必须以字符串或整数给出，不能是浮点数", code="money_float")
    if isinstance(value, str):
        text = value.strip().translate(_FULL_WIDTH)
        if text.startswith("-") and _PLAIN.fullmatch(text[1:]):
            raise ValidationFailed(f"{field}不能为负数", code="money_negative")
        if not _PLAIN.fullmatch(text):
            raise ValidationFailed(
                f"{field}“{value[:40]}”不是有效金额：只能由数字和小数点组成，例如 1234.50",
                code="money_invalid",
            )
        if len(text.split(".")[0].lstrip("0")) > 10:
            raise ValidationFailed(f"{field}过大（上限 {MAX_YUAN} 元）", code="money_too_large")
        d = Decimal(text)
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, Decimal) and value.is_finite():
        d = value
    else:
        raise ValidationFailed(f"{field}“{str(value)[:40]}”不是有效金额", code="money_invalid")
    if d < 0:
        raise ValidationFailed(f"{field}不能为负数", code="money_negative")
    if d > MAX_YUAN:
        raise ValidationFailed(f"{field}过大（上限 {MAX_YUAN} 元）", code="money_too_large")
    q = d.quantize(FEN)
    if q != d:
        raise ValidationFailed(f"{field}“{value}”最多两位小数（到分）", code="money_precision")
    return q


def round_money(value: Decimal | Fraction | int, mode: Rounding = "half_up") -> Decimal:
    """Round a yuan amount to fen with the given mode (the one named rounding step)."""
    if isinstance(value, Fraction):
        return from_fen(div_round(value.numerator * 100, value.denominator, mode))
    return Decimal(value).quantize(FEN, rounding=DECIMAL_MODES[mode])


def to_fen(amount: Decimal) -> int:
    """Yuan (two decimals) to integer fen, exactly; more decimals are an error."""
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"{amount} has more than two decimals")
    return int(fen)


def from_fen(fen: int) -> Decimal:
    """Integer fen to a Decimal yuan amount with two decimals."""
    return Decimal(fen).scaleb(-2)


def fmt(fen: int) -> str:
    """Fen as the string the JSON contracts use: two decimals, no grouping. 150 -> '1.50'."""
    sign = "-" if fen < 0 else ""
    q, r = divmod(abs(fen), 100)
    return f"{sign}{q}.{r:02d}"


def div_round(numerator: int, denominator: int, mode: Rounding = "half_up") -> int:
    """``numerator / denominator`` rounded to the nearest integer, exactly.

    half_up rounds ties away from zero (四舍五入); half_even rounds ties to the even
    neighbour (banker's rounding). Worked example: 5/2 -> 3 (half_up), 2 (half_even);
    -5/2 -> -3 (half_up).
    """
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    negative = numerator < 0
    n = -numerator if negative else numerator
    q, r = divmod(n, denominator)
    twice = 2 * r
    if twice > denominator or (twice == denominator and (mode == "half_up" or q % 2 == 1)):
        q += 1
    return -q if negative else q


def round_to_multiple(fen: int, unit_fen: int, mode: Rounding = "half_up") -> int:
    """Round an amount in fen to a multiple of ``unit_fen`` (e.g. 100 = whole yuan)."""
    if unit_fen <= 1:
        return fen
    return div_round(fen, unit_fen, mode) * unit_fen


def allocate(total: int, weights: Sequence[int | Fraction]) -> list[int]:
    """Split ``total`` fen into parts proportional to ``weights`` that sum to ``total`` exactly.

    Largest-remainder method: each part is floored, then the fen left over go one by one
    to the parts with the largest remainders (ties to the earlier part). Used for loss
    sharing, subsidy distribution and any split where the parts must add up.

    Worked example: 100.00 yuan split 1:1:1 -> 33.34, 33.33, 33.33.
    >>> allocate(10000, [1, 1, 1])
    [3334, 3333, 3333]
    """
    if total < 0:
        return [-p for p in allocate(-total, weights)]
    fw = [Fraction(w) for w in weights]
    if any(w < 0 for w in fw):
        raise ValueError("weights must not be negative")
    s = sum(fw)
    if s == 0:
        raise ValueError("weights must not all be zero")
    exact = [total * w / s for w in fw]
    parts = [int(e) for e in exact]  # floor for non-negative
    left = total - sum(parts)
    order = sorted(range(len(fw)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def equal_split(total: int, n: int) -> list[int]:
    """``total`` fen in ``n`` parts, each rounded half-up, the last absorbing the remainder.

    This is the schedule convention (R-PRD-3): 100.00 in 3 -> 33.33, 33.33, 33.34.
    """
    if n <= 0:
        raise ValueError("n must be positive")
    part = div_round(total, n)
    if part * (n - 1) > total:  # rounding up would overdraw the last part
        part = total // n
    return [part] * (n - 1) + [total - part * (n - 1)]


def rate(value: object, *, field: str = "利率") -> Fraction:
    """An annual rate given as a decimal fraction ("0.08"), exactly, checked to lie in [0, 1)."""
    if isinstance(value, float | bool):
        raise ValidationFailed(f"{field}必须以字符串给出，不能是浮点数", code="rate_float")
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationFailed(f"{field}“{value}”不是有效数字", code="rate_invalid") from None
    if not d.is_finite() or d < 0 or d >= 1:
        raise ValidationFailed(
            f"{field}“{value}”必须在 [0, 1) 之间（年利率，以小数表示，如 0.08）", code="rate_range"
        )
    return Fraction(d)

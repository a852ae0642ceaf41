"""The arithmetic of the official tables and indicators (DOMAIN §10), pure: report periods,
the bands the seed analyses (R-RPT-3), the regulator's flag (R-RPT-1a), ratios.

* A period is a month ``YYYY-MM`` or a quarter ``YYYY-Qn``: first and last day, both included.
* Loan-size bands (篇1): < 20 000, 20 000–< 30 000, 30 000–< 40 000, ≥ 40 000 yuan.
* Times borrowed (篇1): 1st … 5th, 6th and more.
* Age bands of the borrower on the loan's start: < 30, 30–39, 40–49, 50–59, ≥ 60.
* Ratios are exact fractions shown as percentages with two decimals, rounded half-up;
  a ratio with nothing below the line is None (shown as "—"), never 0 or 100 %.

Worked example: 9 915 collected of 10 000 due → ``percent(9915, 10000)`` = "99.15"
(篇5's repayment rate).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from fupin.core.calendar import add_months
from fupin.core.errors import ValidationFailed

SIZE_BANDS: tuple[tuple[str, int | None], ...] = (
    ("2万元以下", 2_000_000),
    ("2万—3万元", 3_000_000),
    ("3万—4万元", 4_000_000),
    ("4万元及以上", None),
)
AGE_BANDS: tuple[tuple[str, int | None], ...] = (
    ("30岁以下", 30),
    ("30—39岁", 40),
    ("40—49岁", 50),
    ("50—59岁", 60),
    ("60岁及以上", None),
)
TIMES = ("第1次", "第2次", "第3次", "第4次", "第5次", "第6次及以上")
DPD_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("1—30天", 1, 30),
    ("31—90天", 31, 90),
    ("91—180天", 91, 180),
    ("180天以上", 181, None),
)
# R-RPT-1a: what the regulator counts as a poverty microloan (CBIRC 1104, S7102)
REGULATOR_MAX_AMOUNT = 5_000_000  # fen
REGULATOR_MAX_TERM = 36  # months
UNSECURED = frozenset(
    {"subsidy", "annual", "group", "lead"}
)  # credit or joint liability (联保); seasonal has a guarantor


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date

    @property
    def year_start(self) -> dt.date:
        return dt.date(self.start.year, 1, 1)

    def previous_end(self) -> dt.date:
        return self.start - dt.timedelta(days=1)


def period(text: str) -> Period:
    """``2026-11`` → November 2026; ``2026-Q4`` → October to December 2026."""
    text = (text or "").strip().upper()
    m = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if m and 1 <= int(m.group(2)) <= 12:
        start = dt.date(int(m.group(1)), int(m.group(2)), 1)
        return Period(f"{start:%Y-%m}", start, add_months(start, 1) - dt.timedelta(days=1))
    m = re.fullmatch(r"(\d{4})-Q([1-4])", text)
    if m:
        start = dt.date(int(m.group(1)), 3 * int(m.group(2)) - 2, 1)
        return Period(text, start, add_months(start, 3) - dt.timedelta(days=1))
    raise ValidationFailed("报告期应为 YYYY-MM（月）或 YYYY-Qn（季度），如 2026-11、2026-Q4", code="period")


def band(value: int, bands: tuple[tuple[str, int | None], ...]) -> str:
    """The label of the first band whose upper bound (exclusive) is above ``value``."""
    for label, upper in bands:
        if upper is None or value < upper:
            return label
    return bands[-1][0]


def times_label(n: int) -> str:
    return TIMES[min(max(n, 1), len(TIMES)) - 1]


def dpd_bucket(days: int) -> str | None:
    for label, low, high in DPD_BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    return None


def regulator_flag(*, registered_poor: bool, amount: int, term_months: int, product: str) -> bool:
    """R-RPT-1a: a registered-poor farmer's loan of at most 50 000 yuan and 36 months, unsecured
    credit or joint liability. Example: a 脱贫人口小额信贷 of 50 000 for 36 months → True; the
    same for 37 months → False; a P-SEASONAL loan (a guarantor) → False."""
    return (
        registered_poor
        and 0 < amount <= REGULATOR_MAX_AMOUNT
        and 0 < term_months <= REGULATOR_MAX_TERM
        and product in UNSECURED
    )


def ratio(part: int, whole: int) -> Fraction | None:
    return None if whole == 0 else Fraction(part, whole)


def percent(part: int, whole: int) -> str | None:
    """``part / whole`` as a percentage with two decimals, half-up; None when ``whole`` is 0."""
    r = ratio(part, whole)
    if r is None:
        return None
    value = Decimal(r.numerator * 100) / Decimal(r.denominator)
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))

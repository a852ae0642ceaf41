"""Annualised-rate disclosure (R-PRD-4, PBoC announcement 2021 No. 3).

From the loan's actual cash flows — the borrower receives the principal less upfront
interest, fees and the deposit, pays every instalment, gets the deposit back at the end —
the periodic internal rate of return ``i`` solves Σ CFₖ·(1+i)^−tₖ = 0, where tₖ is the
time of flow k in periods of the repayment frequency (whole periods date to date, plus a
day fraction for a partial period). Then

* APR (年化利率, IRR method) = i × periods per year;
* EAR (实际年利率)            = (1 + i)^(periods per year) − 1.

Worked example (P-GROUP, 20 000 yuan, 8 % flat, half the interest upfront, 2 % of
principal weekly from day 14): APR = 15.3735 %, EAR = 16.5918 % — see
``docs/money-and-rounding.md`` for why this differs from the 18 % the seed reports.

The root is found in binary floating point: the result is a disclosed *rate* with six
decimals, not an amount of money, and the tests check it against independent references.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from fupin.core.calendar import add_months
from fupin.core.schedule.declining import YEAR_UNITS
from fupin.core.schedule.model import Schedule
from fupin.core.schedule.terms import PERIODS_PER_YEAR

SIX = Decimal("0.000001")


@dataclass(frozen=True, slots=True)
class Disclosure:
    nominal: Decimal
    apr: Decimal
    ear: Decimal


def cash_flows(schedule: Schedule) -> list[tuple[dt.date, int]]:
    """(date, fen) from the borrower's side: + received, − paid."""
    t = schedule.terms
    flows = [(t.start, t.principal - schedule.upfront_interest - schedule.upfront_fees - schedule.deposit)]
    for k, d in enumerate(schedule.due_dates):
        flows.append((d, -(schedule.principal[k] + schedule.interest[k] + schedule.fees[k])))
    if schedule.deposit:
        flows.append((schedule.due_dates[-1], schedule.deposit))
    return flows


def periods_per_year(schedule: Schedule) -> Fraction:
    t = schedule.terms
    ppy = PERIODS_PER_YEAR.get(t.frequency)
    if ppy:
        return Fraction(ppy)
    return Fraction(YEAR_UNITS[t.term_unit], t.term)  # one period = the whole term


def period_time(start: dt.date, day: dt.date, schedule: Schedule) -> float:
    """Time from ``start`` to ``day`` in periods of the schedule's frequency."""
    t = schedule.terms
    freq = t.frequency
    if freq in ("weekly", "biweekly"):
        return (day - start).days / (7 if freq == "weekly" else 14)
    if freq == "maturity":
        span = (schedule.maturity - start).days
        return (day - start).days / span if span else 0.0
    months = (day.year - start.year) * 12 + day.month - start.month
    while months > 0 and add_months(start, months) > day:
        months -= 1
    lo, hi = add_months(start, months), add_months(start, months + 1)
    m = months + (day - lo).days / (hi - lo).days
    return m / (3 if freq == "quarterly" else 1)


def irr(flows: list[tuple[float, int]], guess: float = 0.01) -> float:
    """Periodic IRR of (time, amount) flows: Newton's method, bisection as a fallback."""

    def npv(r: float) -> float:
        return math.fsum(a * (1.0 + r) ** -t for t, a in flows)

    def dnpv(r: float) -> float:
        return math.fsum(-t * a * (1.0 + r) ** (-t - 1.0) for t, a in flows)

    r = guess
    for _ in range(50):
        f = npv(r)
        d = dnpv(r)
        if d == 0 or not math.isfinite(f):
            break
        step = f / d
        r_next = r - step
        if r_next <= -0.99:
            r_next = (r - 0.99) / 2
        if abs(r_next - r) < 1e-15:
            return r_next
        r = r_next
    if abs(npv(r)) < 1e-6:
        return r
    lo, hi = -0.99, 1.0
    while npv(hi) > 0 and hi < 1e6:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if npv(mid) > 0:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _six(x: float | Fraction) -> Decimal:
    d = Decimal(x) if isinstance(x, float) else Decimal(x.numerator) / Decimal(x.denominator)
    return d.quantize(SIX, rounding=ROUND_HALF_UP)


def disclose(schedule: Schedule) -> Disclosure:
    """Nominal rate, APR and EAR of a schedule, each with six decimals."""
    start = schedule.terms.start
    flows = [(period_time(start, d, schedule), a) for d, a in cash_flows(schedule)]
    ppy = periods_per_year(schedule)
    guess = float(schedule.terms.annual_rate / ppy) or 0.001
    i = irr(flows, guess)
    return Disclosure(
        nominal=_six(schedule.terms.annual_rate),
        apr=_six(i * float(ppy)),
        ear=_six((1.0 + i) ** float(ppy) - 1.0),
    )

"""Shapes with interest on the original principal (平息): ``flat`` and ``fixed_percent``.

Total interest = principal × annual rate × term in years (months ÷ 12, weeks ÷ 52,
days ÷ 360 or 365), rounded once. ``flat`` spreads it evenly over the instalments
with principal in equal parts; ``fixed_percent`` (P-GROUP) repays a fixed share of the
principal each period and collects the interest not taken upfront with the last
instalment. In both, the last instalment absorbs every rounding remainder.
"""

from __future__ import annotations

from fupin.core.money import Rounding, div_round
from fupin.core.schedule.dates import Timeline
from fupin.core.schedule.declining import YEAR_UNITS, Columns
from fupin.core.schedule.terms import Terms


def total_interest(terms: Terms) -> int:
    """Principal × rate × years, in fen. Worked example (P-GROUP): 20 000.00 × 8 % × 1 = 1 600.00."""
    years_den = (
        365
        if (terms.term_unit == "day" and terms.interest_basis == "act365")
        else YEAR_UNITS[terms.term_unit]
    )
    r = terms.annual_rate
    return div_round(terms.principal * r.numerator * terms.term, r.denominator * years_den, terms.rounding)


def split(total: int, n: int, mode: Rounding) -> list[int]:
    """``total`` in ``n`` equal rounded parts, the last absorbing the remainder (never
    negative: when rounding up would overdraw, the parts are rounded down)."""
    part = div_round(total, n, mode)
    if part * (n - 1) > total:
        part = total // n
    return [part] * (n - 1) + [total - part * (n - 1)]


def build(terms: Terms, tl: Timeline, rest: int, unit: int) -> Columns:
    """Columns for ``rest`` = the interest not collected upfront."""
    mode = terms.rounding
    n = len(tl.accrual)
    P = terms.principal
    if terms.shape == "fixed_percent":
        assert terms.fixed_percent is not None
        f = terms.fixed_percent
        per = div_round(P * f.numerator, f.denominator, mode)
        principal = []
        bal = P
        for _ in range(n - 1):
            p = per if per < bal else bal
            principal.append(p)
            bal -= p
        principal.append(bal)
        interest = [0] * (n - 1) + [rest]
    else:
        grace = min(terms.principal_grace, n - 1)
        principal = [0] * grace + split(P, n - grace, mode)
        interest = split(rest, n, mode)
    if unit > 1:
        bal = P
        for k in range(n - 1):
            t = principal[k] + interest[k]
            p = principal[k] + div_round(t, unit, mode) * unit - t
            principal[k] = min(max(p, 0), bal)
            bal -= principal[k]
        principal[-1] = bal
    return principal, interest

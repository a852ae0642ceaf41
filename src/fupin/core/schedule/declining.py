"""Shapes with interest on the outstanding balance: equal instalments (等额本息), equal
principal (等额本金), interest only (按期付息到期还本) and bullet (一次还本付息).

Interest of period k = balance × factor_k, rounded once (R-PRD-3), where factor_k is
annual ÷ periods-per-year for a regular period on the ``period`` basis and
annual × days ÷ 360 (or 365) otherwise. The last instalment takes whatever principal is
left, so principal repaid equals principal lent to the fen.
"""

from __future__ import annotations

from fupin.core.money import Rounding, div_round
from fupin.core.schedule.dates import Timeline
from fupin.core.schedule.terms import PERIODS_PER_YEAR, Terms

YEAR_UNITS = {"month": 12, "week": 52, "day": 360}

Columns = tuple[list[int], list[int]]  # principal, interest per instalment


def interest_factors(terms: Terms, tl: Timeline) -> list[tuple[int, int]] | tuple[int, int]:
    """(numerator, denominator) per period: interest = balance × numerator ÷ denominator.

    One pair (not a list) when every period has the same factor — the common case of
    regular periods on the ``period`` basis, which the loops below make fast.
    """
    a, b = terms.annual_rate.numerator, terms.annual_rate.denominator
    ppy = PERIODS_PER_YEAR.get(terms.frequency)
    basis = terms.interest_basis
    if terms.frequency == "maturity" and basis == "period":
        # one period of the whole term: annual × term in years (months ÷ 12, weeks ÷ 52, days ÷ 360)
        return (a * terms.term, b * YEAR_UNITS[terms.term_unit])
    if basis == "period" and ppy and tl.all_regular:
        return (a, b * ppy)
    year_days = 365 if basis == "act365" else 360
    out = []
    for regular, days in zip(tl.regular, tl.days, strict=True):
        if basis == "period" and regular and ppy:
            out.append((a, b * ppy))
        else:
            out.append((a * days, b * year_days))
    return out


def annuity_payment(principal: int, periods: int, r_num: int, r_den: int, mode: Rounding) -> int:
    """Equal instalment: P × r ÷ (1 − (1 + r)^−n), computed exactly then rounded once.

    With r = A/B: payment = P·A·(A+B)^n ÷ (B·((A+B)^n − B^n)).
    Worked example: 100 000.00 at 6 % a year monthly (r = 0.005) over 12 months
    = 8 606.64 a month.
    """
    if periods <= 0:
        return principal
    if r_num == 0:
        return div_round(principal, periods, mode)
    x = (r_num + r_den) ** periods
    y = r_den**periods
    return div_round(principal * r_num * x, r_den * (x - y), mode)


def build(terms: Terms, tl: Timeline, unit: int) -> Columns:
    mode = terms.rounding
    n = len(tl.accrual)
    grace = min(terms.principal_grace, n - 1)
    factors = interest_factors(terms, tl)
    P = terms.principal
    shape = terms.shape
    if shape in ("interest_only", "bullet"):
        grace = n - 1
    pay = 0
    per = 0
    if shape == "equal_installment":
        ppy = PERIODS_PER_YEAR.get(terms.frequency, 1)
        r = terms.annual_rate
        pay = annuity_payment(P, n - grace, r.numerator, r.denominator * ppy, mode)
        if unit > 1:
            pay = max(unit, div_round(pay, unit, mode) * unit)
    elif shape == "equal_principal":
        per = div_round(P, n - grace, mode)
    if isinstance(factors, tuple) and mode == "half_up" and unit <= 1:
        return _fast(P, n, grace, pay if shape == "equal_installment" else None, per, factors)
    principal = [0] * n
    interest = [0] * n
    bal = P
    half_up = mode == "half_up"
    last = n - 1
    for k in range(n):
        num, den = factors if isinstance(factors, tuple) else factors[k]
        x = bal * num
        i = (2 * x + den) // (2 * den) if half_up else div_round(x, den, mode)
        if k == last:
            p = bal
        elif k < grace:
            p = 0
        else:
            p = pay - i if shape == "equal_installment" else per
            if unit > 1 and shape != "equal_installment":
                p += div_round(p + i, unit, mode) * unit - (p + i)
            if p < 0:
                p = 0
            elif p > bal:
                p = bal
        principal[k] = p
        interest[k] = i
        bal -= p
    return principal, interest


def _fast(P: int, n: int, grace: int, pay: int | None, per: int, factor: tuple[int, int]) -> Columns:
    """The same computation as :func:`build` for one uniform factor and half-up rounding
    (most loans): a tight loop, no per-instalment branching on options."""
    num, den = factor
    num2, den2 = 2 * num, 2 * den
    principal = [0] * grace
    interest = []
    bal = P
    for _ in range(grace):
        interest.append((bal * num2 + den) // den2)
    if pay is not None:
        for _ in range(grace, n - 1):
            i = (bal * num2 + den) // den2
            p = pay - i
            if p < 0:
                p = 0
            elif p > bal:
                p = bal
            interest.append(i)
            principal.append(p)
            bal -= p
    else:
        for _ in range(grace, n - 1):
            p = per if per < bal else bal
            interest.append((bal * num2 + den) // den2)
            principal.append(p)
            bal -= p
    interest.append((bal * num2 + den) // den2)
    principal.append(bal)
    return principal, interest

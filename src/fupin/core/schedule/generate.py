"""``generate(terms) -> Schedule``: the one entry point of the schedule engine."""

from __future__ import annotations

import operator
from itertools import accumulate

from fupin.core.money import Rounding, div_round
from fupin.core.schedule import declining, flat
from fupin.core.schedule.dates import timeline
from fupin.core.schedule.model import Schedule
from fupin.core.schedule.terms import Terms


def generate(terms: Terms, *, checked: bool = False) -> Schedule:
    """The repayment schedule of ``terms``, exact to the fen.

    Invariants (tested over thousands of random loans): principal repaid = principal
    lent; balances never negative and zero after the last instalment; due dates strictly
    increasing when no holiday shift merges them.
    """
    if not checked:
        terms.check()
    tl = timeline(terms)
    mode = terms.rounding
    unit = terms.installment_multiple
    share = terms.upfront_interest_share
    upfront = 0
    if terms.shape in ("flat", "fixed_percent"):
        total = flat.total_interest(terms)
        if share:
            upfront = div_round(total * share.numerator, share.denominator, mode)
        principal, interest = flat.build(terms, tl, total - upfront, unit)
    else:
        principal, interest = declining.build(terms, tl, unit)
        if share:
            upfront = _take_upfront(interest, share.numerator, share.denominator, mode)
    P = terms.principal
    balance = tuple(accumulate(principal, operator.sub, initial=P))[1:]
    fee, dep = terms.upfront_fee_rate, terms.deposit_rate
    notes = (tl.note,) if tl.note else ()
    return Schedule(
        terms=terms,
        maturity=tl.maturity,
        accrual_dates=tl.accrual,
        due_dates=tl.due,
        principal=tuple(principal),
        interest=tuple(interest),
        fees=(0,) * len(principal),
        balance=balance,
        upfront_interest=upfront,
        upfront_fees=div_round(P * fee.numerator, fee.denominator, mode) if fee else 0,
        deposit=div_round(P * dep.numerator, dep.denominator, mode) if dep else 0,
        notes=notes,
    )


def _take_upfront(interest: list[int], num: int, den: int, mode: Rounding) -> int:
    """Move ``num/den`` of all scheduled interest to disbursement, taken from the earliest
    instalments first (the interest is prepaid, so those instalments carry less)."""
    upfront = div_round(sum(interest) * num, den, mode)
    left = upfront
    for k, i in enumerate(interest):
        if left == 0:
            break
        take = min(i, left)
        interest[k] = i - take
        left -= take
    return upfront

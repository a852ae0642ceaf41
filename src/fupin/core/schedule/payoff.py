"""Early repayment (P-SEASONAL: at any time, without fee): what settles the loan on a date.

Assume every instalment due on or before the payoff date has been paid as scheduled.
Interest is then recomputed to the payoff date:

* declining-balance shapes: the scheduled interest of the paid periods plus the
  outstanding principal × annual rate × days since the last period end ÷ 360 (÷ 365 on
  the act365 basis) — the PBoC daily rate;
* flat shapes: the flat total × days elapsed ÷ days of the term.

payoff interest = recomputed interest − interest already paid (upfront included); when
negative the borrower has prepaid interest and it is refunded (``refund``).

Worked example (P-SEASONAL, 10 000.00 at 16.5 %, interest monthly, disbursed
2026-03-10, paid off 2026-05-25 after the April and May interest): outstanding 10 000.00,
interest for 15 days = 10 000 × 0.165 × 15 ÷ 360 = 68.75, total 10 068.75.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from fractions import Fraction

from fupin.core.errors import ValidationFailed
from fupin.core.money import div_round
from fupin.core.schedule import flat
from fupin.core.schedule.generate import generate
from fupin.core.schedule.model import Schedule


@dataclass(frozen=True, slots=True)
class Payoff:
    on: dt.date
    principal: int  # fen outstanding
    interest: int  # fen still owed (0 when prepaid interest exceeds what is due)
    refund: int  # fen of prepaid interest returned
    interest_recomputed: int  # all interest of the loan up to the payoff date
    interest_paid: int  # interest paid before the payoff date, upfront included

    @property
    def total(self) -> int:
        return self.principal + self.interest - self.refund


def payoff(schedule: Schedule, on: dt.date) -> Payoff:
    t = schedule.terms
    if on < t.start:
        raise ValidationFailed("提前还款日不能早于放款日", code="payoff_before_start")
    if on > schedule.maturity:
        raise ValidationFailed("提前还款日不能晚于到期日", code="payoff_after_maturity")
    paid = sum(1 for d in schedule.due_dates if d <= on)
    principal_out = t.principal - sum(schedule.principal[:paid])
    interest_paid = schedule.upfront_interest + sum(schedule.interest[:paid])
    mode = t.rounding
    r = t.annual_rate
    if t.shape in ("flat", "fixed_percent"):
        term_days = (schedule.maturity - t.start).days
        total = flat.total_interest(t)
        recomputed = div_round(total * (on - t.start).days, term_days, mode) if term_days else total
    else:
        # the paid periods' interest as scheduled before any of it was moved upfront
        original = (
            generate(replace(t, upfront_interest_share=Fraction(0)), checked=True)
            if schedule.upfront_interest
            else schedule
        )
        last_end = schedule.accrual_dates[paid - 1] if paid else t.start
        days = (on - last_end).days
        year_days = 365 if t.interest_basis == "act365" else 360
        accrued = div_round(principal_out * r.numerator * days, r.denominator * year_days, mode)
        recomputed = sum(original.interest[:paid]) + accrued
    owed = recomputed - interest_paid
    return Payoff(
        on=on,
        principal=principal_out,
        interest=max(owed, 0),
        refund=max(-owed, 0),
        interest_recomputed=recomputed,
        interest_paid=interest_paid,
    )


def extended(schedule: Schedule, maturity: dt.date, interest: int) -> Schedule:
    """The schedule after an extension (展期, R-REP-4): the final instalment falls due on
    ``maturity``, its interest runs to it and carries ``interest`` (fen) more. A payoff within
    the extension then counts the final period's days to the payoff date, at the contract rate."""
    return replace(
        schedule,
        maturity=maturity,
        due_dates=schedule.due_dates[:-1] + (maturity,),
        accrual_dates=schedule.accrual_dates[:-1] + (maturity,),
        interest=schedule.interest[:-1] + (schedule.interest[-1] + interest,),
    )

"""Partial prepayment (部分提前还款): part of the principal paid early, the rest re-amortised.

The household pays ``amount`` of principal on a day inside period k (from its start s to its due
date), with the interest on that principal from s to the day — the PBoC daily rate, annual ÷ 360
(÷ 365 on the act365 basis), rounded once. From period k on, the schedule is generated again for
the principal left, as if it had been the balance at s, over the original dates:

* **reduce (减额)** — the same periods, smaller instalments (every declining-balance shape;
  interest only and bullet: the interest of each period and the final principal fall);
* **shorten (缩期)** — instalments no larger than before, fewer periods: the fewest of the
  original remaining dates whose first instalment (equal instalments: its total; equal
  principal: its principal) is not above the one it replaces.

Shapes with interest on the original principal (flat, fixed percent — P-GROUP) cannot be
re-amortised: the group's weekly discipline is the product. Which methods a product offers is
its configuration (:attr:`fupin.core.products.Preset.prepayment`).

The schedule in force after prepayments is the original timeline from period k on, with the
principal left: a :class:`Segment` — three integers — regenerates it exactly, so payoffs and
extensions afterwards work on it as on an original schedule.

Worked example (interest only, 10 000.00 at 6 % a year on the ``period`` basis, monthly for 6
months from 2026-01-01): on 2026-03-11, 10 days into period 3, 4 000.00 is prepaid with
4 000 × 6 % × 10 ÷ 360 = 6.67 interest; periods 3–6 then carry 30.00 interest each (6 000.00 ×
0.5 %) instead of 50.00, and 6 000.00 principal at the end.
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass, replace
from fractions import Fraction
from itertools import accumulate
from typing import Literal

from fupin.core.errors import ValidationFailed
from fupin.core.money import div_round, fmt
from fupin.core.schedule import declining
from fupin.core.schedule.dates import Timeline, timeline
from fupin.core.schedule.generate import generate
from fupin.core.schedule.model import Schedule
from fupin.core.schedule.terms import Terms

Method = Literal["reduce", "shorten"]
METHODS: dict[str, str] = {
    "reduce": "减额（期数不变，每期还款减少）",
    "shorten": "缩期（每期还款不增加，期数减少）",
}
SHAPE_METHODS: dict[str, tuple[str, ...]] = {
    "equal_installment": ("reduce", "shorten"),
    "equal_principal": ("reduce", "shorten"),
    "interest_only": ("reduce",),
    "bullet": ("reduce",),
}


@dataclass(frozen=True)
class Segment:
    """The schedule from period ``first`` (0-based, of the original timeline) on: ``principal``
    re-amortised over ``periods`` periods."""

    first: int
    periods: int
    principal: int


@dataclass(frozen=True)
class Partial:
    on: dt.date
    principal: int  # fen prepaid
    interest: int  # fen of interest on it to the day
    balance: int  # fen outstanding at the start of the period, before the prepayment
    segment: Segment
    schedule: Schedule  # in force afterwards (from period ``segment.first`` on)
    index: int  # the period the prepayment falls in, within the schedule it replaced

    @property
    def total(self) -> int:
        return self.principal + self.interest


def in_force(terms: Terms, segment: Segment | None = None) -> Schedule:
    """The schedule in force: the original one, or the re-amortised rest (see the module)."""
    if segment is None:
        return generate(terms)
    tl = timeline(terms)
    cut = slice(segment.first, segment.first + segment.periods)
    start = tl.accrual[segment.first - 1] if segment.first else terms.start
    t = replace(
        terms,
        principal=segment.principal,
        start=start,
        principal_grace=max(0, terms.principal_grace - segment.first),
        upfront_interest_share=Fraction(0),
        upfront_fee_rate=Fraction(0),
        deposit_rate=Fraction(0),
    )
    part = Timeline(
        maturity=tl.accrual[cut][-1],
        accrual=tl.accrual[cut],
        due=tl.due[cut],
        regular=tl.regular[cut],
        days=tl.days[cut],
        note=None,
        all_regular=all(tl.regular[cut]),
    )
    principal, interest = declining.build(t, part, t.installment_multiple)
    return Schedule(
        terms=t,
        maturity=part.maturity,
        accrual_dates=part.accrual,
        due_dates=part.due,
        principal=tuple(principal),
        interest=tuple(interest),
        fees=(0,) * len(principal),
        balance=tuple(accumulate(principal, operator.sub, initial=segment.principal))[1:],
    )


def methods(terms: Terms) -> tuple[str, ...]:
    """The methods the shape allows (none for interest on the original principal, or with
    interest taken upfront)."""
    if terms.upfront_interest_share:
        return ()
    return SHAPE_METHODS.get(terms.shape, ())


def partial(terms: Terms, segment: Segment | None, on: dt.date, amount: int, method: str) -> Partial:
    """Prepay ``amount`` fen of principal on ``on`` (see the module): the interest on it to the
    day and the schedule in force afterwards."""
    if method not in METHODS:
        raise ValidationFailed(f"提前还款方式只能是：{'、'.join(METHODS)}", code="prepay_method")
    if method not in methods(terms):
        raise ValidationFailed(f"该还款方式的贷款不能{METHODS[method][:2]}提前还款", code="prepay_method")
    current = in_force(terms, segment)
    first = segment.first if segment else 0
    k = sum(1 for d in current.due_dates if d <= on)  # the period ``on`` falls in
    if on < current.terms.start or k >= len(current) or on >= current.accrual_dates[k]:
        raise ValidationFailed("提前还款日须在尚未到期的一期之内", code="prepay_date")
    balance = current.terms.principal - sum(current.principal[:k])
    if type(amount) is not int or not 0 < amount < balance:
        raise ValidationFailed(
            f"部分提前还款的本金须大于零且少于本期期初的本金余额 {fmt(balance)} 元（全部还清请用提前还清）",
            code="prepay_amount",
            details={"balance": fmt(balance)},
        )
    s = current.accrual_dates[k - 1] if k else current.terms.start
    r = terms.annual_rate
    year_days = 365 if terms.interest_basis == "act365" else 360
    interest = div_round(amount * r.numerator * (on - s).days, r.denominator * year_days, terms.rounding)
    left = balance - amount
    remaining = len(current) - k
    new = Segment(first + k, remaining, left)
    if method == "shorten":
        with_interest = terms.shape == "equal_installment"  # compare totals; equal principal: principal
        old = current.principal[k] + (current.interest[k] if with_interest else 0)
        for m in range(1, remaining + 1):
            candidate = in_force(terms, Segment(first + k, m, left))
            if candidate.principal[0] + (candidate.interest[0] if with_interest else 0) <= old:
                new = Segment(first + k, m, left)
                break
    return Partial(on, amount, interest, balance, new, in_force(terms, new), k)

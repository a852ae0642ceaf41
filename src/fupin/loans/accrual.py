"""The nightly batch's arithmetic (:mod:`fupin.core.cob`) as database expressions, so that a
million loans are summed where they lie. The same integer arithmetic as the core functions
— ``(2n + d) / (2d)`` is round-half-up with integer division in PostgreSQL and SQLite — so
the batch, the repayments (which use the core functions) and the sub-ledger agree to the fen.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    DateField,
    F,
    Func,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.lookups import GreaterThan

from fupin.core.cob import PENALTY_DIVISOR
from fupin.core.servicing import CATEGORY_FLOORS


class Days(Func):
    """Whole days from date ``b`` to date ``a``."""

    output_field = IntegerField()

    def __init__(self, a, b) -> None:
        super().__init__(a, b)

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL: date − date is a number of days
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


def day(d: dt.date) -> Value:
    return Value(d, output_field=DateField())


def _evenly(on: dt.date, none: Q, amount: str, start: str, end: str) -> Case:
    """``amount`` earned evenly from ``start`` to ``end`` after the close of ``on``, nothing where
    ``none`` holds (:func:`fupin.core.cob.accrual_target`)."""
    period = Days(F(end), F(start))
    return Case(
        When(none, then=Value(0)),
        When(**{f"{end}__lte": on}, then=F(amount)),
        When(**{f"{start}__gte": on}, then=Value(0)),
        default=(2 * F(amount) * Days(day(on), F(start)) + period) / (2 * period),
        output_field=IntegerField(),
    )


def earned(on: dt.date, p: str = ""):
    """Interest the current instalment has earned after the close of ``on`` (Servicing)."""
    return _evenly(on, Q(**{f"{p}cur_seq": 0}), f"{p}cur_interest", f"{p}cur_start", f"{p}cur_due")


def amortised(on: dt.date | None, p: str = ""):
    """The interest taken upfront earned after the close of ``on`` (:func:`fupin.core.cob.amortised`)."""
    if on is None:
        return Value(0, output_field=IntegerField())
    return _evenly(on, Q(**{f"{p}deferred": 0}), f"{p}deferred", f"{p}deferred_from", f"{p}deferred_to")


def receivable(on: dt.date | None, p: str = ""):
    """Interest receivable (1132, without penalty) after the close of ``on``: the unpaid
    interest of past instalments plus what the current one has earned beyond what was paid on
    it. ``None`` (no day closed yet): nothing has been accrued."""
    if on is None:
        return Value(0, output_field=IntegerField())
    e = earned(on, p)
    return F(f"{p}interest_due") + Case(
        When(GreaterThan(e, F(f"{p}cur_paid")), then=e - F(f"{p}cur_paid")),
        default=Value(0),
        output_field=IntegerField(),
    )


def principal_days(on: dt.date, p: str = ""):
    """An instalment's overdue principal-days after the close of ``on`` (Installment)."""
    return F(f"{p}principal_days") + (F(f"{p}principal") - F(f"{p}principal_paid")) * Case(
        When(**{f"{p}pd_from__lt": on}, then=Days(day(on), F(f"{p}pd_from"))),
        default=Value(0),
        output_field=IntegerField(),
    )


def penalty(on: dt.date | None, rate, p: str = ""):
    """Penalty posted on an instalment after the close of ``on`` at ``rate`` (an expression)."""
    if on is None:
        return Value(0, output_field=IntegerField())
    return (2 * principal_days(on, p) * rate + big(PENALTY_DIVISOR)) / big(2 * PENALTY_DIVISOR)


def big(n: int) -> Value:
    """An integer constant as a bigint. Django sends a bare Python int beside an integer
    expression as a 4-byte integer; bound on the server (``server_side_binding``) one beyond
    2³¹ wraps round silently (the penalty divisor 36·10⁹ became negative)."""
    return Value(n, output_field=BigIntegerField())


LATE = Q(principal_paid__lt=F("principal")) | Q(interest_paid__lt=F("interest"))


def category(on: dt.date, late_since: str = "late_since") -> Case:
    """五级分类 (R-REP-3) after the close of ``on``, of the loan whose arrears began at the date
    column ``late_since`` (a servicing row's, or a path to one): :func:`fupin.core.servicing.category`
    as a database expression."""
    dpd = Days(day(on), F(late_since))
    return Case(
        *(When(GreaterThan(dpd, floor), then=Value(name)) for floor, name in CATEGORY_FLOORS),
        default=Value("normal"),
        output_field=CharField(),
    )

"""Benchmark rates (LPR) as dated policy data (issue 24 (8)): the history an authorised person
keeps — each rate as published, from its effective date — and the one in force on a day, which a
loan takes on its contract date.

Each process keeps the history in memory and looks again (one query) before it answers, so a rate
entered on one server is used by every other from its next contract on."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

from django.db import DatabaseError, IntegrityError, transaction

from fupin import compiled
from fupin.accounts import access
from fupin.audit.services import audit_record
from fupin.core.errors import Conflict, ValidationFailed
from fupin.core.products import LPR, Benchmark
from fupin.products.models import BenchmarkRate

_seen: tuple | None = None
_history: list[Benchmark] = []  # by effective date


def _load() -> None:
    global _seen, _history
    now = compiled.stamp(BenchmarkRate, "entered_at")
    if now != _seen:
        _history = [
            Benchmark(r.effective, Fraction(r.one_year), Fraction(r.five_year))
            for r in BenchmarkRate.objects.order_by("effective")
        ]
        _seen = now


def table() -> Callable[[dt.date], Benchmark]:
    """The LPR in force on any day, after one look at the history (a batch of many loans)."""
    _load()
    history, days = list(_history), [b.effective for b in _history]

    def on(day: dt.date) -> Benchmark:
        k = bisect_right(days, day)
        return history[k - 1] if k else LPR

    return on


def in_force(on: dt.date, *, optional: bool = False) -> Benchmark:
    """The LPR in force on ``on``: the latest published on or before it (the presets' own before
    the first one kept). ``optional``: without a database, the presets' own."""
    try:
        return table()(on)
    except DatabaseError:
        if optional:
            return LPR
        raise


def history(reader) -> list[BenchmarkRate]:
    access.require(reader, "benchmark.view")
    return list(BenchmarkRate.objects.select_related("entered_by"))


def rate_enter(
    *, acting_user, effective: dt.date, one_year: Decimal, five_year: Decimal, note: str = ""
) -> BenchmarkRate:
    """A newly published LPR (percent figures as published, e.g. 3.00 and 3.50), in force from
    ``effective``; loans contracted from that day take it."""
    access.require(acting_user, "benchmark.manage")
    if not isinstance(effective, dt.date):
        raise ValidationFailed("请填写起始日期（YYYY-MM-DD）", code="benchmark_date")
    problems = [
        f"{label}应为 0.01–20 之间的百分数（如 3.00）"
        for label, v in (("一年期 LPR", one_year), ("五年期以上 LPR", five_year))
        if not isinstance(v, Decimal) or not Decimal("0.01") <= v <= 20 or v != v.quantize(Decimal("0.01"))
    ]
    if problems:
        raise ValidationFailed("；".join(problems), code="benchmark_rate", details=problems)
    try:
        with transaction.atomic():
            rate = BenchmarkRate.objects.create(
                effective=effective,
                one_year=one_year / 100,
                five_year=five_year / 100,
                note=(note or "").strip()[:100],
                entered_by=acting_user,
            )
            audit_record(
                actor=acting_user,
                action="benchmark.enter",
                obj=rate,
                division_code="",
                after={"effective": effective, "one_year": f"{one_year}%", "five_year": f"{five_year}%"},
            )
    except IntegrityError:
        raise Conflict(f"{effective:%Y-%m-%d} 起的报价利率已录入", code="benchmark_exists") from None
    return rate

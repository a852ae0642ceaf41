"""The business day (R-REP-5): which day is open for money, and whether a village may lend.

The nightly batch closes one business day after another (:mod:`fupin.cob.services`); every
money path asks this module first. It sits *under* the loan apps (it reads only the batch's own
records, :mod:`fupin.cob.models`), so loans, subsidies and the risk fund may ask it.

* :func:`open_day` — take the advisory lock shared, refuse money while a run is open or dated
  other than the day after the last closed one; returns that last closed day.
* :func:`closed_through` — the last closed business day (None before the first run).
* :func:`village_suspended` — the month-end that stops new loans in a village (R-RPT-4).
* :data:`COB_LOCK` — the advisory lock: money takes it shared, a run's start exclusively.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from fupin import compiled
from fupin.cob.models import CobRun, VillageMonth
from fupin.core.errors import Conflict

COB_LOCK = 0x46555049


def closed_through() -> dt.date | None:
    """The last business date the nightly batch has closed (None before the first run)."""
    last = _last_done()
    return last.date if last is not None else None


def _last_done() -> CobRun | None:
    return compiled.first(
        CobRun, where={"state": CobRun.State.DONE.value}, fields=("date", "state"), order=("-date",)
    )


def _runs() -> list[CobRun]:
    """The batch's runs a payment needs to know of: any that is running, and the last one done.
    Read in this order under the shared lock (no run can start meanwhile): a run that ends between
    the two reads is seen running, never missed."""
    running = compiled.rows(
        CobRun, where={"state": CobRun.State.RUNNING.value}, fields=("date", "state"), order=()
    )
    last = _last_done()
    return running + ([last] if last is not None else [])


def open_day(on: dt.date, *, within_run: bool = False) -> dt.date | None:
    """Refuse money while the nightly batch runs, or dated other than the open business day —
    the day after the last closed one (R-REP-5); returns that last closed date."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock_shared(%s)", [COB_LOCK])
    runs = _runs()
    if not within_run and any(r.state == r.State.RUNNING for r in runs):
        raise Conflict("日终批处理正在进行，请稍后再记账", code="cob_running")
    last = next((r.date for r in runs if r.state == r.State.DONE), None)
    if last is not None and not within_run and on != last + dt.timedelta(days=1):
        if on <= last:
            raise Conflict(
                f"{last:%Y-%m-%d} 及以前的营业日已日终，不能再记入该日的款项", code="business_day_closed"
            )
        raise Conflict(
            f"营业日 {last + dt.timedelta(days=1):%Y-%m-%d} 尚未日终，请先运行日终批处理（fupin cob）",
            code="business_day_open",
        )
    return last


def village_suspended(village_code: str) -> VillageMonth | None:
    """The month-end that suspends new loans in the village (R-RPT-4), or None."""
    last = VillageMonth.objects.filter(village_code=village_code).order_by("-month").first()
    return last if last is not None and last.suspended else None

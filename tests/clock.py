"""The day the tests live on: the wall clock pinned, so that no test depends on the real date.

Every process that loads the test settings (the pytest workers, and the processes of their own
that some tests start with ``DJANGO_SETTINGS_MODULE=tests.settings``) travels to
``FUPIN_TEST_TODAY`` (YYYY-MM-DD; :data:`DEFAULT` when unset) at 10:00 Beijing time, and the
clock ticks on from there. ``scripts/test.sh`` runs the date-sensitive tests (marker ``clock``)
again on other days — a month end, 1 January, a day inside a statutory holiday — so a test that
only passes on some days is found before it reaches a user.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import time_machine

DEFAULT = "2026-11-27"  # a Friday; the demo county's reference day
BEIJING = ZoneInfo("Asia/Shanghai")
_traveller: time_machine.travel | None = None


def pinned_day() -> dt.date:
    value = os.environ.get("FUPIN_TEST_TODAY") or DEFAULT
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise SystemExit(f"FUPIN_TEST_TODAY={value!r}: expected YYYY-MM-DD") from None


def pin() -> dt.date:
    """Start the travel once per process (idempotent); returns the pinned day."""
    global _traveller
    day = pinned_day()
    if _traveller is None:
        os.environ["FUPIN_TEST_TODAY"] = day.isoformat()  # processes started by tests pin the same day
        _traveller = time_machine.travel(dt.datetime.combine(day, dt.time(10, 0), tzinfo=BEIJING), tick=True)
        _traveller.start()
    return day


@contextmanager
def on(day: dt.date) -> Iterator[None]:
    """Inside the block the business day is ``day`` (10:00 Beijing time, ticking)."""
    with time_machine.travel(dt.datetime.combine(day, dt.time(10, 0), tzinfo=BEIJING), tick=True):
        yield

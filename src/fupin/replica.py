"""Reports read from a streaming replica when one is configured (``FUPIN_REPLICA_URL``): the
official tables, indicators and rankings — pages, downloads and API — run their reads on the
``replica`` database; everything else, and every write (the dashboard's snapshot included),
stays on ``default``. Without a replica, nothing changes.

A report shows the books as the replica has them (streaming replication is seconds behind at
most); signing in, permissions and the money paths never read from it."""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.conf import settings

REPLICA = "replica"
_reports: contextvars.ContextVar[bool] = contextvars.ContextVar("fupin_reports", default=False)
F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def reading_reports() -> Iterator[None]:
    token = _reports.set(True)
    try:
        yield
    finally:
        _reports.reset(token)


def on_replica(view: F) -> F:
    """Run a report view's reads on the replica (see the module)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        with reading_reports():
            return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        return REPLICA if _reports.get() and REPLICA in settings.DATABASES else None

    def db_for_write(self, model, **hints) -> str | None:
        return None  # default

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # one database, two copies

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db != REPLICA  # the replica follows the primary

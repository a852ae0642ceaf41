"""fupin.web.settle (issue 11): a server process collects once and freezes what its first requests
built, so that later full collections do not walk it again — and only the server does."""

import gc
import weakref

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections

from fupin.web import settle


class Kept:
    """Something a worker keeps (a cache entry, a compiled template)."""


@pytest.fixture(autouse=True)
def counted_afresh(monkeypatch):
    """The request count from zero; the end of a request signalled without Django's own handler,
    which would close a database connection another test left open."""
    monkeypatch.setattr(settle, "_served", 0)
    request_finished.disconnect(close_old_connections)
    yield
    request_finished.connect(close_old_connections)


@pytest.fixture
def served_by_the_server():
    from fupin import wsgi  # noqa: F401  installs it, as gunicorn's import does

    yield
    request_finished.disconnect(dispatch_uid="fupin.web.settle")
    gc.unfreeze()


def tracked(obj) -> bool:
    return any(o is obj for o in gc.get_objects())


def test_what_the_first_requests_built_is_frozen_and_garbage_collected_first(served_by_the_server):
    frozen = gc.get_freeze_count()
    kept = Kept()
    cycle = Kept()
    cycle.me = cycle  # garbage only a collection frees
    gone = weakref.ref(cycle)
    del cycle
    for _ in range(settle.AFTER[0] - 1):
        request_finished.send(sender=None)
    assert gc.get_freeze_count() == frozen and tracked(kept) and gone() is not None

    request_finished.send(sender=None)  # the 50th request's end
    assert gone() is None  # collected, not frozen with the rest
    assert not tracked(kept) and gc.get_freeze_count() > frozen  # out of the collector's walk

    later = Kept()
    for _ in range(settle.AFTER[1] - settle.AFTER[0]):
        request_finished.send(sender=None)
    assert not tracked(later)  # the second settling takes what the rarer pages built


def test_only_the_server_settles():
    request_finished.disconnect(
        dispatch_uid="fupin.web.settle"
    )  # as in a process that never imported fupin.wsgi
    frozen = gc.get_freeze_count()
    for _ in range(settle.AFTER[0]):
        request_finished.send(sender=None)
    assert settle._served == 0 and gc.get_freeze_count() == frozen

"""fupin.web.settle (issue 11): a server process collects once and freezes what its first requests
built, so that later full collections do not walk it again — from gunicorn's post_request hook
(fupin.web.gunicorn_conf), which a real gunicorn loads and calls."""

import gc
import os
import socket
import subprocess
import sys
import time
import urllib.request
import weakref
from pathlib import Path

import pytest

from fupin.web import gunicorn_conf, settle


class Kept:
    """Something a worker keeps (a cache entry, a compiled template)."""


@pytest.fixture
def fresh_count(monkeypatch):
    monkeypatch.setattr(settle, "_served", 0)
    yield
    gc.unfreeze()


def tracked(obj) -> bool:
    return any(o is obj for o in gc.get_objects())


def served(n: int) -> None:
    for _ in range(n):
        gunicorn_conf.post_request(worker=None, req=None, environ={}, resp=None)


def test_what_the_first_requests_built_is_frozen_and_garbage_collected_first(fresh_count):
    frozen = gc.get_freeze_count()
    kept = Kept()
    cycle = Kept()
    cycle.me = cycle  # garbage only a collection frees
    gone = weakref.ref(cycle)
    del cycle
    served(settle.AFTER[0] - 1)
    assert gc.get_freeze_count() == frozen and tracked(kept) and gone() is not None

    served(1)  # the 50th request's end
    assert gone() is None  # collected, not frozen with the rest
    assert not tracked(kept) and gc.get_freeze_count() > frozen  # out of the collector's walk

    later = Kept()
    served(settle.AFTER[1] - settle.AFTER[0])
    assert not tracked(later)  # the second settling takes what the rarer pages built


def test_gunicorn_loads_the_configuration_and_serves_the_standard_application(tmp_path):
    """The configuration is one gunicorn accepts: the application it names answers, and the hook
    runs after each request without breaking it (a worker serves 60 requests, past the first
    settling)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "-c", "python:fupin.web.gunicorn_conf", "-w", "1", "-b", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not answer")
        for _ in range(60):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                assert r.status == 200
        assert server.poll() is None  # still serving: the hook raised nothing
    finally:
        server.terminate()
        _, err = server.communicate(timeout=10)
    assert b"Traceback" not in err, err.decode()[-2000:]

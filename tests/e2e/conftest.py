"""Browser tests: Playwright driving Debian's Chromium against the live test server."""

from __future__ import annotations

import copy
import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = os.environ.get("FUPIN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


class PageWatch:
    """Collects console errors and failed requests so a test can fail on any of them."""

    def __init__(self, page):
        self.problems: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        # a sub-resource cancelled because the page navigated on (ERR_ABORTED) is not a failure;
        # a real failure shows as an HTTP status below or as another network error
        page.on(
            "requestfailed",
            lambda r: (
                "ERR_ABORTED" not in (r.failure or "")
                and self.problems.append(f"failed: {r.url} {r.failure}")
            ),
        )
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))


@pytest.fixture
def watch(page):
    return PageWatch(page)


_built: dict = {}  # this process's demo county: its DemoResult and a Snapshot of the database


@pytest.fixture
def live_world(transactional_db, live_server):
    """The demo county behind the live server: built by the first test of the process, put back
    from its snapshot for every later one (tests/snapshot.py; the same rows and ids)."""
    from fupin.demo import county
    from tests.databases import PG
    from tests.snapshot import Snapshot

    if "demo" in _built:
        _built["snapshot"].restore()
        return copy.deepcopy(_built["demo"]), live_server.url
    demo = county.build(households=3000, seed=7)
    if PG:
        _built.update(demo=copy.deepcopy(demo), snapshot=Snapshot.take())
    return demo, live_server.url

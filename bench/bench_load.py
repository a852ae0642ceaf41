"""A mixed load on 127.0.0.1 (issue 11): page views, API reads and repayments at once, 60 s.

The demo county (5 000 households) in a PostgreSQL database of its own, gunicorn with a worker a
core (``BENCH_WORKERS``), the open-loop generator of :mod:`bench.openloop`. Per second:
``BENCH_READS`` reads (default 300)
— a third page views signed in with a session (a loan's page, the collection list, a household's
archive), two thirds API reads with a token (a loan, a loan's events, a household) — and
``BENCH_WRITES`` repayments (default 100; one in twenty a repeat of an earlier key). Prints
throughput, p50 and p99 per kind, errors, and that every repayment key was recorded once — at a
quarter of the target rates, at three quarters, at the target, then the reads alone and the
repayments alone at their targets.
Targets: reads p99 ≤ 50 ms at 300/s, repayments p99 ≤ 100 ms at 100/s, 0 errors. Not pass/fail.

With ``BENCH_OLD_TREE`` (another checkout, e.g. ``git worktree add /tmp/old 887777f``; issue 23)
it instead serves the same database with that tree's code and with this one's in turn — old, new,
old, new, ``BENCH_SECONDS`` (default 30) each after a warm-up — at each offered load of
``BENCH_COMPARE`` (default ``75+25,120+40``: reads + repayments a second), and prints the reads'
and the repayments' p99 and the CPU a request of each run side by side.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import string
import subprocess
import sys
import time
import uuid
from pathlib import Path

from bench import openloop
from bench.bench_repayments import demo_with_token, held_once

READS = int(os.environ.get("BENCH_READS", "300"))
WRITES = int(os.environ.get("BENCH_WRITES", "100"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "60"))
DATABASE = "fupin_bench_load"
# a worker a core: with PostgreSQL on the same machine more workers only take turns
# (docs/performance.md measures 2, 3 and 4 workers on two cores)
WORKERS = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2)))
# the CSRF cookie a browser got with the sign-in page (Django's secret: 32 letters and digits)
# a read's kind and which one: "page view · loan"; the figures group by the part before
EACH = " · "
CSRF_COOKIE = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))


def run() -> None:
    ready = openloop.prepared("bench.bench_load", DATABASE)
    if ready is None:
        return
    print(
        f"   this machine, one core: {machine_speed():,.0f} plain Decimal weekly schedules/s (the schedule "
        "benchmark's "
        "baseline — runs on different machines compare by it, docs/performance.md)"
    )
    env, (token, session, loans, households) = ready
    if os.environ.get("BENCH_OLD_TREE"):
        compare(env, token, loans, households)
        return
    with openloop.gunicorn(env, workers=WORKERS) as port:
        mix(
            port, token, session, loans, households, env, READS // 4, WRITES // 4, 10, report=False
        )  # warm-up
        for part in (0.25, 0.75, 1):  # a quarter of the target, three quarters, the target
            mix(port, token, session, loans, households, env, int(READS * part), int(WRITES * part), SECONDS)
        for reads, writes in ((READS, 0), (0, WRITES)):  # each target on its own
            mix(port, token, session, loans, households, env, reads, writes, SECONDS)


def compare(env: dict, token: str, loans: list[int], households: list[int]) -> None:
    """Old code and new on the same database at the same offered loads, interleaved."""
    trees = {
        "old": Path(os.environ["BENCH_OLD_TREE"]) / "src",
        "new": Path(__file__).resolve().parents[1] / "src",
    }
    seconds = int(os.environ.get("BENCH_SECONDS", "30"))
    loads = [
        tuple(int(x) for x in part.split("+"))
        for part in os.environ.get("BENCH_COMPARE", "75+25,120+40").split(",")
    ]
    for reads, writes in loads:
        print(f"   offered {reads} reads/s + {writes} repayments/s, {seconds} s a run, {WORKERS} workers:")
        for _ in range(2):
            for tree, src in trees.items():
                served = {**env, "PYTHONPATH": str(src)}
                session = _session(served)  # signed in as that tree's code signs in
                with openloop.gunicorn(served, workers=WORKERS) as port:
                    mix(
                        port,
                        token,
                        session,
                        loans,
                        households,
                        served,
                        reads // 4,
                        writes // 4,
                        10,
                        report=False,
                    )
                    got = mix(
                        port, token, session, loans, households, served, reads, writes, seconds, report=False
                    )
                print(
                    f"   {tree}: reads p99 {got['reads p99']:.1f} ms,"
                    f" repayments p99 {got['repayments p99']:.1f} ms,"
                    f" errors {got['errors']}, CPU a request: application {got['application']:.2f} ms,"
                    f" PostgreSQL {got['postgres']:.2f} ms"
                )
                print("      p99 " + ", ".join(f"{k} {v:.1f}" for k, v in got["each"].items()) + " ms")


def _session(env: dict) -> str:
    """A signed-in session of the loan officer, made by the code ``env`` runs (its session engine
    and authentication backend)."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_load", "session"],
        env={**env, "PYTHONPATH": f"{env['PYTHONPATH']}:{Path(__file__).resolve().parents[1]}"},
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def machine_speed() -> float:
    """The schedule benchmark's plain Decimal loop on one core, best of three: the machines this runs
    on differ (the same code served ≈ 480 requests/s on one 2-core machine and ≈ 330 on another)."""
    from bench.bench_schedule import decimal_baseline

    return max(decimal_baseline("group", 10_000) for _ in range(3))


def mix(
    port: int,
    token: str,
    session: str,
    loans: list[int],
    households: list[int],
    env: dict,
    reads: int,
    writes: int,
    seconds: int,
    report: bool = True,
) -> dict | None:
    rng = random.Random(11)
    api = {"Authorization": f"Bearer {token}"}
    page = {"Cookie": f"sessionid={session}; csrftoken={CSRF_COOKIE}"}  # a signed-in browser keeps both
    sent: list[tuple[str, int]] = []

    def next_request(k: int) -> openloop.Request:
        if rng.random() < writes / (reads + writes):
            if sent and rng.random() < 0.05:
                key, loan = rng.choice(sent)
            else:
                key, loan = f"mix-{uuid.uuid4().hex[:24]}", rng.choice(loans)
                sent.append((key, loan))
            return (
                "repayment",
                "POST",
                f"/api/v1/loans/{loan}/repayments",
                json.dumps({"amount": "1.00", "idempotency_key": key}),
                {**api, "Content-Type": "application/json"},
            )
        loan, household = rng.choice(loans), rng.choice(households)
        if rng.random() < 1 / 3:
            name, path = rng.choice(
                (
                    ("loan", f"/loans/{loan}/"),
                    ("collections", "/cob/collections/"),
                    ("household", f"/households/{household}/"),
                )
            )
            return f"page view{EACH}{name}", "GET", path, None, page
        name, path = rng.choice(
            (
                ("loan", f"/api/v1/loans/{loan}"),
                ("events", f"/api/v1/loans/{loan}/events"),
                ("household", f"/api/v1/households/{household}"),
            )
        )
        return f"API read{EACH}{name}", "GET", path, None, api

    before = openloop.cpu_seconds("gunicorn"), openloop.cpu_seconds("postgres"), time.process_time()
    each_kind, elapsed = openloop.drive(port, next_request, reads + writes, seconds)
    if not report:
        return _figures(each_kind, before)
    results = [(kind.split(EACH)[0], lat, status) for kind, lat, status in each_kind]
    used = [
        b - a
        for a, b in zip(
            before,
            (openloop.cpu_seconds("gunicorn"), openloop.cpu_seconds("postgres"), time.process_time()),
            strict=True,
        )
    ]
    reads_only = [("read", lat, status) for kind, lat, status in results if kind != "repayment"]
    print(f"   offered {reads} reads/s + {writes} repayments/s for {seconds} s:")
    for kind in ("page view", "API read"):
        print(f"   {openloop.summary(results, elapsed, kind, ok=(200,))}")
    print(f"   all reads — {openloop.summary(reads_only, elapsed, 'read', ok=(200,))}")
    print(f"   {openloop.summary(results, elapsed, 'repayment')}; {held_once(env, [k for k, _ in sent])}")
    each = [1000 * u / max(1, len(results)) for u in used]
    cores = os.cpu_count() or 1
    print(
        f"   CPU a request: application {each[0]:.2f} ms, PostgreSQL {each[1]:.2f} ms, this "
        f"generator {each[2]:.2f} ms "
        f"({cores} cores give {cores * 1000 / sum(each):.0f} requests/s at most)"
    )
    print("   targets: reads p99 ≤ 50 ms at 300/s, repayments p99 ≤ 100 ms at 100/s, 0 errors")


def _figures(results: list, before: tuple) -> dict:
    """p99 of the reads and of the repayments (ms), each kind of read's p99, errors, and the CPU a
    request (ms)."""
    after = openloop.cpu_seconds("gunicorn"), openloop.cpu_seconds("postgres")

    def p99(kinds: set[str]) -> float:
        lat = sorted(r[1] for r in results if r[0] in kinds)
        return 1000 * lat[min(len(lat) - 1, int(0.99 * len(lat)))] if lat else 0.0

    n = max(1, len(results))
    reads = {r[0] for r in results if r[0] != "repayment"}
    return {
        "reads p99": p99(reads),
        "each": {kind: p99({kind}) for kind in sorted(reads)},
        "repayments p99": p99({"repayment"}),
        "errors": sum(1 for r in results if r[2] not in (200, 201)),
        "application": 1000 * (after[0] - before[0]) / n,
        "postgres": 1000 * (after[1] - before[1]) / n,
    }


def session() -> None:
    """Print a new signed-in session of the loan officer (``compare`` runs this with each tree)."""
    import django

    django.setup()
    from django.conf import settings
    from django.utils.module_loading import import_string

    from fupin.accounts.models import User

    officer = User.objects.get(username="xindai")
    store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    store["_auth_user_id"] = str(officer.pk)
    store["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[-1]
    store["_auth_user_hash"] = officer.get_session_auth_hash()
    store.create()
    print(store.session_key)


def setup() -> None:
    demo, officer, secret = demo_with_token()
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore

    from fupin.households.models import Household
    from fupin.loans.models import Loan

    store = SessionStore()  # a signed-in page session, as the login page would make it
    store["_auth_user_id"] = str(officer.pk)
    store["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[-1]
    store["_auth_user_hash"] = officer.get_session_auth_hash()
    store.create()
    prefix = demo.townships[0][:9]
    loans = list(
        Loan.objects.filter(state="active", village_code__startswith=prefix)
        .order_by("pk")
        .values_list("pk", flat=True)[:400]
    )
    households = list(
        Household.objects.filter(village__code__startswith=prefix)
        .order_by("pk")
        .values_list("pk", flat=True)[:400]
    )
    print(json.dumps([secret, store.session_key, loans, households]))


if __name__ == "__main__":
    session() if sys.argv[1:] == ["session"] else setup()

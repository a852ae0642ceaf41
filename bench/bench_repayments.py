"""Repayments through the API under load: 60 and 100 requests/s, 60 s each, against gunicorn on 127.0.0.1.

A database of its own (PostgreSQL when DATABASE_URL points at a server, as ``make bench``
arranges) with the demo county and its loan book; ``gunicorn fupin.wsgi`` with 4 workers,
warmed up for 10 s at 50 requests/s; an
open-loop load generator (requests start on schedule whatever the answers, so a slow server
cannot hide its queue) posting ``POST /api/v1/loans/{id}/repayments`` over 400 loans, one in
twenty a repeat of an earlier request (same idempotency key and body). Prints throughput,
p50/p99 latency (from the scheduled start), errors, and checks in the database that every key
was recorded exactly once. Target (issue 7): p99 ≤ 100 ms at 100 requests/s, 0 errors, 0
duplicates. Not a pass/fail test.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import uuid

from bench import openloop
from bench.openloop import ROOT

RATES = [int(x) for x in os.environ.get("BENCH_RATES", "60,100").split(",")]
SECONDS = int(os.environ.get("BENCH_SECONDS", "60"))
DATABASE = "fupin_bench_pay"


def run() -> None:
    ready = openloop.prepared("bench.bench_repayments", DATABASE)
    if ready is None:
        return
    env, (token, loans) = ready
    with openloop.gunicorn(env) as port:
        _load(port, token, loans, env, 50, seconds=10, report=False)  # warm-up: workers, connections, caches
        for rate in RATES:
            _load(port, token, loans, env, rate)


def _load(
    port: int, token: str, loans: list[int], env: dict, rate: int, seconds: int = SECONDS, report: bool = True
) -> None:
    rng = random.Random(7)
    sent: list[tuple[str, int]] = []
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def next_request(k: int) -> openloop.Request:
        if sent and rng.random() < 0.05:  # a repeat: the same key and body
            key, loan = rng.choice(sent)
        else:
            key, loan = f"load-{uuid.uuid4().hex[:24]}", rng.choice(loans)
            sent.append((key, loan))
        body = json.dumps({"amount": "1.00", "idempotency_key": key})
        return "repayment", "POST", f"/api/v1/loans/{loan}/repayments", body, headers

    results, elapsed = openloop.drive(port, next_request, rate, seconds)
    if not report:
        return
    print(
        f"   offered {rate}/s: {openloop.summary(results, elapsed, 'repayment')}; "  # a repeat answers 200
        f"{held_once(env, [k for k, _ in sent])}"
    )
    print("   target: p99 ≤ 100 ms at 100 requests/s for a minute, 0 errors, 0 duplicates")


def setup() -> None:
    demo, officer, secret = demo_with_token()
    from fupin.loans.models import Loan

    loans = list(
        Loan.objects.filter(state="active", village_code__startswith=demo.townships[0][:9])
        .order_by("pk")
        .values_list("pk", flat=True)[:400]
    )
    print(json.dumps([secret, loans]))


def demo_with_token():
    """Set Django up, migrate, build the demo county (5 000 households); the demo, its loan officer
    and an API token of the officer's."""
    import django

    django.setup()
    from django.core.management import call_command

    from fupin.accounts.models import User
    from fupin.accounts.services import token_issue
    from fupin.demo import county

    call_command("migrate", verbosity=0)
    demo = county.build(households=5000, seed=1)
    officer = User.objects.get(username="xindai")
    _, secret = token_issue(acting_user=None, user=officer, name="load")  # set up from the command line
    return demo, officer, secret


def recorded(env: dict, keys: list[str]) -> int:
    """How many of the keys the database holds (in a process of its own)."""
    check = subprocess.run(
        [sys.executable, "-m", "bench.bench_repayments", "count", *keys],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return int(check.stdout.strip().splitlines()[-1])


def held_once(env: dict, keys: list[str]) -> str:
    """What the database holds of the distinct keys sent: each once, some twice (a defect), or some
    never — requests the generator gave up on after 30 s of an overloaded server's queue."""
    held = recorded(env, keys)
    if held < len(keys):
        return f"{len(keys)} distinct keys, {held} recorded ({len(keys) - held} never served, duplicates 0)"
    return f"{len(keys)} distinct keys, {held} recorded (duplicates {held - len(keys)})"


def count(keys: list[str]) -> None:
    import django

    django.setup()
    from fupin.loans.models import Repayment

    print(Repayment.objects.filter(key__in=keys).count())


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        setup()
    else:
        count(sys.argv[2:])

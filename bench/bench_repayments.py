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

import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

RATES = [int(x) for x in os.environ.get("BENCH_RATES", "60,100").split(",")]
SECONDS = int(os.environ.get("BENCH_SECONDS", "60"))
DATABASE = "fupin_bench_pay"
ROOT = Path(__file__).resolve().parents[1]


def run() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("   needs PostgreSQL (make bench starts one)")
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    env = {**os.environ, "DATABASE_URL": url.rsplit("/", 1)[0] + "/" + DATABASE, "DJANGO_SETTINGS_MODULE": "fupin.settings",
           "FUPIN_DEBUG": "0"}
    setup = subprocess.run([sys.executable, "-m", "bench.bench_repayments", "setup"], env=env, check=True,
                           capture_output=True, text=True, cwd=ROOT)
    token, loans = json.loads(setup.stdout.strip().splitlines()[-1])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen([gunicorn, "fupin.wsgi", "-w", "4", "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
                              env=env, cwd=ROOT)
    try:
        _wait(port)
        _load(port, token, loans, env, 50, seconds=10, report=False)  # warm-up: workers, connections, caches
        for rate in RATES:
            _load(port, token, loans, env, rate)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait(port: int) -> None:
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def _load(port: int, token: str, loans: list[int], env: dict, rate: int, seconds: int = SECONDS,
          report: bool = True) -> None:
    rng = random.Random(7)
    local = threading.local()
    sent: list[tuple[str, int, str]] = []
    results: list[tuple[float, int, bool]] = []
    lock = threading.Lock()

    def conn():
        if getattr(local, "c", None) is None:
            local.c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        return local.c

    def post(scheduled: float, key: str, loan: int, repeat: bool) -> None:
        body = json.dumps({"amount": "1.00", "idempotency_key": key})
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        try:
            c = conn()
            c.request("POST", f"/api/v1/loans/{loan}/repayments", body=body, headers=headers)
            r = c.getresponse()
            r.read()
            status = r.status
        except (OSError, http.client.HTTPException):
            local.c = None
            status = 0
        with lock:
            results.append((time.perf_counter() - scheduled, status, repeat))

    total = rate * seconds
    start = time.perf_counter() + 0.5
    with ThreadPoolExecutor(max_workers=64) as pool:
        for k in range(total):
            scheduled = start + k / rate
            if sent and rng.random() < 0.05:
                key, loan, _ = rng.choice(sent)
                repeat = True
            else:
                key, loan, repeat = f"load-{uuid.uuid4().hex[:24]}", rng.choice(loans), False
                sent.append((key, loan, ""))
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(post, scheduled, key, loan, repeat)
    elapsed = time.perf_counter() - start
    if not report:
        return
    lat = sorted(r[0] for r in results)
    errors = sum(1 for _, s, _ in results if s not in (200, 201))  # a repeat answers 200, or 201 if it came first
    check = subprocess.run([sys.executable, "-m", "bench.bench_repayments", "count", *[k for k, _, _ in sent]],
                           env=env, capture_output=True, text=True, cwd=ROOT, check=True)
    recorded = int(check.stdout.strip().splitlines()[-1])
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
    print(f"   offered {rate}/s: {len(results)} requests in {elapsed:.1f} s ({len(results) / elapsed:.0f}/s): p50 {p(0.5):.1f} ms, "
          f"p99 {p(0.99):.1f} ms, max {lat[-1] * 1000:.0f} ms; errors {errors}; "
          f"{len(sent)} distinct keys, {recorded} recorded (duplicates {recorded - len(sent)})")
    print("   target: p99 ≤ 100 ms at 100 requests/s for a minute, 0 errors, 0 duplicates")


def setup() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from fupin.accounts.models import User
    from fupin.accounts.services import token_issue
    from fupin.demo import county
    from fupin.loans.models import Loan

    call_command("migrate", verbosity=0)
    demo = county.build(households=5000, seed=1)
    officer = User.objects.get(username="xindai")
    _, secret = token_issue(acting_user=User.objects.get(username="admin"), user=officer, name="load")
    loans = list(Loan.objects.filter(state="active", village_code__startswith=demo.townships[0][:9])
                 .order_by("pk").values_list("pk", flat=True)[:400])
    print(json.dumps([secret, loans]))


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

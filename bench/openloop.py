"""An open-loop load generator and a gunicorn to aim it at (the load benchmarks share them).

Requests start on their schedule whatever the answers (a slow server cannot hide its queue);
each result is (kind, latency from the scheduled start, HTTP status — 0 for a broken connection).
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
Request = tuple[str, str, str, str | None, dict[str, str]]  # kind, method, path, body, headers


def prepared(module: str, database: str) -> tuple[dict, list] | None:
    """A fresh PostgreSQL database ``database`` set up by ``python -m module setup`` in a process of
    its own: the environment to serve it with, and what the setup printed last (JSON). None
    without a PostgreSQL server."""
    import json
    import os

    from bench import fresh_database

    url = fresh_database(database)
    if url is None:
        print("   needs PostgreSQL (make bench starts one)")
        return None
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "fupin.settings", "FUPIN_DEBUG": "0"}
    setup = subprocess.run([sys.executable, "-m", module, "setup"], env=env, check=True, capture_output=True, text=True,
                           cwd=ROOT)
    return env, json.loads(setup.stdout.strip().splitlines()[-1])


@contextmanager
def gunicorn(env: dict, workers: int = 4):
    """A gunicorn serving ``fupin.wsgi`` on a free port of 127.0.0.1; yields the port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "fupin.wsgi", "-w", str(workers), *os.environ.get("GUNICORN_EXTRA", "").split(), "-b",
                               f"127.0.0.1:{port}", "--log-level", "warning"], env=env, cwd=ROOT)
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def drive(port: int, next_request: Callable[[int], Request], rate: int, seconds: int) -> tuple[list, float]:
    """Send ``rate`` requests a second for ``seconds``; ``next_request(k)`` makes the k-th."""
    local = threading.local()
    results: list[tuple[str, float, int]] = []
    lock = threading.Lock()

    def send(scheduled: float, req: Request) -> None:
        kind, method, path, body, headers = req
        try:
            if getattr(local, "c", None) is None:
                local.c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            local.c.request(method, path, body=body, headers=headers)
            r = local.c.getresponse()
            r.read()
            status = r.status
        except (OSError, http.client.HTTPException):
            local.c = None
            status = 0
        with lock:
            results.append((kind, time.perf_counter() - scheduled, status))

    start = time.perf_counter() + 0.5
    with ThreadPoolExecutor(max_workers=96) as pool:
        for k in range(rate * seconds):
            scheduled = start + k / rate
            req = next_request(k)
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(send, scheduled, req)
    return results, time.perf_counter() - start


def cpu_seconds(word: str) -> float:
    """CPU time (user + system) so far of this machine's processes whose command line holds
    ``word`` ("gunicorn", "postgres"), from /proc; 0 where there is none. A process's time
    includes its children that have ended (a PostgreSQL connection closed during the run)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if word in command:
            total += sum(int(f) for f in fields[11:15]) / tick  # utime stime cutime cstime
    return total


def summary(results: list, elapsed: float, kind: str, ok: tuple[int, ...] = (200, 201)) -> str:
    lat = sorted(r[1] for r in results if r[0] == kind)
    if not lat:
        return f"{kind}: none"
    errors = sum(1 for r in results if r[0] == kind and r[2] not in ok)

    def p(q: float) -> float:
        return lat[min(len(lat) - 1, int(q * len(lat)))] * 1000

    return (f"{kind}: {len(lat)} in {elapsed:.1f} s ({len(lat) / elapsed:.0f}/s), p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms, "
            f"max {lat[-1] * 1000:.0f} ms, errors {errors}")

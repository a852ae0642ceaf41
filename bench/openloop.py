"""An open-loop load generator and a gunicorn to aim it at (the load benchmarks share them).

Requests start on their schedule whatever the answers (a slow server cannot hide its queue);
each result is (kind, latency from the scheduled start, HTTP status — 0 for a broken connection).
"""

from __future__ import annotations

import os
import selectors
import socket
import subprocess
import sys
import time
from collections.abc import Callable
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
    setup = subprocess.run(
        [sys.executable, "-m", module, "setup"], env=env, check=True, capture_output=True, text=True, cwd=ROOT
    )
    return env, json.loads(setup.stdout.strip().splitlines()[-1])


@contextmanager
def gunicorn(env: dict, workers: int = 4):
    """A gunicorn serving ``fupin.wsgi`` (with the project's configuration, where the code that
    ``env`` runs has one) on a free port of 127.0.0.1; yields the port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            *configuration(env),
            "-w",
            str(workers),
            *os.environ.get("GUNICORN_EXTRA", "").split(),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
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


def configuration(env: dict) -> list[str]:
    """gunicorn's arguments naming the application: the project's configuration module, or for an
    older checkout without one (first on ``PYTHONPATH`` in ``env``) its WSGI application."""
    paths = [Path(p) for p in env.get("PYTHONPATH", "").split(":") if p]
    code = next((p for p in paths if (p / "fupin").is_dir()), ROOT / "src")
    if (code / "fupin" / "web" / "gunicorn_conf.py").exists():
        return ["-c", "python:fupin.web.gunicorn_conf"]
    return ["fupin.wsgi:application"]


def drive(port: int, next_request: Callable[[int], Request], rate: int, seconds: int) -> tuple[list, float]:
    """Send ``rate`` requests a second for ``seconds``; ``next_request(k)`` makes the k-th.

    One thread and non-blocking sockets, a connection a request (gunicorn's sync workers close
    each one): the generator shares the machine with the server, and threads with http.client
    cost it ≈ 0.45 ms of a core a request — a tenth of what it measures."""
    results: list[tuple[str, float, int]] = []
    sel = selectors.DefaultSelector()
    addr, total, timeout = ("127.0.0.1", port), rate * seconds, 30.0
    start = time.perf_counter() + 0.5
    open_: dict[socket.socket, _Exchange] = {}
    k = 0
    while k < total or open_:
        now = time.perf_counter()
        while k < total and start + k / rate <= now:
            scheduled = start + k / rate
            kind, method, path, body, headers = next_request(k)
            k += 1
            x = _Exchange(sel, kind, scheduled, _encode(method, path, body, headers))
            x.sock.connect_ex(addr)  # in progress: writable once connected
            sel.register(x.sock, selectors.EVENT_WRITE, x)
            open_[x.sock] = x
        wait = start + k / rate - time.perf_counter() if k < total else 0.05
        for key, events in sel.select(max(0.0, min(wait, 0.05))):
            x = key.data
            if x.step(events):
                sel.unregister(x.sock)
                x.sock.close()
                del open_[x.sock]
                results.append((x.kind, time.perf_counter() - x.scheduled, x.status()))
        now = time.perf_counter()
        for x in [x for x in open_.values() if now - x.scheduled > timeout]:  # never answered: an error
            sel.unregister(x.sock)
            x.sock.close()
            del open_[x.sock]
            x.buffer = b""
            results.append((x.kind, now - x.scheduled, 0))
    sel.close()
    return results, time.perf_counter() - start


def _encode(method: str, path: str, body: str | None, headers: dict[str, str]) -> bytes:
    data = body.encode() if body is not None else b""
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        "Connection: close",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    if body is not None:
        lines.append(f"Content-Length: {len(data)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


class _Exchange:
    """One request on its own connection: the bytes to send, then what comes back until the
    server closes it (or the body's Content-Length is in)."""

    def __init__(self, sel: selectors.BaseSelector, kind: str, scheduled: float, request: bytes) -> None:
        self.sel, self.kind, self.scheduled, self.request = sel, kind, scheduled, request
        self.sock = socket.socket()
        self.sock.setblocking(False)
        self.buffer = b""
        self.failed = False

    def step(self, events: int) -> bool:
        """Send or receive what the socket is ready for; True when the exchange is over."""
        try:
            if events & selectors.EVENT_WRITE:
                sent = self.sock.send(self.request)
                self.request = self.request[sent:]
                if not self.request:
                    self.sel.modify(self.sock, selectors.EVENT_READ, self)
                return False
            chunk = self.sock.recv(65536)
        except OSError:
            self.failed = True
            return True
        self.buffer += chunk
        return not chunk or self._complete()

    def _complete(self) -> bool:
        head, sep, body = self.buffer.partition(b"\r\n\r\n")
        if not sep:
            return False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                return len(body) >= int(value)
        return False

    def status(self) -> int:
        """The HTTP status; 0 for a broken connection or a response cut short."""
        first = self.buffer.split(b"\r\n", 1)[0].split()
        if self.failed or len(first) < 2 or not first[1].isdigit() or b"\r\n\r\n" not in self.buffer:
            return 0
        return int(first[1])


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
    unanswered = sum(1 for r in results if r[0] == kind and r[2] == 0)  # broken, or given up after 30 s

    def p(q: float) -> float:
        return lat[min(len(lat) - 1, int(q * len(lat)))] * 1000

    return (
        f"{kind}: {len(lat)} in {elapsed:.1f} s ({len(lat) / elapsed:.0f}/s), p50 {p(0.5):.1f} ms, "
        f"p99 {p(0.99):.1f} ms, "
        f"max {lat[-1] * 1000:.0f} ms, errors {errors}"
        + (f" ({unanswered} unanswered)" if unanswered else "")
    )

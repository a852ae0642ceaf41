"""CPU a request, by kind, in-process (issue 23): the load benchmark's requests without the network.

The load benchmark's database (the demo county, 5 000 households); each kind of request — an API
read of a loan, of its events, of a household, the page of a loan, the collection list, a
household's archive, a repayment — sent N times (``BENCH_REQUESTS``, default 200) straight to the
WSGI application after 20 to warm it. Prints the CPU a request of each kind, the best of three
rounds. With ``BENCH_OLD_TREE`` (another checkout, e.g. ``git worktree add /tmp/old 887777f``) the
rounds alternate between that tree and this one, in one run, and the ratio is printed: the
machine is shared and noisy, so old and new are only compared side by side.
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path

from bench import openloop

ROOT = Path(__file__).resolve().parents[1]
N = int(os.environ.get("BENCH_REQUESTS", "200"))
KINDS = ("API loan", "API events", "API household", "page loan", "page collections", "page household")


def run() -> None:
    ready = openloop.prepared("bench.bench_load", "fupin_bench_load")
    if ready is None:
        return
    env, setup = ready
    trees = {"new": ROOT}
    if os.environ.get("BENCH_OLD_TREE"):
        trees = {"old": Path(os.environ["BENCH_OLD_TREE"]), "new": ROOT}
    best: dict[str, dict[str, float]] = {t: {} for t in trees}
    for _ in range(3):
        for tree, path in trees.items():
            out = subprocess.run(
                [sys.executable, "-m", "bench.bench_requests", json.dumps(setup[:1] + setup[2:])],
                env={**env, "PYTHONPATH": f"{path / 'src'}:{ROOT}"},
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            )
            for kind, ms in json.loads(out.stdout.strip().splitlines()[-1]).items():
                best[tree][kind] = min(ms, best[tree].get(kind, ms))
    for kind in (*KINDS, "repayment"):
        line = "   " + "  ".join(f"{t} {best[t][kind]:6.2f} ms" for t in trees)
        if "old" in trees:
            line += f"  new/old {best['new'][kind] / best['old'][kind]:.2f}"
        print(f"{line}  {kind}")


def measure(token: str, loans: list[int], households: list[int]) -> dict[str, float]:
    """CPU ms a request of each kind in this process, on the code PYTHONPATH names."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.utils.module_loading import import_string

    from fupin.accounts.models import User

    app = get_wsgi_application()
    officer = User.objects.get(username="xindai")
    store = import_string(settings.SESSION_ENGINE + ".SessionStore")()  # signed in as this tree does it
    store["_auth_user_id"] = str(officer.pk)
    store["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[-1]
    store["_auth_user_hash"] = officer.get_session_auth_hash()
    store.create()
    api = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    page = {"HTTP_COOKIE": f"sessionid={store.session_key}"}
    rng = random.Random(23)

    def call(method: str, path: str, headers: dict, body: bytes = b"") -> None:
        environ = {
            **headers,
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        if body:
            environ.update(CONTENT_LENGTH=str(len(body)), CONTENT_TYPE="application/json")
        status: list[str] = []
        b"".join(app(environ, lambda s, h, *exc: status.append(s)))
        if not status[0].startswith("20"):
            raise RuntimeError(f"{method} {path}: {status[0]}")

    def repay() -> None:
        body = json.dumps({"amount": "1.00", "idempotency_key": f"rq-{uuid.uuid4().hex[:24]}"})
        call("POST", f"/api/v1/loans/{rng.choice(loans)}/repayments", api, body.encode())

    kinds = {
        "API loan": lambda: call("GET", f"/api/v1/loans/{rng.choice(loans)}", api),
        "API events": lambda: call("GET", f"/api/v1/loans/{rng.choice(loans)}/events", api),
        "API household": lambda: call("GET", f"/api/v1/households/{rng.choice(households)}", api),
        "page loan": lambda: call("GET", f"/loans/{rng.choice(loans)}/", page),
        "page collections": lambda: call("GET", "/cob/collections/", page),
        "page household": lambda: call("GET", f"/households/{rng.choice(households)}/", page),
        "repayment": repay,
    }
    result = {}
    for kind, send in kinds.items():
        for _ in range(20):
            send()
        start = time.process_time()
        for _ in range(N):
            send()
        result[kind] = 1000 * (time.process_time() - start) / N
    return result


if __name__ == "__main__":
    token, loans, households = json.loads(sys.argv[1])
    print(json.dumps(measure(token, loans, households)))

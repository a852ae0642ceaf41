"""The batch killed at 20 random points (SIGKILL, mid-transaction included) and run again ends
exactly as an uninterrupted run: the same ledger, loan states, repayments, lists, grades
(R-REP-5). On PostgreSQL, the same with 2 worker processes."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import uuid
from pathlib import Path

from tests.databases import PG

ROOT = Path(__file__).resolve().parents[2]
FUPIN = str(Path(sys.executable).with_name("fupin"))


def environment(url: str, **env: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "FUPIN_COB_CHUNK": "60",
        "PYTHONPATH": str(ROOT),
        **env,
    }


def run(url: str, *args: str, timeout: int = 600, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, capture_output=True, text=True, env=environment(url, **env), cwd=ROOT, timeout=timeout
    )


def script(url: str, step: str, **env: str) -> subprocess.CompletedProcess:
    return run(url, sys.executable, "-m", "tests.cob.crash_script", step, **env)


def test_killed_at_a_dozen_points_and_rerun_the_books_end_the_same(databases):
    tag = uuid.uuid4().hex[:8]
    base = f"crash_{tag}_base"
    r = script(databases.create(base), "setup")
    assert r.returncode == 0, r.stderr[-3000:]
    reference = script(databases.create(f"crash_{tag}_ref", base), "finish", FUPIN_COB_TRACE="1")
    assert reference.returncode == 0, reference.stderr[-3000:]
    expected = reference.stdout.strip().splitlines()[-1]
    points = reference.stderr.count("checkpoint ")
    assert points > 100  # three days of many chunks: enough places to die
    until = run(
        databases.url(base),
        sys.executable,
        "-c",
        "import django; django.setup(); "
        "from tests.cob.crash_script import DAY; import datetime as dt; print(DAY + dt.timedelta(days=2))",
    )
    last_day = until.stdout.strip()
    for k, at in enumerate(sorted(random.Random(2026).sample(range(1, points + 1), 12))):
        url = databases.create(f"crash_{tag}_{k}", base)
        killed = run(url, FUPIN, "cob", "--until", last_day, FUPIN_COB_KILL_AT=str(at))
        assert killed.returncode == -9, (at, killed.returncode, killed.stderr[-2000:])
        again = script(url, "finish")
        assert again.returncode == 0, again.stderr[-3000:]
        assert again.stdout.strip().splitlines()[-1] == expected, f"killed at checkpoint {at}"
    # in two worker processes (PostgreSQL; SQLite runs one) the result is the same
    url = databases.create(f"crash_{tag}_workers", base)
    two = run(url, FUPIN, "cob", "--until", last_day, "--workers", "2")
    assert two.returncode == 0, two.stderr[-3000:]
    assert script(url, "finish").stdout.strip().splitlines()[-1] == expected
    # a worker that dies stops the run with a message (it never hangs), and the rerun finishes it
    url = databases.create(f"crash_{tag}_dead", base)
    died = run(
        url, FUPIN, "cob", "--until", last_day, "--workers", "2", FUPIN_COB_KILL_CHUNK="2", timeout=180
    )
    if PG:
        assert died.returncode == 2 and "工作进程意外退出" in died.stderr and "重新运行" in died.stderr, (
            died.stderr[-2000:]
        )
    again = script(url, "finish")
    assert again.returncode == 0, again.stderr[-3000:]
    assert again.stdout.strip().splitlines()[-1] == expected
    if PG:  # two other "machines" take chunks from the chunks table while the run's own process works
        url = databases.create(f"crash_{tag}_join", base)
        joiners = [
            subprocess.Popen(
                [FUPIN, "cob", "--join", "--idle", "10", "--json"],
                env=environment(url),
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for j in joiners:  # each is waiting before the run begins
            assert "等待" in j.stderr.readline()
        lead = run(url, FUPIN, "cob", "--until", last_day, FUPIN_COB_LEAD_PAUSE="0.3")  # room for the joiners
        outs = [j.communicate(timeout=300) for j in joiners]
        assert lead.returncode == 0 and all(j.returncode == 0 for j in joiners), (lead.stderr, outs)
        taken = [json.loads(out.strip().splitlines()[-1])["chunks"] for out, _ in outs]
        assert sum(taken) > 0, taken
        assert script(url, "finish").stdout.strip().splitlines()[-1] == expected

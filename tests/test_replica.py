"""Reports read from the replica when one is configured (``FUPIN_REPLICA_URL``, fupin.replica):
the replica is a copy taken before the primary moved on (the county renamed), so the 附表3 page
and API show the replica's name while the division itself — not a report — reads the primary's;
without a replica every page reads the primary. Run in processes of their own, on PostgreSQL
(CI) or SQLite files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from fupin.replica import REPLICA, ReplicaRouter, reading_reports

ROOT = Path(__file__).resolve().parents[1]


def script(url: str, step: str, replica: str = "") -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": str(ROOT),
        "FUPIN_REPLICA_URL": replica,
    }
    r = subprocess.run(
        [sys.executable, "-m", "tests.replica_script", step],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    return r


def test_reports_read_the_replica_and_nothing_else_does(databases):
    tag = uuid.uuid4().hex[:8]
    primary = databases.create(f"replica_{tag}_primary")
    script(primary, "setup")
    replica = databases.create(f"replica_{tag}_copy", f"replica_{tag}_primary")
    script(primary, "rename")
    old = json.loads(script(replica, "read").stdout.strip().splitlines()[-1])["division"]
    assert old != "主库新县名"
    seen = json.loads(script(primary, "read", replica=replica).stdout.strip().splitlines()[-1])
    assert seen == {"page_new": False, "api": old, "division": "主库新县名"}
    alone = json.loads(script(primary, "read").stdout.strip().splitlines()[-1])
    assert alone == {"page_new": True, "api": "主库新县名", "division": "主库新县名"}


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_the_router_sends_only_report_reads_to_a_configured_replica(settings):
    from fupin.loans.models import Loan

    router = ReplicaRouter()
    assert router.db_for_read(Loan) is None
    with reading_reports():
        assert router.db_for_read(Loan) is None  # no replica configured: the primary
        settings.DATABASES = {**settings.DATABASES, REPLICA: settings.DATABASES["default"]}
        assert router.db_for_read(Loan) == REPLICA
        assert router.db_for_write(Loan) is None
    assert router.db_for_read(Loan) is None
    assert router.allow_migrate("default", "loans") and not router.allow_migrate(REPLICA, "loans")

"""``fupin backup`` and ``fupin restore`` (issue 11): a demo county backed up while it is there,
restored into an empty database — the same row counts, the ledger balanced, every migration
recorded — and a restore into a database that is not empty refused. On SQLite always; on
PostgreSQL (pg_dump / pg_restore) when the suite runs there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FUPIN = str(Path(sys.executable).with_name("fupin"))
SERVER = os.environ.get("DATABASE_URL", "")
FACTS = (
    "import json; from fupin.backup.services import row_counts, balanced; "
    "print(json.dumps({'counts': row_counts(), 'balanced': balanced()}))"
)


def run(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "fupin.settings",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run([FUPIN, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)


def facts(url: str) -> dict:
    done = run(url, "shell", "-c", FACTS)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def round_trip(source: str, target: str, other: str, file: Path) -> None:
    for step in (("migrate", "-v0"), ("demo", "--households", "300", "--seed", "3")):
        done = run(source, *step)
        assert done.returncode == 0, done.stderr
    before = facts(source)
    assert (
        before["balanced"] and before["counts"]["loans_loan"] > 0 and before["counts"]["ledger_posting"] > 0
    )
    done = run(source, "backup", "--output", str(file))
    assert done.returncode == 0 and "已备份" in done.stdout, done.stderr
    assert run(source, "backup", "--output", str(file)).returncode != 0  # never overwrites
    done = run(target, "restore", str(file))
    assert done.returncode == 0 and "总账借贷平衡" in done.stdout, done.stderr
    assert facts(target) == before
    assert run(target, "migrate", "--check").returncode == 0  # every migration is recorded
    assert run(other, "migrate", "-v0").returncode == 0
    refused = run(other, "restore", str(file))  # a database with tables in it
    assert refused.returncode != 0 and "不是空的" in refused.stderr


def test_backup_and_restore_on_sqlite(tmp_path):
    urls = [f"sqlite:///{tmp_path / name}.sqlite3" for name in ("source", "target", "other")]
    round_trip(*urls, tmp_path / "fupin.backup.sqlite3")


@pytest.mark.pgonly
def test_backup_and_restore_on_postgresql(tmp_path):
    import psycopg

    names = [f"backup_{uuid.uuid4().hex[:8]}_{n}" for n in ("source", "target", "other")]
    with psycopg.connect(SERVER, autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        round_trip(*[f"{SERVER.rsplit('/', 1)[0]}/{name}" for name in names], tmp_path / "fupin.dump")
    finally:
        with psycopg.connect(SERVER, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

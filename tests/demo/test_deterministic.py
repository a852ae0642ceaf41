"""Issue 24 (10): the same seed gives the same demo county, built twice in processes of their
own — on PostgreSQL and on SQLite — the registry, every credit line's grade, the loans with their
rates, the instalments and the books."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def built(url: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": str(ROOT),
    }
    r = subprocess.run(
        [sys.executable, "-m", "tests.demo.digest_script", "200", "3"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.mark.pgonly
def test_the_demo_is_the_same_on_postgresql_and_sqlite(databases, tmp_path):
    on_pg = built(databases.create(f"demo_{uuid.uuid4().hex[:8]}"))
    on_sqlite = built(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    assert on_pg == on_sqlite

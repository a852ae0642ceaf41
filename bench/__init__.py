"""Reproducible benchmarks: ``make bench`` runs them all and prints their figures.

Benchmarks are never timed tests: they print numbers (and ratios against a baseline
measured in the same process where one exists) and do not fail on a wall-clock figure.
"""

import os
import subprocess
import sys
import tempfile


def fresh_database(name: str) -> str | None:
    """A new, empty PostgreSQL database ``name`` on the server DATABASE_URL points at (None when
    it points at none); its URL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return None
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return url.rsplit("/", 1)[0] + "/" + name


def on_each_database(module: str, database: str, loans: int, sqlite_loans: int) -> None:
    """Run ``python -m module LOANS LABEL`` in a process of its own: on a fresh PostgreSQL database
    when a server is there, then on SQLite with a smaller book."""

    def measure(url: str, n: int, label: str) -> None:
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "fupin.settings"}
        subprocess.run([sys.executable, "-m", module, str(n), label], env=env, check=True)

    pg = fresh_database(database)
    if pg is not None:
        measure(pg, loans, "PostgreSQL")
    with tempfile.TemporaryDirectory() as tmp:
        measure(f"sqlite:///{tmp}/{database}.sqlite3", sqlite_loans, "SQLite")

"""Throw-away databases for tests that run the system in processes of their own: a base
built once and copies of it (PostgreSQL: CREATE DATABASE … TEMPLATE; SQLite: a file copy)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

SERVER = os.environ.get("DATABASE_URL", "")
PG = SERVER.startswith("postgres")
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # pytest-xdist's gw0, gw1…: names of their own per worker


class Databases:
    """A base database built once and throw-away copies of it."""

    def __init__(self, tmp: Path) -> None:
        self.tmp, self.made = tmp, []

    def url(self, name: str) -> str:
        name = self.named(name)
        return f"{SERVER.rsplit('/', 1)[0]}/{name}" if PG else f"sqlite:///{self.tmp / name}.sqlite3"

    @staticmethod
    def named(name: str) -> str:
        return f"{name}_{WORKER}" if WORKER else name

    def create(self, name: str, template: str | None = None) -> str:
        full, template = self.named(name), template and self.named(template)
        if PG:
            import psycopg

            with psycopg.connect(SERVER, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{full}"' + (f' TEMPLATE "{template}"' if template else ""))
            self.made.append(full)
        elif template:
            shutil.copy(self.tmp / f"{template}.sqlite3", self.tmp / f"{full}.sqlite3")
        return self.url(name)

    def drop(self) -> None:
        if PG:
            import psycopg

            with psycopg.connect(SERVER, autocommit=True) as conn:
                for name in self.made:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

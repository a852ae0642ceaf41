"""Throw-away databases for tests that run the system in processes of their own: a base
built once and copies of it (PostgreSQL: CREATE DATABASE … TEMPLATE; SQLite: a file copy)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

SERVER = os.environ.get("DATABASE_URL", "")
PG = SERVER.startswith("postgres")


class Databases:
    """A base database built once and throw-away copies of it."""

    def __init__(self, tmp: Path) -> None:
        self.tmp, self.made = tmp, []

    def url(self, name: str) -> str:
        return f"{SERVER.rsplit('/', 1)[0]}/{name}" if PG else f"sqlite:///{self.tmp / name}.sqlite3"

    def create(self, name: str, template: str | None = None) -> str:
        if PG:
            import psycopg

            with psycopg.connect(SERVER, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
            self.made.append(name)
        elif template:
            shutil.copy(self.tmp / f"{template}.sqlite3", self.tmp / f"{name}.sqlite3")
        return self.url(name)

    def drop(self) -> None:
        if PG:
            import psycopg

            with psycopg.connect(SERVER, autocommit=True) as conn:
                for name in self.made:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

"""Backup and restore (issue 11): a consistent copy of the whole database while the system runs —
``pg_dump`` in its custom format on PostgreSQL, SQLite's online backup API on the embedded
default — and its restore into an **empty** database, checked afterwards (the trial balance is
zero, the row counts are those of the copy).
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection

from fupin.core.errors import Conflict, ValidationFailed

# what a restore reports and checks: the tables whose rows a county cares about
COUNTED = (
    "households_household",
    "households_person",
    "loans_loan",
    "loans_installment",
    "loans_repayment",
    "ledger_journalentry",
    "ledger_posting",
    "audit_auditentry",
    "subsidies_line",
    "riskfund_claim",
)


def pg_tool(name: str) -> str:
    """The newest server's own ``pg_dump``/``pg_restore`` (the wrapper in /usr/bin picks by cluster)."""
    override = os.environ.get("FUPIN_PG_BIN")
    if override:
        return str(Path(override) / name)
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    return found[-1] if found else (shutil.which(name) or name)


def _pg_url() -> str:
    """The database's URL without its password (which goes to the tools by PGPASSWORD, not on the
    command line where any user could read it)."""
    s = connection.settings_dict
    port = f":{s['PORT']}" if s.get("PORT") else ""
    auth = f"{s['USER']}@" if s.get("USER") else ""
    return f"postgresql://{auth}{s.get('HOST') or 'localhost'}{port}/{s['NAME']}"


def _pg(tool: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PGPASSWORD": connection.settings_dict.get("PASSWORD") or ""}
    return subprocess.run([pg_tool(tool), *args], capture_output=True, text=True, env=env)


def backup(output: Path) -> dict:
    """Write a copy of the database to ``output``; returns the row counts copied."""
    output = Path(output)
    if output.exists():
        raise Conflict(f"文件 {output} 已存在，不会覆盖", code="backup_exists")
    counts = row_counts()
    if connection.vendor == "postgresql":
        done = _pg(
            "pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={output}", _pg_url()
        )
        if done.returncode != 0:
            raise Conflict(f"pg_dump 失败：{done.stderr.strip()[:300]}", code="backup_failed")
    else:
        connection.ensure_connection()
        target = sqlite3.connect(output)
        try:
            connection.connection.backup(target)  # a consistent copy while others write
        finally:
            target.close()
    return counts


def is_empty() -> bool:
    with connection.cursor() as cur:
        return not connection.introspection.table_names(cur)


def restore(source: Path) -> dict:
    """Restore ``source`` into this database, which must be empty (no tables: create it, do not
    migrate it); returns the row counts and whether the books balance."""
    source = Path(source)
    if not source.is_file():
        raise ValidationFailed(f"备份文件 {source} 不存在", code="backup_missing")
    if not is_empty():
        raise Conflict(
            "目标数据库不是空的：请新建一个空数据库再恢复（不要先运行 migrate）", code="restore_not_empty"
        )
    if connection.vendor == "postgresql":
        done = _pg(
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--dbname={_pg_url()}",
            str(source),
        )
        if done.returncode != 0:
            raise Conflict(f"pg_restore 失败：{done.stderr.strip()[:300]}", code="restore_failed")
    else:
        connection.ensure_connection()
        copy = sqlite3.connect(source)
        try:
            copy.backup(connection.connection)
        finally:
            copy.close()
    return {"counts": row_counts(), "balanced": balanced()}


def row_counts() -> dict[str, int]:
    with connection.cursor() as cur:
        names = set(connection.introspection.table_names(cur))
        out = {}
        for table in COUNTED:
            if table in names:
                cur.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 — names from COUNTED
                out[table] = cur.fetchone()[0]
        return out


def balanced() -> bool:
    """Debits equal credits over the whole ledger (R-REP-6's invariant)."""
    with connection.cursor() as cur:
        cur.execute("SELECT COALESCE(SUM(debit), 0) - COALESCE(SUM(credit), 0) FROM ledger_posting")
        return cur.fetchone()[0] == 0

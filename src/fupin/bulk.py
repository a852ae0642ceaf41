"""Fast set-based inserts for imports and the demo (TOOLING.md: per-object ORM saves run at
~7 000 rows/s and ``bulk_create`` at ~70 000, too slow for a prefecture's registry).

:func:`insert` writes plain value tuples with ``COPY … FROM STDIN`` on PostgreSQL and
``executemany`` on SQLite; :func:`reserve_ids` hands out primary keys up front so that
child rows can point at their parents without a round trip. Both run inside the caller's
transaction; values must already be what the column stores (bytes, Decimal, date, str,
JSON as text: :class:`fupin.households.rows.Table` prepares them). Model validation and auditing stay the caller's job.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


def reserve_ids(model: type[models.Model], n: int) -> list[int]:
    """``n`` fresh primary keys for ``model`` (inside a transaction that writes them)."""
    if n <= 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
            seq = cur.fetchone()[0]
            cur.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [seq, n])
            return [r[0] for r in cur.fetchall()]
        cur.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')  # noqa: S608 - identifiers from model meta
        start = cur.fetchone()[0] + 1
        return list(range(start, start + n))


def insert(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]], table: str = "") -> int:
    """Insert ``rows`` (tuples in ``columns`` order; column names as in the database) into the
    model's table, or into ``table`` (a staging copy of it)."""
    table = table or model._meta.db_table
    cols = ", ".join(f'"{c}"' for c in columns)
    n = 0
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
        else:
            marks = ", ".join(["%s"] * len(columns))
            batch: list[Sequence[Any]] = []
            sql = f'INSERT INTO "{table}" ({cols}) VALUES ({marks})'  # noqa: S608 - identifiers from model meta
            for row in rows:
                batch.append(row)
                if len(batch) >= 5000:
                    cur.executemany(sql, batch)
                    n += len(batch)
                    batch = []
            if batch:
                cur.executemany(sql, batch)
                n += len(batch)
    return n

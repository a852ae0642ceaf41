"""Fast set-based inserts for imports and the demo (TOOLING.md: per-object ORM saves run at
~7 000 rows/s and ``bulk_create`` at ~70 000, too slow for a prefecture's registry).

:func:`insert` writes plain value tuples with ``COPY … FROM STDIN`` on PostgreSQL and
``executemany`` on SQLite; :func:`reserve_ids` hands out primary keys up front so that
child rows can point at their parents without a round trip. Both run inside the caller's
transaction; values must already be what the column stores (bytes, Decimal, date, str,
JSON as text: :class:`Table` prepares them). Model validation and auditing stay the caller's job.
"""

from __future__ import annotations

import enum
import json
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone


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


def insert(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]], table: str = ""
) -> int:
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


def _columns(model, skip=()) -> list[tuple[str, str, Any]]:
    out = []
    for f in model._meta.concrete_fields:
        if f.attname in skip:
            continue
        default = f.get_default() if f.has_default() else (None if f.null else "")
        if isinstance(default, enum.Enum):
            default = default.value
        out.append((f.attname, f.column, default))
    return out


class Table:
    """Column order and defaults of a model, and a way to turn a dict into a row."""

    def __init__(
        self, model, stamps=("created_at", "updated_at", "at", "submitted_at"), with_pk: bool = True
    ) -> None:
        self.model = model
        self.fields = _columns(model, skip=() if with_pk else (model._meta.pk.attname,))
        self.columns = [c for _, c, _ in self.fields]
        self.position = {a: i for i, (a, _, _) in enumerate(self.fields)}
        self.json = {f.attname for f in model._meta.concrete_fields if f.get_internal_type() == "JSONField"}
        self.stamps = [self.position[a] for a, _, _ in self.fields if a in stamps]
        self.callables = [(i, d) for i, (_, _, d) in enumerate(self.fields) if callable(d)]
        self.defaults = [
            None if callable(d) else json.dumps(d) if a in self.json else d for a, _, d in self.fields
        ]

    def row(self, values: dict[str, Any]) -> tuple:
        """A row: the given values (by attribute name), defaults elsewhere, timestamps = ``_now``."""
        out = self.defaults.copy()
        for i, d in self.callables:
            out[i] = json.dumps(d()) if self.fields[i][0] in self.json else d()
        if self.stamps:
            now = values.get("_now") or timezone.now()
            for i in self.stamps:
                out[i] = now
        position = self.position
        for k, v in values.items():
            i = position.get(k)
            if i is not None:
                out[i] = json.dumps(v, ensure_ascii=False) if k in self.json else v
        return tuple(out)

    def maker(self, names: Sequence[str], now: Any) -> Callable[..., tuple]:
        """A fast :meth:`row` for hot loops: ``make(v1, v2, …)`` is the row with the attributes
        ``names`` set to ``v1, v2, …`` (as stored: JSON as text), defaults elsewhere and the
        timestamps ``now`` — one C-level pick per row instead of a loop over a dict."""
        given = {a: k for k, a in enumerate(names)}
        fixed = self.defaults.copy()
        for i, d in self.callables:
            attname = self.fields[i][0]
            if attname in given:
                continue
            if attname not in self.json:  # a computed default (a fresh key, a time) must differ per row
                raise ValueError(
                    f"{self.model.__name__}.{attname}: give its value, its default is computed per row"
                )
            fixed[i] = json.dumps(d())
        for i in self.stamps:
            fixed[i] = now
        pick = operator.itemgetter(*[given.get(a, len(names) + i) for i, (a, _, _) in enumerate(self.fields)])
        tail = tuple(fixed)
        return lambda *values: pick(values + tail)

"""Compiled reads: one model's rows by one column, with the SQL written once per process.

The ORM compiles a queryset's SQL on every call. On this machine that is 0.3–0.7 ms of CPU for a
plain "the rows of this loan" (issue 23, ``python -m bench reads``), and a page makes a dozen such
reads. Here the statement is written once per process from the model's metadata (``_meta``, the
documented Model _meta API). It is run on a cursor with the value as a bound parameter, and each row
becomes an instance through ``Model.from_db``, the documented hook the ORM itself uses. Fields that
convert what the database returns (``from_db_value``, e.g. JSON) convert it here too. No private
part of Django is touched.

Only on PostgreSQL (psycopg returns dates, decimals and booleans as Python values already). With
``FUPIN_COMPILED_READS=0``, or on another database, the same call is a plain queryset. The ordering
is the model's own (``Meta.ordering``) unless one is given, as the ORM would order it. The caller
has checked that the reader may see the parent (the loan, the household) the rows belong to.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connections, router


@lru_cache(maxsize=256)
def _statement(
    model, column: str, order: tuple[str, ...], limit: bool, alias: str
) -> tuple[str, tuple, tuple]:
    """The SELECT for ``model``'s rows where ``column`` = %s; its fields' names in column order;
    and the fields' own conversions of what the database returns, by position."""
    vendor_quote = connections[alias].ops.quote_name
    meta = model._meta
    fields = tuple(meta.concrete_fields)
    names = ", ".join(vendor_quote(f.column) for f in fields)
    ordering = ", ".join(
        vendor_quote(meta.get_field(o.lstrip("-")).column) + (" DESC" if o.startswith("-") else " ASC")
        for o in order
    )
    where = vendor_quote(meta.get_field(column).column)
    # identifiers come from the model's metadata only, quoted; the value is a bound parameter
    sql = f"SELECT {names} FROM {vendor_quote(meta.db_table)} WHERE {where} = %s"  # noqa: S608
    if ordering:
        sql += f" ORDER BY {ordering}"
    if limit:
        sql += " LIMIT %s"
    converters = tuple((i, f.from_db_value) for i, f in enumerate(fields) if hasattr(f, "from_db_value"))
    return sql, tuple(f.attname for f in fields), converters


def _ordering(model, order: Sequence[str] | None) -> tuple[str, ...] | None:
    """The ordering as field names (``-`` for descending), or None where only the ORM can say it."""
    wanted = model._meta.ordering if order is None else order
    out = []
    for o in wanted:
        if not isinstance(o, str) or o == "?" or "__" in o:
            return None
        name = o.lstrip("-")
        out.append(("-" if o.startswith("-") else "") + ("id" if name == "pk" else name))
    return tuple(out)


def rows(model, *, where: str, value: Any, order: Sequence[str] | None = None, limit: int | None = None):
    """``model``'s rows whose field ``where`` (a column, or a relation by its id) is ``value``, in
    ``order`` (default: the model's), at most ``limit`` of them — as instances."""
    alias = router.db_for_read(model)
    connection = connections[alias]
    ordering = _ordering(model, order)
    if not settings.FUPIN_COMPILED_READS or connection.vendor != "postgresql" or ordering is None:
        qs = model._default_manager.filter(**{where: value})
        if order is not None:
            qs = qs.order_by(*order)
        return list(qs[:limit] if limit is not None else qs)
    sql, names, converters = _statement(model, where, ordering, limit is not None, alias)
    with connection.cursor() as cursor:
        cursor.execute(sql, [value] if limit is None else [value, limit])
        fetched = cursor.fetchall()
    out = []
    for row in fetched:
        if converters:
            row = list(row)
            for i, convert in converters:
                row[i] = convert(row[i], None, connection)
        out.append(model.from_db(alias, names, row))
    return out

"""Compiled reads: a model's rows by a few equalities, within a jurisdiction, with the rows they
point to, the SQL written once per process.

The ORM compiles a queryset's SQL on every call. On this machine that is 0.3–0.7 ms of CPU for a
plain "the rows of this loan" and ≈ 2.5 ms for a loan with six related rows (issue 23,
``python -m bench reads``), and a page makes a dozen such reads. Here the statement is written once
per shape from the models' metadata (``_meta``, the documented Model _meta API). It is run on a
cursor with the values as bound parameters (PostgreSQL prepares it: ``prepare_threshold``), and each
row becomes instances through ``Model.from_db``, the documented hook the ORM itself uses; the rows a
foreign key points to are set through the relation (``setattr``), as ``select_related`` leaves
them. Fields that convert what the database returns (``from_db_value``, e.g. JSON) convert it here
too. No private part of Django is touched.

Only on PostgreSQL (psycopg returns dates, decimals and booleans as Python values already). With
``FUPIN_COMPILED=0``, or on another database, the same call is a plain queryset. The ordering
is the model's own (``Meta.ordering``) unless one is given, as the ORM would order it. The caller
has checked that the reader may see what it asks for, or passes the jurisdiction (``within``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import DatabaseError, connections, router
from django.db.models import Count, Max, Q

Within = tuple[str, tuple[str, ...] | None] | None  # (a division code field, its allowed prefixes)

_VALUES = (int, str, bool, dt.date)  # what psycopg binds as the ORM would (a datetime is aware)
_TESTS = {(False, False): "= %s", (True, False): "= ANY(%s)", (False, True): "IS NULL"}  # (in, null)


class _Segment(NamedTuple):
    """One model's columns in a joined row: where they sit and how they become an instance."""

    model: Any
    start: int
    end: int
    names: tuple[str, ...]  # the fields' attnames
    converters: tuple  # (position, the field's from_db_value)
    pk_at: int
    parent: int | None  # the segment whose foreign key this one is
    relation: str | None  # that foreign key's name


class _Shape:
    """A statement and how to make instances of its rows."""

    def __init__(self, model, where, within, related, fields, order, limit, lock, alias):
        quote = connections[alias].ops.quote_name
        meta = model._meta
        self.alias = alias
        table = quote(meta.db_table)
        self.segments: list[_Segment] = []
        columns: list[str] = []

        def take(seg_model, seg_fields, table_alias, parent, relation):
            columns.extend(f"{table_alias}.{quote(f.column)}" for f in seg_fields)
            self.segments.append(
                _Segment(
                    seg_model,
                    len(columns) - len(seg_fields),
                    len(columns),
                    tuple(f.attname for f in seg_fields),
                    tuple(
                        (i, f.from_db_value) for i, f in enumerate(seg_fields) if hasattr(f, "from_db_value")
                    ),
                    next(i for i, f in enumerate(seg_fields) if f.primary_key),
                    parent,
                    relation,
                )
            )

        take(model, self._fields(model, fields, ""), table, None, None)
        joins, aliases = [], {"": (table, model, False, 0)}  # path: alias, model, nullable, segment
        for path in related:
            parent_path, _, name = path.rpartition("__")
            parent_alias, parent_model, parent_nullable, parent_index = aliases[parent_path]
            field = parent_model._meta.get_field(name)
            if not (field.many_to_one or field.one_to_one) or not field.concrete:
                raise ValueError(f"{path}: only a foreign key of the row can be joined")
            target, joined = field.related_model, f"T{len(aliases)}"
            nullable = parent_nullable or field.null
            joins.append(
                f"{'LEFT OUTER' if nullable else 'INNER'} JOIN {quote(target._meta.db_table)} {joined}"
                f" ON {joined}.{quote(field.target_field.column)} = {parent_alias}.{quote(field.column)}"
            )
            aliases[path] = (joined, target, nullable, len(self.segments))
            take(target, self._fields(target, fields, path), joined, parent_index, name)
        conditions = [
            f"{table}.{quote(meta.get_field(name.removesuffix('__in')).column)} "
            + _TESTS[name.endswith("__in"), null]
            for name, null in where
        ]
        if within is not None:
            name, n = within
            column = f"{table}.{quote(_local(model, name).column)}"
            conditions.append("(" + " OR ".join([f"{column} LIKE %s"] * n) + ")" if n else "FALSE")
        ordering = ", ".join(
            f"{table}.{quote(meta.get_field(o.lstrip('-')).column)}" + (" DESC" if o[0] == "-" else " ASC")
            for o in order
        )
        # identifiers come from the models' metadata only, quoted; values are bound parameters
        sql = f"SELECT {', '.join(columns)} FROM {table} {' '.join(joins)}"  # noqa: S608
        if conditions:
            sql += " WHERE " + " AND ".join(conditions)
        if ordering:
            sql += f" ORDER BY {ordering}"
        if limit:
            sql += " LIMIT %s"
        if lock:  # every row the statement reads, the joined ones too (as select_for_update)
            sql += " FOR UPDATE"
        self.sql = sql

    @staticmethod
    def _fields(model, names: tuple[str, ...], path: str) -> tuple:
        """The fields of the model at ``path`` (``""``: the row's own) that ``names`` asks for
        (``path__field``), with its key; all of them if ``names`` asks for none of it."""
        everything = tuple(model._meta.concrete_fields)
        head = f"{path}__" if path else ""
        mine = [n[len(head) :] for n in names if n.startswith(head) and "__" not in n[len(head) :]]
        if not mine:
            return everything
        wanted = {model._meta.get_field(n).attname for n in mine} | {model._meta.pk.attname}
        return tuple(f for f in everything if f.attname in wanted)

    def build(self, fetched: list, connection) -> list:
        out = []
        for row in fetched:
            made: list = []
            for index, seg in enumerate(self.segments):
                values = row[seg.start : seg.end]
                if index and values[seg.pk_at] is None:  # an outer join that found nothing
                    made.append(None)
                    continue
                if seg.converters:
                    values = list(values)
                    for i, convert in seg.converters:
                        values[i] = convert(values[i], None, connection)
                made.append(seg.model.from_db(self.alias, seg.names, values))
                if index and made[seg.parent] is not None:  # as select_related leaves it
                    setattr(made[seg.parent], seg.relation, made[index])
            out.append(made[0])
        return out


def _plain(name: str, value: Any) -> bool:
    """Whether ``name=value`` is a condition a compiled read writes: a field equal to a number, a
    string, a boolean or a date, ``field__in`` a list of numbers or strings, or a field that is
    null."""
    if name.endswith("__in"):
        return (
            "__" not in name[:-4]
            and isinstance(value, list | tuple)
            and all(type(v) in (int, str) for v in value)
        )
    return "__" not in name and (value is None or type(value) in _VALUES)


@lru_cache(maxsize=512)
def _shape(model, where, within, related, fields, order, limit, lock, alias) -> _Shape:
    return _Shape(model, where, within, related, fields, order, limit, lock, alias)


def _local(model, name: str):
    """The field of ``model``'s own row that ``name`` reads: a field, or ``fk__key`` where the
    foreign key points at that key (``village__code`` is the row's ``village_code``); else None."""
    head, _, rest = name.partition("__")
    try:
        field = model._meta.get_field(head)
    except FieldDoesNotExist:
        return None
    if not rest:
        return field if field.concrete else None
    if "__" in rest or not field.many_to_one or field.target_field.name != rest:
        return None
    return field


def _ordering(model, order: Sequence[str] | None) -> tuple[str, ...] | None:
    """The ordering as field names (``-`` for descending), or None where only the ORM can say it."""
    wanted = model._meta.ordering if order is None else order
    out = []
    for o in wanted:
        if not isinstance(o, str) or o == "?" or "__" in o:
            return None
        name = o.lstrip("-")
        out.append(("-" if o.startswith("-") else "") + (model._meta.pk.name if name == "pk" else name))
    return tuple(out)


def _like(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def rows(
    model,
    *,
    where: dict[str, Any],
    within: Within = None,
    related: tuple[str, ...] = (),
    fields: tuple[str, ...] = (),
    order: Sequence[str] | None = None,
    limit: int | None = None,
    lock: bool = False,
) -> list:
    """``model``'s rows, as instances:

    * ``where``: fields (columns, relations by their ids, ``pk``) equal to the values given
      (``field__in``: among them; None: null);
    * ``within``: ``(field, prefixes)``, the division code field under one of the prefixes
      (``(field, None)``: everywhere);
    * ``related``: foreign keys joined, as ``select_related``;
    * ``fields``: only these columns (``relation__field`` for a joined row's; the key always; all
      of a row's if none of it is named);
    * ``order``: default the model's, ``()`` none; ``limit``: at most so many;
    * ``lock``: locked for the transaction (``select_for_update``: on the database written to)."""
    alias = router.db_for_write(model) if lock else router.db_for_read(model)
    connection = connections[alias]
    ordering = _ordering(model, order)
    prefixes = within[1] if within is not None else None
    if (
        not settings.FUPIN_COMPILED
        or connection.vendor != "postgresql"
        or ordering is None
        or not all(_plain(k, v) for k, v in where.items())
        or (within is not None and _local(model, within[0]) is None)
    ):
        qs = model._default_manager.filter(**where)
        if prefixes is not None:
            allowed = Q(pk__in=[])
            for p in prefixes:
                allowed |= Q(**{f"{within[0]}__startswith": p})
            qs = qs.filter(allowed)
        if related:
            qs = qs.select_related(*related)
        if fields:
            qs = qs.only(*fields)
        if order is not None:
            qs = qs.order_by(*order)
        if lock:
            qs = qs.select_for_update()
        return list(qs[:limit] if limit is not None else qs)
    names = tuple((model._meta.pk.name if n == "pk" else n, v is None) for n, v in where.items())
    shape = _shape(
        model,
        names,
        None if prefixes is None else (within[0], len(prefixes)),
        tuple(related),
        tuple(fields),
        ordering,
        limit is not None,
        lock,
        alias,
    )
    params = [
        *(list(v) if isinstance(v, tuple) else v for v in where.values() if v is not None),
        *(_like(p) for p in prefixes or ()),
    ]
    if limit is not None:
        params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(shape.sql, params)
        fetched = cursor.fetchall()
    return shape.build(fetched, connection)


def first(model, **kwargs):
    """The first of :func:`rows` (``limit`` 1), or None."""
    found = rows(model, limit=1, **kwargs)
    return found[0] if found else None


@lru_cache(maxsize=64)
def _stamp_sql(model, field: str, alias: str) -> str:
    quote = connections[alias].ops.quote_name
    column = quote(model._meta.get_field(field).column)
    return f"SELECT COUNT(*), MAX({column}) FROM {quote(model._meta.db_table)}"  # noqa: S608 (metadata)


def stamp(model, field: str) -> tuple:
    """How many rows ``model`` has and the greatest ``field`` among them: what a process compares
    with what it last saw, to load a small table again only after a change."""
    alias = router.db_for_read(model)
    connection = connections[alias]
    if not settings.FUPIN_COMPILED or connection.vendor != "postgresql":
        return tuple(model._default_manager.aggregate(n=Count("pk"), last=Max(field)).values())
    with connection.cursor() as cursor:
        cursor.execute(_stamp_sql(model, field, alias))
        return tuple(cursor.fetchone())


def _prepared(obj, field, connection, add: bool):
    """What the database stores for ``field`` of ``obj`` — the field's own ``pre_save`` (e.g.
    ``auto_now_add``) and ``get_db_prep_save``, as ``Model.save`` asks them (the Field API)."""
    return field.get_db_prep_save(field.pre_save(obj, add), connection)


@lru_cache(maxsize=256)
def _insert_sql(model, with_key: bool, n: int, alias: str) -> tuple[str, tuple]:
    quote = connections[alias].ops.quote_name
    meta = model._meta
    fields = tuple(f for f in meta.concrete_fields if with_key or not f.primary_key)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    names = ", ".join(quote(f.column) for f in fields)
    # identifiers from the model's metadata, quoted; values bound
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES {', '.join([row] * n)}"  # noqa: S608
        f" RETURNING {quote(meta.pk.column)}"
    )
    return sql, fields


def insert(objects: Sequence) -> None:
    """New rows of one model, as ``bulk_create`` writes them (no signals): each object's key is
    set from the database (the instance's own saved-or-new state is left as it is: nothing that
    inserts through here saves the object again). A key already set is written as it is (all the
    objects' or none's). At most 20 at a time compiled; more go to ``bulk_create``."""
    if not objects:
        return
    model = type(objects[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    with_key = objects[0].pk is not None
    if (
        not settings.FUPIN_COMPILED
        or connection.vendor != "postgresql"
        or len(objects) > 20
        or any(type(o) is not model or (o.pk is not None) != with_key for o in objects)
    ):
        model._default_manager.db_manager(alias).bulk_create(objects)
        return
    sql, fields = _insert_sql(model, with_key, len(objects), alias)
    params = [_prepared(o, f, connection, True) for o in objects for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = cursor.fetchall()
    for obj, (key,) in zip(objects, keys, strict=True):
        setattr(obj, model._meta.pk.attname, key)


@lru_cache(maxsize=256)
def _update_sql(model, names: tuple[str, ...], alias: str) -> tuple[str, tuple]:
    quote = connections[alias].ops.quote_name
    meta = model._meta
    fields = tuple(meta.get_field(n) for n in names)
    sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    # identifiers from the model's metadata, quoted; values bound
    return f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(meta.pk.column)} = %s", fields  # noqa: S608


def update(obj, fields: Sequence[str]) -> None:
    """Those columns of ``obj``'s row, by its key, as ``obj.save(update_fields=fields)`` writes
    them, without its signals (switched off, it is that ``save``; the models written here have no
    receivers); an error if no row has the key (as ``save`` with ``update_fields`` raises)."""
    model = type(obj)
    alias = router.db_for_write(model)
    connection = connections[alias]
    if not settings.FUPIN_COMPILED or connection.vendor != "postgresql":
        obj.save(update_fields=fields)
        return
    sql, prepared = _update_sql(model, tuple(fields), alias)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(_prepared(obj, f, connection, False) for f in prepared), obj.pk])
        if cursor.rowcount != 1:
            raise DatabaseError(f"{model.__name__} {obj.pk}: no row to update")

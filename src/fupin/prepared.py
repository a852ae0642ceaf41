"""Querysets compiled to SQL once per process, for the requests that run most often.

Django builds and compiles the SQL of every queryset anew: a loan with its household, village
and application costs ≈ 1.2 ms of a core to compile, the bearer token's row ≈ 0.6 ms — more
than PostgreSQL takes to answer, and most of a small API request (docs/performance.md, issue
11). :class:`Prepared` builds a queryset *shape* once with marker values, keeps its SQL and
Django's own column map, and from then on runs the same SQL with the caller's values put where
the markers were, building the same model objects (related ones included) Django would.

A shape is told apart by its *key* (positional arguments, hashable, handed to the builder as
they are: a jurisdiction's prefixes, a flag) and the names of its *values* (keyword arguments:
an id, a hash, a date — the things that change from request to request). A value must reach
the SQL as a plain parameter (``pk=…``, ``key_hash=…``, ``due_date__lt=…``); one that a lookup
would transform (``__startswith``, ``__in``) belongs in the key. Only plain model querysets
(no ``values()``, no ``prefetch_related``) are accepted, and values must have the marker's type
(``int``, ``str``, ``datetime.date``) — the first call says so if not.
"""

from __future__ import annotations

import datetime as dt
import inspect
import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db import DatabaseError, connections, router, transaction
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.models import Model, QuerySet
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import ModelIterable, get_related_populators
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, post_save, pre_init, pre_save
from django.db.models.sql import InsertQuery

_MARKERS: dict[type, Callable[[int], Any]] = {  # the i-th marker of a type
    int: lambda i: 30011 + i,  # within every integer column's range (a smallint's, a positive one's)
    str: lambda i: f"\ue000fupin-marker-{i}\ue001",
    dt.date: lambda i: dt.date(1, 1, 1) + dt.timedelta(days=311 + i),
}


MAX_SHAPES = 2000  # per Prepared and thread


class _Shape:
    """One compiled shape: its SQL and parameters, where the values go, and how rows become
    objects — worked out once, as django.db.models.query.ModelIterable does on every query."""

    def __init__(
        self,
        db: str,
        sql: str | None,
        params: list[Any],
        slots: tuple[tuple[str, type, Callable[[Any], Any] | None, tuple[int, ...]], ...],
        compiler,
    ) -> None:
        self.db, self.sql, self.params = (
            db,
            sql,
            params,
        )  # sql None: the shape matches nothing (no jurisdiction)
        self.slots = (
            slots  # value name, its type, how the backend adapts it (SQLite: dates as text), where it goes
        )
        if sql is None:
            return
        self.compiler = c = compiler
        info, select = c.klass_info, c.select
        self.model = info["model"]
        self.start, self.end = info["select_fields"][0], info["select_fields"][-1] + 1
        self.init_list = [f[0].target.attname for f in select[self.start : self.end]]
        self.make = _maker(self.model, self.init_list)
        self.populators = get_related_populators(info, select, db)
        _speed_up(self.populators)
        self.converters = c.get_converters([s[0] for s in select[0 : c.col_count]])
        self.annotations = list((c.annotation_col_map or {}).items())

    def rows(self, values: dict[str, Any]) -> list[Model]:
        if self.sql is None:
            return []
        params = list(self.params)
        for name, kind, adapt, places in self.slots:
            value = values[name]
            if type(value) is not kind:
                raise TypeError(f"{name} must be {kind.__name__}, not {type(value).__name__}")
            if adapt is not None:
                value = adapt(value)
            for p in places:
                params[p] = value
        with _cursor(self.db) as cur:
            cur.execute(self.sql, params)
            fetched = cur.fetchall()
        rows = self.compiler.apply_converters(fetched, self.converters) if self.converters else fetched
        make, db, start, end = self.make, self.db, self.start, self.end
        result = []
        for row in rows:
            obj = make(db, row[start:end])
            for populator in self.populators:
                populator.populate(row, obj)
            for attr, pos in self.annotations:
                setattr(obj, attr, row[pos])
            result.append(obj)
        return result


def _maker(model: type[Model], init_list: list[str]) -> Callable[[str, Any], Model]:
    """How a row's values become an object of ``model``: what ``Model.from_db`` returns, without
    its walk over every field on every object (≈ 10 µs an object: a schedule of 52 instalments
    costs half a millisecond). Django's ``__init__`` sets each value through the class's
    attribute for it; for plain columns and foreign keys that attribute, on a new object, only
    puts the value in the object's ``__dict__`` — so that is done at once. A model whose
    creation someone listens to (``pre_init``/``post_init``) or with a field that keeps its
    value another way (a file, a custom descriptor) is built by ``from_db`` as ever."""
    plain = all(type(inspect.getattr_static(model, name, None)) in _PLAIN for name in init_list)
    if not plain or pre_init.has_listeners(model) or post_init.has_listeners(model):
        return lambda db, values: model.from_db(db, init_list, values)
    names, new = tuple(init_list), model.__new__

    def make(db: str, values: Any) -> Model:
        obj = new(model)
        state = obj._state = ModelState()
        state.adding, state.db = False, db
        obj.__dict__.update(zip(names, values, strict=True))
        return obj

    return make


_PLAIN = (DeferredAttribute, ForeignKeyDeferredAttribute)


class _FastClass:
    """Stands for a model class in Django's populator of ``select_related`` objects, which asks
    it only for ``from_db``."""

    def __init__(self, model: type[Model], init_list: list[str]) -> None:
        self.make = _maker(model, init_list)

    def from_db(self, db: str, init_list: list[str], values: Any) -> Model:
        return self.make(db, values)


def _speed_up(populators: list) -> None:
    for p in populators:
        p.model_cls = _FastClass(p.model_cls, p.init_list)
        _speed_up(p.related_populators)


def _cursor(db: str):
    """Django's cursor for ``db`` (query logging, execute wrappers, error translation); on
    PostgreSQL one that binds the values on the server and keeps the statement prepared on the
    connection, so PostgreSQL parses and plans it once too (FUPIN_DB_PREPARE=0 turns that off,
    e.g. behind a pgbouncer in transaction mode). While Django logs queries (DEBUG, a test
    counting them) the plain cursor, whose log shows the values."""
    conn = connections[db]
    if conn.vendor != "postgresql" or not settings.FUPIN_DB_PREPARE or conn.queries_logged:
        return conn.cursor()
    conn.ensure_connection()
    raw = conn.connection
    if raw.prepare_threshold is None:  # Django turns psycopg's preparing off; these cursors ask for it
        raw.prepare_threshold = 1 << 30  # (and Django's own client-side cursors never prepare)
    with conn.wrap_database_errors:
        return conn._prepare_cursor(_PreparingCursor(raw))


class _PreparingCursor(ServerBindingCursor):
    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


class Prepared:
    """``Prepared(build)``: ``build(*key, **values)`` returns the queryset; calling the
    Prepared with the same arguments returns ``list(build(*key, **values))`` — compiled once
    per key, per thread."""

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self.build = build
        self._local = threading.local()

    def __call__(self, *key: Any, **values: Any) -> list[Any]:
        shapes = getattr(self._local, "shapes", None)
        if shapes is None:
            shapes = self._local.shapes = {}
        whole = (key, tuple(sorted(values)))
        shape = shapes.get(whole)
        if shape is None:
            if len(shapes) >= MAX_SHAPES:  # (keys are jurisdictions and the like: a bound all the same)
                shapes.clear()
            shape = shapes[whole] = self._compile(key, values)
        return shape.rows(values)

    def first(self, *key: Any, **values: Any) -> Any | None:
        rows = self(*key, **values)
        return rows[0] if rows else None

    def _compile(self, key: tuple, values: dict[str, Any]) -> _Shape:
        # Compiled twice with two sets of markers: the parameters that differ are the values'
        # places, and nothing else may differ (a value that changes the SQL, is transformed by
        # its lookup, or decides whether the query can match at all belongs in the key).
        names = sorted(values)
        for name in names:
            if type(values[name]) not in _MARKERS:
                raise TypeError(
                    f"{name}: a {type(values[name]).__name__} cannot be a prepared value; make it part "
                    "of the key"
                )
        first, second = (
            {n: _MARKERS[type(values[n])](2 * i + side) for i, n in enumerate(names)} for side in (0, 1)
        )
        try:
            (db, sql, params, compiler), (_, sql2, params2, _) = self._sql(key, first), self._sql(key, second)
        except (
            ValueError
        ) as e:  # a marker its field cannot take (a str for an integer id): the value's type is wrong
            wrong = ", ".join(f"{n} ({type(values[n]).__name__})" for n in names)
            raise TypeError(f"{wrong}: must be of the field's type — {e}") from None
        if sql != sql2:
            raise TypeError("a prepared value changes the SQL; make it part of the key")
        if sql is None:
            return _Shape(db, None, [], (), None)
        adapt = connections[db].ops.adapt_datefield_value  # (SQLite sends dates as text)
        slots, placed = [], set()
        for name in names:
            kind = type(values[name])
            a, b = (adapt(m[name]) if kind is dt.date else m[name] for m in (first, second))
            places = tuple(
                p for p, (x, y) in enumerate(zip(params, params2, strict=True)) if x == a and y == b
            )
            if not places:
                raise TypeError(
                    f"{name} does not reach the SQL as a plain parameter; make it part of the key"
                )
            slots.append((name, kind, adapt if kind is dt.date and a is not first[name] else None, places))
            placed.update(places)
        if any(x != y for p, (x, y) in enumerate(zip(params, params2, strict=True)) if p not in placed):
            raise TypeError("a prepared value is transformed by its lookup; make it part of the key")
        return _Shape(db, sql, params, tuple(slots), compiler)

    def _sql(self, key: tuple, markers: dict[str, Any]) -> tuple[str, str | None, list[Any], Any]:
        qs = self.build(*key, **markers)
        if (
            qs._iterable_class is not ModelIterable
            or qs._prefetch_related_lookups
            or qs._known_related_objects
        ):
            raise TypeError(
                "Prepared takes plain model querysets (no values(), prefetch_related or related managers)"
            )
        compiler = qs.query.get_compiler(using=qs.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return qs.db, None, [], compiler
        return qs.db, sql, list(params), compiler


def remember(obj: Model, related_name: str, rows: list[Model]) -> None:
    """Keep ``rows`` as ``obj.<related_name>.all()`` for this object — what
    ``prefetch_related`` stores — so that code reading the relation reads them without a query."""
    qs = getattr(obj, related_name).all()
    qs._result_cache, qs._prefetch_done = rows, True
    if not hasattr(obj, "_prefetched_objects_cache"):
        obj._prefetched_objects_cache = {}
    obj._prefetched_objects_cache[related_name] = qs


def children(
    model: str, fk: str, *related: str, order: tuple[str, ...] = (), limit: int | None = None
) -> Prepared:
    """The rows of ``model`` ("app.Model") whose ``fk`` (``household_id``, ``loan__household_id``)
    is a given id — ``related`` selected with them, in ``order`` (else the model's own), the first
    ``limit`` — compiled once; call it with ``id=``. The sections of an archive or a loan's page."""

    def build(*, id: int) -> QuerySet:
        qs = apps.get_model(model).objects.filter(**{fk: id})
        if related:  # (select_related() without names would follow every foreign key)
            qs = qs.select_related(*related)
        if order:
            qs = qs.order_by(*order)
        return qs[:limit] if limit else qs

    return Prepared(build)


def insert(obj: Model, using: str | None = None) -> Model:
    """``obj.save()`` of a new row — what ``Model.objects.create`` does — with the INSERT compiled
    once per model, database and thread, and kept prepared on PostgreSQL like the reads: a
    repayment writes four rows (its journal entry, itself, two audit entries), and Django builds
    each INSERT anew (≈ 0.15 ms of a core apiece). The object's fields are filled in as Django
    fills them (``pre_save``: auto_now_add; ``get_db_prep_save``: JSON and the like) and it comes
    back saved, with its id. A model with parents, a primary key already set, a save that
    someone listens to (``pre_save``/``post_save``), a field with a placeholder of its own or a
    value that is an expression is saved by Django as ever."""
    model = type(obj)
    db = using or router.db_for_write(model, instance=obj)
    shape = _statement(("insert", model, db), lambda: _Write.insert(model, db))
    params = (
        None if shape is None or obj.pk is not None or not obj._state.adding else shape.values(obj, add=True)
    )
    if params is None:
        obj.save(force_insert=True, using=db)
        return obj
    with transaction.mark_for_rollback_on_error(db), _cursor(db) as cur:
        cur.execute(shape.sql, params)
        row = cur.fetchone()
    for value, field in zip(row, model._meta.db_returning_fields, strict=True):
        setattr(obj, field.attname, value)
    obj._state.adding, obj._state.db = False, db
    return obj


FEW = 8  # rows: insert_rows writes up to this many with one statement kept per count


def insert_rows(objs: Sequence[Model], using: str | None = None) -> None:
    """``bulk_create(objs)`` of a few new rows of one model whose ids nobody reads back (a journal
    entry's postings): one INSERT of that many rows, compiled once per model, count and database
    and kept prepared on PostgreSQL (Django's bulk_create of two postings ≈ 0.8 ms of a core, this
    ≈ 0.1). More than :data:`FEW` rows, or rows :func:`insert` would leave to Django, go through
    ``bulk_create`` as ever."""
    if not objs:
        return
    model = type(objs[0])
    db = using or router.db_for_write(model, instance=objs[0])
    n = len(objs)
    shape = _statement(("rows", model, db, n), lambda: _Write.insert(model, db, rows=n)) if n <= FEW else None
    if shape is not None:
        params: list[Any] = []
        for obj in objs:
            values = shape.values(obj, add=True) if obj.pk is None and obj._state.adding else None
            if values is None:
                break
            params += values
        else:
            with transaction.mark_for_rollback_on_error(db), _cursor(db) as cur:
                cur.execute(shape.sql, params)
            for obj in objs:
                obj._state.adding, obj._state.db = False, db
            return
    model.objects.using(db).bulk_create(objs)


def update(obj: Model, fields: Sequence[str], using: str | None = None) -> None:
    """``obj.save(update_fields=fields)`` with the UPDATE compiled once per model, fields and
    database and kept prepared on PostgreSQL (Django builds it anew: ≈ 0.5 ms of a core for a
    loan's servicing row, this ≈ 0.1). Fields are prepared as Django prepares them (``pre_save``:
    auto_now); no row updated is the error Django raises. Saved by Django where :func:`insert`
    would be, or when a name is not a plain column of the model's own."""
    model = type(obj)
    db = using or router.db_for_write(model, instance=obj)
    names = tuple(fields)
    shape = _statement(("update", model, db, names), lambda: _Write.update(model, db, names))
    params = None if shape is None or obj.pk is None else shape.values(obj, add=False)
    if params is None:
        obj.save(update_fields=names, using=db)
        return
    params.append(shape.key.get_db_prep_value(obj.pk, connection=shape.connection))
    with transaction.mark_for_rollback_on_error(db), _cursor(db) as cur:
        cur.execute(shape.sql, params)
        if cur.rowcount != 1:
            raise DatabaseError("Save with update_fields did not affect any rows.")
    obj._state.adding, obj._state.db = False, db


_statements = threading.local()


def _statement(key: tuple, make: Callable[[], _Write | None]) -> _Write | None:
    """The statement for ``key`` of this thread, made once (None: the model is left to Django)."""
    kept = getattr(_statements, "kept", None)
    if kept is None:
        kept = _statements.kept = {}
    if key not in kept:
        kept[key] = make()
    shape = kept[key]
    model = key[1]
    if shape is None or pre_save.has_listeners(model) or post_save.has_listeners(model):
        return None
    return shape


class _Write:
    """An INSERT or UPDATE of one model worked out once: its SQL and the fields whose values it
    takes, in order."""

    def __init__(self, sql: str, fields: list, connection, key=None) -> None:
        self.sql, self.fields, self.connection, self.key = sql, fields, connection, key

    def values(self, obj: Model, add: bool) -> list[Any] | None:
        """The row's values as Django would send them; None when one is an expression (Django's)."""
        obj._prepare_related_fields_for_save(operation_name="save")
        params = []
        for field in self.fields:
            value = field.pre_save(obj, add=add)
            if hasattr(value, "resolve_expression"):
                return None
            params.append(field.get_db_prep_save(value, connection=self.connection))
        return params

    @classmethod
    def insert(cls, model: type[Model], db: str, rows: int | None = None) -> _Write | None:
        """Django's own INSERT … RETURNING for one new object of ``model``; with ``rows``, a plain
        INSERT of that many (nothing returned). None when the model is not of the simple kind
        (see :func:`insert`)."""

        meta, connection = model._meta, connections[db]
        if meta.parents or meta.auto_field is None or not connection.features.can_return_columns_from_insert:
            return None
        fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
        if any(getattr(f, "get_placeholder", None) for f in fields):
            return None
        if rows is not None:
            qn = connection.ops.quote_name
            row = "(" + ", ".join(["%s"] * len(fields)) + ")"
            sql = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) VALUES "  # noqa: S608 - identifiers from model meta
            return cls(sql + ", ".join([row] * rows), fields, connection)
        query = InsertQuery(model)
        query.insert_values(fields, [model()])
        compiler = query.get_compiler(using=db)
        compiler.returning_fields = meta.db_returning_fields
        ((sql, _params),) = compiler.as_sql()
        return cls(sql, fields, connection)

    @classmethod
    def update(cls, model: type[Model], db: str, names: tuple[str, ...]) -> _Write | None:
        """``UPDATE table SET a = %s, … WHERE pk = %s`` for ``names``; None unless the model is of
        the simple kind and every name is a plain column of its own other than the key."""
        meta, connection = model._meta, connections[db]
        if meta.parents or not names:
            return None
        fields = []
        for name in names:
            try:
                field = meta.get_field(name)
            except FieldDoesNotExist:
                return None
            if (
                not field.concrete
                or field.primary_key
                or field.generated
                or field.model is not model
                or getattr(field, "get_placeholder", None)
            ):
                return None
            fields.append(field)
        qn = connection.ops.quote_name
        sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
        sql = f"UPDATE {qn(meta.db_table)} SET {sets} WHERE {qn(meta.pk.column)} = %s"  # noqa: S608 - identifiers from model meta
        return cls(sql, fields, connection, key=meta.pk)

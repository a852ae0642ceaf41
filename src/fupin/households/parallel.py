"""A first import of a large registry on several cores (PostgreSQL).

After the parent has read the sheet it forks one worker per partition (a household's rows
always fall in one partition). Each worker checks its households, compares them with the
database (on a connection of its own, reading only), prepares their rows and formats them
for ``COPY`` exactly as psycopg would on the wire — then, instead of writing them, sends
the formatted chunks to the parent. The parent holds the one transaction that keeps the
import all or nothing and streams every chunk into the real tables as it arrives, so that
the database inserts, indexes and checks foreign keys (made immediate for that purpose)
while the workers are still checking rows. Sending formatted COPY text costs a memcpy;
sending checked records would cost as much as checking them (docs/performance.md).

At the end the parent checks what no single partition can see (an ID number or a 户编号
used in two partitions). Only a file whose households are all new takes this path; anything
that changes stored records falls back to the sequential import (``None`` is returned
and the transaction rolled back). The parent must not be inside a transaction or share its
process with other threads: the command line and the benchmark call it, the web page does not.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import multiprocessing
import os
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any

import psycopg
from django.db import connection, connections, transaction

from fupin.core import idcard
from fupin.core.errors import Problem
from fupin.core.registry import Columns, RowReader, group, read_rows
from fupin.households import reconcile
from fupin.households.models import Household, HouseholdEvent, ImportBatch, Person
from fupin.households.rows import EVENTS, HOUSEHOLDS, PERSONS
from fupin.households.xlsx import clean

log = logging.getLogger(__name__)
CHUNK_BYTES = 1 << 20  # formatted COPY text per message to the parent
SLICE = 5000  # households checked, compared and sent at a time


@dataclass
class Outcome:
    problems: list[Problem] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)


def partitions(rows: list[list[Any]], first: int, columns: Columns, n: int) -> list[list[list[int]]]:
    """The households of each partition, as lists of row indexes (a household's rows by the
    village and 户编号 they give, normalised as the checks do)."""
    idx = columns.index
    village = [idx[f] for f in ("county", "township", "village_name") if f in idx]
    code = idx.get("village_code")
    number = idx["registry_no"]
    parts: list[dict[tuple, list[int]]] = [{} for _ in range(n)]
    for i in range(first, len(rows)):
        v = rows[i]
        if not any(x not in (None, "") for x in v):
            continue
        width = len(v)
        key = tuple(str(v[k]).strip() if k < width and v[k] is not None else "" for k in village)
        if code is not None:
            key += (idcard.normalise(v[code]) if code < width else "",)
        key += (idcard.normalise(v[number]) if number < width else "",)
        parts[hash(key) % n].setdefault(key, []).append(i)
    return [list(p.values()) for p in parts]


class _Chunks(psycopg.copy.Writer):
    """Receives what psycopg formats for a COPY and sends it to the parent in chunks that
    end on a row (psycopg hands over whole rows)."""

    def __init__(self, send: Callable[[Any], None], table: str, columns: list[str]) -> None:
        self.send, self.table, self.columns = send, table, columns
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data) -> None:
        self.parts.append(bytes(data))
        self.size += len(data)
        if self.size >= CHUNK_BYTES:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            self.send(("rows", self.table, self.columns, b"".join(self.parts)))
            self.parts, self.size = [], 0

    def finish(self, exc: BaseException | None = None) -> None:
        if exc is None:
            self.flush()


def _send_rows(model, columns: list[str], rows: Iterable[tuple], send: Callable[[Any], None]) -> None:
    writer = _Chunks(send, model._meta.db_table, columns)
    with connection.cursor() as cur, psycopg.Copy(cur.cursor, writer=writer) as copy:
        for row in rows:
            copy.write_row(row)


def _work(
    rows, households: list[list[int]], columns, today, user, batch, send: Callable[[Any], None]
) -> dict[str, Any]:
    """Check, compare and prepare one partition, a slice of households at a time, sending the
    rows of each slice to the parent as soon as it is ready — until a problem is found, after
    which the rest is only checked, so that every problem is listed. Returns the problems or
    the counts, and the keys that other partitions must not repeat."""
    reader = RowReader(columns, today)
    ids: dict[str, int] = {}
    numbers: dict[tuple[str, str], int] = {}
    bad_rows: list[
        Problem
    ] = []  # as in the sequential import: bad rows first, the rest once every row is good
    problems: list[Problem] = []
    summary = {"new_households": 0, "new_persons": 0, "households_in_file": 0, "persons_in_file": 0}
    for start in range(0, len(households), SLICE):
        numbered = ((i + 1, clean(rows[i])) for h in households[start : start + SLICE] for i in h)
        records, found, _ = read_rows(reader, numbered)
        bad_rows += found
        if bad_rows:
            continue
        for r in records:
            if r.id_number in ids:  # the slices' own checks see only their own rows
                problems.append(_id_repeated(r.id_number, ids[r.id_number], r.row))
            else:
                ids[r.id_number] = r.row
        grouped, found = group(records)
        if not found:
            villages, found = reconcile.resolve_villages(user, grouped)
        if not found:
            plan, found = reconcile.plan(grouped, villages, user)
        problems += found
        if found:
            continue
        if not plan.only_new:
            return {"ids": ids, "problems": [], "fallback": True}
        for h, code in plan.new_households:
            key, row = (code[:6], h.key[1]), h.members[0].row
            if key in numbers:
                problems.append(_number_repeated(key, numbers[key], row))
            numbers.setdefault(key, row)
        if problems:
            continue
        made = reconcile.Rows(batch, user)
        _send_rows(Household, HOUSEHOLDS.columns, made.new_households(plan), send)
        _send_rows(Person, PERSONS.columns, made.new_persons(plan), send)
        _send_rows(HouseholdEvent, EVENTS.columns, made.events, send)
        for k, n in (
            ("new_households", len(plan.new_households)),
            ("new_persons", len(plan.new_persons)),
            ("households_in_file", len(grouped)),
            ("persons_in_file", len(records)),
        ):
            summary[k] += n
    return {
        "ids": ids,
        "problems": bad_rows or problems,
        "fallback": False,
        "numbers": numbers,
        "summary": summary,
    }


def run(
    *,
    rows: list[list[Any]],
    first: int,
    columns: Columns,
    today: dt.date,
    user,
    batch: ImportBatch,
    workers: int,
    finish: Callable[[Outcome], None],
) -> Outcome | None:
    """Import ``rows`` on ``workers`` processes. ``None``: use the sequential path (nothing
    written); an outcome with problems: nothing written; otherwise everything is written and
    ``finish(outcome)`` has run inside the same transaction."""
    parts = partitions(rows, first, columns, workers)
    connections.close_all()  # each process opens its own connection after the fork
    ctx = multiprocessing.get_context("fork")
    children = {}
    for k in range(workers):
        receive, send = ctx.Pipe(duplex=False)

        def child(k: int = k, send=send) -> None:
            try:
                result = _work(rows, parts[k], columns, today, user, batch, send.send)
            except Exception:
                result = {"error": traceback.format_exc()}
            send.send(("done", result))
            connections.close_all()
            os._exit(0)

        process = ctx.Process(target=child, daemon=True)
        process.start()
        send.close()
        children[receive] = process
    with transaction.atomic():
        results, failure = _write(children)
        for process in children.values():
            process.join()
        errors = [r["error"] for r in results if "error" in r]
        outcome = None if errors or any(r["fallback"] for r in results) else _merge(results)
        if outcome is not None and not outcome.problems and not failure:
            finish(outcome)
            return outcome
        transaction.set_rollback(True)
        if outcome is not None and outcome.problems:
            return outcome  # an ID number in two partitions: the unique index has refused it too
        for reason in [*errors, failure]:
            if reason:
                log.warning("parallel import fell back: %s", reason)
        return None


def _write(children: dict) -> tuple[list[dict[str, Any]], str]:
    """Stream every worker's rows into the real tables as they come (inside the caller's
    transaction); the workers' results, and the database's refusal if there was one (the
    rest of the rows are then received and dropped, so that no worker blocks)."""
    results: list[dict[str, Any]] = []
    failure = ""
    open_ = dict(children)
    with connection.cursor() as cur, contextlib.ExitStack() as copying:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # foreign keys checked while the workers still work
        target: tuple[str, list[str]] | None = None
        copy = None
        while open_:
            for receive in wait(list(open_)):
                try:
                    message = receive.recv()
                except EOFError:
                    results.append({"error": "a worker process ended without an answer"})
                    del open_[receive]
                    continue
                if message[0] == "done":
                    results.append(message[1])
                    del open_[receive]
                    continue
                _, table, columns, data = message
                if failure:
                    continue
                try:
                    if target != (table, columns):
                        copying.close()
                        cols = ", ".join(f'"{c}"' for c in columns)
                        copy = copying.enter_context(cur.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN'))
                        target = (table, columns)
                    copy.write(data)
                except psycopg.Error as e:
                    failure, target = str(e), None
                    with contextlib.suppress(psycopg.Error):
                        copying.close()
        if not failure:
            try:
                copying.close()
            except psycopg.Error as e:
                failure = str(e)
    return results, failure


def _merge(results: list[dict[str, Any]]) -> Outcome:
    """Problems of every partition, plus what no partition could see alone."""
    outcome = Outcome()
    ids: dict[str, int] = {}
    numbers: dict[tuple[str, str], int] = {}
    for r in results:
        outcome.problems.extend(r["problems"])
        for value, row in r["ids"].items():
            if value in ids:
                outcome.problems.append(_id_repeated(value, ids[value], row))
            else:
                ids[value] = row
        for key, row in r.get("numbers", {}).items():
            if key in numbers:
                outcome.problems.append(_number_repeated(key, numbers[key], row))
            else:
                numbers[key] = row
        for k, v in r.get("summary", {}).items():
            outcome.summary[k] = outcome.summary.get(k, 0) + v
    return outcome


def _id_repeated(value: str, first: int, row: int) -> Problem:
    """An ID number on two rows (of two slices or two partitions), named at the later row."""
    return Problem(
        f"证件号码与第 {min(first, row)} 行重复",
        row=max(first, row),
        field="证件号码",
        value=idcard.mask_id(value),
    )


def _number_repeated(key: tuple[str, str], first: int, row: int) -> Problem:
    """A 户编号 given to two households of one county."""
    return Problem(
        f"户编号“{key[1]}”在本县已用于另一户（第 {first} 行）", row=row, field="户编号", value=key[1]
    )

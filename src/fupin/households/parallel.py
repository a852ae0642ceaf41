"""A first import of a large registry on several cores (PostgreSQL).

Checking a row costs as much as sending it to another process would, so the processes do
not send rows back: after the parent has read the sheet, it forks; each process checks the
households of its partition (a household's rows always fall in one partition), compares
them with the database, prepares their rows and COPYs them into unlogged staging tables on
its own connection. The parent then checks what no single partition can see (an ID number
or a 户编号 used in two partitions) and, in the one transaction that keeps the import all
or nothing, moves the staged rows into the real tables with ``INSERT … SELECT``.

Only a file whose households are all new takes this path; anything that changes stored
records falls back to the sequential import (``None`` is returned before anything is
written). The parent must not be inside a transaction or share its process with other
threads: the command line and the benchmark call it, the web page does not.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, connections, transaction

from fupin import bulk
from fupin.core import idcard
from fupin.core.errors import Problem
from fupin.core.registry import Columns, RowReader, group, read_rows
from fupin.households import reconcile
from fupin.households.models import Household, HouseholdEvent, ImportBatch, Person
from fupin.households.rows import EVENTS, HOUSEHOLDS, PERSONS

log = logging.getLogger(__name__)
TABLES = {"households": (Household, HOUSEHOLDS), "persons": (Person, PERSONS), "events": (HouseholdEvent, EVENTS)}


@dataclass
class Outcome:
    problems: list[Problem] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)


def partitions(rows: list[list[Any]], first: int, columns: Columns, n: int) -> list[list[int]]:
    """Row indexes per partition, by household (village and 户编号, normalised as the checks do)."""
    idx = columns.index
    village = [idx[f] for f in ("county", "township", "village_name") if f in idx]
    code = idx.get("village_code")
    number = idx["registry_no"]
    parts: list[list[int]] = [[] for _ in range(n)]
    for i in range(first, len(rows)):
        v = rows[i]
        if not any(x not in (None, "") for x in v):
            continue
        width = len(v)
        key = tuple(str(v[k]).strip() if k < width and v[k] is not None else "" for k in village)
        if code is not None:
            key += (idcard.normalise(v[code]) if code < width else "",)
        key += (idcard.normalise(v[number]) if number < width else "",)
        parts[hash(key) % n].append(i)
    return parts


def _stage_names(batch: ImportBatch) -> dict[str, str]:
    return {k: f"fupin_stage_{batch.pk}_{k}" for k in TABLES}


def _work(rows, indexes, columns, today, user, batch, *, staged: bool) -> dict[str, Any]:
    """Check, compare and write one partition — into the staging tables (``staged``, a child
    with its own committed connection) or straight into the real tables (the parent, inside
    the transaction that will also move the staged rows); returns problems or counts, and
    the keys that other partitions must not repeat."""
    records, problems, _ = read_rows(RowReader(columns, today), ((i + 1, rows[i]) for i in indexes))
    ids = {r.id_number: r.row for r in records}
    out: dict[str, Any] = {"ids": ids, "problems": problems, "fallback": False}
    if problems:
        return out
    households, problems = group(records)
    if not problems:
        villages, problems = reconcile.resolve_villages(user, households)
    if not problems:
        plan, problems = reconcile.plan(households, villages)
    out["problems"] = problems
    if problems:
        return out
    if not plan.only_new:
        out["fallback"] = True
        return out
    out["numbers"] = {(code[:6], h.key[1]): h.members[0].row for h, code in plan.new_households}
    stage = _stage_names(batch) if staged else {k: "" for k in TABLES}
    rows_ = reconcile.Rows(batch, user)
    with transaction.atomic():
        bulk.insert(Household, HOUSEHOLDS.columns, rows_.new_households(plan), table=stage["households"])
        bulk.insert(Person, PERSONS.columns, rows_.new_persons(plan), table=stage["persons"])
        bulk.insert(HouseholdEvent, EVENTS.columns, rows_.events, table=stage["events"])
    out["summary"] = {"new_households": len(plan.new_households), "new_persons": len(plan.new_persons),
                      "households_in_file": len(households), "persons_in_file": len(records)}
    return out


def run(
    *, rows: list[list[Any]], first: int, columns: Columns, today: dt.date, user, batch: ImportBatch, workers: int,
    finish: Callable[[Outcome], None],
) -> Outcome | None:
    """Import ``rows`` on ``workers`` processes. ``None``: use the sequential path (nothing
    written); an outcome with problems: nothing written; otherwise everything is written and
    ``finish(outcome)`` has run inside the same transaction."""
    stage = _stage_names(batch)
    with connection.cursor() as cur:
        for name, (model, _) in TABLES.items():
            cur.execute(f'CREATE UNLOGGED TABLE "{stage[name]}" (LIKE "{model._meta.db_table}" INCLUDING DEFAULTS)')
            # events carry no id of their own: the real table's identity gives them one on the move
            cur.execute(f'ALTER TABLE "{stage[name]}" ALTER COLUMN "{model._meta.pk.column}" DROP NOT NULL')
    parts = partitions(rows, first, columns, workers)
    connections.close_all()  # each process opens its own connection after the fork
    ctx = multiprocessing.get_context("fork")
    children = []
    for k in range(1, workers):
        receive, send = ctx.Pipe(duplex=False)

        def child(k: int = k, send=send) -> None:
            try:
                result = _work(rows, parts[k], columns, today, user, batch, staged=True)
            except Exception:
                result = {"error": traceback.format_exc()}
            send.send(result)
            connections.close_all()
            os._exit(0)

        process = ctx.Process(target=child, daemon=True)
        process.start()
        children.append((process, receive))
    try:
        with transaction.atomic():
            try:
                results = [_work(rows, parts[0], columns, today, user, batch, staged=False)]
            except Exception:
                results = [{"error": traceback.format_exc()}]
            for process, receive in children:
                try:
                    results.append(receive.recv())
                except EOFError:
                    results.append({"error": "a worker process ended without an answer"})
                process.join()
            if any("error" in r or r["fallback"] for r in results):
                for r in results:
                    if "error" in r:
                        log.warning("parallel import fell back: %s", r["error"])
                transaction.set_rollback(True)
                return None
            outcome = _merge(results)
            if outcome.problems:
                transaction.set_rollback(True)
                return outcome
            move(batch)
            finish(outcome)
            return outcome
    finally:
        drop(batch)


def _merge(results: list[dict[str, Any]]) -> Outcome:
    """Problems of every partition, plus what no partition could see alone."""
    outcome = Outcome()
    ids: dict[str, int] = {}
    numbers: dict[tuple[str, str], int] = {}
    for r in results:
        outcome.problems.extend(r["problems"])
        for value, row in r["ids"].items():
            if value in ids:
                outcome.problems.append(Problem(f"证件号码与第 {min(row, ids[value])} 行重复", row=max(row, ids[value]),
                                                field="证件号码", value=idcard.mask_id(value)))
            else:
                ids[value] = row
        for key, row in r.get("numbers", {}).items():
            if key in numbers:
                outcome.problems.append(Problem(f"户编号“{key[1]}”在本县已用于另一户（第 {numbers[key]} 行）",
                                                row=row, field="户编号", value=key[1]))
            else:
                numbers[key] = row
        for k, v in r.get("summary", {}).items():
            outcome.summary[k] = outcome.summary.get(k, 0) + v
    return outcome


def move(batch: ImportBatch) -> None:
    """The staged rows into the real tables (inside the caller's transaction)."""
    stage = _stage_names(batch)
    with connection.cursor() as cur:
        for name, (model, table) in TABLES.items():
            cols = ", ".join(f'"{c}"' for c in table.columns)
            cur.execute(f'INSERT INTO "{model._meta.db_table}" ({cols}) SELECT {cols} FROM "{stage[name]}"')  # noqa: S608


def drop(batch: ImportBatch) -> None:
    with connection.cursor() as cur:
        for name in _stage_names(batch).values():
            cur.execute(f'DROP TABLE IF EXISTS "{name}"')

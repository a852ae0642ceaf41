"""Importing the poverty registry (R-REG-3): all or nothing, every problem listed, idempotent.

``registry_import`` reads the first sheet, checks every row (core: :mod:`fupin.core.registry`),
resolves villages inside the importer's jurisdiction, compares with what is stored, and
then either writes everything in one transaction or nothing at all. Re-importing the same
file changes nothing; a later file updates households matched by their members' ID numbers
and records every changed field in the household's history.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from fupin.accounts import access
from fupin.audit.services import audit_record
from fupin.core.errors import Problem
from fupin.core.registry import PersonRecord, RowReader, group, map_headers, read_rows
from fupin.households import parallel, reconcile
from fupin.households.models import ImportBatch
from fupin.households.xlsx import SheetProblem, checked_rows, clean

Progress = Callable[[str, int], None]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fail(batch: ImportBatch, problems: list[Problem]) -> ImportBatch:
    problems = sorted(problems, key=lambda p: (p.row or 0, p.field))
    batch.state = ImportBatch.State.FAILED
    batch.problems = [p.as_dict() for p in problems]
    batch.progress = 100
    batch.stage = f"发现 {len(problems)} 处问题，未导入任何数据"
    batch.finished_at = batch.updated_at = timezone.now()
    batch.save()
    return batch


def batch_start(*, acting_user, file_name: str, dry_run: bool) -> ImportBatch:
    """``acting_user`` None is the system itself (``fupin import-registry`` without --user)."""
    division = ""
    if acting_user is not None:
        access.require(acting_user, "registry.import")
        grants = [g for g in access.grants(acting_user) if g.role in access.roles_for("registry.import")]
        division = "" if grants[0].everywhere else min(grants[0].prefixes, key=len).ljust(12, "0")
    return ImportBatch.objects.create(
        file_name=file_name[:200],
        dry_run=dry_run,
        created_by=acting_user,
        division_code=division,
        stage="排队中",
    )


def registry_import(
    *,
    acting_user,
    path: Path,
    file_name: str,
    dry_run: bool = False,
    batch: ImportBatch | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
    workers: int = 1,
) -> ImportBatch:
    """Check and (unless ``dry_run``) import one registry file; returns the batch with its result."""
    # Hundreds of thousands of small objects live until the end of an import: the cyclic
    # garbage collector would walk all of them again and again for nothing (none are cyclic
    # garbage), which roughly doubled the import time of a prefecture's registry.
    enabled = gc.isenabled()
    gc.disable()
    batch = batch or batch_start(acting_user=acting_user, file_name=file_name, dry_run=dry_run)
    try:
        return _import(acting_user, path, file_name, dry_run, batch, progress, today, workers)
    except BaseException:
        # whatever stopped it, nothing was written (one transaction): the batch says so
        ImportBatch.objects.filter(pk=batch.pk, state=ImportBatch.State.RUNNING).update(
            state=ImportBatch.State.FAILED,
            progress=100,
            stage="导入时发生系统错误，未写入任何数据",
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        raise
    finally:
        if enabled:
            gc.enable()


STALE_AFTER = dt.timedelta(minutes=10)  # a running import moves its heartbeat at least every few seconds


def batches_expire() -> int:
    """Mark as failed the imports whose process died (killed, out of memory, the server
    restarted) without saying so: running, and silent for :data:`STALE_AFTER`. Nothing of theirs
    was written — an import writes in one transaction, which died with the process."""
    now = timezone.now()
    return ImportBatch.objects.filter(
        state=ImportBatch.State.RUNNING, updated_at__lt=now - STALE_AFTER
    ).update(
        state=ImportBatch.State.FAILED,
        progress=100,
        stage="导入已中断（处理进程意外退出），未写入任何数据，请重新导入",
        finished_at=now,
        updated_at=now,
    )


def _import(acting_user, path, file_name, dry_run, batch, progress, today, workers) -> ImportBatch:
    today = today or timezone.localdate()

    def step(stage: str, pct: int) -> None:
        batch.stage, batch.progress, batch.updated_at = stage, pct, timezone.now()
        ImportBatch.objects.filter(pk=batch.pk).update(stage=stage, progress=pct, updated_at=batch.updated_at)
        if progress:
            progress(stage, pct)

    batch.sha256 = _sha256(path)
    step("检查并读取文件", 2)
    try:
        if (
            workers > 1
            and not dry_run
            and connection.vendor == "postgresql"
            and not connection.in_atomic_block
        ):
            raw = list(checked_rows(path, cleaned=False))  # the workers clean their own rows
            done = _import_parallel(raw, batch, acting_user, today, workers, step)
            if done is not None:
                return done
            rows = map(clean, raw)
        else:
            rows = checked_rows(path)
        records, problems, n_rows, layout = _read(rows, today, step)
    except SheetProblem as e:
        return _fail(batch, e.problems)
    batch.rows, batch.layout = n_rows, layout or ""
    if problems:
        return _fail(batch, problems)
    step("按户归集", 55)
    households, problems = group(records)
    if problems:
        return _fail(batch, problems)
    step("核对行政村与已有档案", 60)
    villages, problems = reconcile.resolve_villages(acting_user, households)
    if problems:
        return _fail(batch, problems)
    plan, problems = reconcile.plan(households, villages, acting_user)
    if problems:
        return _fail(batch, problems)
    summary = {
        "rows": n_rows,
        "households_in_file": len(households),
        "persons_in_file": len(records),
        "new_households": len(plan.new_households),
        "changed_households": len(plan.changed_households),
        "new_persons": len(plan.new_persons),
        "changed_persons": len(plan.changed_persons),
        "moved_persons": len(plan.moved_persons),
        "left_persons": len(plan.left_persons),
    }
    batch.summary = summary
    if dry_run:
        batch.state = ImportBatch.State.CHECKED
        batch.stage, batch.progress = "检查通过（试运行，未写入）", 100
        batch.finished_at = batch.updated_at = timezone.now()
        batch.save()
        return batch
    step("写入数据库", 75)
    with transaction.atomic():
        reconcile.write(plan, batch, acting_user)
        _done(batch, acting_user, empty=plan.empty)
    return batch


def _import_parallel(
    rows: list, batch: ImportBatch, user, today: dt.date, workers: int, step
) -> ImportBatch | None:
    """The first import of a large file on several cores (see :mod:`.parallel`); ``None``
    when the file needs the sequential path (it changes stored records, or its header is bad)."""
    first = next((n for n, v in enumerate(rows) if any(x not in (None, "") for x in v)), None)
    if first is None:
        return None
    columns, _ = map_headers(rows[first])  # a bad header: the sequential path reports it
    if columns is None or len(rows) - first - 1 < 1000:
        return None
    step(f"分 {workers} 个进程检查并写入 {len(rows) - first - 1} 行", 20)
    batch.rows, batch.layout = len(rows) - first - 1, columns.layout

    def finish(outcome: parallel.Outcome) -> None:
        s = outcome.summary
        batch.summary = {
            "rows": batch.rows,
            "households_in_file": s["households_in_file"],
            "persons_in_file": s["persons_in_file"],
            "new_households": s["new_households"],
            "changed_households": 0,
            "new_persons": s["new_persons"],
            "changed_persons": 0,
            "moved_persons": 0,
            "left_persons": 0,
        }
        _done(batch, user, empty=not (s["new_households"] or s["new_persons"]))

    outcome = parallel.run(
        rows=rows,
        first=first + 1,
        columns=columns,
        today=today,
        user=user,
        batch=batch,
        workers=workers,
        finish=finish,
    )
    if outcome is None:
        return None
    if outcome.problems:
        return _fail(batch, outcome.problems)
    return batch


def _done(batch: ImportBatch, user, *, empty: bool) -> None:
    batch.state = ImportBatch.State.IMPORTED
    batch.stage = "已导入" if not empty else "已导入：与已有档案完全一致，没有变化"
    batch.progress, batch.finished_at = 100, timezone.now()
    batch.updated_at = batch.finished_at
    batch.save()
    audit_record(
        actor=user,
        action="registry.import",
        obj=batch,
        division_code=batch.division_code,
        after={"file": batch.file_name, "sha256": batch.sha256, **batch.summary},
    )


def _read(it, today: dt.date, step) -> tuple[list[PersonRecord], list[Problem], int, str | None]:
    header: list[Any] | None = None
    header_row = 0
    for n, values in enumerate(it, start=1):
        if any(v not in (None, "") for v in values):
            header, header_row = values, n
            break
    if header is None:
        return [], [Problem("文件没有内容：第一个工作表是空的")], 0, None
    columns, problems = map_headers(header)
    if columns is None:
        return [], problems, 0, None
    numbered = ((n, v) for n, v in enumerate(it, start=header_row + 1) if any(x not in (None, "") for x in v))
    records, problems, n_rows = read_rows(
        RowReader(columns, today), numbered, lambda k: step(f"检查第 {k} 行", min(50, 5 + k // 20_000))
    )
    if n_rows == 0:
        problems.append(Problem("文件只有表头，没有数据行", row=header_row))
    return records, problems, n_rows, columns.layout

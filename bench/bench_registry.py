"""Registry import: 250 000 households (≈ 800 000 persons) from one xlsx into the database.

Generates the file once (R-REG-2a layout, bench/out/), imports it with validation into a
fresh database (PostgreSQL when DATABASE_URL points at one, as ``make bench`` arranges),
and prints rows/s, the time of each stage, and the ratio against the floor of merely
reading the same file with calamine in the same run. Target (issue 4): ≤ 60 s on
PostgreSQL on this machine. Not a pass/fail test.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from pathlib import Path

HOUSEHOLDS = int(os.environ.get("BENCH_HOUSEHOLDS", "250000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
OUT = Path(__file__).with_name("out")
TODAY = dt.date(2026, 11, 27)


def make_file(path: Path, villages: list[tuple[str, str, str]], households: int) -> int:
    import xlsxwriter

    from fupin.demo.people import REGISTRY_HEADER, household, registry_rows

    rng = random.Random(2026)
    used: set[str] = set()
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("人员信息")
    for c, h in enumerate(REGISTRY_HEADER):
        ws.write_string(0, c, h)
    r = 1
    per = households // len(villages) + 1
    made = 0
    for code, town, village in villages:
        for i in range(1, per + 1):
            if made >= households:
                break
            hh = household(rng, code, i, TODAY, used)
            for row in registry_rows(hh, "富民县", town, village):
                for c, v in enumerate(row):
                    if isinstance(v, int):
                        ws.write_number(r, c, v)
                    elif v:
                        ws.write_string(r, c, v)
                r += 1
            made += 1
    wb.close()
    return r - 1


def run() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from fupin.demo import county
    from fupin.divisions.models import Division
    from fupin.households import xlsx
    from fupin.households.importer import registry_import
    from fupin.households.models import Person

    call_command("migrate", verbosity=0)
    if Division.objects.exists():
        print("   the benchmark needs an empty database (make bench starts a fresh PostgreSQL)")
        return
    demo = county.build(households=HOUSEHOLDS, seed=1, with_registry=False)
    towns = dict(Division.objects.filter(level=4).values_list("code", "name"))
    villages = [
        (d.code, towns[d.parent_id], d.name) for d in Division.objects.filter(level=5).order_by("code")
    ]
    assert len(villages) == len(demo.villages)
    OUT.mkdir(exist_ok=True)
    path = OUT / f"registry-{HOUSEHOLDS}.xlsx"
    if not path.exists():
        t0 = time.perf_counter()
        rows = make_file(path, villages, HOUSEHOLDS)
        print(
            f"   generated {path.name}: {rows:,} rows, {path.stat().st_size / 1e6:.0f} MB "
            f"in {time.perf_counter() - t0:.0f} s"
        )
    t0 = time.perf_counter()
    n = sum(1 for _ in xlsx.rows(path)) - 1
    floor = time.perf_counter() - t0
    stages: list[tuple[str, float]] = []
    last = [time.perf_counter()]

    def progress(stage: str, pct: int) -> None:
        now = time.perf_counter()
        stages.append((stage, now - last[0]))
        last[0] = now

    t0 = time.perf_counter()
    batch = registry_import(
        acting_user=None, path=path, file_name=path.name, progress=progress, today=TODAY, workers=WORKERS
    )
    seconds = time.perf_counter() - t0
    stages.append(("写入数据库", time.perf_counter() - last[0]))
    assert batch.state == "imported", batch.problems[:5]
    persons = Person.objects.count()
    print(
        f"   database: {connection.vendor}; {batch.summary['households_in_file']:,} households, "
        f"{persons:,} persons;"
        f" {WORKERS} process(es)"
    )
    print(
        f"   import with validation: {seconds:.1f} s = {n / seconds:,.0f} rows/s   (target ≤ 60 s on "
        "PostgreSQL:"
        f" {'met' if seconds <= 60 or connection.vendor != 'postgresql' else 'NOT met'})"
    )
    print(f"   floor, reading the file only: {floor:.1f} s; import / floor = {seconds / floor:.1f}")
    merged: dict[str, float] = {}
    for stage, s in stages:
        key = "检查每一行" if stage.startswith("检查第") else stage
        merged[key] = merged.get(key, 0) + s
    print("   stages: " + "; ".join(f"{k} {v:.1f} s" for k, v in merged.items()))
    t0 = time.perf_counter()
    again = registry_import(acting_user=None, path=path, file_name=path.name, today=TODAY)
    print(f"   re-import of the same file (nothing changes): {time.perf_counter() - t0:.1f} s, {again.stage}")

"""Bringing a lender's existing loan book in: ``fupin import-loans`` of 100 000 loans (issue 25 (2)).

Builds the demo county's geography and registry (20 000 households) in a database of its own —
PostgreSQL when DATABASE_URL points at a server (``make bench`` starts one), and SQLite with a
smaller file — writes a loan-book file in the published layout (the four preset products, every
stage of their life, payments to date and a share in arrears, the borrowers the registry's
household heads), then measures in the same process:

* the baseline: the bare book writer (:func:`fupin.loans.book.write_book`) writing the same
  number of synthetic loans of the same products — what any import must at least do;
* the dry run (read and check the file, match the registry, make the schedules);
* the import (the same, then write every loan and its opening balances).

Prints seconds, loans/s and the ratio import / baseline. Target (issue 25): ≤ 60 s for 100 000
loans on PostgreSQL. Not a pass/fail test.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from bench import on_each_database

LOANS = int(os.environ.get("BENCH_LOANS", "100000"))
SQLITE_LOANS = int(os.environ.get("BENCH_SQLITE_LOANS", "20000"))
HOUSEHOLDS = 20_000
DATABASE = "fupin_bench_loanbook"
# product, share, term (months), amounts (yuan) — as the demo's book (fupin.demo.portfolio.MIX)
NAMES = {
    "subsidy": "脱贫人口小额信贷",
    "annual": "annual",
    "seasonal": "seasonal",
    "group": "五户联保互助小组周期贷款",
}


def run() -> None:
    on_each_database("bench.bench_loanbook", DATABASE, LOANS, SQLITE_LOANS)


def inner(loans: int, label: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from fupin.accounts.services import system_user
    from fupin.demo import county, portfolio
    from fupin.demo.migrated import book_xlsx, loan_rows
    from fupin.households.models import Person
    from fupin.households.pii import vault
    from fupin.loans.book_import import loans_import

    call_command("migrate", verbosity=0)
    cutover = timezone.localdate() - dt.timedelta(days=1)
    t0 = time.perf_counter()
    county.build(households=HOUSEHOLDS, seed=1, loan_book=False)
    v = vault()
    heads = [
        (p.name, v.decrypt(bytes(p.id_cipher)))
        for p in Person.objects.filter(is_head=True).only("name", "id_cipher")
    ]
    with tempfile.TemporaryDirectory() as tmp:
        rows, late = loan_rows(random.Random(25), heads, loans, cutover, mix=portfolio.MIX)
        path = book_xlsx(Path(tmp) / "book.xlsx", rows)
        print(
            f"   [{label}] county of {len(heads)} households and a file of {loans} loans ({late} in arrears, "
            f"{path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.0f} s"
        )

        class Rollback(Exception):
            pass

        t = time.perf_counter()
        try:  # the baseline: the bare writer, the same number of loans, undone afterwards
            with transaction.atomic():
                portfolio.generate_book(
                    loans=loans, on=cutover + dt.timedelta(days=1), seed=3, actor=system_user()
                )
                base = time.perf_counter() - t
                raise Rollback
        except Rollback:
            pass
        t = time.perf_counter()
        dry = loans_import(acting_user=None, path=path, institution="ABC000", cutover=cutover, dry_run=True)
        checked = time.perf_counter() - t
        assert dry.state == "checked", dry.problems[:5]
        t = time.perf_counter()
        out = loans_import(acting_user=None, path=path, institution="ABC000", cutover=cutover)
        took = time.perf_counter() - t
        assert out.state == "imported" and out.loans == loans
    print(
        f"   [{label}] import of {loans} loans: {took:.1f} s ({loans / took:,.0f} loans/s); the check alone "
        f"(dry run) {checked:.1f} s; the bare writer {base:.1f} s; import / writer = {took / base:.2f}"
    )
    if label == "PostgreSQL":
        print(f"   target: ≤ 60 s for 100 000 loans on PostgreSQL; this run: {loans} loans")


if __name__ == "__main__":
    inner(int(sys.argv[1]), sys.argv[2])

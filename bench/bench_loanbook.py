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


def book_file(path: Path, loans: int, cutover: dt.date, borrowers: list[tuple[str, str]]) -> int:
    """A loan-book file of ``loans`` rows; returns how many are in arrears."""
    import xlsxwriter

    from fupin.core.loanbook import COLUMNS
    from fupin.core.products import preset
    from fupin.core.schedule import generate
    from fupin.demo.portfolio import MIX
    from fupin.products import benchmarks

    rng = random.Random(25)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("存量贷款")
    ws.write_row(0, 0, [c.header for c in COLUMNS])
    schedules: dict[tuple, tuple] = {}
    late = 0
    for n in range(loans):
        product, _, term, amounts = rng.choices(MIX, [m[1] for m in MIX])[0]
        amount = rng.choice(amounts)
        start = cutover - dt.timedelta(days=rng.randint(1, term * 30 - 2))
        key = (product, amount, start)
        if key not in schedules:
            p = preset(product)
            s = generate(
                p.terms(principal=amount * 100, start=start, term=term, benchmark=benchmarks.in_force(start))
            )
            schedules[key] = (s.due_dates, s.principal, s.interest)
        dues, principal, interest = schedules[key]
        due = sum(1 for d in dues if d <= cutover)
        paid = due if rng.random() > 0.08 else rng.randint(0, due)  # 8 % in arrears (some by nothing yet)
        paid = min(paid, len(dues) - 1)  # a loan paid off is not brought in
        late += paid < due
        name, number = borrowers[n % len(borrowers)]
        ws.write_row(
            n + 1,
            0,
            [
                f"MIG{n + 1:08d}",
                name,
                number,
                NAMES[product],
                amount,
                start.isoformat(),
                term,
                "",
                sum(principal[:paid]) / 100,
                sum(interest[:paid]) / 100,
            ],
        )
    wb.close()
    return late


def inner(loans: int, label: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from fupin.accounts.services import system_user
    from fupin.demo import county, portfolio
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
        path = Path(tmp) / "book.xlsx"
        late = book_file(path, loans, cutover, heads)
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

"""Close of business: one business day for 1 000 000 active loans (≈ 12 000 000 instalments).

Builds a synthetic book (``fupin.demo.portfolio``: the four preset products at every stage,
8 % of loans overdue, standing at the close of the day before) in a database of its own —
PostgreSQL when DATABASE_URL points at a server (``make bench`` starts one), and SQLite with
a smaller book — then measures in the same process:

* the floor: three bare set-based statements over the same data — the day's accrual summed
  per village, the arrears scan (each late loan's oldest unpaid due date), the penalty summed
  over overdue instalments;
* ``fupin cob`` for the next business day in one process, and the day after with 2 workers.

Prints seconds, loans/s and the ratio COB / floor. Targets (issue 7): ≤ 20 s on PostgreSQL on
this machine (50 000 loans/s), ratio ≤ 4. Not a pass/fail test.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time

from bench import on_each_database

LOANS = int(os.environ.get("BENCH_LOANS", "1000000"))
SQLITE_LOANS = int(os.environ.get("BENCH_SQLITE_LOANS", "100000"))
HOUSEHOLDS = 20_000
DATABASE = "fupin_bench_cob"


def run() -> None:
    on_each_database("bench.bench_cob", DATABASE, LOANS, SQLITE_LOANS)


def floor(on: dt.date) -> float:
    """Seconds for the three bare statements (see the module)."""
    from django.db.models import F, Min, Sum

    from fupin.loans import accrual
    from fupin.loans.models import Installment, Servicing

    start = time.perf_counter()
    list(
        Servicing.objects.filter(active=True)
        .values("village_code")
        .annotate(x=Sum(accrual.receivable(on) - accrual.receivable(on - dt.timedelta(days=1))))
    )
    Installment.objects.filter(due_date__lt=on).filter(accrual.LATE).values("loan_id").annotate(
        first=Min("due_date")
    ).count()
    Installment.objects.filter(due_date__lt=on, principal_paid__lt=F("principal")).aggregate(
        x=Sum(accrual.penalty(on, F("loan__servicing__penalty_rate")))
    )
    return time.perf_counter() - start


def inner(loans: int, label: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from fupin.cob.services import cob_run
    from fupin.demo import county, portfolio

    call_command("migrate", verbosity=0)
    day = timezone.localdate() - dt.timedelta(days=1)
    t0 = time.perf_counter()
    county.build(households=HOUSEHOLDS, seed=1, loan_book=False)
    book = portfolio.generate_book(loans=loans, on=day, seed=7)
    print(
        f"   [{label}] book: {book['loans']} loans, {book['installments']} instalments, {book['overdue']} "
        "overdue "
        f"({time.perf_counter() - t0:.0f} s to build)"
    )
    floor_s = floor(day)
    for workers, on in ((1, day), (2, day + dt.timedelta(days=1))):
        t = time.perf_counter()
        run = cob_run(on, workers=workers).run
        s = time.perf_counter() - t
        n = run.summary["loans"]
        print(
            f"   [{label}] cob {on} with {workers} worker(s): {s:.2f} s, {n / s:,.0f} loans/s, "
            f"COB / floor = {s / floor_s:.2f} (floor {floor_s:.2f} s); newly "
            f"late {run.summary['newly_late']}, "
            f"grade changes {run.summary['grade_changes']}, entries {run.summary['entries']}"
        )
        print(f"      steps {run.summary['steps']} finish {run.summary['finish']}")
    if label == "PostgreSQL":
        print(
            f"   target: ≤ 20 s for 1 000 000 loans (50 000 loans/s), COB / floor ≤ 4; this run: {loans} "
            "loans"
        )


if __name__ == "__main__":
    inner(int(sys.argv[1]), sys.argv[2])

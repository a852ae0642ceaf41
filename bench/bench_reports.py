"""Reports: 附表3 for a 1 000 000-loan county, and a dashboard page, on PostgreSQL.

Builds the demo county's geography and registry with a synthetic book (``fupin.demo.portfolio``)
closed through yesterday in a database of its own (PostgreSQL when DATABASE_URL points at a
server — ``make bench`` starts one — else SQLite with a smaller book), then measures in the same
process:

* the floor: the bare scans the table cannot avoid — the loan table grouped by village, the
  instalments due in the month summed, the 1301 postings summed per village;
* 附表3 for the county and the current month (``fupin.reports.tables.fu3``), twice (cold, warm);
* the dashboard's data computed once (a snapshot per close of business), then the dashboard page's
  server time read from it (five views through Django's test client).

Prints seconds and the ratio table / floor. Targets (issue 9): 附表3 ≤ 5 s, a dashboard ≤ 1 s
of server time, with 1 000 000 loans on PostgreSQL on this machine. Not a pass/fail test.
"""

from __future__ import annotations

import os
import sys
import time

from bench import on_each_database

LOANS = int(os.environ.get("BENCH_LOANS", "1000000"))
SQLITE_LOANS = int(os.environ.get("BENCH_SQLITE_LOANS", "100000"))
HOUSEHOLDS = 20_000
DATABASE = "fupin_bench_reports"


def run() -> None:
    on_each_database("bench.bench_reports", DATABASE, LOANS, SQLITE_LOANS)


def floor(prefix: str, period) -> float:
    from django.db.models import Count, F, Sum

    from fupin.ledger.models import Posting
    from fupin.loans.models import Installment, Loan

    start = time.perf_counter()
    list(Loan.objects.filter(village_code__startswith=prefix).values("village_code").annotate(n=Count("pk")))
    Installment.objects.filter(due_date__range=(period.start, period.end)).aggregate(
        s=Sum(F("principal") + F("interest"))
    )
    list(
        Posting.objects.filter(account_id="1301", entry__division_code__startswith=prefix)
        .values("entry__division_code")
        .annotate(s=Sum("debit"))
    )
    return time.perf_counter() - start


def inner(loans: int, label: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from fupin.core import reports as core
    from fupin.demo import county, portfolio
    from fupin.divisions.models import Division
    from fupin.reports.dashboard import snapshot
    from fupin.reports.tables import fu3

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    t0 = time.perf_counter()
    county.build(households=HOUSEHOLDS, seed=1, loan_book=False)
    book = portfolio.generate_book(loans=loans, on=today, seed=7)
    print(
        f"   [{label}] book: {book['loans']} loans, {book['installments']} instalments "
        f"({time.perf_counter() - t0:.0f} s to build)"
    )
    division = Division.objects.get(code=county.COUNTY[0])
    period = core.period(f"{today:%Y-%m}")
    floor_s = floor(division.prefix, period)
    for attempt in ("cold", "warm"):
        t = time.perf_counter()
        table = fu3(division, period)
        s = time.perf_counter() - t
        print(
            f"   [{label}] 附表3 ({attempt}): {s:.2f} s, table / floor = {s / floor_s:.2f} "
            f"(floor {floor_s:.2f} s); "
            f"balance {table.total['balance'] / 100:,.2f} yuan in {len(table.rows)} rows"
        )
    t = time.perf_counter()
    snap = snapshot(division, period, refresh=True)
    print(
        f"   [{label}] dashboard data computed (once per close of business): {time.perf_counter() - t:.2f} s"
    )
    from django.test import Client

    from fupin.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="fupinban"))
    url = f"/reports/indicators/?division={division.code}&period={period.label}"
    client.get(url)
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        r = client.get(url)
        runs.append(time.perf_counter() - t)
    assert r.status_code == 200 and snap.pk
    print(
        f"   [{label}] dashboard page (server time, from the snapshot): median "
        f"{sorted(runs)[2] * 1000:.0f} ms "
        f"of 5 views"
    )
    if label == "PostgreSQL":
        print(f"   target: 附表3 ≤ 5 s, dashboard ≤ 1 s for 1 000 000 loans; this run: {loans} loans")


if __name__ == "__main__":
    inner(int(sys.argv[1]), sys.argv[2])

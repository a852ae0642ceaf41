"""The demo county's postal bank brought part of its book in from its own core system (issue 25
(2)): a loan-book file in the published layout (:mod:`fupin.core.loanbook`) for households with
no unsettled loan, imported as a county would import it (:func:`fupin.loans.book_import.loans_import`).
The benchmark of the import writes its file with the same rows (bench/bench_loanbook.py).
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from pathlib import Path

import xlsxwriter

from fupin.core.loanbook import COLUMNS
from fupin.core.products import preset
from fupin.core.schedule import generate
from fupin.households.models import Household, Person
from fupin.households.pii import vault
from fupin.loans.book_import import loans_import
from fupin.loans.models import Loan
from fupin.products import benchmarks

LENDER = "PSBC00"
SHARE = 0.02  # of the households with no unsettled loan
# the products a book is made of: product, weight, term (months), amounts (yuan)
POSTAL = (("subsidy", 70, 36, (20_000, 30_000, 50_000)), ("annual", 30, 12, (5_000, 8_000, 10_000)))


def loan_rows(
    rng: random.Random,
    borrowers: list[tuple[str, str]],
    n: int,
    cutover: dt.date,
    mix=POSTAL,
    arrears: float = 0.08,
) -> tuple[list[list], int]:
    """``n`` rows of a loan-book file as a bank's core system would send them — each loan paid
    instalment by instalment to the cut-over, or (``arrears`` of them) stopped paying some time
    ago — for the ``borrowers`` (name, ID number) in turn; and how many are in arrears."""
    names = {"subsidy": "脱贫人口小额信贷", "annual": "扶贫小额贷款（一年期）"}
    lpr = benchmarks.table()
    schedules: dict[tuple, tuple] = {}
    rows, late = [], 0
    for k in range(n):
        product, _, term, amounts = rng.choices(mix, [m[1] for m in mix])[0]
        amount = rng.choice(amounts)
        start = cutover - dt.timedelta(days=rng.randint(20, term * 30 - 5))
        key = (product, amount, start)
        if key not in schedules:
            terms = preset(product).terms(
                principal=amount * 100, start=start, term=term, benchmark=lpr(start)
            )
            s = generate(terms)
            schedules[key] = (s.due_dates, s.principal, s.interest)
        dues, principal, interest = schedules[key]
        due = sum(1 for d in dues if d <= cutover)
        paid = due if rng.random() >= arrears else rng.randint(0, due)
        paid = min(paid, len(dues) - 1)  # a loan paid off is not brought in
        late += paid < due
        name, number = borrowers[k % len(borrowers)]
        rows.append(
            [
                f"YC{cutover:%Y}{k + 1:07d}",
                name,
                number,
                names.get(product, product),
                amount,
                start.isoformat(),
                term,
                "",
                f"{sum(principal[:paid]) / 100:.2f}",
                f"{sum(interest[:paid]) / 100:.2f}",
            ]
        )
    return rows, late


def book_xlsx(path: Path, rows: list[list]) -> Path:
    """The rows in the published layout (strings as text, as a bank's export would have them)."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("存量贷款")
    ws.write_row(0, 0, [c.header for c in COLUMNS])
    for r, row in enumerate(rows, start=1):
        ws.write_row(r, 0, row)
    wb.close()
    return path


def borrowers_without_loans(rng: random.Random, share: float, skip: str = "") -> list[tuple[str, str]]:
    """(name, ID number) of the heads of ``share`` of the households with no unsettled loan (none
    of village ``skip``)."""
    busy = Loan.objects.filter(state__in=(Loan.State.CONTRACTED, Loan.State.ACTIVE)).values("household_id")
    free = list(
        Household.objects.exclude(pk__in=busy)
        .exclude(village_id=skip)
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    chosen = rng.sample(free, min(len(free), max(5, round(len(free) * share))))
    heads = Person.objects.filter(household_id__in=chosen, is_head=True, left_on=None).order_by(
        "household_id"
    )
    v = vault()
    return [(p.name, v.decrypt(bytes(p.id_cipher))) for p in heads.only("name", "id_cipher")]


def migrate(seed: int, cutover: dt.date, skip: str) -> dict:
    """The postal bank's book brought in at ``cutover`` (the last closed business day), none in
    village ``skip`` (the demo users' own, whose loans are the credit union's)."""
    rng = random.Random(seed * 31 + 25)
    people = borrowers_without_loans(rng, SHARE, skip)
    if not people:  # a county too small for the bank's book
        return {"loans": 0, "late": 0, "principal": 0}
    rows, late = loan_rows(rng, people, len(people), cutover)
    with tempfile.TemporaryDirectory() as tmp:
        out = loans_import(
            acting_user=None,
            path=book_xlsx(Path(tmp) / "邮储存量贷款.xlsx", rows),
            institution=LENDER,
            cutover=cutover,
        )
    if out.state != "imported":
        raise RuntimeError(f"the demo's loan book did not import: {out.as_dict()['problems'][:3]}")
    return {"loans": out.loans, "late": late, "principal": out.principal}

"""The demo county's construction bank lends under the programme but books its loans in its own core
system (issue 25 (3)): it sends the county its 借据 and repayment files each month, imported as
a county would import them (:func:`fupin.feeds.services.feed_import`). Its last two months, with
what a county finds in such files: a loan to someone not in the registry, one above the
household's credit line, one the second month leaves out, one whose balance the repayments do not
explain."""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from pathlib import Path

import xlsxwriter

from fupin.core.feeds import LOAN_COLUMNS, REPAYMENT_COLUMNS
from fupin.core.idcard import check_character
from fupin.core.money import to_fen
from fupin.divisions.models import Institution
from fupin.divisions.services import branch_create
from fupin.feeds.services import feed_import
from fupin.households.models import Person
from fupin.households.pii import vault
from fupin.loans.models import Loan
from fupin.ratings.models import CreditLine

CODE, NAME, SHORT = "CCB000", "中国建设银行富民县支行", "建设银行"
BORROWERS = 40


def _xlsx(path: Path, header: list[str], rows: list[list]) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        ws.write_row(r, 0, [str(v) for v in row])
    wb.close()
    return path


def _borrowers(rng: random.Random, skip: str) -> list[tuple[str, str, int]]:
    """(name, ID number, credit line in fen) of rated household heads with no unsettled loan here."""
    busy = Loan.objects.filter(state__in=(Loan.State.CONTRACTED, Loan.State.ACTIVE)).values("household_id")
    lines = dict(
        CreditLine.objects.filter(amount__gte=20_000)
        .exclude(household_id__in=busy)
        .exclude(village_code=skip)
        .values_list("household_id", "amount")
    )
    chosen = rng.sample(sorted(lines), min(BORROWERS, len(lines)))
    heads = Person.objects.filter(household_id__in=chosen, is_head=True, left_on=None).order_by(
        "household_id"
    )
    v = vault()
    return [(p.name, v.decrypt(bytes(p.id_cipher)), to_fen(lines[p.household_id])) for p in heads]


def build(seed: int, closed: dt.date, county: str, skip: str) -> dict:
    """The bank registered, and its files for the two months before the month of ``closed``."""
    branch_create(
        acting_user=None,
        code=CODE,
        name=NAME,
        short_name=SHORT,
        kind="other",
        county_code=county,
        coverage_codes=[county],
    )
    Institution.objects.filter(code=CODE).update(products=["subsidy"])
    rng = random.Random(seed * 13 + 3)
    october = (closed.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    september = (october - dt.timedelta(days=1)).replace(day=1)
    people = _borrowers(rng, skip)
    loans = []
    for k, (name, number, line) in enumerate(people):
        amount = min(rng.choice((20_000, 30_000, 50_000)) * 100, line)
        start = september - dt.timedelta(days=rng.randint(10, 900))
        late = rng.random() < 0.1
        loans.append([f"JH{start:%Y}{k + 1:05d}", name, number, start, amount, late])
    if len(loans) < 3:  # a county too small for the bank's book
        return {}
    loans[0][4] = people[0][2] + 1_000_000  # 10 000 above the household's line
    stranger = "11010519700101001"  # a borrower the registry does not know
    stranger += check_character(stranger)
    loans.append(["JH202600999", "赵某", stranger, october - dt.timedelta(days=40), 3_000_000, False])
    made = {}
    for month, drop in ((september, None), (october, loans[1][0])):
        rows, paid = [], []
        for no, name, number, start, amount, late in loans:
            if no == drop:
                continue  # the bank's October file leaves it out, unsettled
            balance = amount - (100_000 if month == october and no == loans[2][0] else 0)
            if month == october and no == loans[2][0]:
                paid.append([no, f"{october:%Y-%m}-20", "500.00", "", ""])  # 1 000 less owed, 500 repaid
            interest = round(balance * 0.0345 / 4)
            if not late and (month.month - start.month) % 3 == 0:  # quarterly interest, principal at maturity
                paid.append([no, f"{month:%Y-%m}-20", "0", f"{interest / 100:.2f}", ""])
            overdue = [f"{balance / 100:.2f}" if late else "", f"{interest / 100:.2f}" if late else ""]
            rows.append([no, name, number, "扶贫小额信贷", start.isoformat(),
                         (start + dt.timedelta(days=3 * 365)).isoformat(), f"{amount / 100:.2f}", "3.45",
                         f"{balance / 100:.2f}", *overdue, "逾期" if late else "正常",
                         rng.randint(35, 200) if late else ""])  # fmt: skip
        with tempfile.TemporaryDirectory() as tmp:
            a = _xlsx(Path(tmp) / f"建行借据{month:%Y%m}.xlsx", [c.header for c in LOAN_COLUMNS], rows)
            b = _xlsx(Path(tmp) / f"建行还款{month:%Y%m}.xlsx", [c.header for c in REPAYMENT_COLUMNS], paid)
            out = feed_import(
                acting_user=None,
                institution=CODE,
                month=month,
                loans_path=a,
                loans_name=a.name,
                repayments_path=b,
                repayments_name=b.name,
            )
        if out.state != "imported":
            raise RuntimeError(f"the demo's bank file did not import: {out.problems[:3]}")
        made[f"{month:%Y年%m月}"] = out.loans
    return made

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

from fupin.accounts.models import User
from fupin.accounts.services import role_assign
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


# (username, name, role): the head office prepares the bank's subsidy claims, its officer fund claims
STAFF = [
    ("jh_hangzhang", "蒋行长", "head_office"),
    ("jh_xindai", "沈建行", "loan_officer"),
]
CREDIT, ANNUAL = "扶贫小额信贷", "扶贫小额贷款（一年期）"


def build(seed: int, closed: dt.date, county: str, skip: str, password_hash: str) -> dict:
    """The bank registered with its staff, and its files for the two months before the month of
    ``closed``: three-year credit loans paying interest quarterly, some settled in the second month;
    one-year loans paying interest monthly with half left to the county (S-HALF's 贴息扣减); about
    one in ten late, the first of them long enough for the risk fund."""
    branch_create(
        acting_user=None,
        code=CODE,
        name=NAME,
        short_name=SHORT,
        kind="other",
        county_code=county,
        coverage_codes=[county],
    )
    Institution.objects.filter(code=CODE).update(products=["subsidy", "annual"], own_core=True)
    for username, display, role in STAFF:
        user = User.objects.create(username=username, display_name=display, password=password_hash)
        role_assign(acting_user=None, user=user, role=role, division_code=county, branch_code=CODE)
    rng = random.Random(seed * 13 + 3)
    second = (closed.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    first = (second - dt.timedelta(days=1)).replace(day=1)
    people = _borrowers(rng, skip)
    loans = []
    for k, (name, number, line) in enumerate(people):
        amount = min(rng.choice((20_000, 30_000, 50_000)) * 100, line)
        kind = "credit" if k < 3 else "settles" if k % 7 == 3 else "annual" if k % 7 == 5 else "credit"
        late = 0 if kind != "credit" or k < 3 or rng.random() >= 0.1 else rng.randint(35, 200)
        start = first - dt.timedelta(days=rng.randint(40, 300) if kind == "annual" else rng.randint(10, 900))
        loans.append([f"JH{start:%Y}{k + 1:05d}", name, number, start, amount, kind, late])
    if len(loans) < 3:  # a county too small for the bank's book
        return {}
    if lates := [x for x in loans if x[6]]:
        lates[0][6] = max(lates[0][6], 150)  # long enough for the fund (its policy: 90 days)
    loans[0][4] = people[0][2] + 1_000_000  # 10 000 above the household's line
    stranger = "11010519700101001"  # a borrower the registry does not know
    stranger += check_character(stranger)
    loans.append(["JH202600999", "赵某", stranger, second - dt.timedelta(days=40), 3_000_000, "credit", 0])
    made = {}
    for month, drop in ((first, None), (second, loans[1][0])):
        rows, paid = [], []
        for no, name, number, start, amount, kind, late in loans:
            if no == drop:
                continue  # the bank's second file leaves it out, unsettled
            rows.append(_row(month, second, no, name, number, start, amount, kind, late, paid))
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


def _row(month, second, no, name, number, start, amount, kind, late, paid) -> list:
    """The loan's row of ``month``'s file, its repayments of the month added to ``paid``."""
    day = f"{month:%Y-%m}-20"
    balance, status, interest_paid = amount, "逾期" if late else "正常", ""
    if kind == "annual":  # monthly interest at 3.45 %, half of it the county's (S-HALF)
        interest = round(amount * 0.0345 / 12)
        half = (interest + 1) // 2  # half of it, rounded half up (S-HALF)
        paid.append([no, day, "0", f"{(interest - half) / 100:.2f}", "", f"{half / 100:.2f}"])
        maturity = start + dt.timedelta(days=365)
    else:
        maturity = start + dt.timedelta(days=3 * 365)
        if kind == "settles" and month == second:  # repaid in full with the interest since the quarter
            interest = round(amount * 0.0345 * ((month - start).days % 91) / 360)
            paid.append([no, day, f"{amount / 100:.2f}", f"{interest / 100:.2f}", "", ""])
            balance, status = 0, "结清"
            interest_paid = f"{round(amount * 0.0345 * (month - start).days / 360) / 100:.2f}"
        elif no.endswith("00003") and month == second:  # 1 000 less owed, 500 repaid: does not add up
            balance -= 100_000
            paid.append([no, day, "500.00", "", "", ""])
        elif not late and (month.month - start.month) % 3 == 0:  # quarterly interest, principal at maturity
            paid.append([no, day, "0", f"{round(balance * 0.0345 / 4) / 100:.2f}", "", ""])
    days = late + (30 if late and month == second else 0)
    # a late loan owes the quarters' interest it missed, and its principal once matured
    owed = round(balance * 0.0345 / 4) * (days // 91 + 1)
    principal = balance if maturity.replace(day=1) <= month else 0
    overdue = [f"{principal / 100:.2f}", f"{owed / 100:.2f}"] if late else ["", ""]
    return [no, name, number, ANNUAL if kind == "annual" else CREDIT, start.isoformat(), maturity.isoformat(),
            f"{amount / 100:.2f}", "3.45", f"{balance / 100:.2f}", *overdue, status, days or "", "",
            interest_paid]  # fmt: skip

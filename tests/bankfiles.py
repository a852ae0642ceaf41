"""A construction bank that keeps its own core system, registered by the county, with its staff and
its files for September and October 2025 (issue 25 (3)) — what the tests of the subsidy and the
risk fund on such a bank's loans start from. Its loans, by contract number:

* JH1 — 30 000.00 since 2024-03-10, settled on 2025-10-20; the files show 100.00 of interest;
* JH2 — 20 000.00, overdue 40 days in September, settled in October;
* JH3 — a one-year loan (S-HALF) with 50.00 deducted in September and 40.00 in October;
* JH4 — a stranger's, not in the registry;
* JH5 — as JH1, with 3 000.00 of interest paid since disbursement stated;
* JH6 — 15 000.00 since 2024-01-10, 100 and then 130 days overdue with 300.00 interest owed, 1 000.00
  repaid on 2025-10-28."""

from __future__ import annotations

import datetime as dt

from fupin.accounts.models import User
from fupin.accounts.services import role_assign
from fupin.core.feeds import LOAN_COLUMNS, REPAYMENT_COLUMNS
from fupin.core.idcard import check_character
from fupin.demo.county import COUNTY
from fupin.feeds.services import feed_import
from fupin.households.importer import registry_import
from fupin.loans.lenders import institution_register
from tests.registry_files import TEMPLATE, template_rows, write_xlsx

SEP, OCT = dt.date(2025, 9, 1), dt.date(2025, 10, 1)
CUTOFF = dt.date(2025, 10, 31)
STRANGER = "11010519491231001" + check_character("11010519491231001")
HEAD = "扶贫小额信贷"  # a product the presets do not name: the programme's subsidised credit loan
ANNUAL = "扶贫小额贷款（一年期）"  # the one-year product, by its name: S-HALF


def construction_bank(world, tmp_path):
    """A construction bank registered by the county, its head office's two staff, the registry's
    first three households, and the bank's September and October files."""
    county = COUNTY[0]
    office = world.user("poverty_office")
    ccb = institution_register(
        acting_user=office,
        code="CCB000",
        name="中国建设银行富民县支行",
        short_name="建设银行",
        kind="other",
        county_code=county,
        coverage_codes=[county],
        products=["subsidy", "annual"],
        own_core=True,
    )
    staff = []
    for username, role in (("jh_hangzhang", "head_office"), ("jh_xindai", "loan_officer")):
        user = User.objects.create(username=username, display_name=username)
        role_assign(acting_user=None, user=user, role=role, division_code=county, branch_code="CCB000")
        staff.append(user)
    rows = template_rows(world.village, 4, seed=21)
    registry_import(
        acting_user=None, path=write_xlsx(tmp_path / "r.xlsx", TEMPLATE, rows), file_name="r.xlsx"
    )
    people = [(r[2], r[3]) for r in rows if r[4] == "户主"]

    def loan(no, who, product, start, maturity, amount, balance, *, late=0, owed="", interest_paid=""):
        name, number = people[who] if who is not None else ("陌生人", STRANGER)
        status = "结清" if balance == 0 else "逾期" if late else "正常"
        over = f"{balance}" if late else ""
        return [no, name, number, product, start, maturity, amount, "3.45", balance, over, owed, status,
                late or "", "", interest_paid]  # fmt: skip

    september = [
        loan("JH1", 0, HEAD, "2024-03-10", "2027-03-10", 30000, 30000),
        loan("JH2", 1, HEAD, "2024-06-01", "2027-06-01", 20000, 20000, late=40),
        loan("JH3", 2, ANNUAL, "2025-01-15", "2026-01-15", 10000, 10000),
        loan("JH4", None, HEAD, "2025-02-01", "2028-02-01", 5000, 5000),
        loan("JH5", 3, HEAD, "2024-03-10", "2027-03-10", 30000, 30000),
        loan("JH6", 1, HEAD, "2024-01-10", "2027-01-10", 15000, 15000, late=100, owed="300.00"),
    ]
    october = [
        loan("JH1", 0, HEAD, "2024-03-10", "2027-03-10", 30000, 0),
        loan("JH2", 1, HEAD, "2024-06-01", "2027-06-01", 20000, 0),
        loan("JH3", 2, ANNUAL, "2025-01-15", "2026-01-15", 10000, 10000),
        loan("JH4", None, HEAD, "2025-02-01", "2028-02-01", 5000, 0),
        loan("JH5", 3, HEAD, "2024-03-10", "2027-03-10", 30000, 0, interest_paid="3000.00"),
        loan("JH6", 1, HEAD, "2024-01-10", "2027-01-10", 15000, 14000, late=130, owed="300.00"),
    ]
    paid = {
        SEP: [["JH3", "2025-09-15", "0", "50.00", "", "50.00"]],
        OCT: [
            ["JH1", "2025-10-20", "30000.00", "100.00", "", ""],
            ["JH2", "2025-10-08", "20000.00", "120.00", "", ""],
            ["JH2", "2025-10-18", "0", "30.00", "", ""],
            ["JH3", "2025-10-15", "0", "60.00", "", "40.00"],  # the bank left 40.00 to the county
            ["JH4", "2025-10-09", "5000.00", "20.00", "", ""],
            ["JH5", "2025-10-20", "30000.00", "100.00", "", ""],
            ["JH6", "2025-10-28", "1000.00", "", "", ""],  # paid by a relative, long overdue
        ],
    }
    for month, rows_ in ((SEP, september), (OCT, october)):
        a = write_xlsx(tmp_path / f"l{month:%m}.xlsx", [c.header for c in LOAN_COLUMNS], rows_)
        b = write_xlsx(tmp_path / f"p{month:%m}.xlsx", [c.header for c in REPAYMENT_COLUMNS], paid[month])
        out = feed_import(
            acting_user=office,
            institution="CCB000",
            month=month,
            loans_path=a,
            loans_name=a.name,
            repayments_path=b,
            repayments_name=b.name,
        )
        assert out.state == "imported", out.problems
    return ccb, staff, county

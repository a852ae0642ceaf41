"""A bank that keeps its own core system sends its month (issue 25 (3)): the 借据 and repayment files
imported all or nothing, matched to the registry; a corrected file replaces the month and shows
what it changed; the same file again changes nothing; the worklist names what does not add up; a
bank's staff see their own bank's months only."""

from __future__ import annotations

import base64
import datetime as dt
import json
from fractions import Fraction
from io import BytesIO

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from fupin.accounts.services import token_issue
from fupin.cob.models import VillageMonth
from fupin.cob.services import cob_run
from fupin.core import reports as core_reports
from fupin.core.errors import Conflict, NotFound
from fupin.core.feeds import LOAN_COLUMNS, REPAYMENT_COLUMNS
from fupin.core.idcard import check_character
from fupin.creditinfo import selectors as creditinfo
from fupin.divisions.models import Division, Institution
from fupin.feeds import selectors
from fupin.feeds.models import Feed, FeedLoan
from fupin.feeds.services import feed_import
from fupin.households.importer import registry_import
from fupin.reports.tables import build
from fupin.riskfund import services as riskfund
from tests.registry_files import TEMPLATE, template_rows, write_xlsx

pytestmark = [pytest.mark.sqlite]

OCT, NOV = dt.date(2026, 10, 1), dt.date(2026, 11, 1)
LOANS = [c.header for c in LOAN_COLUMNS]
PAID = [c.header for c in REPAYMENT_COLUMNS]
STRANGER = "11010519491231001" + check_character("11010519491231001")


@pytest.fixture
def people(world, tmp_path):
    """The registry's first three households; and the postal bank, here one that books in its own
    core system and sends its months."""
    Institution.objects.filter(code="PSBC00").update(own_core=True)
    rows = template_rows(world.village, 3, seed=21)
    registry_import(
        acting_user=None, path=write_xlsx(tmp_path / "r.xlsx", TEMPLATE, rows), file_name="r.xlsx"
    )
    return [(r[2], r[3]) for r in rows if r[4] == "户主"]


def bad_path(tmp_path, people):
    return loans_file(tmp_path / "any.xlsx", people, [("X1", 0, 1000, 1000, "")])


def loans_file(path, people, rows):
    """Rows (contract, person index or None for a stranger, amount, balance, status) in the layout."""
    out = []
    for no, who, amount, balance, status in rows:
        name, number = people[who] if who is not None else ("陌生人", STRANGER)
        out.append(
            [
                no,
                name,
                number,
                "扶贫小额信贷",
                "2026-03-10",
                "2029-03-10",
                amount,
                "3.45",
                balance,
                "",
                "",
                status,
            ]
        )
    return write_xlsx(path, LOANS, out)


def test_a_month_imported_corrected_and_reconciled(world, people, tmp_path):
    office = world.user("poverty_office")

    def month(name, day, rows, paid=()):
        loans = loans_file(tmp_path / f"{name}.xlsx", people, rows)
        repaid = write_xlsx(tmp_path / f"{name}-paid.xlsx", PAID, [[no, on, p, "", ""] for no, on, p in paid])
        return feed_import(
            acting_user=office,
            institution="PSBC00",
            month=day,
            loans_path=loans,
            loans_name=loans.name,
            repayments_path=repaid,
            repayments_name=repaid.name,
        )

    october = month("oct", OCT, [("YC1", 0, 30000, 30000, ""), ("YC2", 1, 20000, 20000, ""),
                                 ("YC3", None, 10000, 10000, "")])  # fmt: skip
    assert (october.state, october.version, october.loans) == ("imported", 1, 3)
    stored = {x.contract_no: x for x in FeedLoan.objects.filter(feed_id=october.feed)}
    assert stored["YC1"].household is not None and stored["YC1"].village_code == world.village
    assert stored["YC3"].household is None and stored["YC3"].id_masked.startswith("110105")
    assert stored["YC1"].balance == 3_000_000 and "3.45" in str(stored["YC1"].rate)

    rows = [("YC1", 0, 30000, 29000, ""), ("YC2", 1, 20000, 19500, ""), ("YC4", 2, 5000, 5000, "")]
    paid = [("YC1", "2026-11-20", 1000), ("YC2", "2026-11-20", 1000), ("YC9", "2026-11-21", 300)]
    november = month("nov", NOV, rows, paid)
    assert (november.state, november.version, november.diff) == ("imported", 1, {})
    feed = Feed.objects.get(pk=november.feed)
    items = {(i["kind"], i["contract_no"]): i for i in selectors.worklist(feed)}
    assert set(items) == {
        ("over_line", "YC1"),  # never rated: no line at all
        ("over_line", "YC2"),
        ("over_line", "YC4"),
        ("unbalanced", "YC2"),  # 20 000 − 1 000 = 19 000, not 19 500
        ("dropped", "YC3"),  # last month unsettled, gone without a word
        ("unknown_repayment", "YC9"),
    }
    assert items[("unbalanced", "YC2")]["amount"] == -50_000 and items[("unbalanced", "YC2")]["village"]
    assert items[("dropped", "YC3")]["amount"] == 1_000_000

    again = month("nov", NOV, rows, paid)  # the same files again: nothing changes
    assert (again.state, again.version) == ("unchanged", 1)
    rows[1] = ("YC2", 1, 20000, 19000, "")
    rows.append(("YC3", None, 10000, 0, "结清"))
    corrected = month("nov2", NOV, rows, paid[:2])
    assert (corrected.state, corrected.version) == ("imported", 2)
    assert corrected.diff == {
        "added": ["YC3"],
        "removed": [],
        "changed": {"YC2": {"balance": [1_950_000, 1_900_000]}},
    }
    feed.refresh_from_db()
    assert (feed.version, feed.summary["loans"], FeedLoan.objects.filter(feed=feed).count()) == (2, 4, 4)
    kinds = {(i["kind"], i["contract_no"]) for i in selectors.worklist(feed)}
    assert ("unbalanced", "YC2") not in kinds and ("dropped", "YC3") not in kinds
    assert ("unregistered", "YC3") in kinds and ("unknown_repayment", "YC9") not in kinds

    with pytest.raises(Conflict) as booked_here:  # the agricultural bank books its loans in Fupin
        feed_import(
            acting_user=office,
            institution="ABC000",
            month=NOV,
            loans_path=bad_path(tmp_path, people),
            loans_name="a",
        )
    assert booked_here.value.code == "institution_books_here"
    bad = loans_file(tmp_path / "bad.xlsx", people, [("YC1", 0, 30000, 40000, ""), ("YC1", 1, 1, 1, "呆账")])
    failed = feed_import(
        acting_user=office, institution="PSBC00", month=NOV, loans_path=bad, loans_name="bad.xlsx"
    )
    assert failed.state == "failed" and {p["row"] for p in failed.problems} == {2, 3}
    assert all(p["file"] == "bad.xlsx" for p in failed.problems)
    assert any("贷款余额大于发放金额" in p["message"] for p in failed.problems)
    assert any("在文件中重复" in p["message"] for p in failed.problems)
    assert any("贷款状态应为" in p["message"] for p in failed.problems)
    assert Feed.objects.get(pk=feed.pk).version == 2  # nothing written

    # a bank's staff: their own bank's months only
    abc = world.users["nh_hangzhang"]
    with pytest.raises(NotFound):
        selectors.feed_get(abc, feed.pk)
    with pytest.raises(NotFound):
        feed_import(acting_user=abc, institution="PSBC00", month=NOV, loans_path=bad, loans_name="x.xlsx")
    assert not selectors.feeds_visible(abc).exists() and selectors.feeds_visible(office).count() == 2


def test_a_csv_in_gbk_and_the_command(world, people, tmp_path, capsys):
    name, number = people[0]
    csv = tmp_path / "借据.csv"
    lines = [
        ",".join(LOANS),
        f"YC1,{name},{number},扶贫小额信贷,2026-03-10,2029-03-10,30000,3.45,29000,,,正常",
    ]
    csv.write_bytes("\n".join(lines).encode("gbk"))
    call_command("import-feed", str(csv), institution="PSBC00", month="2026-11", dry_run=True, json=True)
    out = json.loads(capsys.readouterr().out)
    assert (out["state"], out["loans"], out["month"]) == ("checked", 1, "2026-11")
    assert not Feed.objects.exists()
    call_command("import-feed", str(csv), institution="PSBC00", month="2026-11")
    assert "第 1 版，借据 1 笔" in capsys.readouterr().out
    loan = FeedLoan.objects.get()
    assert (loan.name, loan.balance, loan.household.village_id) == (name, 2_900_000, world.village)
    row = [
        [
            "YC1",
            name,
            number,
            "扶贫小额信贷",
            "2026-03-10",
            "2029-03-10",
            "30000",
            "3.45",
            "29000",
            "",
            "",
            "正常",
        ]
    ]
    same = write_xlsx(tmp_path / "借据.xlsx", LOANS, row)  # the same month as a spreadsheet: the same data
    call_command("import-feed", str(same), institution="PSBC00", month="2026-11")
    assert "与已导入的文件相同，未改变任何数据" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        call_command("import-feed", str(csv), institution="PSBC00", month="2026-13")
    assert "应写作 YYYY-MM" in capsys.readouterr().err


def test_the_pages_and_the_api(world, people, tmp_path):
    loans = loans_file(
        tmp_path / "nov.xlsx", people, [("YC1", 0, 30000, 29500, ""), ("YC3", None, 1000, 1000, "")]
    )
    repaid = write_xlsx(tmp_path / "paid.xlsx", PAID, [["YC1", "2026-11-20", 1000, "12.50", ""]])
    office = Client()
    office.force_login(world.user("poverty_office"))
    with loans.open("rb") as a, repaid.open("rb") as b:
        done = office.post(
            "/feeds/", {"institution": "PSBC00", "month": "2026-11", "loans": a, "repayments": b}
        )
    body = done.content.decode()
    assert done.status_code == 200 and "导入完成" in body and "借据 2 笔，还款 1 笔" in body
    feed = Feed.objects.get()
    page = office.get(f"/feeds/{feed.pk}/").content.decode()
    assert "借款人不在贫困户档案中" in page and "陌生人" in page
    sheet = load_workbook(BytesIO(office.get(f"/feeds/{feed.pk}/worklist.xlsx").content)).active
    assert sheet["A1"].value.startswith("中国邮政储蓄银行") and sheet["B4"].value in ("YC1", "YC3")
    assert {sheet.cell(r, 1).value for r in range(4, sheet.max_row + 1)} == {
        "借款人不在贫困户档案中",
        "贷款金额超过授信额度",
    }

    _, secret = token_issue(acting_user=None, user=world.user("poverty_office"), name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    payload = {
        "institution": "PSBC00",
        "month": "2026-11",
        "loans_file_name": "nov.xlsx",
        "loans_base64": base64.b64encode(loans.read_bytes()).decode(),
        "repayments_file_name": "paid.xlsx",
        "repayments_base64": base64.b64encode(repaid.read_bytes()).decode(),
    }
    same = api.post("/api/v1/feeds", payload, content_type="application/json")
    assert same.status_code == 201 and (same.json()["state"], same.json()["version"]) == ("unchanged", 1)
    items = api.get(f"/api/v1/feeds/{feed.pk}/worklist").json()
    assert {(i["kind"], i["contract_no"], i["amount"]) for i in items} == {
        ("unregistered", "YC3", "1000.00"),
        ("over_line", "YC1", "30000.00"),
    }
    bad = api.post("/api/v1/feeds", {**payload, "loans_base64": "AAAA"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["code"] == "feed_invalid"
    listed = api.get("/api/v1/feeds").json()
    assert [(f["institution"], f["month"], f["balance"]) for f in listed] == [
        ("PSBC00", "2026-11", "30500.00")
    ]
    bank = Client()
    bank.force_login(world.users["nh_hangzhang"])
    assert (
        bank.get(f"/feeds/{feed.pk}/").status_code == 404
        and "YC1" not in bank.get("/feeds/").content.decode()
    )


def test_the_banks_loans_count_in_the_monthly_table(world, people, tmp_path):
    """附表3 counts a bank's loans as its file states them at the month-end, with the loans booked
    here (issue 25 (3)): each figure moves by exactly what the file adds."""
    county = Division.objects.get(code="529901000000")
    november = core_reports.period("2026-11")
    before = build("fu3", county, november).total
    (n0, id0), (n1, id1), (n2, id2) = people
    rows = [
        ["YC1", n0, id0, "", "2026-03-10", "2029-03-10", 30000, "3.45", 29500, "", "", "", ""],
        ["YC2", n1, id1, "", "2026-11-05", "2029-11-05", 5000, "3.45", 5000, "", "", "", ""],
        ["YC3", "陌生人", STRANGER, "", "2026-11-06", "2029-11-06", 9000, "", 9000, "", "", "", ""],
        ["YC5", n2, id2, "", "2025-12-01", "2026-12-01", 10000, "", 8000, 2000, "35.10", "逾期", 45],
    ]
    loans = write_xlsx(tmp_path / "nov.xlsx", LOANS, rows)
    paid = write_xlsx(tmp_path / "paid.xlsx", PAID, [["YC1", "2026-11-20", 500, "12.50", ""]])
    out = feed_import(
        acting_user=None,
        institution="PSBC00",
        month=NOV,
        loans_path=loans,
        loans_name="nov.xlsx",
        repayments_path=paid,
        repayments_name="paid.xlsx",
    )
    assert out.state == "imported", out.problems
    after = build("fu3", county, november).total
    moved = {k: (after[k] or 0) - (before[k] or 0) for k in after if isinstance(after[k], int)}
    assert moved["loans"] == 1 and moved["lent"] == 500_000  # YC2; the stranger's loan is on the worklist
    assert moved["ytd"] == 3_500_000  # YC1 and YC2 were lent this year, YC5 last year
    assert moved["balance"] == 2_950_000 + 500_000 + 800_000 and moved["balance_households"] == 3
    assert moved["collected"] == 51_250  # 500.00 principal and 12.50 interest
    assert (
        moved["late_households"] == 1 and moved["late_amount"] == 800_000 and moved["late_31—90天"] == 800_000
    )
    psbc = build("fu3", county, november, Institution.objects.get(code="PSBC00")).total
    assert psbc["balance"] == 4_250_000  # the bank's own table: its file alone
    abc = build("fu3", county, november, Institution.objects.get(code="ABC000")).total
    assert abc["balance"] == 0
    paid_out = build("fu2", county, november).rows  # 附表2: the bank's loans paid out in November
    assert [(r["contract"], r["lender"], r["amount"], r["term"], r["regulator"]) for r in paid_out] == [
        ("YC2", "中国邮政储蓄银行富民县支行", 500_000, 36, "是")
    ]
    assert paid_out[0]["name"] == n1 and paid_out[0]["id"].startswith(id1[:6]) and "*" in paid_out[0]["id"]


def test_the_98_percent_rule_counts_the_banks_loans_and_a_late_file(world, people, tmp_path):
    """R-RPT-4 with a bank's month: repaid this year 12 000.00, 300.00 in arrears → 97.56 %, below
    98 %; the bank's corrected file, sent after the month-end was closed, is taken at the next close.
    The month is the one before last (every close here is in the past, whatever today is)."""
    (n0, id0), *_ = people
    first = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # last month's first
    month = (first - dt.timedelta(days=1)).replace(day=1)
    month_end = first - dt.timedelta(days=1)

    def sent(overdue: str, name: str):
        start = month - dt.timedelta(days=200)
        row = [["YC1", n0, id0, "", start, start + dt.timedelta(days=365), 30000, "", 18000, overdue, "", "",
                40 if overdue else ""]]  # fmt: skip
        loans = write_xlsx(tmp_path / name, LOANS, row)
        paid = write_xlsx(
            tmp_path / f"paid-{name}", PAID, [["YC1", month + dt.timedelta(days=19), 12000, "", ""]]
        )
        return feed_import(
            acting_user=None,
            institution="PSBC00",
            month=month,
            loans_path=loans,
            loans_name=name,
            repayments_path=paid,
            repayments_name="paid.xlsx",
        )

    assert sent("300", "a.xlsx").state == "imported"
    cob_run(month_end)  # the close of the month-end: R-RPT-4 for the month
    mine = VillageMonth.objects.get(village_code=world.village, month=month_end)
    assert (mine.due, mine.repaid, mine.below) == (1_230_000, 1_200_000, True)
    assert sent("", "b.xlsx").version == 2  # the bank corrects its month, after the close
    run = cob_run(first).run  # the next close takes it
    assert run.summary["villages"]["month"] == str(month_end)
    mine = VillageMonth.objects.get(village_code=world.village, month=month_end)
    assert (mine.due, mine.repaid, mine.below) == (1_200_000, 1_200_000, False)
    assert cob_run(first + dt.timedelta(days=1)).run.summary["villages"] is None  # nothing new: not again


def test_the_credit_report_shows_the_banks_loans(world, people, tmp_path):
    """A household's credit report lists its loans in the banks' files, each as its latest month
    states it (issue 25: credit information looks across the lenders)."""
    (n0, id0), *_ = people
    for day, balance in ((OCT, "30000"), (NOV, "29000")):
        row = [["YC1", n0, id0, "", "2026-03-10", "2029-03-10", "30000", "3.45", balance, "", "", "", ""]]
        path = write_xlsx(tmp_path / f"{day:%m}.xlsx", LOANS, row)
        assert (
            feed_import(
                acting_user=None, institution="PSBC00", month=day, loans_path=path, loans_name="f.xlsx"
            ).state
            == "imported"
        )
    household = FeedLoan.objects.filter(contract_no="YC1").first().household
    shown = creditinfo.report(household, dt.date(2026, 11, 27))["bank_loans"]
    assert [(x.contract_no, x.balance, x.feed.month) for x in shown] == [("YC1", 2_900_000, NOV)]
    client = Client()
    client.force_login(world.user("poverty_office"))
    page = client.get(f"/households/{household.pk}/credit/", {"purpose": "贷后管理"}).content.decode()
    assert "其他银行报送的贷款" in page and "YC1" in page and "29,000.00（2026-11）" in page


def test_a_banks_fund_covers_the_loans_its_file_states(world, people, tmp_path):
    """A risk-fund agreement with a bank that keeps its own core system covers its loans as its
    latest file states them: 1 000 000.00 deposited, 30 000.00 + 20 000.00 owed → leverage 0.05."""
    office = world.user("poverty_office")
    psbc = Institution.objects.get(code="PSBC00")
    fund = riskfund.fund_create(
        acting_user=office, county_code="529901000000", name="邮储风险补偿金", institution=psbc.pk
    )
    riskfund.contribution_post(
        acting_user=world.user("finance_bureau"), fund=fund, source="县财政", amount=100_000_000
    )
    (n0, id0), (n1, id1), _ = people
    rows = [
        ["YC1", n0, id0, "", "2026-03-10", "2029-03-10", "30000", "", "30000", "", "", "", ""],
        ["YC2", n1, id1, "", "2026-03-10", "2029-03-10", "20000", "", "20000", "", "", "", ""],
        ["YC3", "陌生人", STRANGER, "", "2026-03-10", "2029-03-10", "9000", "", "9000", "", "", "", ""],
        ["YC4", n1, id1, "", "2025-03-10", "2026-03-10", "5000", "", "0", "", "", "结清", ""],
    ]
    path = write_xlsx(tmp_path / "oct.xlsx", LOANS, rows)
    assert feed_import(
        acting_user=office, institution="PSBC00", month=OCT, loans_path=path, loans_name="o.xlsx"
    ).feed
    position = riskfund.fund_position(fund)
    assert (position["loans"], position["outstanding"]) == (
        2,
        5_000_000,
    )  # the stranger's and the settled left out
    assert position["leverage"] == Fraction(5_000_000, 100_000_000)

"""Bringing a lender's existing loan book in (issue 25 (2)): a good file opens every loan with its
schedule, what is paid and the opening balances on the lender's books; a file with bad rows
imports nothing and lists every one; a re-run changes nothing; the night's close carries on."""

from __future__ import annotations

import base64
import datetime as dt
import json
from bisect import bisect_right
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from fupin.accounts.services import token_issue
from fupin.cob.models import CobRun
from fupin.cob.services import cob_run
from fupin.core.errors import NotFound, NotPermitted, ValidationFailed
from fupin.core.idcard import check_character
from fupin.core.loanbook import COLUMNS
from fupin.core.products import preset
from fupin.core.schedule import generate
from fupin.divisions.models import Institution
from fupin.households.importer import registry_import
from fupin.ledger import selectors as ledger
from fupin.ledger.models import JournalEntry
from fupin.loans.book_import import loans_import
from fupin.loans.models import Loan
from fupin.products import benchmarks
from tests.registry_files import TEMPLATE, template_rows, write_xlsx

pytestmark = [pytest.mark.sqlite]

TODAY = dt.date.today()
CUTOVER = TODAY - dt.timedelta(days=1)
HEADER = [c.header for c in COLUMNS]
STRANGER = "11010519491231001" + check_character("11010519491231001")  # valid, and in no registry


def heads(rows: list[list]) -> list[tuple[str, str]]:
    """(name, ID number) of each household head of registry rows."""
    return [(r[2], r[3]) for r in rows if r[4] == "户主"]


@pytest.fixture
def registry(world, tmp_path):
    used: set[str] = set()
    near = template_rows(world.village, 4, seed=11, used=used)
    far = template_rows(world.other_village, 2, seed=12, used=used)
    registry_import(
        acting_user=None, path=write_xlsx(tmp_path / "r.xlsx", TEMPLATE, near + far), file_name="r.xlsx"
    )
    return heads(near), heads(far)


def schedule(product: str, yuan: int, start: dt.date, term: int):
    return generate(
        preset(product).terms(
            principal=yuan * 100, start=start, term=term, benchmark=benchmarks.in_force(start)
        )
    )


def due_by(s, day: dt.date) -> tuple[int, int]:
    """Principal and interest of the instalments due on or before ``day`` (fen)."""
    k = bisect_right(s.due_dates, day)
    return sum(s.principal[:k]), sum(s.interest[:k])


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def good_rows(people):
    """Three loans of the agricultural bank: one paid to date, one never paid, one half paid."""
    (n1, id1), (n2, id2), (n3, id3) = people[:3]
    s1 = schedule("subsidy", 30_000, CUTOVER - dt.timedelta(days=200), 36)
    p1, i1 = due_by(s1, CUTOVER)
    s2 = schedule("annual", 8_000, CUTOVER - dt.timedelta(days=150), 12)
    p2, i2 = due_by(s2, CUTOVER)
    s3 = schedule("group", 10_000, CUTOVER - dt.timedelta(days=100), 12)
    p3, i3 = due_by(s3, CUTOVER)
    rows = [
        ["NH-0001", n1, id1, "脱贫人口小额信贷", "30000", f"{CUTOVER - dt.timedelta(days=200)}", "36", "",
         yuan(p1), yuan(i1), "0", "0"],
        ["NH-0002", n2, id2, "annual", 8000, CUTOVER - dt.timedelta(days=150), 12, "",
         0, 0, yuan(p2), yuan(i2)],
        ["NH-0003", n3, id3, "group", "10000", CUTOVER - dt.timedelta(days=100), "", "",
         yuan(p3 // 2), yuan(i3), yuan(p3 - p3 // 2), ""],
    ]  # fmt: skip
    return rows, {"NH-0001": (s1, p1, i1), "NH-0002": (s2, 0, 0), "NH-0003": (s3, p3 // 2, i3)}


def test_a_good_file_opens_every_loan_on_the_lenders_books_and_the_close_carries_on(
    world, registry, tmp_path
):
    head = world.users["nh_hangzhang"]  # the agricultural bank's head office
    abc = Institution.objects.get(code="ABC000")
    rows, expected = good_rows(registry[0])
    path = write_xlsx(tmp_path / "book.xlsx", HEADER, rows)

    dry = loans_import(acting_user=head, path=path, institution=None, cutover=CUTOVER, dry_run=True)
    assert (dry.state, dry.loans, dry.problems) == ("checked", 3, [])
    assert not Loan.objects.exists() and not CobRun.objects.exists()  # a dry run writes nothing

    out = loans_import(acting_user=head, path=path, institution=None, cutover=CUTOVER)
    assert (out.state, out.institution, out.loans, out.already) == ("imported", "ABC000", 3, 0)
    outstanding = 3_000_000 + 800_000 + 1_000_000 - expected["NH-0001"][1] - expected["NH-0003"][1]
    assert out.principal == outstanding
    assert out.overdue == 2  # the unpaid annual loan and the half-paid group loan
    assert CobRun.objects.get().date == CUTOVER  # the system now stands at the close of the cut-over

    for no, (s, paid_p, paid_i) in expected.items():
        loan = Loan.objects.get(contract_no=no)
        assert (loan.institution_id, loan.state, loan.principal) == (abc.pk, "active", sum(s.principal))
        got = list(loan.installments.order_by("seq").values_list("principal_paid", "interest_paid"))
        left_p, left_i, want = paid_p, paid_i, []
        for p, i in zip(s.principal, s.interest, strict=True):  # paid in order, instalment by instalment
            want.append((min(p, left_p), min(i, left_i)))
            left_p, left_i = left_p - min(p, left_p), left_i - min(i, left_i)
        assert got == want
    late = Loan.objects.get(contract_no="NH-0002").servicing
    s2 = expected["NH-0002"][0]
    assert late.late_since == s2.due_dates[0] < CUTOVER and late.ever_late
    assert Loan.objects.get(contract_no="NH-0001").servicing.late_since is None

    tb = ledger.trial_balance(head, on=CUTOVER, institution=abc.pk)
    lines = {x["code"]: x for x in tb["lines"]}
    assert tb["balanced"] and lines["1301"]["balance"] == outstanding
    assert "6011" not in lines  # the interest before the cut-over is the old books' income
    assert lines["4101"]["credit"] > 0
    assert all(s["equal"] for s in ledger.subledgers(head, institution=abc.pk))
    assert JournalEntry.objects.filter(source="migration", institution=abc).count() == 1  # one village

    cob_run(TODAY)  # the night's close carries the loans on from the cut-over
    after = {x["code"]: x for x in ledger.trial_balance(head, on=TODAY, institution=abc.pk)["lines"]}
    assert after["1132"]["balance"] > lines["1132"]["balance"]  # a day's interest and penalty more
    assert all(s["equal"] for s in ledger.subledgers(head, institution=abc.pk))

    again = loans_import(acting_user=head, path=path, institution="ABC000")  # a re-run: nothing changes
    assert (again.state, again.loans, again.already, again.problems) == ("imported", 0, 3, [])
    assert Loan.objects.count() == 3 and JournalEntry.objects.filter(source="migration").count() == 1


def test_a_file_with_bad_rows_imports_nothing_and_lists_every_one(world, registry, tmp_path):
    head = world.users["nh_hangzhang"]
    rows, expected = good_rows(registry[0])
    (n4, id4) = registry[0][3]
    far_name, far_id = registry[1][0]
    s2 = expected["NH-0002"][0]
    bad = [
        rows[0],  # good
        [
            "NH-0002",
            rows[1][1],
            rows[1][2],
            "annual",
            8000,
            rows[1][5],
            12,
            "",
            0,
            0,
            "1.00",
            "",
        ],  # arrears wrong
        ["NH-0001", n4, id4, "annual", 5000, CUTOVER - dt.timedelta(days=20), 12, "", 0, 0, "", ""],  # twice
        [
            "NH-0005",
            "王五",
            id4,
            "annual",
            5000,
            CUTOVER - dt.timedelta(days=20),
            12,
            "",
            0,
            0,
            "",
            "",
        ],  # name
        [
            "NH-0006",
            n4,
            STRANGER,
            "annual",
            5000,
            CUTOVER,
            12,
            "",
            0,
            0,
            "",
            "",
        ],  # not registered
        [
            "NH-0007",
            n4,
            id4,
            "汽车贷款",
            "abc",
            TODAY + dt.timedelta(days=3),
            12,
            "",
            0,
            0,
            "",
            "",
        ],  # 3 problems
        [
            "NH-0008",
            n4,
            id4,
            "annual",
            5000,
            CUTOVER - dt.timedelta(days=20),
            12,
            "",
            5000,
            0,
            "",
            "",
        ],  # paid off
        [
            "NH-0009",
            n4,
            id4,
            "annual",
            5000,
            CUTOVER - dt.timedelta(days=40),
            12,
            "",
            0,
            "900",
            "",
            "",
        ],  # interest
        [
            "NH-0010",
            n4,
            id4,
            "annual",
            900_000,
            CUTOVER - dt.timedelta(days=20),
            12,
            "",
            0,
            0,
            "",
            "",
        ],  # bounds
    ]
    path = write_xlsx(tmp_path / "bad.xlsx", HEADER, bad)
    out = loans_import(acting_user=head, path=path, institution=None, cutover=CUTOVER)
    assert out.state == "failed" and not Loan.objects.exists() and not JournalEntry.objects.exists()
    by_row: dict[int, list[str]] = {}
    for p in out.problems:
        by_row.setdefault(p.row, []).append(f"{p.field}:{p.message}")
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9, 10]  # every bad row, and the good one not
    owed = yuan(sum(s2.principal[: bisect_right(s2.due_dates, CUTOVER)]))
    assert any("逾期本金与还款计划不符" in m and f"为 {owed} 元" in m for m in by_row[3])
    assert not any("逾期利息" in m for m in by_row[3])  # left blank: not checked
    assert any("在文件中重复（第 2 行已有）" in m for m in by_row[4])
    assert any(f"档案中的姓名为“{n4}”" in m for m in by_row[5])
    assert any("不在贫困户档案中" in m for m in by_row[6])
    assert {m.split(":")[0] for m in by_row[7]} >= {"贷款产品", "贷款金额（元）", "放款日期"}
    assert any("已结清的贷款不必迁入" in m for m in by_row[8])
    assert any("已还利息超过截至迁移日的应收利息" in m for m in by_row[9])
    assert any("上限" in m for m in by_row[10])

    # the village bank serves the last township only: a household of the first is not its borrower
    outside = loans_import(
        acting_user=None,
        path=write_xlsx(tmp_path / "vb.xlsx", HEADER, [rows[0]]),
        institution="VB0000",
        cutover=CUTOVER,
    )
    assert [p.message for p in outside.problems] == ["借款人所在村不在村镇银行的服务范围内"]
    far = [["VB-1", far_name, far_id, "annual", 5000, CUTOVER - dt.timedelta(days=20), 12, "", 0, 0, "", ""]]
    with pytest.raises(NotPermitted):  # a bank's loan officer cannot bring a book in
        loans_import(
            acting_user=world.users["nh_xindai"],
            path=write_xlsx(tmp_path / "f.xlsx", HEADER, far),
            institution=None,
            cutover=CUTOVER,
        )
    with pytest.raises(NotFound):  # nor the bank's head office another bank's
        loans_import(acting_user=head, path=tmp_path / "f.xlsx", institution="PSBC00", cutover=CUTOVER)
    with pytest.raises(ValidationFailed) as e:  # a system that has closed no day must be told the cut-over
        loans_import(acting_user=head, path=tmp_path / "f.xlsx", institution=None)
    assert e.value.code == "cutover_required"


def test_the_command_and_its_template(world, registry, tmp_path, capsys):
    template = tmp_path / "template.xlsx"
    call_command("import-loans", template=str(template))
    assert "导入模板已保存" in capsys.readouterr().out
    sheet = load_workbook(template).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    rows, _ = good_rows(registry[0])
    path = write_xlsx(tmp_path / "book.xlsx", HEADER, rows)
    call_command(
        "import-loans", str(path), institution="ABC000", cutover=CUTOVER.isoformat(), dry_run=True, json=True
    )
    out = json.loads(capsys.readouterr().out)
    assert (out["state"], out["loans"], out["institution"]) == ("checked", 3, "ABC000")
    assert not Loan.objects.exists()
    call_command("import-loans", str(path), institution="ABC000", cutover=CUTOVER.isoformat())
    assert (
        "迁入 3 笔" in capsys.readouterr().out
        and Loan.objects.filter(institution__code="ABC000").count() == 3
    )
    with pytest.raises(SystemExit):  # the cut-over must now be the day the system closed
        call_command("import-loans", str(path), institution="ABC000", cutover=TODAY.isoformat())
    assert "迁移截至日须为最近一次日终处理的营业日" in capsys.readouterr().err


def test_the_page_and_the_api(world, registry, tmp_path):
    head = world.users["nh_hangzhang"]
    rows, _ = good_rows(registry[0])
    good = write_xlsx(tmp_path / "book.xlsx", HEADER, rows)
    bad = write_xlsx(tmp_path / "bad.xlsx", HEADER, [rows[0], ["NH-0009", *rows[1][1:4], "-5", *rows[1][5:]]])
    page = Client()
    page.force_login(head)
    shown = page.get("/loans/imports/")
    assert shown.status_code == 200 and "下载导入模板" in shown.content.decode()
    assert page.get("/loans/imports/template.xlsx").status_code == 200
    with bad.open("rb") as f:
        refused = page.post(
            "/loans/imports/", {"file": f, "cutover": CUTOVER.isoformat(), "institution": "ABC000"}
        )
    body = refused.content.decode()
    assert refused.status_code == 422 and "发现 1 处问题，未导入任何贷款" in body and "不能为负数" in body
    with good.open("rb") as f:
        checked = page.post("/loans/imports/", {"file": f, "cutover": CUTOVER.isoformat(), "dry_run": "1"})
    assert checked.status_code == 200 and "检查通过（试运行，未写入）" in checked.content.decode()
    assert not Loan.objects.exists()

    _, secret = token_issue(acting_user=None, user=head, name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def post(path, **kw):
        payload = {
            "file_name": path.name,
            "content_base64": base64.b64encode(path.read_bytes()).decode(),
            **kw,
        }
        return api.post("/api/v1/loan-imports", payload, content_type="application/json")

    no = post(bad, cutover=CUTOVER.isoformat())
    assert no.status_code == 422 and no.json()["code"] == "loan_book_invalid"
    assert [p["row"] for p in no.json()["details"]] == [3]
    yes = post(good, cutover=CUTOVER.isoformat())
    assert yes.status_code == 201
    assert {k: yes.json()[k] for k in ("state", "institution", "loans", "already_imported")} == {
        "state": "imported",
        "institution": "ABC000",
        "loans": 3,
        "already_imported": 0,
    }
    owed = sum(Loan.objects.get(contract_no=r[0]).principal for r in rows) - sum(
        int(Decimal(str(r[8])) * 100) for r in rows
    )
    assert yes.json()["outstanding_principal"] == yuan(owed)
    assert post(good).json()["already_imported"] == 3  # the cut-over now the day the system closed
    assert page.get("/loans/lenders/").content.decode().count("/loans/imports/") >= 1

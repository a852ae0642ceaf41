"""The official tables reconcile with the ledger (R-RPT-1) for random portfolios; a township's
export never holds another township's household (R-RPT-6); the Excel opens with the form's
headers; the PDF renders with its Chinese text."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from django.db.models import Sum

from fupin.accounts.models import User
from fupin.accounts.services import role_assign, user_create
from fupin.core import reports as core
from fupin.core.errors import ValidationFailed
from fupin.core.money import from_fen
from fupin.demo import portfolio
from fupin.demo.county import COUNTY
from fupin.divisions.models import Branch, Division
from fupin.households.importer import registry_import
from fupin.ledger.models import Posting
from fupin.loans.models import Installment, Loan, Repayment
from fupin.loans.repayments import repayment_post
from fupin.reports import exports
from fupin.reports.indicators import indicators
from fupin.reports.tables import fu2, fu3, fu4, fu8, ledger_balance
from tests.cob.conftest import books, past_loan, today
from tests.registry_files import TEMPLATE, template_rows, write_xlsx

pytestmark = pytest.mark.clock  # business dates from today: run on other days too


@pytest.fixture
def portfolio_of(rt, hh, tmp_path):
    """Households in both townships, then a random loan book standing at yesterday's close, a
    loan paid out today and some repayments today."""

    def build(seed: int) -> dict:
        w = rt.world
        rows = template_rows(w.other_village, 6, seed=40 + seed, start=300)
        registry_import(
            acting_user=None, path=write_xlsx(tmp_path / f"b{seed}.xlsx", TEMPLATE, rows), file_name="b.xlsx"
        )
        real = past_loan(rt, hh, today(), amount=800_000, product="subsidy", term=12)
        portfolio.generate_book(loans=60, on=today(), seed=seed, overdue_share=0.2)
        other = User.objects.filter(username="xindai2").first() or user_create(
            acting_user=None, username="xindai2", password="x", check_password=False
        )
        if not other.roles.exists():  # the loan officer of the other township's branch
            branch = Branch.objects.filter(coverage__code=w.other_township).first()
            role_assign(
                acting_user=None,
                user=other,
                role="loan_officer",
                division_code=w.other_township,
                branch_code=branch.code,
            )
        paid = 0
        for n, loan in enumerate(Loan.objects.filter(state="active").exclude(pk=real.pk).order_by("pk")[::7]):
            officer = w.user("loan_officer") if loan.village_code.startswith(w.township[:9]) else other
            r, _ = repayment_post(
                acting_user=officer, loan=loan, amount=10_000 + n * 1_234, key=f"report-{seed}-{loan.pk:06d}"
            )
            paid += r.amount - r.overpayment
        return {"real": real, "paid": paid}

    return build


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fu3_and_fu8_reconcile_with_the_ledger(rt, head, portfolio_of, seed):
    made = portfolio_of(seed)
    county = Division.objects.get(code=COUNTY[0])
    period = core.period(f"{today():%Y-%m}")
    t = fu3(county, period)
    ledger = books(head)  # balanced, sub-ledgers equal to their control accounts
    assert t.total["balance"] == ledger["1301"]
    assert sum(r["balance"] for r in t.rows) == t.total["balance"]  # townships add up to the county
    cash_in = Posting.objects.filter(
        account_id__in=["1011", "2011", "2251"],
        debit__gt=0,
        entry__date__range=(period.start, period.end),
        entry__source__regex=r"^loan\.(repay|payoff|recover):",
    ).aggregate(n=Sum("debit"))["n"]
    overpaid = Repayment.objects.filter(received_on__range=(period.start, period.end)).aggregate(
        o=Sum("overpayment")
    )["o"]
    assert t.total["collected"] == (cash_in or 0) - (overpaid or 0) >= made["paid"]
    assert t.total["due"] == sum(
        i.principal + i.interest
        for i in Installment.objects.filter(due_date__range=(period.start, period.end))
    )
    lent = Loan.objects.filter(start__range=(period.start, period.end)).exclude(state="contracted")
    assert t.total["lent"] == sum(ln.principal for ln in lent) and t.total["loans"] == lent.count()
    buckets = sum(t.total[f"late_{label}"] for label, _, _ in core.DPD_BUCKETS)
    assert buckets == t.total["late_amount"] and t.total["npl"] <= t.total["late_amount"]
    # 附表8: the loans' balances at the end add up to the ledger's; principal collected is the ledger's
    t8 = fu8(county, period)
    assert t8.total["balance"] == ledger["1301"]
    credited = Posting.objects.filter(
        account_id="1301",
        entry__date__range=(period.start, period.end),
        entry__source__regex=r"^loan\.(repay|payoff):",
    ).aggregate(c=Sum("credit"))["c"]
    assert t8.total["principal"] == (credited or 0)
    # 附表2: what was paid out through the ledger in the period
    t2 = fu2(county, period)
    disbursed = Posting.objects.filter(
        account_id="1301",
        debit__gt=0,
        entry__source__startswith="loan.disburse",
        entry__date__range=(period.start, period.end),
    ).aggregate(d=Sum("debit"))["d"]
    real = [r for r in t2.rows if r["contract"] == made["real"].contract_no]
    assert real and real[0]["amount"] == disbursed == made["real"].principal
    assert t2.total["amount"] == t.total["lent"]
    data = indicators(county, period)
    assert data["counts"]["outstanding"] == ledger["1301"]
    assert sum(data["classes"].values()) == ledger["1301"]  # the five categories cover the whole book
    assert sum(data["par"].values()) == t.total["late_amount"]
    assert sum(data["distributions"]["size_bands"].values()) == data["counts"]["loans"]


def test_a_township_export_holds_only_its_own_households(rt, portfolio_of):
    portfolio_of(4)
    w = rt.world
    period = f"{today():%Y-%m}"
    c = w.client("township_cadre")
    mine = Division.objects.get(code=w.township)
    r = c.get(f"/reports/fu8.xlsx?division={w.township}&period={period}")
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    headers = [cell.value for cell in ws[3]]
    assert headers == [col.header for col in fu8(mine, core.period(period)).columns]  # laid out like the form
    at = headers.index("合同编号")
    contracts = {row[at] for row in ws.iter_rows(min_row=4, values_only=True) if isinstance(row[0], int)}
    allowed = set(
        Loan.objects.filter(village_code__startswith=mine.prefix).values_list("contract_no", flat=True)
    )
    others = set(
        Loan.objects.filter(village_code__startswith=w.other_township[:9]).values_list(
            "contract_no", flat=True
        )
    )
    assert contracts and contracts <= allowed and others and not contracts & others
    # another township's table, by page or API: not found
    assert c.get(f"/reports/fu8.xlsx?division={w.other_township}&period={period}").status_code == 404
    api = c.get(f"/api/v1/reports/tables/fu2?division={w.other_township}&period={period}")
    assert api.status_code == 404
    assert c.get(f"/api/v1/reports/tables/fu2?division={COUNTY[0]}&period={period}").status_code == 404
    ok = c.get(f"/api/v1/reports/tables/fu3?division={w.township}&period={period}").json()
    assert {row["name"] for row in ok["rows"]} <= set(
        Division.objects.filter(parent_id=w.township).values_list("name", flat=True)
    )


def test_every_table_renders_as_pdf_with_chinese_and_as_excel(rt, portfolio_of, tmp_path):
    portfolio_of(5)
    county = Division.objects.get(code=COUNTY[0])
    for builder, label in (
        (fu2, "2026-11"),
        (fu3, f"{today():%Y-%m}"),
        (fu4, "2026-Q4"),
        (fu8, f"{today():%Y-%m}"),
    ):
        t = builder(county, core.period(label))
        (tmp_path / "t.pdf").write_bytes(exports.table_pdf(t))
        text = subprocess.run(
            ["pdftotext", str(tmp_path / "t.pdf"), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert t.title.split()[1][:6] in text and "富民县" in text
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "40",
                "-f",
                "1",
                "-l",
                "1",
                str(tmp_path / "t.pdf"),
                str(tmp_path / "p"),
            ],
            check=True,
        )
        png = next(tmp_path.glob("p*.png"))
        assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size > 2000  # the page renders
        png.unlink()
        ws = openpyxl.load_workbook(io.BytesIO(exports.table_xlsx(t))).active
        assert ws["A1"].value == t.title and [c.value for c in ws[3]] == [c.header for c in t.columns]


def test_the_command_writes_every_format(rt, portfolio_of, tmp_path, capsys):
    from django.core.management import call_command

    portfolio_of(6)
    period = f"{today():%Y-%m}"
    for fmt in ("xlsx", "pdf", "json"):
        out = tmp_path / f"fu3.{fmt}"
        call_command(
            "report",
            "fu3",
            "--division",
            COUNTY[0],
            "--period",
            period,
            "--format",
            fmt,
            "--output",
            str(out),
        )
        assert out.stat().st_size > 0
    call_command("report", "indicators", "--division", COUNTY[0], "--period", period)
    assert '"rates"' in capsys.readouterr().out


def test_the_period_is_checked(rt):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("report", "fu3", "--division", COUNTY[0], "--period", "2026-13")
    assert (
        rt.world.client("poverty_office")
        .get(f"/api/v1/reports/tables/fu3?division={COUNTY[0]}&period=2026-13")
        .status_code
        == 422
    )


def test_a_table_of_balances_before_the_books_open_says_so(rt, portfolio_of):
    """Issue 24 (5): the loans' history reaches back before the books do (the opening balances are
    posted on one day); 附表3 and 附表8 for a month that ended before it are refused in Chinese
    on every channel — not made with the loans of then beside balances of nothing — while 附表2
    (what was paid out then) is still made, and the opening month's tables are."""
    from django.core.management import CommandError, call_command

    from fupin.ledger.selectors import books_open_on
    from fupin.reports.tables import build

    portfolio_of(4)
    opened = books_open_on()
    before = core.period(f"{opened.replace(day=1) - dt.timedelta(days=1):%Y-%m}")
    paid_out_then = Loan.objects.filter(start__range=(before.start, before.end)).exclude(state="contracted")
    assert paid_out_then.exists()  # the loans' history reaches back before the books
    division = Division.objects.get(code=COUNTY[0])
    hint = f"系统账务自 {opened:%Y-%m-%d} 起"
    for table in ("fu3", "fu8"):
        with pytest.raises(ValidationFailed, match=hint) as refused:
            build(table, division, before)
        assert refused.value.code == "period_before_books"
        with pytest.raises(CommandError, match=hint):
            call_command("report", table, "--division", COUNTY[0], "--period", before.label)
        answer = rt.world.client("poverty_office").get(
            f"/api/v1/reports/tables/{table}?division={COUNTY[0]}&period={before.label}"
        )
        assert answer.status_code == 422 and answer.json()["details"]["books_open_on"] == f"{opened}"
        page = rt.world.client("poverty_office").get(
            f"/reports/?table={table}&division={COUNTY[0]}&period={before.label}"
        )
        assert page.status_code == 422 and hint in page.content.decode()
    listed = build("fu2", division, before)
    assert len(listed.rows) == paid_out_then.filter(village_code__startswith=COUNTY[0][:6]).count()
    month = core.period(f"{opened:%Y-%m}")
    assert build("fu3", division, month).total["balance"] == sum(
        ledger_balance(COUNTY[0][:6], "1301", month.end).values()
    )


def test_the_dashboard_and_its_download(rt, portfolio_of):
    portfolio_of(7)
    c = rt.world.client("poverty_office")
    page = c.get(f"/reports/indicators/?division={COUNTY[0]}&period={today():%Y-%m}")
    html = page.content.decode()
    assert (
        page.status_code == 200 and 'data-chart="par"' in html and "chart-data" in html and "五级分类" in html
    )
    xlsx = c.get(f"/reports/indicators/?division={COUNTY[0]}&period={today():%Y-%m}&format=xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert {"指标", "PAR", "五级分类", "每月到期与收回", "放款进度"} <= set(wb.sheetnames)
    # in Chinese, amounts in yuan, percentages as numbers (issue 27 (2))
    sizes = {row[0]: row[1] for row in wb["规模"].iter_rows(min_row=2, values_only=True)}
    assert "贷款余额（元）" in sizes and not any(k.isascii() for k in sizes)
    rates = {row[0]: row for row in wb["指标"].iter_rows(min_row=2, values_only=True)}
    assert rates["PAR30"][4] == "元" and rates["农贷面"][4] == "个"
    assert isinstance(rates["农贷面"][1], (int, float))  # a number, not the text "35.17"
    assert c.get("/reports/rankings/").status_code == 200
    notice = openpyxl.load_workbook(io.BytesIO(c.get("/reports/rankings/?format=xlsx").content))
    assert notice.sheetnames == ["放款进度", "还款率", "网点", "账本摘要"]  # and its books (issue 28 (4))
    assert notice["放款进度"].max_row >= 3
    # computed once per close of business, then read
    from fupin.reports.models import Snapshot

    snap = Snapshot.objects.get()
    c.get(f"/reports/indicators/?division={COUNTY[0]}&period={today():%Y-%m}")
    assert Snapshot.objects.get().computed_at == snap.computed_at
    api = c.get(f"/api/v1/reports/indicators?division={COUNTY[0]}&period={today():%Y-%m}").json()
    from fupin.subsidies.selectors import receivable

    live = receivable(rt.world.user("poverty_office"), today())["total"]
    # amounts in yuan strings (issue 26 (5)); counts stay counts; the receivable is live
    counts = snap.data["counts"]
    assert sizes["贷款余额（元）"] == float(from_fen(counts["outstanding"]))
    assert api["counts"]["outstanding"] == str(from_fen(counts["outstanding"])) and counts["outstanding"] > 0
    assert api["counts"]["loans"] == counts["loans"] and api["receivable"]["total"] == str(from_fen(live))
    rates = {r["label"]: r for r in api["rates"]}
    stored = {r["label"]: r for r in snap.data["rates"]}
    assert rates["PAR30"]["unit"] == "元" and rates["PAR30"]["whole"] == str(
        from_fen(stored["PAR30"]["whole"])
    )
    assert rates["农贷面"]["unit"] == "个" and rates["农贷面"]["whole"] == str(stored["农贷面"]["whole"])
    assert api["classes"]["正常"] == str(from_fen(snap.data["classes"]["正常"]))
    assert sum(Decimal(v) for v in api["classes"].values()) == from_fen(counts["outstanding"])
    assert all(set(p) >= {"code", "name", "lent", "rank"} for p in api["progress"])
    ranks = c.get(f"/api/v1/reports/rankings?division={COUNTY[0]}&period={today():%Y-%m}").json()
    named = dict(Division.objects.values_list("code", "name"))
    assert ranks["progress"] and all(row["name"] == named[row["code"]] for row in ranks["progress"])
    assert all(
        [v["code"] for v in row["suspended_villages"]] == row["suspended"]
        and all(v["name"] == named[v["code"]] for v in row["suspended_villages"])
        for row in ranks["progress"]
    )
    fresh = c.get(f"/api/v1/reports/indicators?division={rt.world.township}&period={today():%Y-%m}")
    assert fresh.status_code == 200 and fresh.json()["division"] == rt.world.township  # computed now


def test_distributions_agree_with_a_row_by_row_count(rt, portfolio_of):
    """The grouped queries against the plain definition, loan by loan (R-RPT-3)."""
    from collections import Counter

    from fupin.core.idcard import age_on
    from fupin.households.models import Person
    from fupin.reports.indicators import distributions

    portfolio_of(8)
    lent = Loan.objects.exclude(state="contracted")
    d = distributions(lent, today())
    loans = list(lent.select_related("application").order_by("start", "pk"))
    heads = {p.household_id: p for p in Person.objects.filter(is_head=True, left_on__isnull=True)}
    seen: Counter = Counter()
    times: Counter = Counter()
    sex_age: Counter = Counter()
    for ln in loans:
        seen[ln.household_id] += 1
        times[core.times_label(seen[ln.household_id])] += 1
        h = heads[ln.household_id]
        sex_age[(core.band(age_on(h.birth_date, ln.start), core.AGE_BANDS), h.sex)] += 1
    assert d["times_borrowed"] == {label: times[label] for label in core.TIMES}
    assert {(a, s): n for a, by in d["sex_by_age"].items() for s, n in by.items()} == +sex_age
    assert d["size_bands"] == {
        label: sum(1 for ln in loans if core.band(ln.principal, core.SIZE_BANDS) == label)
        for label, _ in core.SIZE_BANDS
    }
    assert sum(n for mix in d["purpose_by_year"].values() for n in mix.values()) == len(loans)


def test_fu4_and_the_fund_columns_reconcile_with_the_ledger(rt, hh, head):
    """附表4's claimed, paid and credited are the ledger's 1221 and 2261 movements of the quarter;
    附表3's fund balance is the ledger's 2901."""
    from fupin.accounts.models import User
    from fupin.riskfund import services as fund
    from fupin.subsidies import services as subsidies
    from fupin.subsidies.models import Policy
    from tests.subsidies.test_subsidies import _chain, _paid_off

    w = rt.world
    _paid_off(rt, rt.households[:2])
    batch = subsidies.batch_prepare(
        acting_user=w.user("loan_officer"),
        policy=Policy.objects.get(code="S-CAPPED"),
        division_code=w.township,
        cutoff=today(),
    )
    _chain(rt, batch, User.objects.get(username="caizheng2"))
    subsidies.batch_credit(acting_user=w.user("branch_director"), batch=batch)
    f = fund.fund_create(acting_user=w.user("poverty_office"), county_code=COUNTY[0], name="")
    fund.contribution_post(acting_user=w.user("finance_bureau"), fund=f, source="省财政", amount=50_000_000)
    quarter = core.period(f"{today().year}-Q{(today().month - 1) // 3 + 1}")
    county = Division.objects.get(code=COUNTY[0])
    t4 = fu4(county, quarter)

    def moved(account: str, side: str, step: str) -> int:
        return (
            Posting.objects.filter(
                account_id=account,
                entry__source__startswith=f"subsidy.{step}:",
                entry__date__range=(quarter.start, quarter.end),
            ).aggregate(n=Sum(side))["n"]
            or 0
        )

    assert t4.total["claimed"] == moved("1221", "debit", "claim") > 0
    assert t4.total["paid"] == moved("1221", "credit", "pay")
    assert t4.total["credited"] == moved("2261", "debit", "credit") == t4.total["paid"]
    t3 = fu3(county, core.period(f"{today():%Y-%m}"))
    assert t3.total["fund_balance"] == books(head)["2901"] == 50_000_000

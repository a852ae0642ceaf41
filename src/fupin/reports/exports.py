"""The official tables as Excel laid out like the paper forms (title, unit and period, headers,
rows, the total, notes, signatures) and as printable PDF from the same HTML the page shows."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from fupin.core.money import from_fen
from fupin.divisions.selectors import names
from fupin.households.exports import workbook
from fupin.ledger.selectors import entries_digest
from fupin.reports.indicators import MONEY_RATES
from fupin.reports.tables import Table


def table_xlsx(t: Table) -> bytes:
    buf, wb = workbook()
    title = wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    head = wb.add_format(
        {
            "bold": True,
            "bg_color": "#F2DCDB",
            "border": 1,
            "text_wrap": True,
            "align": "center",
            "valign": "vcenter",
        }
    )
    cell = wb.add_format({"border": 1})
    money = wb.add_format({"border": 1, "num_format": "#,##0.00"})
    bold = wb.add_format({"border": 1, "bold": True})
    bold_money = wb.add_format({"border": 1, "bold": True, "num_format": "#,##0.00"})
    ws = wb.add_worksheet(t.code.upper())
    last = len(t.columns) - 1
    ws.merge_range(0, 0, 0, last, t.title, title)
    ws.write_string(1, 0, f"填报单位：{t.division.name}（{t.division.code}）")
    ws.write_string(1, max(last - 2, 1), f"报告期：{t.period.label}")
    for c, col in enumerate(t.columns):
        ws.write_string(2, c, col.header, head)
    ws.set_row(2, 42)

    def write(r: int, row: dict, plain, numeric) -> None:
        for c, col in enumerate(t.columns):
            v = row.get(col.key)
            if v is None or v == "":
                ws.write_blank(r, c, None, plain)
            elif col.kind == "money":
                ws.write_number(r, c, float(from_fen(v)), numeric)
            elif col.kind == "int" and isinstance(v, int):
                ws.write_number(r, c, v, plain)
            else:
                ws.write_string(r, c, v.isoformat() if hasattr(v, "isoformat") else str(v), plain)

    r = 3
    for row in t.rows:
        write(r, row, cell, money)
        r += 1
    if t.total:
        write(r, t.total, bold, bold_money)
        r += 1
    for note in t.notes:
        r += 1
        ws.write_string(r, 0, f"说明：{note}")
    if t.ledger:
        r += 1
        ws.write_string(r, 0, t.ledger)
    ws.write_string(
        r + 2,
        0,
        f"制表：　　　　　审核：　　　　　负责人：　　　　　制表日期：{timezone.localdate():%Y年%m月%d日}",
    )
    ws.set_column(0, 0, 14)
    ws.set_column(1, last, 12)
    ws.freeze_panes(3, 1)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    wb.close()
    return buf.getvalue()


def ledger_line(division, period, lender=None) -> str:
    """The line an exported table carries about the books it was made from (issue 28 (4)): the
    entries up to the period's end and their fingerprint, and the command that recomputes it."""
    n, digest = entries_digest(division.prefix, period.end, lender.pk if lender else None)
    again = f"fupin ledger-digest --division {division.code} --upto {period.end}"
    if lender is not None:
        again += f" --institution {lender.code}"
    return f"账本摘要：截至 {period.end:%Y-%m-%d} 的 {n} 笔记账凭证，SHA-256 {digest}（复算：{again}）"


def table_pdf(t: Table, qr: str = "") -> bytes:
    """The table as the paper form; ``qr``: a QR code to the signed page that states the books'
    fingerprint (issue 28 (4))."""
    from weasyprint import HTML

    html = render_to_string("reports/table_pdf.html", {"t": t, "today": timezone.localdate(), "qr": qr})
    return HTML(string=html).write_pdf()


def sheets_xlsx(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """A workbook of plain sheets: (name, headers, rows) each."""
    buf, wb = workbook()
    head = wb.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    for name, headers, rows in sheets:
        ws = wb.add_worksheet(name)
        for c, h in enumerate(headers):
            ws.write_string(0, c, h, head)
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row):
                ws.write(r, c, v)
        ws.set_column(0, len(headers) - 1, 16)
    wb.close()
    return buf.getvalue()


# the dashboard's counts in Chinese: key -> (label, an amount in fen to show in yuan)
COUNTS = {
    "households_served": ("获贷户数", False),
    "loans": ("贷款笔数", False),
    "disbursed": ("累计发放（元）", True),
    "outstanding": ("贷款余额（元）", True),
    "defaults": ("违约笔数（逾期 90 天以上及核销）", False),
    "default_amount": ("违约金额（元）", True),
}


def _pct(value) -> float | str:
    """A percentage the tables keep as text ("99.15") as a number Excel can sum and chart."""
    return float(value) if value not in (None, "") else ""


def _yuan(fen) -> float:
    return float(from_fen(fen or 0))


def books(ledger: str) -> list[tuple[str, list[str], list[list]]]:
    """The sheet that names the journal entries an export was made from (issue 28 (4))."""
    return [("账本摘要", ["所据记账凭证"], [[ledger]])] if ledger else []


def indicators_xlsx(d: dict, ledger: str = "") -> bytes:
    """Every table of the dashboard, one sheet each: the numbers behind every chart, in Chinese,
    amounts in yuan, percentages as numbers (issue 27 (2)); and the books' fingerprint."""
    dist = d["distributions"]

    def part(x: dict, key: str) -> float | int:
        return _yuan(x[key]) if x["label"] in MONEY_RATES else x[key]

    return sheets_xlsx(
        [
            (
                "指标",
                ["指标", "百分比（%）", "分子", "分母", "单位", "口径"],
                [
                    [
                        x["label"],
                        _pct(x["percent"]),
                        part(x, "part"),
                        part(x, "whole"),
                        "元" if x["label"] in MONEY_RATES else "个",
                        x["note"],
                    ]
                    for x in d["rates"]
                ],
            ),
            (
                "规模",
                ["项目", "数值"],
                [
                    [COUNTS.get(k, (k, False))[0], _yuan(v) if COUNTS.get(k, (k, False))[1] else v]
                    for k, v in d["counts"].items()
                ],
            ),
            ("PAR", ["逾期天数", "贷款余额（元）"], [[k, _yuan(v)] for k, v in d["par"].items()]),
            ("五级分类", ["分类", "贷款余额（元）"], [[k, _yuan(v)] for k, v in d["classes"].items()]),
            (
                "每月到期与收回",
                ["月份", "到期（元）", "收回（元）", "收回率（%）"],
                [
                    [m["month"], _yuan(m["due"]), _yuan(m["collected"]), _pct(m["rate"])]
                    for m in dist["monthly"]
                ],
            ),
            ("金额分布", ["金额段", "笔数"], [[k, v] for k, v in dist["size_bands"].items()]),
            ("借款次数", ["次数", "笔数"], [[k, v] for k, v in dist["times_borrowed"].items()]),
            (
                "用途",
                ["年份", "用途", "笔数"],
                [[y, p, n] for y, mix in dist["purpose_by_year"].items() for p, n in mix.items()],
            ),
            (
                "性别与年龄",
                ["年龄段", "男", "女"],
                [[a, s.get("男", 0), s.get("女", 0)] for a, s in dist["sex_by_age"].items()],
            ),
            (
                "放款进度",
                ["单位", "本年放款（元）", "年度额度（元）", "进度（%）"],
                [
                    [r["name"], _yuan(r["lent"]), _yuan(r["target"]), _pct(r["progress"])]
                    for r in d.get("progress", [])
                ],
            ),
            *books(ledger),
        ]
    )


def rankings_xlsx(r: dict, ledger: str = "") -> bytes:
    """The rankings as a notice to send round (R-RPT-5): villages by name, percentages as numbers;
    and the books' fingerprint."""
    named = names(v for x in r["progress"] for v in x["suspended"])
    return sheets_xlsx(
        [
            (
                "放款进度",
                ["名次", "单位", "本年放款（元）", "年度额度（元）", "进度（%）", "暂停放款的村"],
                [
                    [
                        x["rank"],
                        x["name"],
                        _yuan(x["lent"]),
                        _yuan(x["target"]),
                        _pct(x["progress"]),
                        "、".join(named.get(v, v) for v in x["suspended"]),
                    ]
                    for x in r["progress"]
                ],
            ),
            (
                "还款率",
                ["名次（按月）", "单位", "日（%）", "周（%）", "月（%）"],
                [
                    [x["rank"], x["name"], _pct(x["day"]), _pct(x["week"]), _pct(x["month"])]
                    for x in r["repayment"]["month"]
                ],
            ),
            (
                "网点",
                ["名次", "网点", "本年放款（元）", "进度（%）", "月还款率（%）"],
                [
                    [x["rank"], x["name"], _yuan(x["lent"]), _pct(x["progress"]), _pct(x["month"])]
                    for x in r["branches"]
                ],
            ),
            *books(ledger),
        ]
    )


SIMULATION = {  # the sheets' headers
    "households": ["乡镇", "新符合准入（户）", "不再符合（户）", "其中有授信", "其中有在贷"],
    "budget": ["贴息政策", "贷款笔数", "现行（元）", "调整后（元）"],
    "funds": ["风险补偿金", "逾期贷款笔数", "逾期贷款本金（元）", "现行分担（元）", "调整后分担（元）"],
}


def simulation_xlsx(county, proposal, r: dict) -> bytes:
    """The policy simulation side by side (issue 28 (2)): one sheet per part, amounts in yuan."""

    def yuan(fen: int) -> float:
        return float(from_fen(fen))

    households = [[t["name"], t["gain"], t["lose"], t["lose_line"], t["lose_loan"]] for t in r["households"]]
    budget = [[p["name"], p["loans"], yuan(p["before"]), yuan(p["after"])] for p in r["subsidy"]]
    funds = [
        [f["fund"].name, f["loans"], yuan(f["owed"]), yuan(f["before"]), yuan(f["after"])] for f in r["funds"]
    ]
    return sheets_xlsx(
        [
            ("准入变化", SIMULATION["households"], households),
            (f"{county.name}明年贴息预算", SIMULATION["budget"], budget),
            ("风险补偿金敞口", SIMULATION["funds"], funds),
        ]
    )

"""The pay sheet as Excel (one row per line, with its formula) and as printable PDF."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from fupin.core.money import from_fen
from fupin.households.exports import workbook
from fupin.pay.selectors import Sheet


def title(s: Sheet) -> str:
    return f"{s.branch.name} {s.period.label} 信贷员绩效工资计算表"


def sheet_xlsx(s: Sheet) -> bytes:
    buf, wb = workbook()
    big = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    cell = wb.add_format({"border": 1})
    money = wb.add_format({"border": 1, "num_format": "#,##0.00"})
    bold = wb.add_format({"border": 1, "bold": True, "num_format": "#,##0.00"})
    ws = wb.add_worksheet("绩效工资")
    ws.write_string(0, 0, title(s), big)
    headers = ["人员", "合同编号", "项目", "计算基数（元）", "比例", "金额（元）", "计算过程"]
    for c, h in enumerate(headers):
        ws.write_string(2, c, h, head)

    def line(r: int, who: str, ln) -> None:
        ws.write_string(r, 0, who, cell)
        ws.write_string(r, 1, ln.contract, cell)
        ws.write_string(r, 2, ln.item, cell)
        ws.write_number(r, 3, float(from_fen(ln.basis)), money)
        ws.write_string(r, 4, f"{float(ln.rate * 100):g}%", cell)
        ws.write_number(r, 5, float(from_fen(ln.amount)), money)
        ws.write_string(r, 6, ln.formula, cell)

    r = 3
    for o in s.officers:
        for ln in o.lines:
            line(r, o.officer.get_full_name(), ln)
            r += 1
        ws.write_string(r, 0, o.officer.get_full_name(), cell)
        ws.write_string(r, 2, "小计", cell)
        ws.write_number(r, 5, float(from_fen(o.total)), bold)
        r += 1
    for ln in s.branch_lines:
        line(r, ln.item, ln)
        r += 1
    ws.write_string(r, 2, "合计", cell)
    ws.write_number(r, 5, float(from_fen(s.total)), bold)
    r += 2
    for _, contract, why in s.excluded:
        ws.write_string(r, 0, f"不计绩效：{contract}（{why}）")
        r += 1
    ws.write_string(
        r + 1,
        0,
        f"制表：　　　　　会计：　　　　　网点主任：　　　　　制表日期：{timezone.localdate():%Y年%m月%d日}",
    )
    ws.set_column(0, 2, 16)
    ws.set_column(3, 5, 13)
    ws.set_column(6, 6, 44)
    ws.freeze_panes(3, 0)
    wb.close()
    return buf.getvalue()


def sheet_pdf(s: Sheet) -> bytes:
    from weasyprint import HTML

    html = render_to_string("pay/sheet_pdf.html", {"s": s, "title": title(s), "today": timezone.localdate()})
    return HTML(string=html).write_pdf()

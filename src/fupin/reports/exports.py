"""The official tables as Excel laid out like the paper forms (title, unit and period, headers,
rows, the total, notes, signatures) and as printable PDF from the same HTML the page shows."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from fupin.core.money import from_fen
from fupin.households.exports import workbook
from fupin.reports.tables import Table


def table_xlsx(t: Table) -> bytes:
    buf, wb = workbook()
    title = wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    head = wb.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1, "text_wrap": True, "align": "center",
                          "valign": "vcenter"})
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
    ws.write_string(r + 2, 0, f"制表：　　　　　审核：　　　　　负责人：　　　　　制表日期：{timezone.localdate():%Y年%m月%d日}")
    ws.set_column(0, 0, 14)
    ws.set_column(1, last, 12)
    ws.freeze_panes(3, 1)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    wb.close()
    return buf.getvalue()


def table_pdf(t: Table) -> bytes:
    from weasyprint import HTML

    html = render_to_string("reports/table_pdf.html", {"t": t, "today": timezone.localdate()})
    return HTML(string=html).write_pdf()

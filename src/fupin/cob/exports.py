"""The collection list as Excel (what village officers carry to the households): a title with the
day, the people by name with their phones, a total row, columns wide enough to read (issue 27 (5))."""

from __future__ import annotations

from fupin.households.exports import workbook

HEADERS = [
    ("村代码", 14),
    ("行政村", 12),
    ("合同编号", 20),
    ("户主", 10),
    ("户编号", 20),
    ("联系电话", 14),
    ("当日应还（元）", 14),
    ("逾期欠款（元）", 14),
    ("逾期天数", 9),
    ("信贷员", 16),
    ("收款签字", 12),
]


def collection_xlsx(on, rows) -> bytes:
    buf, wb = workbook()
    title = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1, "text_wrap": True})
    money = wb.add_format({"num_format": "#,##0.00", "border": 1})
    cell = wb.add_format({"border": 1})
    total = wb.add_format({"bold": True, "num_format": "#,##0.00", "top": 2})
    ws = wb.add_worksheet(f"{on:%m%d}收款清单")
    ws.write_string(0, 0, f"收款清单 {on:%Y年%m月%d日}（共 {len(rows)} 笔）", title)
    for c, (h, width) in enumerate(HEADERS):
        ws.write_string(1, c, h, head)
        ws.set_column(c, c, width)
    r = 1
    for r, row in enumerate(rows, start=2):
        i = row["item"]
        texts = [
            i.village_code,
            row["village"],
            i.loan.contract_no,
            getattr(i, "head_name", ""),
            i.loan.household.registry_no,
            getattr(i, "head_phone", ""),
        ]
        for c, v in enumerate(texts):
            ws.write_string(r, c, v, cell)
        ws.write_number(r, 6, i.due / 100, money)
        ws.write_number(r, 7, i.arrears / 100, money)
        ws.write_number(r, 8, i.dpd, cell)
        ws.write_string(r, 9, row["officers"], cell)
        ws.write_blank(r, 10, None, cell)
    last = r + 1
    ws.write_string(last, 0, "合计", total)
    ws.write_number(last, 6, sum(x["item"].due for x in rows) / 100, total)
    ws.write_number(last, 7, sum(x["item"].arrears for x in rows) / 100, total)
    ws.freeze_panes(2, 0)
    ws.repeat_rows(1)  # printed: the header on every page
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    wb.close()
    return buf.getvalue()

"""The collection list as Excel (what village officers carry to the households)."""

from __future__ import annotations

from fupin.households.exports import workbook


def collection_xlsx(on, rows) -> bytes:
    buf, wb = workbook()
    head = wb.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    money = wb.add_format({"num_format": "#,##0.00"})
    ws = wb.add_worksheet(f"{on:%m%d}收款清单")
    headers = [
        "村代码",
        "行政村",
        "合同编号",
        "户编号",
        "当日应还（元）",
        "逾期欠款（元）",
        "逾期天数",
        "信贷员",
        "收款签字",
    ]
    for c, h in enumerate(headers):
        ws.write_string(0, c, h, head)
    for r, row in enumerate(rows, start=1):
        i = row["item"]
        for c, v in enumerate(
            [i.village_code, row["village"], i.loan.contract_no, i.loan.household.registry_no]
        ):
            ws.write_string(r, c, v)
        ws.write_number(r, 4, i.due / 100, money)
        ws.write_number(r, 5, i.arrears / 100, money)
        ws.write_number(r, 6, i.dpd)
        ws.write_string(r, 7, row["officers"])
    ws.set_column(0, 8, 14)
    ws.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()

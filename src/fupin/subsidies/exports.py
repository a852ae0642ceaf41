"""Subsidy documents: the public announcement of recipients and amounts (县乡村三级公告公示,
P-SUBSIDY) as PDF and Excel, and the subsidy register (附表8) as Excel."""

from __future__ import annotations

from django.template.loader import render_to_string

from fupin.core.money import from_fen
from fupin.households.exports import workbook
from fupin.subsidies.models import Batch
from fupin.subsidies.selectors import totals
from fupin.web import verify

LEVELS = {"county": "县级", "township": "乡镇级", "village": "村级"}


def announcement_pdf(batch: Batch, title: str, rows: list[dict], verify_url: str = "") -> bytes:
    """The announcement; with ``verify_url``, a QR code to the signed public page and the
    fingerprint of its masked list (issue 28 (4))."""
    from weasyprint import HTML

    html = render_to_string(
        "subsidies/announcement_pdf.html",
        {
            "batch": batch,
            "title": title,
            "rows": rows,
            "totals": totals(rows),
            "qr": verify.qr(verify_url) if verify_url else "",
            "digest": verify.digest(announcement_public(rows)),
        },
    )
    return HTML(string=html).write_pdf()


def announcement_public(rows: list[dict]) -> list[list]:
    """The announcement's list as anyone may see it: village, the head's name masked, amounts."""
    return [[r["village"], verify.mask_name(r["name"]), str(from_fen(r["amount"]))] for r in rows]


def announcement_xlsx(batch: Batch, title: str, rows: list[dict]) -> bytes:
    buf, wb = workbook()
    bold = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    money = wb.add_format({"num_format": "#,##0.00"})
    ws = wb.add_worksheet("贴息公示")
    ws.write_string(0, 0, title, bold)
    headers = ["序号", "乡镇", "行政村", "户主姓名", "贷款金额（元）", "贴息金额（元）"]
    for c, h in enumerate(headers):
        ws.write_string(2, c, h, head)
    for r, row in enumerate(rows, start=3):
        ws.write_number(r, 0, r - 2)
        for c, key in enumerate(["township", "village", "name"], start=1):
            ws.write_string(r, c, row[key])
        ws.write_number(r, 4, float(from_fen(row["principal"])), money)
        ws.write_number(r, 5, float(from_fen(row["amount"])), money)
    t = totals(rows)
    last = len(rows) + 3
    ws.write_string(last, 1, f"合计 {t.get('households', 0)} 户")
    ws.write_number(last, 4, float(from_fen(t.get("principal", 0))), money)
    ws.write_number(last, 5, float(from_fen(t.get("amount", 0))), money)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 5, 16)
    wb.close()
    return buf.getvalue()


def register_xlsx(lines) -> bytes:
    """附表8 贴息登记簿: one row per loan period."""
    buf, wb = workbook()
    head = wb.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    money = wb.add_format({"num_format": "#,##0.00"})
    ws = wb.add_worksheet("附表8 贴息登记簿")
    headers = [
        "村代码",
        "合同编号",
        "期次",
        "计息起",
        "计息止",
        "贴息天数",
        "已付利息（元）",
        "贴息（元）",
        "说明",
        "政策",
        "申报批次",
        "核减原因",
        "入账到户日期",
    ]
    for c, h in enumerate(headers):
        ws.write_string(0, c, h, head)
    for r, ln in enumerate(lines, start=1):
        values = [
            ln.village_code,
            ln.contract_no,
            str(ln.seq or "整笔"),
            f"{ln.start:%Y-%m-%d}",
            f"{ln.end:%Y-%m-%d}",
        ]
        for c, v in enumerate(values):
            ws.write_string(r, c, v)
        ws.write_number(r, 5, ln.days)
        ws.write_number(r, 6, float(from_fen(ln.interest)), money)
        ws.write_number(r, 7, float(from_fen(ln.amount)), money)
        ws.write_string(r, 8, ln.reason)
        ws.write_string(r, 9, f"{ln.policy.code} {ln.policy.version}")
        ws.write_string(r, 10, f"#{ln.batch_id}" if ln.batch_id else "")
        ws.write_string(r, 11, ln.struck)
        ws.write_string(r, 12, f"{ln.credited_on:%Y-%m-%d}" if ln.credited_on else "")
    ws.set_column(0, 12, 13)
    ws.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()

"""Printable and downloadable files of 评级授信: the three-copy 评级授信表 (PDF) and the
应贷未贷 list (Excel)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.template.loader import render_to_string
from django.utils import timezone

from fupin.households.exports import workbook
from fupin.ratings.models import Rating

COPIES = ("第一联 农户留存", "第二联 银行留存", "第三联 扶贫办留存")


def rating_form_context(rating: Rating) -> dict:
    """Everything printed on the form: each item's points averaged over the panel's sheets."""
    card = rating.scorecard.card
    sheets = list(rating.sheets.select_related("member__user").order_by("id"))
    items = []
    for item in card.items:
        pts = [Decimal(s.points[item.code]) for s in sheets if item.code in s.points]
        mean = (sum(pts, Decimal(0)) / len(pts)).quantize(Decimal("0.01"), ROUND_HALF_UP) if pts else None
        items.append({"label": item.label, "max": item.max_points, "points": mean})
    hh = rating.household
    head = hh.members.filter(is_head=True, left_on__isnull=True).first()
    return {
        "rating": rating,
        "round": rating.round,
        "hh": hh,
        "head": head,
        "items": items,
        "sheets": sheets,
        "card": card,
        "copies": COPIES,
        "printed": timezone.localdate(),
        "village": hh.village,
        "township": hh.village.parent,
    }


def rating_form_pdf(rating: Rating) -> bytes:
    from weasyprint import HTML

    html = render_to_string("ratings/form_pdf.html", rating_form_context(rating))
    return HTML(string=html).write_pdf()


def unborrowed_xlsx(rows) -> bytes:
    buf, wb = workbook()
    head = wb.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    money = wb.add_format({"num_format": "#,##0"})
    ws = wb.add_worksheet("应贷未贷")
    headers = [
        "村代码",
        "行政村",
        "户编号",
        "户主姓名",
        "证件号码",
        "联系电话",
        "户类型",
        "信用等级",
        "授信额度（元）",
        "有效期至",
    ]
    for c, h in enumerate(headers):
        ws.write_string(0, c, h, head)
    for r, (hh, line) in enumerate(rows, start=1):
        h = hh.heads[0] if hh.heads else None
        for c, v in enumerate(
            [
                hh.village_id,
                hh.village.name,
                hh.registry_no,
                h.name if h else "",
                h.id_masked if h else "",
                h.phone_masked if h else "",
                hh.get_status_display(),
                line.grade_label,
            ]
        ):
            ws.write_string(r, c, v)
        ws.write_number(r, 8, float(line.amount), money)
        ws.write_string(r, 9, line.valid_until.isoformat())
    ws.set_column(0, 0, 14)
    ws.set_column(1, 9, 12)
    ws.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()

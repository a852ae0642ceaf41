"""The printable public notice (公示) of applications for the village board (R-APP-2)."""

from __future__ import annotations

from django.template.loader import render_to_string

from fupin.core.money import from_fen
from fupin.core.origination import PURPOSES
from fupin.loans.models import Notice
from fupin.ratings.selectors import heads


def notice_pdf(notice: Notice) -> bytes:
    from weasyprint import HTML

    apps = notice.applications.select_related("household").prefetch_related(heads("household__members")).order_by("id")
    rows = [{"app": a, "head": a.household.heads[0] if a.household.heads else None, "amount": from_fen(a.amount),
             "purpose": PURPOSES.get(a.purpose, a.purpose)} for a in apps]
    html = render_to_string("loans/notice_pdf.html", {"notice": notice, "rows": rows})
    return HTML(string=html).write_pdf()

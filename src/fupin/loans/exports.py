"""The printable public notice (公示) of applications for the village board (R-APP-2)."""

from __future__ import annotations

from django.template.loader import render_to_string

from fupin.core.money import from_fen
from fupin.core.origination import PURPOSES
from fupin.core.products import PRESETS
from fupin.core.schedule.terms import FREQUENCIES, SHAPES
from fupin.divisions.models import Branch
from fupin.loans.models import Notice
from fupin.ratings.selectors import heads
from fupin.web import verify


def notice_pdf(notice: Notice, verify_url: str = "") -> bytes:
    """The notice for the village board; with ``verify_url``, a QR code to the signed public page
    and the fingerprint of its masked list (issue 28 (4))."""
    from weasyprint import HTML

    rows = notice_rows(notice)
    html = render_to_string(
        "loans/notice_pdf.html",
        {
            "notice": notice,
            "rows": rows,
            "qr": verify.qr(verify_url) if verify_url else "",
            "digest": verify.digest(notice_public(rows)),
        },
    )
    return HTML(string=html).write_pdf()


def notice_public(rows: list[dict]) -> list[list]:
    """The notice's list as anyone may see it: the heads' names masked, no guarantors."""
    return [
        [
            n,
            verify.mask_name(r["head"].name if r["head"] else ""),
            r["purpose"],
            str(r["amount"]),
            r["app"].term,
        ]
        for n, r in enumerate(rows, start=1)
    ]


def notice_rows(notice: Notice) -> list[dict]:
    apps = (
        notice.applications.select_related("household")
        .prefetch_related(heads("household__members"), "guarantors")
        .order_by("id")
    )
    return [
        {
            "app": a,
            "head": a.household.heads[0] if a.household.heads else None,
            "amount": from_fen(a.amount),
            "purpose": PURPOSES.get(a.purpose, a.purpose),
            "guarantors": "、".join(g.name for g in a.guarantors.all()),
        }
        for a in apps
    ]


def contract_pdf(loan) -> bytes:
    """The loan contract in Chinese with the schedule, the nominal rate, the APR and the EAR."""
    from weasyprint import HTML

    hh = loan.household
    head = hh.members.filter(is_head=True, left_on__isnull=True).first()
    lender = (
        Branch.objects.filter(coverage__code=loan.village_code[:6] + "000000", parent__isnull=True).first()
        or Branch.objects.filter(coverage__code=loan.village_code[:9] + "000").first()
    )
    terms = loan.terms
    rows = [
        {
            "i": i,
            "principal": from_fen(i.principal),
            "interest": from_fen(i.interest),
            "fees": from_fen(i.fees),
            "total": from_fen(i.principal + i.interest + i.fees),
        }
        for i in loan.installments.all()
    ]
    html = render_to_string(
        "loans/contract_pdf.html",
        {
            "loan": loan,
            "stated_rate": getattr(PRESETS.get(loan.product), "stated_rate", None),
            "hh": hh,
            "head": head,
            "rows": rows,
            "lender": lender.name if lender else "",
            "principal": from_fen(loan.principal),
            "upfront_interest": from_fen(loan.upfront_interest),
            "upfront_fees": from_fen(loan.upfront_fees),
            "deposit": from_fen(loan.deposit),
            "purpose": PURPOSES.get(loan.application.purpose, ""),
            "shape": SHAPES.get(terms["shape"], terms["shape"]),
            "frequency": FREQUENCIES.get(terms["frequency"], ""),
            "guarantors": list(loan.application.guarantors.all()),  # P-SEASONAL "1+1" (issue 24 (11))
        },
    )
    return HTML(string=html).write_pdf()

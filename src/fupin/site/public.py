"""The public pages a printed document's QR code opens (issue 28 (4)): a 公示 or a subsidy
announcement as printed, names masked, with the fingerprint the paper carries; a 附表's books
fingerprint recomputed; and, while a notice is open, a villager's objection with an SMS code.
Open to anyone: a token the server did not sign opens nothing."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.core import reports as core_reports
from fupin.core.errors import DomainError, ValidationFailed
from fupin.divisions.models import Division, Institution
from fupin.loans.exports import notice_public, notice_rows
from fupin.loans.models import Notice
from fupin.loans.services import objection_file
from fupin.reports.exports import ledger_line
from fupin.reports.tables import TABLES
from fupin.selfservice.services import code_request, code_verify
from fupin.subsidies.exports import announcement_public
from fupin.subsidies.models import Batch
from fupin.subsidies.selectors import announcement
from fupin.web import verify
from fupin.web.responses import int_param


def verify_page(request, value: str):
    """The public page a printed notice's QR code opens (issue 28 (4)): the list as printed, names
    masked, with the fingerprint the paper carries. Open to anyone; a token the server did not
    sign opens nothing."""
    found = verify.read(value)
    doc = public_document(*found) if found else None
    if doc is None:
        return render(
            request,
            "error.html",
            {"message": "核验码无效：不是本系统签发的", "code": "not_found"},
            status=404,
        )
    return render(request, "verify.html", {**doc, "digest": verify.digest(doc["rows"]), "token": value})


@require_POST
def verify_code(request, value: str):
    """A villager asks for an SMS code to object to an application on an open notice: it goes to
    the phone the registry holds for their ID number (the household's own sign-in, R-APP-2)."""
    doc = _open_notice(value)
    if doc is None:
        return verify_page(request, value)
    id_number = request.POST.get("id_number", "")[:40]
    try:
        said = code_request(id_number=id_number)
    except DomainError as e:
        said = e.message
    ctx = {**doc, "digest": verify.digest(doc["rows"]), "token": value, "id_number": id_number, "said": said}
    return render(request, "verify.html", ctx)


@require_POST
def verify_objection(request, value: str):
    """The villager's objection with the code: recorded as any objection (R-APP-2), so approval
    waits until the village resolves it."""
    doc = _open_notice(value)
    if doc is None:
        return verify_page(request, value)
    f = request.POST
    id_number = f.get("id_number", "")[:40]
    ctx = {**doc, "digest": verify.digest(doc["rows"]), "token": value, "id_number": id_number}
    try:
        user = code_verify(id_number=id_number, code=f.get("code", "")[:12])
        app = doc["notice"].applications.filter(pk=int_param(f.get("application")) or 0).first()
        if app is None:
            raise ValidationFailed("请选择对哪一户的申请提出异议", code="objection_application")
        objection_file(acting_user=user, application=app, text=f.get("text", "")[:500])
    except DomainError as e:
        return render(request, "verify.html", {**ctx, "error": e.message}, status=e.http_status)
    return render(request, "verify.html", {**ctx, "filed": True})


def _open_notice(value: str) -> dict | None:
    """The signed notice's public document while its notice is open, else None."""
    found = verify.read(value)
    doc = public_document(*found) if found and found[0] == "notice" else None
    return doc if doc is not None and doc["open"] else None


def public_document(kind: str, pk: int, scope: str) -> dict | None:
    """The masked rows of a signed document, as its paper printed them."""
    if kind == "notice":
        notice = Notice.objects.select_related("village", "village__parent").filter(pk=pk).first()
        if notice is None:
            return None
        rows = notice_rows(notice)
        public = notice_public(rows)
        return {
            "kind": verify.KINDS[kind],
            "notice": notice,
            "open": notice.start <= timezone.localdate() <= notice.end,
            "applicants": [(r["app"].pk, f"{p[0]}. {p[1]}") for r, p in zip(rows, public, strict=True)],
            "title": f"{notice.village.name}扶贫小额信贷申请公示",
            "period": f"{notice.start:%Y-%m-%d} 至 {notice.end:%Y-%m-%d}",
            "head": ["序号", "户主", "贷款用途", "申请金额（元）", "期限（月）"],
            "rows": public,
        }
    if kind == "table":
        return _table_document(scope)
    batch = Batch.objects.select_related("policy").filter(pk=pk).first()
    division = Division.objects.filter(code=scope).first()
    if batch is None or division is None:
        return None
    return {
        "kind": verify.KINDS[kind],
        "title": f"{division.name}扶贫小额信贷贴息公示（第 {batch.pk} 批，{batch.policy.name}）",
        "period": "",
        "head": ["行政村", "户主", "贴息金额（元）"],
        "open": False,
        "rows": announcement_public(announcement(batch, division.prefix)),
    }


def _table_document(scope: str) -> dict | None:
    """A printed 附表's page: which table, and the fingerprint of the journal entries up to its
    period's end, recomputed now — the same as on the paper while the books are the same."""
    table, code, label, lender_code = (scope.split("|") + ["", "", "", ""])[:4]
    division = Division.objects.filter(code=code).first()
    lender = Institution.objects.filter(code=lender_code).first() if lender_code else None
    if division is None or table not in TABLES or (lender_code and lender is None):
        return None
    period = core_reports.period(label)
    return {
        "kind": verify.KINDS["table"],
        "title": f"{TABLES[table]} · {division.name} · {period.label}"
        + (f" · {lender.name}" if lender else ""),
        "period": "",
        "head": [],
        "rows": [],
        "ledger": ledger_line(division, period, lender),
        "open": False,
    }

"""Credit-information pages: the household credit report (page and PDF, each view a logged
query), items, consents, the source import, the query log, entity ratings and the credit file."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.accounts import access
from fupin.accounts.decorators import requires
from fupin.coops.models import Cooperative
from fupin.core import creditinfo as core
from fupin.core.errors import DomainError, ValidationFailed
from fupin.creditinfo import selectors, services
from fupin.creditinfo.models import Consent
from fupin.households.exports import workbook
from fupin.households.models import Household
from fupin.web.responses import act, attachment, date_param, pdf_inline

MAX_UPLOAD = 20 * 1024 * 1024


def _household(request, pk: int, action: str) -> Household:
    return access.get_visible(request.user, Household, action, pk=pk)  # type: ignore[return-value]


def _report_action(user) -> str:
    return "credit.view" if access.may(user, "credit.view") else "credit.query"


@requires("credit.report")
def credit_report(request, pk: int):
    household = _household(request, pk, _report_action(request.user))
    purpose = request.GET.get("purpose", "")
    context = {
        "household": household,
        "may_consent": access.may(request.user, "credit.consent", household),
        "may_record": access.may(request.user, "credit.record", household),
        "may_export": access.may(request.user, "credit.exchange", household),
        "institution": services.institution_of(request.user),
        "categories": core.CATEGORIES,
        "today": timezone.localdate(),
        "purpose": purpose,
    }
    if not purpose:
        return render(request, "creditinfo/ask.html", context)
    services.credit_query(acting_user=request.user, household=household, purpose=purpose)
    return render(
        request, "creditinfo/report.html", {**context, "r": selectors.report(household, timezone.localdate())}
    )


@requires("credit.report")
def credit_report_pdf(request, pk: int):
    from weasyprint import HTML

    household = _household(request, pk, _report_action(request.user))
    services.credit_query(
        acting_user=request.user, household=household, purpose=request.GET.get("purpose", "")
    )
    html = render_to_string(
        "creditinfo/report_pdf.html",
        {"r": selectors.report(household, timezone.localdate()), "today": timezone.localdate()},
    )
    return pdf_inline(HTML(string=html).write_pdf(), f"信用报告-{household.registry_no}.pdf")


@require_POST
@requires("credit.record")
def credit_item_add(request, pk: int):
    household = _household(request, pk, "credit.record")
    post = request.POST
    return act(
        request,
        lambda: services.item_add(
            acting_user=request.user,
            household=household,
            source=post.get("source", ""),
            category=post.get("category"),
            name=post.get("name"),
            value=post.get("value"),
            on=post.get("on"),
            adverse=post.get("adverse", "否"),
            adverse_end=post.get("adverse_end") or None,
        ),
        "已登记信用信息",
        "household_detail",
        pk=pk,
    )


@require_POST
@requires("credit.consent")
def consent_add(request, pk: int):
    household = _household(request, pk, "credit.consent")
    post = request.POST
    today = timezone.localdate()
    return act(
        request,
        lambda: services.consent_record(
            acting_user=request.user,
            household=household,
            institution=post.get("institution", "")[:20],
            document_no=post.get("document_no", ""),
            granted_on=date_param(post.get("granted_on"), today, strict=True),
            expires_on=date_param(post.get("expires_on"), today.replace(year=today.year + 1), strict=True),
        ),
        "已登记查询授权",
        "household_detail",
        pk=pk,
    )


@require_POST
@requires("credit.consent")
def consent_revoke(request, pk: int):
    consent = access.get_visible(request.user, Consent, "credit.consent", pk=pk)
    return act(
        request,
        lambda: services.consent_revoke(acting_user=request.user, consent=consent),
        "已撤销授权",
        "household_detail",
        pk=consent.household_id,
    )


@requires("credit.report")
def credit_overview(request):
    context = {
        "may_record": access.may(request.user, "credit.record"),
        "may_log": access.may(request.user, "credit.log"),
        "may_rate": access.may(request.user, "credit.rate"),
        "may_exchange": access.may(request.user, "credit.exchange"),
        "entities": selectors.entity_ratings(request.user)[:100]
        if access.may(request.user, "credit.view")
        else [],
        "queries": selectors.queries(request.user)[:200] if access.may(request.user, "credit.log") else [],
        "coops": access.visible(request.user, Cooperative, "credit.rate")
        if access.may(request.user, "credit.rate")
        else [],
        "kinds": core.KINDS,
        "categories": core.CATEGORIES,
    }
    return render(request, "creditinfo/overview.html", context)


def _upload(request) -> Path:
    f = request.FILES.get("file")
    if f is None or f.size > MAX_UPLOAD:
        raise ValidationFailed("请选择不超过 20 MB 的文件", code="file")
    tmp = tempfile.NamedTemporaryFile(suffix=Path(f.name).suffix[:8], delete=False)
    for chunk in f.chunks():
        tmp.write(chunk)
    tmp.close()
    return Path(tmp.name)


@require_POST
@requires("credit.record")
def credit_import(request):
    problems: list[dict] = []
    created = None
    try:
        path = _upload(request)
        try:
            created = services.items_import(
                acting_user=request.user,
                path=path,
                source=request.POST.get("source", ""),
                file_name=request.FILES["file"].name,
            )
        finally:
            path.unlink(missing_ok=True)
    except DomainError as e:
        problems = e.details if isinstance(e.details, list) and e.details else [{"message": e.message}]
    return render(
        request,
        "creditinfo/imported.html",
        {"created": created, "problems": problems},
        status=200 if created is not None else 422,
    )


@requires("credit.record")
def credit_template(request):
    buf, wb = workbook()
    head = wb.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    text = wb.add_format({"num_format": "@"})
    ws = wb.add_worksheet("信用信息")
    for i, h in enumerate(services.HEADERS):
        ws.write_string(0, i, h, head)
        ws.set_column(i, i, 18, text)
    for c, v in enumerate(["11010519491231002X", "经济信息", "耕地面积", "6 亩", "2026-03-01", "否", ""]):
        ws.write_string(1, c, v, text)
    for c, v in enumerate(
        [
            "11010519491231002X",
            "非银行信用信息",
            "合同履约",
            "未按合同交售烤烟",
            "2020-10-01",
            "是",
            "2021-03-01",
        ]
    ):
        ws.write_string(2, c, v, text)
    wb.close()
    return attachment(buf.getvalue(), "信用信息导入模板.xlsx")


@requires("credit.exchange")
def credit_file_export(request, pk: int):
    household = _household(request, pk, "credit.exchange")
    body = json.dumps(
        services.credit_file_export(acting_user=request.user, household=household),
        ensure_ascii=False,
        indent=1,
    ).encode()
    return attachment(body, f"信用档案-{household.registry_no}.json", "application/json")


@require_POST
@requires("credit.exchange")
def credit_file_import(request):
    def run():
        f = request.FILES.get("file")
        if f is None or f.size > MAX_UPLOAD:
            raise ValidationFailed("请选择不超过 20 MB 的信用档案文件（.json）", code="file")
        try:
            data = json.loads(f.read())
        except (ValueError, UnicodeDecodeError):
            raise ValidationFailed("文件不是有效的 JSON", code="credit_file_invalid") from None
        return services.credit_file_import(acting_user=request.user, data=data)

    return act(request, run, lambda n: f"已导入 {n} 条信用信息", "credit_overview")


@require_POST
@requires("credit.rate")
def entity_rate(request):
    post = request.POST

    def run():
        kind = post.get("kind", "")
        household = coop = None
        if kind == "lead":
            household = _household(request, _int(post.get("household")), "credit.rate")
        elif kind == "coop":
            coop = access.get_visible(request.user, Cooperative, "credit.rate", pk=_int(post.get("coop")))
        output = _int(post.get("output")) if post.get("output") else None
        return services.entity_rate(
            acting_user=request.user, kind=kind, household=household, coop=coop, output=output
        )

    return act(request, run, lambda r: f"评定完成：{r.total} 分，{r.grade} 级", "credit_overview")


def _int(text: str | None) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        raise ValidationFailed("应为整数", code="number") from None

"""The pages of the county's lenders (issue 25): registering one, its products and approval authority,
and bringing its existing loan book in (item 2) — the template, a file checked (or imported) at
once, every problem listed."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

from django.shortcuts import render

from fupin.accounts import access
from fupin.accounts.decorators import requires
from fupin.accounts.roles import ROLES
from fupin.cob.day import closed_through
from fupin.core.errors import NotFound, ValidationFailed
from fupin.core.origination import LADDER
from fupin.core.products import PRESETS
from fupin.divisions.models import Division, Institution
from fupin.divisions.selectors import institution_choices
from fupin.loans import book_import, lenders, services
from fupin.web.responses import act, attachment

MAX_UPLOAD = 60 * 1024 * 1024


@requires(book_import.ACTION)
def loan_book_template(request):
    return attachment(book_import.template_xlsx(), "存量贷款迁入模板.xlsx")


@requires(book_import.ACTION)
def loan_book_import(request):
    context: dict = {
        "institutions": institution_choices(request.user, book_import.ACTION),
        "closed": closed_through(),
    }
    if request.method != "POST":
        return render(request, "loans/book_import.html", context)
    upload = request.FILES.get("file")
    context["chosen"] = request.POST.get("institution", "")
    error = (
        "请选择要导入的 Excel 文件"
        if upload is None
        else "文件过大（上限 60 MB）"
        if upload.size > MAX_UPLOAD
        else ""
    )
    cutover = None
    if not error and not context["closed"]:
        try:
            cutover = dt.date.fromisoformat(request.POST.get("cutover", ""))
        except ValueError:
            error = "请填写迁移截至日（如 2026-11-30）"
    if error:
        return render(request, "loans/book_import.html", {**context, "error": error}, status=400)
    with tempfile.NamedTemporaryFile(suffix=".xlsx", prefix="fupin-loans-") as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
        tmp.flush()
        try:
            out = book_import.loans_import(
                acting_user=request.user,
                path=Path(tmp.name),
                institution=context["chosen"] or None,
                cutover=cutover,
                dry_run=request.POST.get("dry_run") == "1",
            )
        except (ValidationFailed, NotFound) as e:
            return render(request, "loans/book_import.html", {**context, "error": e.message}, status=400)
    context.update(out=out.as_dict(), file_name=upload.name)
    return render(request, "loans/book_import.html", context, status=422 if out.state == "failed" else 200)


def _percent(fraction: str) -> str:
    """ "0.0345" → "3.45" (a rate as the page shows it); "" stays ""."""
    return f"{(Decimal(fraction) * 100).normalize():f}" if fraction else ""


def _form_context(request, action: str) -> dict:
    counties = access.visible(request.user, Division.objects.filter(level=3), action).order_by("code")
    towns = access.visible(request.user, Division.objects.filter(level=4), action).order_by("code")
    return {
        "counties": list(counties),
        "towns": list(towns),
        "kinds": lenders.KINDS,
        "products": [(code, p.name) for code, p in PRESETS.items() if code != "custom"],
        "roles": [(r, ROLES[r].label) for r in LADDER],
    }


@requires("institution.register")
def lender_new(request):
    """登记贷款机构: a new lender of the county, its head office and the area it serves."""
    if request.method != "POST":
        return render(request, "loans/lender_new.html", _form_context(request, "institution.register"))
    f = request.POST
    county = f.get("county", "")

    def run():
        return lenders.institution_register(
            acting_user=request.user,
            code=f.get("code", ""),
            name=f.get("name", ""),
            short_name=f.get("short_name", ""),
            kind=f.get("kind", ""),
            county_code=county,
            coverage_codes=[county] if f.get("serves") == "county" else f.getlist("townships"),
            products=f.getlist("products"),
            own_core=f.get("own_core") == "1",
        )

    return act(
        request,
        run,
        lambda i: f"已登记{i.name}；其工作人员的账户由系统管理员按机构分配角色后即可办理业务",
        "lender_new",
        then=lambda i: ("lender_settings", {"pk": i.pk}),
    )


@requires("institution.manage")
def lender_settings(request, pk: int):
    """A lender's products and its own approval authority by amount (R-APP-3)."""
    institution = Institution.objects.filter(pk=pk).first()
    if institution is None or not access.may(
        request.user, "institution.manage", code=institution.county_id, institution=institution.pk
    ):
        raise NotFound("贷款机构不存在或不在您的权限内", code="institution_not_found")
    if request.method == "POST":
        f = request.POST
        rows = list(zip(f.getlist("low"), f.getlist("high"), f.getlist("role"), strict=False))
        return act(
            request,
            lambda: lenders.institution_configure(
                acting_user=request.user,
                institution=institution,
                products=f.getlist("products"),
                approval_bands=[] if f.get("bands") != "own" else rows,
                rates={code: f.get(f"rate_{code}", "") for code in PRESETS},
            ),
            "已保存：新的申请按此审批权限办理",
            "lender_settings",
            pk=pk,
        )
    bands = list(institution.approval_bands) or services.county_bands(institution.county_id)
    return render(
        request,
        "loans/lender_settings.html",
        {
            **_form_context(request, "institution.manage"),
            "institution": institution,
            "own_bands": bool(institution.approval_bands),
            "product_rates": [
                (code, p.name, _percent(institution.product_rates.get(code, "")))
                for code, p in PRESETS.items()
                if code != "custom"
            ],
            "bands": [*bands, *([["", "", ""]] * max(0, 4 - len(bands)))],
        },
    )

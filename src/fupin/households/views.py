"""Registry pages: the household list and search, the archive (一户一档), imports."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.db import close_old_connections
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.accounts import access
from fupin.core.eligibility import EXCLUSIONS
from fupin.core.errors import NotFound
from fupin.divisions.models import Branch, Division
from fupin.households import exports, importer, selectors, services
from fupin.households.models import ImportBatch, RegistryStatus
from fupin.prepared import Prepared, children
from fupin.web.decorators import requires
from fupin.web.responses import attachment

MAX_UPLOAD = 200 * 1024 * 1024


def _filters(request) -> dict[str, str]:
    status = request.GET.get("status", "")
    return {
        "q": request.GET.get("q", "").strip()[:40],
        "village": request.GET.get("village", "").strip()[:12],
        "status": status if status in RegistryStatus.values else "",
    }


@requires("household.view")
def household_list(request):
    f = _filters(request)
    qs = selectors.households_visible(request.user, **f)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    villages = access.visible(request.user, Division.objects.filter(level=5), "household.view").values_list("code", "name")
    query = urlencode({k: v for k, v in f.items() if v})
    return render(request, "households/list.html", {
        "page": page, "f": f, "villages": villages[:1000], "statuses": RegistryStatus.choices, "query": query,
        "may_import": access.may(request.user, "registry.import"),
        "may_reveal": access.may(request.user, "pii.reveal"),
    })


@requires("household.view")
def household_export(request):
    f = _filters(request)
    unmasked = request.GET.get("unmasked") == "1"
    qs = selectors.households_visible(request.user, **f)[:100_000]
    headers, rows = services.export_rows(acting_user=request.user, households=qs, unmasked=unmasked)
    return attachment(exports.households_xlsx(rows, headers), "农户名单.xlsx")


# the archive's sections, each compiled once (fupin.prepared): the archive is read on every visit
_APPLICATIONS = children("loans.Application", "household_id", "loan", order=("-id",), limit=20)
_CONSENTS = children("creditinfo.Consent", "household_id", limit=20)
_SUBSIDY_LINES = children("subsidies.Line", "household_id", "loan", order=("-end",), limit=50)
_CLAIMS = children("riskfund.Claim", "loan__household_id")
_INSTITUTIONS = Prepared(lambda: Branch.objects.filter(parent__isnull=True))


def _archive(request, pk: int) -> dict:
    """The archive's context: the registry part and the sections later capabilities fill."""
    from fupin.ratings import selectors as ratings

    ctx = selectors.household_archive(request.user, pk)
    hh = ctx["household"]
    hh.heads = [m for m in ctx["members"] if m.is_head]
    section = ratings.archive_rating(hh)
    ctx.update(section)
    ctx["eligibility"] = ratings.eligibility(hh, timezone.localdate(), section)
    ctx["may_reveal"] = access.may(request.user, "pii.reveal", hh)
    ctx["may_exclude"] = access.may(request.user, "exclusion.record", hh)
    ctx["may_publish_reputation"] = access.may(request.user, "reputation.publish", hh)
    ctx["applications"] = _APPLICATIONS(id=hh.pk)
    ctx["may_apply"] = access.may(request.user, "application.create", hh)
    ctx["exclusion_choices"] = [(k, f"{v[1]}（{v[0]}）") for k, v in EXCLUSIONS.items()]
    ctx["status_history"] = selectors.status_history(ctx["events"])
    ctx.update(_subsidy_and_fund(request.user, hh))
    ctx.update(_credit(request.user, hh))
    return ctx


def _credit(user, hh) -> dict:
    """The archive's credit-information section: consents and the forms (R-CRD-1, 2)."""
    from fupin.core.creditinfo import CATEGORIES

    may_consent = access.may(user, "credit.consent", hh)
    return {"credit_consents": _CONSENTS(id=hh.pk) if may_consent or access.may(user, "credit.view", hh) else [],
            "may_credit_report": access.may(user, "credit.view", hh) or access.may(user, "credit.query", hh),
            "may_consent": may_consent, "may_credit_record": access.may(user, "credit.record", hh),
            "institutions": _INSTITUTIONS() if may_consent else [],
            "credit_categories": CATEGORIES}


def _subsidy_and_fund(user, hh) -> dict:
    """The archive's section of subsidies, fund claims, the blacklist and legal actions."""
    from fupin.riskfund.models import LegalAction
    from fupin.riskfund.selectors import household_standing

    standing = household_standing(hh)
    return {"subsidy_lines": _SUBSIDY_LINES(id=hh.pk), "fund_claims": _CLAIMS(id=hh.pk),
            "standing": standing, "blacklisted": any(b.lifted_on is None for b in standing["blacklist"]),
            "may_blacklist": access.may(user, "blacklist.decide", hh), "may_legal": access.may(user, "legal.record", hh),
            "legal_kinds": LegalAction.Kind.choices}


@requires("household.view")
def household_detail(request, pk: int):
    return render(request, "households/archive.html", _archive(request, pk))


@require_POST
@requires("pii.reveal")
def household_reveal(request, pk: int):
    ctx = _archive(request, pk)
    shown = services.household_reveal(acting_user=request.user, household=ctx["household"])
    for m in ctx["members"]:
        m.id_shown = shown[m.pk]["id_number"]
        m.phone_shown = shown[m.pk]["phone"]
    ctx["bank_account_shown"] = shown.get(0, {}).get("bank_account", "")
    ctx["revealed"] = True
    return render(request, "households/archive.html", ctx)


@requires("registry.import")
def registry_template(request):
    return attachment(exports.template_xlsx(), "农户名单导入模板.xlsx")


def _run_import(batch_id: int, user_id: int, path: Path, name: str, dry_run: bool) -> None:
    from fupin.accounts.models import User

    try:
        batch = ImportBatch.objects.get(pk=batch_id)
        importer.registry_import(acting_user=User.objects.get(pk=user_id), path=path, file_name=name,
                                 dry_run=dry_run, batch=batch)  # on any error the batch is marked failed
    finally:
        path.unlink(missing_ok=True)


def _run_import_in_thread(*args) -> None:
    try:
        _run_import(*args)
    finally:
        close_old_connections()  # the thread's own connection


@requires("registry.import")
def registry_import(request):
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            return render(request, "households/import.html", {"error": "请选择要导入的 Excel 文件",
                                                              "batches": _recent(request)}, status=400)
        if upload.size > MAX_UPLOAD:
            return render(request, "households/import.html", {"error": "文件过大（上限 200 MB）",
                                                              "batches": _recent(request)}, status=400)
        dry_run = request.POST.get("dry_run") == "1"
        tmp = Path(tempfile.mkstemp(suffix=".xlsx", prefix="fupin-import-")[1])
        with tmp.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        batch = importer.batch_start(acting_user=request.user, file_name=upload.name, dry_run=dry_run)
        args = (batch.pk, request.user.pk, tmp, upload.name, dry_run)
        if getattr(settings, "FUPIN_IMPORT_IN_THREAD", True):
            threading.Thread(target=_run_import_in_thread, args=args, daemon=True).start()
        else:
            _run_import(*args)
        return redirect("registry_batch", pk=batch.pk)
    return render(request, "households/import.html", {"batches": _recent(request)})


def _recent(request):
    importer.batches_expire()
    return selectors.batches_visible(request.user)[:10]


def _batch(request, pk: int) -> ImportBatch:
    importer.batches_expire()
    batch = selectors.batches_visible(request.user).filter(pk=pk).first()
    if batch is None:
        raise NotFound("导入批次不存在或不在您的辖区内", code="batch_missing")
    return batch


@requires("registry.import")
def registry_batch(request, pk: int):
    batch = _batch(request, pk)
    template = "households/_batch.html" if request.htmx else "households/batch.html"
    return render(request, template, {"batch": batch, "problems": batch.problems[:500]})


@requires("registry.import")
def registry_batch_problems(request, pk: int):
    batch = _batch(request, pk)
    return attachment(exports.problems_xlsx(batch.file_name, batch.problems), f"导入错误报告-{batch.pk}.xlsx")



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

from fupin.accounts import access
from fupin.accounts.decorators import requires
from fupin.accounts.models import User
from fupin.core.errors import NotFound
from fupin.divisions.models import Division
from fupin.households import exports, importer, selectors, services
from fupin.households.models import ImportBatch, RegistryStatus
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
    villages = access.visible(request.user, Division.objects.filter(level=5), "household.view").values_list(
        "code", "name"
    )
    query = urlencode({k: v for k, v in f.items() if v})
    return render(
        request,
        "households/list.html",
        {
            "page": page,
            "f": f,
            "villages": villages[:1000],
            "statuses": RegistryStatus.choices,
            "query": query,
            "may_import": access.may(request.user, "registry.import"),
            "may_reveal": access.may(request.user, "pii.reveal"),
        },
    )


@requires("household.view")
def household_export(request):
    f = _filters(request)
    unmasked = request.GET.get("unmasked") == "1"
    qs = selectors.households_visible(request.user, **f)[:100_000]
    headers, rows = services.export_rows(acting_user=request.user, households=qs, unmasked=unmasked)
    return attachment(exports.households_xlsx(rows, headers), "农户名单.xlsx")


@requires("registry.import")
def registry_template(request):
    return attachment(exports.template_xlsx(), "农户名单导入模板.xlsx")


def _run_import(batch_id: int, user_id: int, path: Path, name: str, dry_run: bool) -> None:
    try:
        batch = ImportBatch.objects.get(pk=batch_id)
        importer.registry_import(
            acting_user=User.objects.get(pk=user_id), path=path, file_name=name, dry_run=dry_run, batch=batch
        )  # on any error the batch is marked failed
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
            return render(
                request,
                "households/import.html",
                {"error": "请选择要导入的 Excel 文件", "batches": _recent(request)},
                status=400,
            )
        if upload.size > MAX_UPLOAD:
            return render(
                request,
                "households/import.html",
                {"error": "文件过大（上限 200 MB）", "batches": _recent(request)},
                status=400,
            )
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

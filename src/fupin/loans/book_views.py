"""The page of bringing a lender's existing loan book in (issue 25 (2)): the template, a file
checked (or imported) at once, every problem listed."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.shortcuts import render

from fupin.accounts.decorators import requires
from fupin.cob.day import closed_through
from fupin.core.errors import NotFound, ValidationFailed
from fupin.divisions.selectors import institution_choices
from fupin.loans import book_import
from fupin.web.responses import attachment

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

"""Pages of the banks' monthly data (issue 25 (3)): the months in the reader's jurisdiction with the
upload of a month's files, and each month's summary, corrections and reconciliation worklist."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.shortcuts import render

from fupin.accounts import access
from fupin.accounts.decorators import requires
from fupin.core.errors import NotFound, ValidationFailed
from fupin.core.money import fmt
from fupin.divisions.selectors import institution_choices
from fupin.feeds import selectors, services
from fupin.households.exports import workbook
from fupin.web.responses import attachment

MAX_UPLOAD = 30 * 1024 * 1024


def _saved(upload, into: Path) -> Path | None:
    if upload is None:
        return None
    path = into / Path(upload.name).name
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


@requires(selectors.VIEW)
def feed_list(request):
    context: dict = {
        "feeds": selectors.feeds_visible(request.user)[:120],
        "may_import": access.may(request.user, services.ACTION),
    }
    if context["may_import"]:
        context["institutions"] = institution_choices(request.user, services.ACTION)
    if request.method != "POST" or not context["may_import"]:
        return render(request, "feeds/list.html", context)
    loans, repaid = request.FILES.get("loans"), request.FILES.get("repayments")
    error = "请选择借据文件" if loans is None else ""
    if any(f is not None and f.size > MAX_UPLOAD for f in (loans, repaid)):
        error = "文件过大（上限 30 MB）"
    if not error:
        with tempfile.TemporaryDirectory() as tmp:
            a, b = Path(tmp) / "a", Path(tmp) / "b"
            a.mkdir(), b.mkdir()
            try:
                out = services.feed_import(
                    acting_user=request.user,
                    institution=request.POST.get("institution") or None,
                    month=services.month_of(request.POST.get("month", "")),
                    loans_path=_saved(loans, a),
                    loans_name=loans.name,
                    repayments_path=_saved(repaid, b),
                    repayments_name=repaid.name if repaid else "",
                    dry_run=request.POST.get("dry_run") == "1",
                )
            except (ValidationFailed, NotFound) as e:
                error = e.message
            else:
                context["out"] = out.as_dict()
    if error:
        return render(request, "feeds/list.html", {**context, "error": error}, status=400)
    status = 422 if context["out"]["state"] == "failed" else 200
    return render(request, "feeds/list.html", context, status=status)


@requires(selectors.VIEW)
def feed_detail(request, pk: int):
    feed = selectors.feed_get(request.user, pk)
    items = selectors.worklist(feed)
    return render(
        request,
        "feeds/detail.html",
        {"feed": feed, "items": items, "by_kind": _count(items), "diff": feed.diff},
    )


@requires(selectors.VIEW)
def feed_worklist_xlsx(request, pk: int):
    feed = selectors.feed_get(request.user, pk)
    buf, wb = workbook()
    title = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1})
    ws = wb.add_worksheet("核对清单")
    ws.write_string(
        0, 0, f"{feed.institution.name} {feed.month:%Y年%m月} 借据核对清单（第 {feed.version} 版）", title
    )
    headers = ["问题类型", "借据号", "借款人", "身份证号", "行政村", "说明", "涉及金额（元）"]
    widths = [22, 18, 10, 20, 14, 60, 14]
    for i, (h, w) in enumerate(zip(headers, widths, strict=True)):
        ws.write_string(2, i, h, head)
        ws.set_column(i, i, w)
    for r, i in enumerate(selectors.worklist(feed), start=3):
        values = [i["kind_label"], i["contract_no"], i["name"], i["id_masked"], i["village"], i["message"]]
        for c, v in enumerate(values):
            ws.write_string(r, c, v)
        ws.write_number(r, 6, float(fmt(i["amount"])))
    ws.freeze_panes(3, 0)
    wb.close()
    return attachment(buf.getvalue(), f"借据核对清单-{feed.institution.code}-{feed.month:%Y%m}.xlsx")


def _count(items: list[dict]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for i in items:
        counts[i["kind_label"]] = counts.get(i["kind_label"], 0) + 1
    return sorted(counts.items(), key=lambda kv: -kv[1])

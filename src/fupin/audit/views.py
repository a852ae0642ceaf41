"""The auditor's page: the audit log, filtered, within the auditor's jurisdiction."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.shortcuts import render

from fupin.accounts.decorators import requires
from fupin.audit import labels
from fupin.audit.selectors import audit_entries


def _parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@requires("audit.view")
def audit_list(request):
    filters = {
        "actor": request.GET.get("actor", "").strip()[:150] or None,
        "action": request.GET.get("action", "").strip()[:64] or None,
        "object_type": request.GET.get("object_type", "").strip()[:64] or None,
        "object_id": request.GET.get("object_id", "").strip()[:64] or None,
        "date_from": _parse_date(request.GET.get("date_from")),
        "date_to": _parse_date(request.GET.get("date_to")),
    }
    page = Paginator(audit_entries(request.user, **filters), 50).get_page(request.GET.get("page"))
    for e in page:  # in Chinese, the codes beside them (issue 27 (2))
        e.action_label = labels.action_label(e.action)
        e.object_label = labels.object_label(e.object_type)
        e.before_shown = labels.changes(e.object_type, e.before)
        e.after_shown = labels.changes(e.object_type, e.after)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/audit.html", {"page": page, "filters": filters, "query": query.urlencode()})

"""Reading the audit log, scoped to the reader's jurisdiction."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from fupin.accounts import access
from fupin.audit.models import AuditEntry


def audit_entries(
    reader,
    *,
    actor: str | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """Entries the reader may see. Entries without a division (global changes such as a new
    user) are visible to readers whose grant covers everything or to a sysadmin/auditor
    with a county-or-wider jurisdiction; entries with a division follow the usual prefix rule."""
    access.require(reader, "audit.view")
    scope = access.scope_q(reader, "audit.view", "division_code")
    wide = any(
        g.everywhere or any(len(p) <= 6 for p in g.prefixes)
        for g in access.grants(reader)
        if g.role in ("auditor", "sysadmin")
    )
    if wide:
        scope |= Q(division_code="")
    qs = AuditEntry.objects.filter(scope).select_related("actor")
    if actor:
        qs = qs.filter(Q(actor__username=actor) | Q(actor_name=actor))
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs.order_by("-at", "-id")

"""Writing audit entries. Every service that changes data calls :func:`audit_record`
inside its own ``transaction.atomic`` block, so the entry and the change commit together."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models, transaction

from fupin import compiled
from fupin.audit.context import current_ip
from fupin.audit.models import AuditEntry
from fupin.webhooks import outbox


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The values of ``fields`` of ``instance``, ready to store as before/after state."""
    return {f: _jsonable(getattr(instance, f)) for f in fields}


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    division_code: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record one change. Must run inside the transaction that makes the change; the change's
    webhook event, if it is one, is queued in the same transaction (:mod:`fupin.webhooks.outbox`)."""
    entry = _entry(actor, action, obj, object_type, object_id, division_code, before, after)
    compiled.insert([entry])
    outbox.from_audit(entry, obj)
    return entry


def audit_many(*, actor, action: str, rows: list[tuple[models.Model, str, dict | None, dict | None]]) -> None:
    """Record many changes of one kind at once (the nightly batch): (object, division,
    before, after) each. Must run inside the transaction that makes them."""
    AuditEntry.objects.bulk_create(
        [
            _entry(actor, action, obj, "", "", division, before, after)
            for obj, division, before, after in rows
        ],
        batch_size=2000,
    )


def _entry(actor, action, obj, object_type, object_id, division_code, before, after) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside transaction.atomic")
    actor_obj = actor if actor is not None and getattr(actor, "pk", None) else None
    return AuditEntry(
        actor=actor_obj,
        actor_name=(actor_obj.get_full_name() or actor_obj.username) if actor_obj else "系统",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=str(obj)[:200] if obj is not None else "",
        division_code=division_code,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        ip=current_ip(),
    )

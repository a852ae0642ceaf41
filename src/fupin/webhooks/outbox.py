"""Queueing events for the subscriptions that want them, in the caller's transaction.

:func:`from_audit` turns the audit entries of the changes integrators ask about into events
(the audit log already records every change, with its division, inside the change's own
transaction); :func:`enqueue` is for the events no single audit entry tells of (a loan's days past
due crossing a class floor in the nightly batch). The active subscriptions are read once a minute
per process (:data:`FRESH_FOR`), and at once after a change made in this process.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from django.db import models
from django.utils import timezone

from fupin.core.divisions import institution_of
from fupin.webhooks.models import Outbox, Subscription

# audit action -> event (an application's every step is "application.*")
ACTIONS = {
    "loan.disburse": "loan.disbursed",
    "repayment.post": "repayment.posted",
    "cob.finish": "cob.finished",
    "subsidy.pay": "subsidy_batch.paid",
    "fundclaim.pay": "fund_claim.paid",
}
# events of the whole system, for every subscriber whatever its division and lender
COUNTY_WIDE = frozenset({"cob.finished"})
FRESH_FOR = 60.0  # seconds a process trusts its list of subscriptions
_cache: dict[str, Any] = {"at": -FRESH_FOR, "subs": []}


def forget() -> None:
    """Read the subscriptions again at the next event (after one is made or ended)."""
    _cache["at"] = -FRESH_FOR


def _subscriptions() -> list[tuple[int, str, int | None, frozenset[str]]]:
    now = time.monotonic()
    if now - _cache["at"] > FRESH_FOR:
        _cache["subs"] = [
            (s.pk, s.prefix, s.institution_id, frozenset(s.events))
            for s in Subscription.objects.filter(active=True).only("prefix", "institution", "events")
        ]
        _cache["at"] = now
    return _cache["subs"]


def wanted(event: str) -> bool:
    """Whether any active subscription takes ``event`` (the nightly batch asks before it looks)."""
    return any(event in events for _, _, _, events in _subscriptions())


def event_of(action: str) -> str | None:
    if action.startswith("application."):
        return "application.stepped"
    return ACTIONS.get(action)


def from_audit(entry, obj: models.Model | None) -> None:
    """Queue the event an audit entry tells of, if it is one and anyone subscribed to it."""
    event = event_of(entry.action)
    if event is None or not wanted(event):  # most changes: no event, or nobody listening
        return
    data = {
        "object": {"type": entry.object_type, "id": entry.object_id, "text": entry.object_repr},
        "action": entry.action,
        "actor": entry.actor_name,
        "changes": entry.after or {},
    }
    enqueue(
        event,
        f"audit:{entry.action}:{entry.object_type}:{entry.object_id}:{uuid.uuid4().hex[:12]}",
        entry.division_code,
        institution_of(obj),
        data,
    )


def enqueue(event: str, key: str, division_code: str, institution: int | None, data: dict) -> int:
    """Queue ``event`` for every active subscription whose events, division and lender take it;
    ``key`` makes it once per subscription (the same key again is ignored). Returns how many."""
    everyone = event in COUNTY_WIDE
    subs = [
        pk
        for pk, prefix, lender, events in _subscriptions()
        if event in events
        and (everyone or (division_code.startswith(prefix) and (lender is None or lender == institution)))
    ]
    if not subs:
        return 0
    now = timezone.now()
    payload = {
        "event": event,
        "occurred_at": now.isoformat(),
        "division": division_code,
        "institution_id": institution,
        "data": data,
    }
    Outbox.objects.bulk_create(
        [
            Outbox(subscription_id=pk, event=event, key=key[:100], payload=payload, next_attempt_at=now)
            for pk in subs
        ],
        ignore_conflicts=True,
    )
    return len(subs)

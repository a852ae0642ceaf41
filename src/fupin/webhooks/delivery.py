"""Sending what the outbox holds: signed, logged, retried with backoff.

Each event is POSTed as JSON with

* ``X-Fupin-Event`` — the event (``loan.disbursed`` …),
* ``X-Fupin-Delivery`` — the outbox id (the same on every retry: a receiver drops repeats by it),
* ``X-Fupin-Timestamp`` — Unix seconds of this try,
* ``X-Fupin-Signature`` — ``sha256=`` + HMAC-SHA256 of ``{timestamp}.{body}`` under the
  subscription's secret (:func:`signature`), so a receiver knows it came from Fupin, unaltered,
  and recently.

A 2xx answer delivers it; anything else — another status, a timeout, a refused connection — is
tried again after :data:`BACKOFF` (1 minute, 5, 30, 2 hours, 6, 12, 24), then given up and shown
as failed. Rows are claimed with a lease before sending, so two deliverers never send one twice
and a deliverer that dies leaves them to the next after :data:`LEASE`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from fupin.webhooks.models import Attempt, Outbox

BACKOFF = [dt.timedelta(minutes=m) for m in (1, 5, 30, 120, 360, 720, 1440)]
LEASE = dt.timedelta(minutes=2)
TIMEOUT = 10  # seconds a receiver has to answer


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


@dataclass
class Sent:
    status: int | None
    ms: int
    error: str


def _post(url: str, secret: str, event: str, delivery: int, payload: dict) -> Sent:
    body = json.dumps({"id": delivery, **payload}, ensure_ascii=False, separators=(",", ":")).encode()
    ts = int(time.time())
    req = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Fupin-Webhooks/1",
            "X-Fupin-Event": event,
            "X-Fupin-Delivery": str(delivery),
            "X-Fupin-Timestamp": str(ts),
            "X-Fupin-Signature": signature(secret, ts, body),
        },
    )
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
            status, error = r.status, ""
    except urllib.error.HTTPError as e:
        status, error = e.code, f"接收方返回 {e.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        reason = getattr(e, "reason", e)
        status, error = None, f"无法送达：{reason}"[:200]
    return Sent(status, int((time.perf_counter() - start) * 1000), error)


def _claim(limit: int, only: int | None) -> list[Outbox]:
    now = timezone.now()
    with transaction.atomic():
        due = Outbox.objects.filter(state=Outbox.State.PENDING, next_attempt_at__lte=now)
        if only is not None:
            due = due.filter(pk=only)
        rows = list(due.select_related("subscription").order_by("next_attempt_at", "id")[:limit])
        # the lease: nobody else takes these until it runs out
        Outbox.objects.filter(pk__in=[r.pk for r in rows], next_attempt_at__lte=now).update(
            next_attempt_at=now + LEASE
        )
    return rows


def deliver_due(limit: int = 200, only: int | None = None) -> dict[str, int]:
    """Send every event that is due (at most ``limit``); returns how many were delivered, will be
    retried, and were given up."""
    done = {"delivered": 0, "retry": 0, "failed": 0}
    for row in _claim(limit, only):
        sub = row.subscription
        if not sub.active:  # ended after another process queued it (it reads subscriptions once a minute)
            Outbox.objects.filter(pk=row.pk).update(state=Outbox.State.FAILED)
            done["failed"] += 1
            continue
        sent = _post(sub.url, sub.secret, row.event, row.pk, row.payload)
        now = timezone.now()
        with transaction.atomic():
            Attempt.objects.create(outbox=row, at=now, status=sent.status, ms=sent.ms, error=sent.error)
            row.attempts += 1
            if sent.status is not None and 200 <= sent.status < 300:
                row.state, row.delivered_at = Outbox.State.DELIVERED, now
                done["delivered"] += 1
            elif row.attempts > len(BACKOFF):
                row.state = Outbox.State.FAILED
                done["failed"] += 1
            else:
                row.next_attempt_at = now + BACKOFF[row.attempts - 1]
                done["retry"] += 1
            row.save(update_fields=["attempts", "state", "delivered_at", "next_attempt_at"])
    return done

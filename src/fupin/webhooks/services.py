"""Subscriptions: made, ended and tested by the county's administrators, or by a bank's head
office for its own lender's events (issue 26 (6))."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from fupin.accounts import access
from fupin.audit.services import audit_record
from fupin.core.errors import Conflict, NotFound, ValidationFailed
from fupin.divisions.models import Division, Institution
from fupin.webhooks import delivery, outbox
from fupin.webhooks.models import EVENTS, Attempt, Outbox, Subscription


def subscriptions_visible(reader) -> QuerySet[Subscription]:
    access.require(reader, "webhook.manage")
    return access.visible(reader, Subscription.objects.select_related("institution"), "webhook.manage")


def subscription_get(reader, pk: int) -> Subscription:
    found = subscriptions_visible(reader).filter(pk=pk).first()
    if found is None:
        access.require(reader, "webhook.manage")
        raise NotFound("订阅不存在或不在您的权限内", code="not_found")
    return found


def subscription_create(
    *,
    acting_user,
    name: str,
    url: str,
    events: list[str],
    division_code: str,
    institution: Institution | None,
) -> tuple[Subscription, str]:
    """A subscription and its signing secret (shown this once). A bank's head office always
    subscribes to its own lender's events only."""
    access.require(acting_user, "webhook.manage")
    unknown = sorted(set(events) - set(EVENTS))
    if unknown or not events:
        raise ValidationFailed(
            f"未知的事件：{'、'.join(unknown)}" if unknown else "至少订阅一个事件",
            code="bad_events",
            details=[{"field": "events", "allowed": sorted(EVENTS)}],
        )
    if not url.startswith(("https://", "http://")):
        raise ValidationFailed("接收地址应以 https:// 开头", code="bad_url")
    division = access.get_visible(acting_user, Division, "webhook.manage", code=division_code)
    single, own = access.scope_lender(acting_user, "webhook.manage")
    if own is not None:
        if institution is not None and institution.pk != own:
            raise Conflict("只能订阅本机构的事件", code="wrong_institution")
        institution = Institution.objects.get(pk=own)
    secret = "whsec_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        sub = Subscription.objects.create(
            name=name.strip()[:64],
            url=url,
            secret=secret,
            events=sorted(set(events)),
            division_code=division.code,
            prefix=division.prefix,
            institution=institution,
            created_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action="webhook.create",
            obj=sub,
            division_code=division.code,
            after={
                "url": url,
                "events": sub.events,
                "institution": institution.code if institution else None,
            },
        )
    outbox.forget()
    return sub, secret


def subscription_end(*, acting_user, subscription: Subscription) -> Subscription:
    """No more events; what is queued is not sent (the log stays)."""
    if not subscription.active:
        raise Conflict("该订阅已停用", code="already_ended")
    with transaction.atomic():
        subscription.active = False
        subscription.save(update_fields=["active"])
        Outbox.objects.filter(subscription=subscription, state=Outbox.State.PENDING).update(
            state=Outbox.State.FAILED
        )
        audit_record(
            actor=acting_user,
            action="webhook.end",
            obj=subscription,
            division_code=subscription.division_code,
        )
    outbox.forget()
    return subscription


def subscription_test(*, acting_user, subscription: Subscription) -> Attempt:
    """Send a ``ping`` now and answer what the receiver said (it is logged like any delivery)."""
    if not subscription.active:
        raise Conflict("该订阅已停用", code="already_ended")
    with transaction.atomic():
        row = Outbox.objects.create(
            subscription=subscription,
            event="ping",
            key=f"ping:{secrets.token_hex(8)}",
            payload={
                "event": "ping",
                "occurred_at": timezone.now().isoformat(),
                "division": subscription.division_code,
                "institution_id": subscription.institution_id,
                "data": {
                    "subscription": subscription.pk,
                    "by": acting_user.get_full_name() or acting_user.username,
                },
            },
            next_attempt_at=timezone.now(),
        )
        audit_record(
            actor=acting_user,
            action="webhook.test",
            obj=subscription,
            division_code=subscription.division_code,
        )
    delivery.deliver_due(only=row.pk)
    return Attempt.objects.filter(outbox=row).order_by("-id").first()  # type: ignore[return-value]


def deliveries(subscription: Subscription, limit: int = 100) -> list[Outbox]:
    """The newest events of a subscription with their tries (the delivery log)."""
    rows = list(Outbox.objects.filter(subscription=subscription).order_by("-id")[:limit])
    tries: dict[int, list[Attempt]] = {}
    for a in Attempt.objects.filter(outbox__in=rows).order_by("at", "id"):
        tries.setdefault(a.outbox_id, []).append(a)
    for r in rows:
        r.tries_shown = tries.get(r.pk, [])  # type: ignore[attr-defined]
    return rows

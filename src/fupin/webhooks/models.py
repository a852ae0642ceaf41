"""Webhooks (issue 26 (6)): subscriptions, a durable outbox and the delivery log.

An event is written to the outbox in the transaction that makes the change it tells of (the
audit entry's, :mod:`fupin.webhooks.outbox`), so a change that rolls back sends nothing and a
change that commits is sent even if the process dies right after; a deliverer sends what is due,
retrying with backoff (:mod:`fupin.webhooks.delivery`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

EVENTS = {
    "application.stepped": "贷款申请办理了一步（提交、审查、公示、审批、否决……）",
    "loan.disbursed": "贷款已发放",
    "repayment.posted": "收到一笔还款",
    "loan.overdue": "贷款开始逾期（日终）",
    "loan.reclassified": "贷款五级分类下迁（日终：次级、可疑、损失）",
    "cob.finished": "日终批处理完成",
    "subsidy_batch.paid": "贴息资金已拨付",
    "fund_claim.paid": "风险补偿金代偿已支付",
}


class Subscription(models.Model):
    name = models.CharField("名称", max_length=64)
    url = models.URLField("接收地址", max_length=500)
    secret = models.CharField("签名密钥", max_length=64)  # HMAC-SHA256 key, shown once
    events = models.JSONField("订阅的事件", default=list)
    division_code = models.CharField("区划范围", max_length=12)
    prefix = models.CharField(max_length=12)  # the division's code prefix: events of divisions under it
    institution = models.ForeignKey(
        "divisions.Institution", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # only this lender's events (a bank's subscriptions always)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_FIELD = "division_code"
    INSTITUTION_FIELD = "institution"

    class Meta:
        verbose_name = "事件订阅"
        verbose_name_plural = "事件订阅"

    def __str__(self) -> str:
        return self.name


class Outbox(models.Model):
    """One event for one subscription, until delivered or given up."""

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        DELIVERED = "delivered", "已送达"
        FAILED = "failed", "多次失败，已放弃"

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="outbox")
    event = models.CharField(max_length=40)
    key = models.CharField(max_length=100)  # the same event is queued once (a batch run again)
    payload = models.JSONField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subscription", "key"], name="outbox_event_once")]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk}"


class Attempt(models.Model):
    """The delivery log: every try, with what the receiver answered."""

    outbox = models.ForeignKey(Outbox, on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField()
    status = models.PositiveSmallIntegerField(null=True, blank=True)  # HTTP status; None: no answer
    ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status or self.error}"

"""Text messages (issue 26 (7)): every message composed is logged here, sent or not, and a phone
number can opt out."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from fupin.sms.templates import TEMPLATES


class Message(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"
        OPTED_OUT = "opted_out", "已退订，未发送"
        NO_PHONE = "no_phone", "没有手机号，未发送"

    kind = models.CharField("类别", max_length=24)
    key = models.CharField(max_length=100, unique=True)  # one message per loan and due date, …
    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    village_code = models.CharField(max_length=12, db_index=True)  # the recipient's division
    name = models.CharField("收信人", max_length=64)
    phone_cipher = models.BinaryField(null=True, blank=True)
    phone_masked = models.CharField("手机号", max_length=20, blank=True)
    params = models.JSONField(default=dict)
    text = models.CharField("内容", max_length=400)
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    send_after = models.DateTimeField()  # after the quiet hours
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_ref = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=200, blank=True)

    SCOPE_FIELD = "village_code"

    class Meta:
        indexes = [models.Index(fields=["state", "send_after"])]
        verbose_name = "短信"
        verbose_name_plural = "短信"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.name}"

    def get_kind_display(self) -> str:
        return TEMPLATES[self.kind][0] if self.kind in TEMPLATES else self.kind


class OptOut(models.Model):
    """A phone number that receives no more notices (one-time sign-in codes still reach it)."""

    phone_index = models.CharField(max_length=32, unique=True)
    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = "短信退订"
        verbose_name_plural = "短信退订"

    def __str__(self) -> str:
        return f"退订 #{self.pk}"

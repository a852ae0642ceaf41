"""Household self-service (DOMAIN §14): a household signs in with an ID number of one of its
members and a one-time code sent to the phone on record; its login is bound to the household."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class HouseholdLogin(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="household_login"
    )
    household = models.ForeignKey("households.Household", on_delete=models.PROTECT, related_name="logins")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user_id} → {self.household_id}"


class OneTimeCode(models.Model):
    """A code sent once; only its keyed hash is kept. Five wrong tries spend it."""

    id_index = models.CharField(max_length=32, db_index=True)
    household = models.ForeignKey("households.Household", on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    sent_to = models.CharField("发送至", max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"验证码 → {self.sent_to}"

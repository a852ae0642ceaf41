"""Officer pay rules as configuration in force from a date (R-PAY-4). The pay sheet itself is
computed from the loans and repayments of the month (:mod:`fupin.pay.selectors`)."""

from __future__ import annotations

from django.db import models

from fupin.accounts.models import user_field
from fupin.core import officer_pay as core


class PayRules(models.Model):
    valid_from = models.DateField("生效日期", unique=True)
    values = models.JSONField("规则")
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = user_field(null=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"绩效规则 {self.valid_from}"

    def to_domain(self) -> core.Rules:
        return core.rules_from(self.values)

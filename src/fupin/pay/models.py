"""Officer pay rules as configuration in force from a date (R-PAY-4). The pay sheet itself is
computed from the loans and repayments of the month (:mod:`fupin.pay.selectors`)."""

from __future__ import annotations

from django.db import models

from fupin.accounts.models import user_field
from fupin.core import officer_pay as core
from fupin.divisions.models import institution_field


class PayRules(models.Model):
    """A version of the rules, in force from ``valid_from``: one institution's (issue 25: each
    lender pays its own officers), or, with no institution, every lender's that has none of its own."""

    valid_from = models.DateField("生效日期")
    institution = institution_field(null=True)
    values = models.JSONField("规则")
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = user_field(null=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["valid_from", "institution"], name="pay_rules_once_a_day"),
            models.UniqueConstraint(
                fields=["valid_from"], condition=models.Q(institution=None), name="pay_rules_once_for_all"
            ),
        ]

    def __str__(self) -> str:
        return f"绩效规则 {self.valid_from}"

    def to_domain(self) -> core.Rules:
        return core.rules_from(self.values)

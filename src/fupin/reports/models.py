"""Dashboard snapshots: the indicators of a division and period as of one close of business,
computed once (by the first reader or by ``fupin report indicators`` after the nightly batch) and
read by every page view until the next close — a million-loan county's dashboard opens in a
fraction of a second instead of recomputing every distribution on each view."""

from __future__ import annotations

from django.db import models

from fupin.divisions.models import institution_field


class Snapshot(models.Model):
    division_code = models.CharField("区划", max_length=12)
    institution = institution_field(null=True)  # one lender's figures (issue 25); None: every lender's
    period = models.CharField("报告期", max_length=7)
    closed = models.DateField("日终日期")
    data = models.JSONField("数据")
    seconds = models.FloatField("计算用时（秒）")
    computed_at = models.DateTimeField(auto_now_add=True)

    SCOPE_FIELD = "division_code"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["division_code", "period", "closed", "institution"], name="snapshot_once"
            ),
            models.UniqueConstraint(
                fields=["division_code", "period", "closed"],
                condition=models.Q(institution=None),
                name="snapshot_once_for_all",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.division_code} {self.period} @ {self.closed}"

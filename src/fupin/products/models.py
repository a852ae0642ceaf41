"""What the products keep in the database: the days of China's holiday arrangement an
administrator entered (R-PRD-2) for years the calendar package does not know yet."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CalendarDay(models.Model):
    """A day off (放假) or an adjusted working day (调休上班) of the State Council's arrangement."""

    date = models.DateField("日期", unique=True)
    working = models.BooleanField("调休上班")  # False: a day off
    name = models.CharField("名称", max_length=40)  # 春节, 国庆节调休 …
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}（{'上班' if self.working else '放假'}）"

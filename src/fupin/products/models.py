"""What the products keep in the database: the days of China's holiday arrangement an
administrator entered (R-PRD-2) for years the calendar package does not know yet, and the
benchmark rates (LPR) with their history."""

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


class BenchmarkRate(models.Model):
    """贷款市场报价利率 (LPR) as published, in force from ``effective`` until the next one: a loan
    takes the one in force on its contract date (P-SUBSIDY, P-ANNUAL, P-LEAD; the subsidy's
    benchmark test, R-SUB-2)."""

    effective = models.DateField("起始日期", unique=True)
    one_year = models.DecimalField("一年期 LPR", max_digits=6, decimal_places=4)
    five_year = models.DecimalField("五年期以上 LPR", max_digits=6, decimal_places=4)
    note = models.CharField("依据", max_length=100, blank=True)  # 全国银行间同业拆借中心公告
    entered_by = models.ForeignKey(  # None: brought with the system
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="录入人",
    )
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "贷款市场报价利率"
        verbose_name_plural = "贷款市场报价利率"
        ordering = ["-effective"]

    def __str__(self) -> str:
        return f"{self.effective} 一年期 {self.one_year_percent}% 五年期以上 {self.five_year_percent}%"

    @property
    def one_year_percent(self) -> str:
        return f"{self.one_year * 100:.2f}"

    @property
    def five_year_percent(self) -> str:
        return f"{self.five_year * 100:.2f}"

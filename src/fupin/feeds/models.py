"""The monthly data of the banks that keep their own core system (issue 25 (3)): for each bank and
month the latest version of its 借据 file (a loan a row, as it stood at the month-end) and its
repayments of the month. A corrected file replaces the month's rows; the feed keeps what the
correction changed."""

from __future__ import annotations

from django.db import models

from fupin.accounts.models import user_field
from fupin.core import feeds as core
from fupin.divisions.models import institution_field


class Feed(models.Model):
    institution = institution_field(null=False)
    month = models.DateField("月份")  # its first day
    division_code = models.CharField("所在县", max_length=12)  # the institution's county (scope)
    version = models.PositiveIntegerField("版本", default=1)
    loans_file = models.CharField("借据文件", max_length=200)
    repayments_file = models.CharField("还款文件", max_length=200, blank=True)
    digest = models.CharField("数据摘要", max_length=64)  # SHA-256 of what both files say: a re-import
    imported_by = user_field()
    imported_at = models.DateTimeField("导入时间", auto_now=True)
    summary = models.JSONField("汇总", default=dict)
    diff = models.JSONField("本版改动", default=dict)  # added, removed, changed contracts

    SCOPE_FIELD = "division_code"
    INSTITUTION_FIELD = "institution"
    INSTITUTION_ATTR = "institution_id"

    class Meta:
        verbose_name = "银行月度数据"
        ordering = ["-month", "institution_id"]
        constraints = [models.UniqueConstraint(fields=["institution", "month"], name="feed_month_unique")]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.month:%Y-%m}"


class FeedLoan(models.Model):
    """A loan as the bank's 借据 file states it at the month-end; amounts in fen."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="loans")
    contract_no = models.CharField("借据号", max_length=40)
    name = models.CharField("借款人姓名", max_length=64)
    id_index = models.CharField("证件号码索引", max_length=32, db_index=True)
    id_masked = models.CharField("身份证号", max_length=18)
    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    village_code = models.CharField("行政村", max_length=12, blank=True)  # the household's; "" if none
    product = models.CharField("贷款品种", max_length=40, blank=True)
    start = models.DateField("发放日期")
    maturity = models.DateField("到期日期")
    amount = models.BigIntegerField("发放金额（分）")
    rate = models.DecimalField("执行年利率（%）", max_digits=9, decimal_places=4, null=True, blank=True)
    balance = models.BigIntegerField("贷款余额（分）")
    overdue_principal = models.BigIntegerField("逾期本金（分）", default=0)
    overdue_interest = models.BigIntegerField("欠息（分）", default=0)
    status = models.CharField("贷款状态", max_length=12, choices=list(core.STATUS_LABELS.items()))
    days_overdue = models.PositiveIntegerField("逾期天数", default=0)
    purpose = models.CharField("贷款用途", max_length=20, blank=True)  # "": the file names none
    interest_paid = models.BigIntegerField("累计已还利息（分）", null=True, blank=True)  # None: not stated

    SCOPE_FIELD = "village_code"
    INSTITUTION_FIELD = "feed__institution"
    INSTITUTION_ATTR = "feed__institution_id"

    class Meta:
        ordering = ["feed_id", "contract_no"]
        constraints = [models.UniqueConstraint(fields=["feed", "contract_no"], name="feed_loan_unique")]

    def __str__(self) -> str:
        return self.contract_no

    def to_domain(self) -> core.FeedLoan:
        """The loan as :mod:`fupin.core.feeds` reads one from a file (no row, no ID number)."""
        return core.FeedLoan(
            0,
            self.contract_no,
            self.name,
            "",
            self.product,
            self.start,
            self.maturity,
            self.amount,
            self.rate,
            self.balance,
            self.overdue_principal,
            self.overdue_interest,
            self.status,
            self.days_overdue,
            self.purpose,
            self.interest_paid,
        )


class FeedRepayment(models.Model):
    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="repayments")
    contract_no = models.CharField("借据号", max_length=40)
    village_code = models.CharField("行政村", max_length=12, blank=True)  # its loan's, "" if none
    paid_on = models.DateField("还款日期")
    principal = models.BigIntegerField("还款本金（分）")
    interest = models.BigIntegerField("还款利息（分）", default=0)
    penalty = models.BigIntegerField("罚息（分）", default=0)
    subsidy = models.BigIntegerField("贴息扣减（分）", default=0)  # S-HALF: left to the county

    class Meta:
        ordering = ["feed_id", "paid_on", "id"]

    def __str__(self) -> str:
        return f"{self.contract_no} {self.paid_on}"

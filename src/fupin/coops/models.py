"""Village mutual-aid cooperatives (R-COOP-1): capital, members, loans and repayments. Every
amount is on the ledger in the cooperatives' own book (``book="coop"``; the entry's division is
the village, one cooperative per village), apart from the bank's."""

from __future__ import annotations

from django.db import models

from fupin.accounts.models import user_field
from fupin.core import coop as core

BOOK = "coop"


class Cooperative(models.Model):
    village_code = models.CharField("村", max_length=12, unique=True)
    name = models.CharField("名称", max_length=80)
    founded_on = models.DateField("成立日期")
    max_amount = models.BigIntegerField("单笔借款上限（分）")
    max_term = models.PositiveSmallIntegerField("最长期限（月）")
    fee_rate = models.DecimalField("资金占用费年率", max_digits=7, decimal_places=4)
    created_by = user_field(null=False)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_FIELD = "village_code"

    class Meta:
        ordering = ["village_code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_amount__gt=0, max_term__gt=0, fee_rate__gte=0),
                name="coop_rules_positive",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def rules(self) -> core.LendingRules:
        return core.LendingRules(self.max_amount, self.max_term, self.fee_rate)


class Member(models.Model):
    coop = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="members")
    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="coop_memberships"
    )
    village_code = models.CharField(max_length=12)
    joined_on = models.DateField("入社日期")
    left_on = models.DateField("退社日期", null=True, blank=True)

    SCOPE_FIELD = "village_code"

    class Meta:
        ordering = ["joined_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(left_on__isnull=True),
                name="coop_one_active_membership",
            )
        ]

    def __str__(self) -> str:
        return f"社员 {self.household_id}"


class Capital(models.Model):
    coop = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="capital")
    kind = models.CharField("来源", max_length=12, choices=list(core.CAPITAL_KINDS.items()))
    member = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    amount = models.BigIntegerField("金额（分）")
    on = models.DateField("到账日期")
    entry = models.OneToOneField("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    village_code = models.CharField(max_length=12)
    created_by = user_field(null=False)

    SCOPE_FIELD = "village_code"

    class Meta:
        ordering = ["-on", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="coop_capital_positive")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class CoopLoan(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", "借款中"
        CLOSED = "closed", "已还清"

    coop = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="loans")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="loans")
    village_code = models.CharField(max_length=12)
    amount = models.BigIntegerField("金额（分）")
    term = models.PositiveSmallIntegerField("期限（月）")
    fee = models.BigIntegerField("资金占用费（分）")
    purpose = models.CharField("用途", max_length=100)
    start = models.DateField("借款日期")
    due = models.DateField("到期日期")
    decision = models.CharField("理事会决定", max_length=100)
    principal_paid = models.BigIntegerField("已还本金（分）", default=0)
    fee_paid = models.BigIntegerField("已交占用费（分）", default=0)
    state = models.CharField("状态", max_length=8, choices=State.choices, default=State.ACTIVE)
    entry = models.OneToOneField("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    created_by = user_field(null=False)

    SCOPE_FIELD = "village_code"

    class Meta:
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="coop_loan_positive"),
            models.CheckConstraint(
                condition=models.Q(principal_paid__lte=models.F("amount"), fee_paid__lte=models.F("fee")),
                name="coop_loan_not_overpaid",
            ),
        ]

    def __str__(self) -> str:
        return f"互助金借款 #{self.pk}"

    @property
    def outstanding(self) -> int:
        return self.amount - self.principal_paid


class CoopRepayment(models.Model):
    loan = models.ForeignKey(CoopLoan, on_delete=models.PROTECT, related_name="repayments")
    key = models.CharField("幂等键", max_length=64, unique=True)
    amount = models.BigIntegerField("金额（分）")
    fee = models.BigIntegerField("占用费（分）")
    principal = models.BigIntegerField("本金（分）")
    on = models.DateField("还款日期")
    entry = models.OneToOneField("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    village_code = models.CharField(max_length=12)
    created_by = user_field(null=False)

    SCOPE_FIELD = "village_code"

    class Meta:
        ordering = ["-on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="coop_repayment_positive")
        ]

    def __str__(self) -> str:
        return f"互助金还款 #{self.pk}"

"""The double-entry ledger (R-REP-6): the chart of accounts, journal entries and postings.

Posted rows are never changed: the database refuses UPDATE and DELETE on entries and
postings, and on PostgreSQL a deferred constraint trigger refuses, at commit, any entry whose
debits and credits differ — the check in :func:`fupin.core.ledger.check_entry` runs first.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from fupin.core.ledger import KINDS
from fupin.divisions.models import institution_field


class Account(models.Model):
    code = models.CharField("科目代码", max_length=8, primary_key=True)
    name = models.CharField("科目名称", max_length=40)
    kind = models.CharField("类别", max_length=12, choices=list(KINDS.items()))
    active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class JournalEntry(models.Model):
    book = models.CharField(
        "账簿", max_length=16, default="bank"
    )  # cooperatives keep books of their own (issue 10)
    date = models.DateField("记账日期")
    memo = models.CharField("摘要", max_length=200)
    division_code = models.CharField("区划", max_length=12)  # the village (or unit) the movement belongs to
    # the books are each lending institution's own (issue 25); empty for a cooperative's book
    institution = institution_field(null=True)
    source = models.CharField("来源", max_length=40, blank=True)  # e.g. "loan.disburse:123"
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name="冲正的分录",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_FIELD = "division_code"
    INSTITUTION_FIELD = "institution"  # a bank's staff see their own institution's books
    INSTITUTION_ATTR = "institution_id"

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["book", "date"])]

    def __str__(self) -> str:
        return f"分录 #{self.pk} {self.memo}"


class Posting(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="postings", db_column="account_code"
    )
    debit = models.BigIntegerField("借方（分）", default=0)
    credit = models.BigIntegerField("贷方（分）", default=0)
    loan_id = models.BigIntegerField("贷款", null=True, blank=True, db_index=True)  # the loan sub-ledger
    memo = models.CharField("摘要", max_length=100, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["account", "entry"])]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(debit__gt=0, credit=0) | models.Q(debit=0, credit__gt=0)),
                name="posting_one_side_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.debit}/{self.credit}"

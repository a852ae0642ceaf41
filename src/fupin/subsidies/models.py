"""Interest subsidies (DOMAIN §7): policies as versioned programme data, the subsidy register
(one line per loan period, 附表8), and claim batches that move through the county's chain
(R-SUB-2) with every step's person, date and amount."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django.db import models

from fupin.accounts.models import user_field
from fupin.core import subsidy as core
from fupin.divisions.models import institution_field


class Policy(models.Model):
    code = models.CharField("政策代码", max_length=16)
    version = models.CharField("版本", max_length=16)
    kind = models.CharField("方式", max_length=8, choices=list(core.KINDS.items()))
    name = models.CharField("名称", max_length=100)
    effective = models.DateField("生效日期")
    products = models.JSONField("适用产品", default=list)
    rate = models.DecimalField("贴息年率", max_digits=9, decimal_places=6, default=Decimal("0.05"))
    share = models.DecimalField("贴息比例", max_digits=9, decimal_places=6, default=Decimal("0.5"))
    window_start = models.DateField("贴息期起", null=True, blank=True)
    window_end = models.DateField("贴息期止", null=True, blank=True)
    max_days = models.PositiveIntegerField("每笔贷款最多贴息天数", null=True, blank=True)
    cap = models.BigIntegerField("每户贴息上限（分）", null=True, blank=True)
    benchmark_only = models.BooleanField("利率不高于基准利率才贴息", default=False)
    settle = models.JSONField("结算日（月、日）", default=list)
    purposes = models.JSONField("可贴息用途", default=list)
    bars_next_year = models.BooleanField("逾期者次年起不再贴息", default=True)

    class Meta:
        ordering = ["code", "-effective"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="subsidy_policy_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.version}"

    def to_domain(self) -> core.Policy:
        window = (self.window_start, self.window_end) if self.window_start and self.window_end else None
        return core.Policy(
            code=self.code,
            version=self.version,
            kind=self.kind,
            name=self.name,
            effective=self.effective,
            products=tuple(self.products),
            rate=Fraction(self.rate),
            share=Fraction(self.share),
            window=window,
            max_days=self.max_days,
            cap=self.cap,
            benchmark_only=self.benchmark_only,
            settle=tuple(tuple(s) for s in self.settle),
            purposes=frozenset(self.purposes),
            bars_next_year=self.bars_next_year,
        )


class Batch(models.Model):
    """A claim batch (R-SUB-2): bank prepares → poverty office reviews → finance bureau confirms →
    finance pays → bank credits each household (S-HALF: the bank was paid for what it deducted,
    so the batch ends when finance pays). Each step by a different person."""

    class State(models.TextChoices):
        PREPARED = "prepared", "银行已申报，待扶贫办审核"
        REVIEWED = "reviewed", "扶贫办已审核，待财政局确认"
        CONFIRMED = "confirmed", "财政局已确认，待拨付"
        PAID = "paid", "财政已拨付，待银行入账到户"
        CREDITED = "credited", "已入账到户"
        CLOSED = "closed", "已拨付结清"
        REJECTED = "rejected", "已退回"

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="batches")
    division_code = models.CharField("申报单位区划", max_length=12)
    # the bank that claims (issue 25): each institution claims for its own loans, in its own books
    institution = institution_field(null=True)
    cutoff = models.DateField("截止日期")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PREPARED)
    claimed = models.BigIntegerField("申报金额（分）", default=0)
    approved = models.BigIntegerField("审核金额（分）", default=0)
    confirmed = models.BigIntegerField("确认金额（分）", default=0)
    paid = models.BigIntegerField("拨付金额（分）", default=0)
    credited = models.BigIntegerField("入账到户金额（分）", default=0)
    prepared_by = user_field(null=False)
    prepared_on = models.DateField("申报日期")
    reviewed_by = user_field()
    reviewed_on = models.DateField("审核日期", null=True, blank=True)
    confirmed_by = user_field()
    confirmed_on = models.DateField("确认日期", null=True, blank=True)
    paid_by = user_field()
    paid_on = models.DateField("拨付日期", null=True, blank=True)
    payment_ref = models.CharField("拨付凭证号", max_length=40, blank=True)
    credited_by = user_field()
    credited_on = models.DateField("入账日期", null=True, blank=True)
    note = models.CharField("意见", max_length=200, blank=True)

    SCOPE_FIELD = "division_code"
    INSTITUTION_FIELD = "institution"  # a bank's staff see their own institution's claims
    INSTITUTION_ATTR = "institution_id"

    class Meta:
        ordering = ["-prepared_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(approved__lte=models.F("claimed"))
                & models.Q(paid__lte=models.F("confirmed"))
                & models.Q(credited__lte=models.F("paid")),
                name="subsidy_batch_amounts",
            )
        ]

    def __str__(self) -> str:
        return f"贴息申报 #{self.pk}"

    @property
    def kind(self) -> str:
        return self.policy.kind


class Line(models.Model):
    """One line of the subsidy register (附表8): a loan's period (S-CAPPED: the whole loan), what
    it earned and why not. S-HALF lines are written at the repayment that deducted them. A loan of
    a bank that keeps its own core system (issue 25 (3)) has no ``loan``: its lender and contract
    number name it (:mod:`fupin.subsidies.banks`)."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="lines")
    loan = models.ForeignKey(
        "loans.Loan", on_delete=models.PROTECT, null=True, blank=True, related_name="subsidy_lines"
    )
    institution = institution_field(null=True)  # the lender
    contract_no = models.CharField("合同编号", max_length=40, blank=True)
    lent = models.BigIntegerField("贷款金额（分）", default=0)
    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="subsidy_lines"
    )
    village_code = models.CharField(max_length=12)
    seq = models.PositiveSmallIntegerField("期次")  # 0: the whole loan
    start = models.DateField("起")
    end = models.DateField("止")
    days = models.PositiveIntegerField("贴息天数")
    basis = models.BigIntegerField("计算基数（分）")
    interest = models.BigIntegerField("已付利息（分）")
    amount = models.BigIntegerField("贴息金额（分）")
    reason = models.CharField("说明", max_length=60, blank=True)
    on = models.DateField("计算/扣减日期")
    repayment = models.ForeignKey(
        "loans.Repayment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, null=True, blank=True, related_name="lines")
    struck = models.CharField("审核核减原因", max_length=100, blank=True)
    credited_on = models.DateField("入账到户日期", null=True, blank=True)

    SCOPE_FIELD = "village_code"
    INSTITUTION_FIELD = "institution"  # the lender (issue 25): bank roles see their own
    INSTITUTION_ATTR = "institution_id"

    class Meta:
        ordering = ["village_code", "contract_no", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "loan", "seq"], name="subsidy_line_once"),
            models.UniqueConstraint(
                fields=["policy", "institution", "contract_no", "seq"],
                condition=models.Q(loan__isnull=True),
                name="subsidy_bank_line_once",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0) & models.Q(amount__lte=models.F("interest")),
                name="subsidy_line_within_interest",
            ),
        ]
        indexes = [models.Index(fields=["policy", "batch"])]

    def __str__(self) -> str:
        return f"{self.contract_no}-{self.seq}"

    @classmethod
    def of_loan(cls, loan, **fields) -> Line:
        """A line of a loan booked here, naming its lender, contract and amount as the loan does."""
        return cls(
            loan=loan,
            institution_id=loan.institution_id,
            contract_no=loan.contract_no,
            lent=loan.principal,
            household_id=loan.household_id,
            village_code=loan.village_code,
            **fields,
        )

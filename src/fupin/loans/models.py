"""Loan origination (DOMAIN §5): applications, the steps of their review chain, the public
notice with its objections, township quotas and the approval authority by amount.

The state machine lives in :mod:`fupin.core.origination`; every step taken is a
:class:`ReviewStep` row (who, when, decision, reasons) and an audit entry.
"""

from __future__ import annotations

from django.db import models

from fupin.accounts.models import user_field
from fupin.core.origination import GUARANTOR_KINDS, PURPOSES, STATES
from fupin.divisions.models import division_field, institution_field


class Notice(models.Model):
    """A public notice (公示) of applications on the village board (R-APP-2): 7 days by default."""

    village = division_field(column="village_code", label="行政村")
    start = models.DateField("公示开始")
    end = models.DateField("公示结束（含当日）")
    days = models.PositiveSmallIntegerField("公示天数", default=7)
    created_by = user_field()
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = user_field()
    approved_at = models.DateTimeField(null=True, blank=True)

    SCOPE_FIELD = "village__code"
    SCOPE_ATTR = "village_id"

    class Meta:
        ordering = ["-start", "-id"]

    def __str__(self) -> str:
        return f"公示 #{self.pk}"


class Application(models.Model):
    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="applications"
    )
    village_code = models.CharField(max_length=12)
    # the lender (issue 25); empty only on rows made before a county had institutions
    institution = institution_field(null=True)
    product = models.CharField("产品", max_length=16)
    product_version = models.CharField("产品版本", max_length=16)
    purpose = models.CharField("用途", max_length=16, choices=list(PURPOSES.items()))
    project = models.CharField("项目说明", max_length=300)
    amount = models.BigIntegerField("申请金额（分）")
    term = models.PositiveSmallIntegerField("期限（月）")
    state = models.CharField("状态", max_length=20, choices=list(STATES.items()), default="submitted")
    lead = models.BooleanField("带动主体贷款", default=False)
    village_by = user_field()  # the village committee's half of the joint review
    bank_by = user_field()  # the bank's half
    notice = models.ForeignKey(
        Notice, on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )
    created_by = user_field(null=False)  # the preparer: never the bank approver (maker-checker)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    rejected_reason = models.CharField("否决原因", max_length=300, blank=True)

    SCOPE_FIELD = "village_code"
    INSTITUTION_FIELD = "institution"  # the lender (issue 25): bank roles see their own
    INSTITUTION_ATTR = "institution_id"

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["village_code", "state"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="application_amount_positive")
        ]

    def __str__(self) -> str:
        return f"申请 #{self.pk}"


class Guarantor(models.Model):
    """A guarantor of an application and its loan (保证人, P-SEASONAL's "1+1", issue 24 (11)): a
    person — a member of another household, a shop owner, a civil servant — who signed a consent
    (担保承诺书) on ``consent_on``. The ID number and phone are kept as the registry keeps them
    (encrypted, a blind index, masked for display, R-REG-5). A loan in arrears may be collected
    from them (:attr:`Repayment.guarantor`)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="guarantors")
    village_code = models.CharField(max_length=12)
    kind = models.CharField("类型", max_length=16, choices=list(GUARANTOR_KINDS.items()))
    name = models.CharField("姓名", max_length=64)
    id_cipher = models.BinaryField("证件号码（密文）")
    id_index = models.CharField("证件号码索引", max_length=32, db_index=True)
    id_masked = models.CharField("证件号码", max_length=18)
    phone_cipher = models.BinaryField("联系电话（密文）", null=True, blank=True)
    phone_masked = models.CharField("联系电话", max_length=20, blank=True)
    household = models.ForeignKey(  # when the guarantor is a member of a registered household
        "households.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    relationship = models.CharField("与借款人关系", max_length=32, blank=True)
    consent_on = models.DateField("签署担保承诺书日期")
    created_by = user_field(null=False)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_FIELD = "village_code"
    INSTITUTION_FIELD = "application__institution"  # the lender (issue 25): bank roles see their own
    INSTITUTION_ATTR = "application__institution_id"

    class Meta:
        ordering = ["application_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "id_index"], name="guarantor_once_per_application")
        ]

    def __str__(self) -> str:
        return f"保证人 {self.name}"


class ReviewStep(models.Model):
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="steps")
    action = models.CharField(max_length=20)
    actor = user_field()
    role = models.CharField(max_length=32, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    approve = models.BooleanField()
    reason = models.CharField(max_length=300, blank=True)
    from_state = models.CharField(max_length=20)
    to_state = models.CharField(max_length=20)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.to_state}"


class Objection(models.Model):
    """An objection filed during the public notice; approval waits until it is resolved."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="objections")
    village_code = models.CharField(max_length=12)
    text = models.CharField("异议内容", max_length=500)
    filed_by = user_field(null=False)
    filed_at = models.DateTimeField(auto_now_add=True)
    resolved_by = user_field()
    resolved_at = models.DateTimeField(null=True, blank=True)
    upheld = models.BooleanField("异议成立", null=True)
    decision = models.CharField("处理决定", max_length=300, blank=True)

    SCOPE_FIELD = "village_code"

    class Meta:
        ordering = ["filed_at", "id"]

    def __str__(self) -> str:
        return f"异议 #{self.pk}"


class Quota(models.Model):
    """A township's yearly quota (R-APP-4); null amount or households: no ceiling (上不封顶). Given
    to one lending institution (issue 25), or, with no institution, to all of them together."""

    township = division_field(column="township_code", label="乡镇")
    institution = institution_field(null=True)  # None: the township's quota for every lender
    year = models.PositiveSmallIntegerField("年度")
    amount = models.BigIntegerField("额度（分）", null=True, blank=True)
    households = models.PositiveIntegerField("户数指标", null=True, blank=True)
    lead_amount = models.BigIntegerField("带动主体额度（分）", null=True, blank=True)  # ≤ 25 % of amount
    deadline = models.DateField("放款截止日期", null=True, blank=True)
    set_by = user_field()
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_FIELD = "township__code"
    SCOPE_ATTR = "township_id"

    class Meta:
        ordering = ["township_id"]
        constraints = [
            models.UniqueConstraint(fields=["township", "year", "institution"], name="quota_once_a_year"),
            models.UniqueConstraint(
                fields=["township", "year"], condition=models.Q(institution=None), name="quota_once_for_all"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.township_id} {self.year}"


class Loan(models.Model):
    """A contracted loan: the terms it was made under (exactly, as stored terms), its schedule,
    its disclosed rates, and the disbursement entry on the ledger (R-APP-5)."""

    class State(models.TextChoices):
        CONTRACTED = "contracted", "已签合同，待放款"
        ACTIVE = "active", "正常还款中"
        CLOSED = "closed", "已结清"
        WRITTEN_OFF = "written_off", "已核销"

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="loan")
    household = models.ForeignKey("households.Household", on_delete=models.PROTECT, related_name="loans")
    village_code = models.CharField(max_length=12)
    institution = institution_field(null=True)  # the application's lender (issue 25)
    contract_no = models.CharField("合同编号", max_length=32, unique=True)
    product = models.CharField("产品", max_length=16)
    product_version = models.CharField("产品版本", max_length=16)
    principal = models.BigIntegerField("本金（分）")
    terms = models.JSONField("贷款条件")
    start = models.DateField("放款日")
    maturity = models.DateField("到期日")
    nominal_rate = models.DecimalField("名义年利率", max_digits=9, decimal_places=6)
    apr = models.DecimalField("年化利率（APR）", max_digits=9, decimal_places=6)
    ear = models.DecimalField("实际年利率（EAR）", max_digits=9, decimal_places=6)
    upfront_interest = models.BigIntegerField("预收利息（分）", default=0)
    upfront_fees = models.BigIntegerField("保障金（分）", default=0)
    deposit = models.BigIntegerField("保证金（分）", default=0)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.CONTRACTED)
    contracted_by = user_field(null=False)
    contracted_at = models.DateTimeField(auto_now_add=True)
    disbursed_by = user_field()
    disbursed_at = models.DateTimeField(null=True, blank=True)
    disbursement = models.OneToOneField(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    credit_balance = models.BigIntegerField(
        "溢缴款余额（分）", default=0
    )  # held in 2251, applied or refunded
    deposit_held = models.BigIntegerField("保证金余额（分）", default=0)  # held in 2011 until maturity
    rollover_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rolled_into",
        verbose_name="转据自",
    )
    closed_on = models.DateField("结清/核销日期", null=True, blank=True)
    # brought in from the lender's own books at this cut-over (issue 25 (2)): on Fupin's ledger
    # from then on, its history before in the old books
    migrated_on = models.DateField("存量迁入截至日", null=True, blank=True)

    SCOPE_FIELD = "village_code"
    INSTITUTION_FIELD = "institution"  # the lender (issue 25): bank roles see their own
    INSTITUTION_ATTR = "institution_id"

    class Meta:
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(principal__gt=0), name="loan_principal_positive")
        ]

    def __str__(self) -> str:
        return self.contract_no


class Installment(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="installments")
    seq = models.PositiveSmallIntegerField("期次")
    due_date = models.DateField("应还日期")
    principal = models.BigIntegerField("应还本金（分）")
    interest = models.BigIntegerField("应还利息（分）")
    fees = models.BigIntegerField("应还费用（分）", default=0)
    principal_paid = models.BigIntegerField("已还本金（分）", default=0)
    interest_paid = models.BigIntegerField("已还利息（分）", default=0)
    penalty_paid = models.BigIntegerField("已还罚息（分）", default=0)
    # fupin.core.cob: the period the interest is earned over; the overdue principal-days up to
    # the close of ``pd_from`` (the due date, or the day before the last principal payment):
    # principal-days on day X = principal_days + unpaid principal × (X − pd_from), X > pd_from
    period_start = models.DateField("计息起日")
    principal_days = models.BigIntegerField("逾期本金积数（分·天）", default=0)
    pd_from = models.DateField("积数截至日")

    class Meta:
        ordering = ["loan_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["loan", "seq"], name="installment_seq_unique")]
        indexes = [
            models.Index(
                fields=["due_date", "loan"],
                condition=(
                    models.Q(principal_paid__lt=models.F("principal"))
                    | models.Q(interest_paid__lt=models.F("interest"))
                ),
                name="installment_unpaid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.loan_id}-{self.seq}"


class Servicing(models.Model):
    """A disbursed loan's running state, narrow so that the nightly batch reads a million of
    them in a moment (:mod:`fupin.core.cob`): the instalment now earning interest, the interest
    of earlier instalments still unpaid, arrears since, the penalty rate. The interest
    receivable after the close of day X is ``interest_due + max(0, earned(X) − cur_paid)``, and
    of the interest taken upfront ``amortised(X)`` has been earned (:func:`fupin.core.cob.amortised`);
    nothing here changes from one day to the next unless a period ends or a loan falls late."""

    loan = models.OneToOneField(Loan, on_delete=models.PROTECT, primary_key=True, related_name="servicing")
    village_code = models.CharField(max_length=12)
    # the loan's lender, kept here as the village is: the batch posts per village and institution
    institution = institution_field(null=True)
    active = models.BooleanField(default=True)
    penalty_rate = models.BigIntegerField("罚息年利率（10⁻⁸）")  # contract rate × (1 + uplift), R-REP-2
    cur_seq = models.PositiveSmallIntegerField("计息中的期次", default=1)  # 0: none left
    cur_start = models.DateField(null=True)
    cur_due = models.DateField(null=True)
    cur_interest = models.BigIntegerField(default=0)
    cur_paid = models.BigIntegerField(default=0)  # interest already paid on that instalment
    interest_due = models.BigIntegerField("已到期未还利息（分）", default=0)  # of the instalments before it
    late_since = models.DateField("逾期起始日", null=True, blank=True)  # oldest unpaid due date (R-REP-3)
    ever_late = models.BooleanField("曾经逾期", default=False)
    # 非应计 (issue 24 (13)): past the programme's non_accrual_days, the loan's interest and penalty
    # are kept off balance (7011) until it is cured — set and cleared by the nightly batch only
    non_accrual = models.BooleanField("非应计", default=False)
    # interest taken upfront (P-GROUP), deferred (2401) and earned evenly over these dates
    deferred = models.BigIntegerField("预收利息（分）", default=0)
    deferred_from = models.DateField(null=True, blank=True)
    deferred_to = models.DateField(null=True, blank=True)

    SCOPE_FIELD = "village_code"
    INSTITUTION_FIELD = "institution"  # the lender (issue 25): bank roles see their own
    INSTITUTION_ATTR = "institution_id"

    def __str__(self) -> str:
        return f"{self.loan_id}"

    def dpd(self, on) -> int:
        """Days past due after the close of ``on``."""
        return (on - self.late_since).days if self.late_since and self.late_since < on else 0


class Group(models.Model):
    """A joint-liability group (五户联保小组, R-GRP-1): households of one village, one leader."""

    village = division_field(column="village_code", label="行政村")
    name = models.CharField("小组名称", max_length=60)
    leader = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="+", verbose_name="小组长"
    )
    created_by = user_field(null=False)
    created_at = models.DateTimeField(auto_now_add=True)
    dissolved_on = models.DateField("解散日期", null=True, blank=True)

    SCOPE_FIELD = "village__code"
    SCOPE_ATTR = "village_id"

    class Meta:
        ordering = ["village_id", "id"]

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="members")
    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="group_memberships"
    )
    joined_on = models.DateField("加入日期")
    left_on = models.DateField("退出日期", null=True, blank=True)

    class Meta:
        ordering = ["group_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(left_on__isnull=True),
                name="one_active_group_per_household",
            )
        ]

    def __str__(self) -> str:
        return f"{self.group_id}:{self.household_id}"


class ActualUse(models.Model):
    """Who actually used a group member's loan (R-GRP-2): the 套用 the seed warns about."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="actual_uses")
    user_household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="+", verbose_name="实际使用的农户"
    )
    amount = models.BigIntegerField("金额（分）")
    recorded_by = user_field(null=False)
    recorded_at = models.DateTimeField(auto_now_add=True)
    village_code = models.CharField(max_length=12)

    SCOPE_FIELD = "village_code"
    INSTITUTION_FIELD = "loan__institution"  # the lender (issue 25): bank roles see their own
    INSTITUTION_ATTR = "loan__institution_id"

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="actual_use_positive")]

    def __str__(self) -> str:
        return f"{self.loan_id}→{self.user_household_id}"


class LeadAgreement(models.Model):
    """A lead household's signed agreement with one driven household (R-GRP-3, 篇3 附表6)."""

    lead = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="lead_agreements",
        verbose_name="带动主体",
    )
    driven = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="driven_by",
        verbose_name="被带动贫困户",
    )
    village_code = models.CharField(max_length=12)  # the lead's village
    signed_on = models.DateField("签订日期")
    terms = models.CharField("带动方式与收益", max_length=300)
    recorded_by = user_field(null=False)
    ended_on = models.DateField("终止日期", null=True, blank=True)

    SCOPE_FIELD = "village_code"

    class Meta:
        ordering = ["lead_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lead", "driven"],
                condition=models.Q(ended_on__isnull=True),
                name="one_active_agreement_per_pair",
            )
        ]

    def __str__(self) -> str:
        return f"{self.lead_id}→{self.driven_id}"


class Repayment(models.Model):
    """One repayment, recorded once per idempotency key (R-REP-1): the same key again returns
    this row; the same key with a different body is refused."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="repayments")
    key = models.CharField("幂等键", max_length=64, unique=True)
    amount = models.BigIntegerField("金额（分）")
    received_on = models.DateField("收款日期")
    allocation = models.JSONField("分配")
    overpayment = models.BigIntegerField("溢缴（分）", default=0)
    entry = models.OneToOneField("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    village_code = models.CharField(max_length=12)
    # paid by the loan's guarantor for the borrower in arrears (保证人代偿, issue 24 (11))
    guarantor = models.ForeignKey(
        Guarantor, on_delete=models.PROTECT, null=True, blank=True, related_name="repayments"
    )
    created_by = user_field(null=False)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_FIELD = "village_code"
    INSTITUTION_FIELD = "loan__institution"  # the lender (issue 25): bank roles see their own
    INSTITUTION_ATTR = "loan__institution_id"

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="repayment_positive")]

    def __str__(self) -> str:
        return f"还款 #{self.pk}"


class Prepayment(models.Model):
    """A partial prepayment (部分提前还款, :mod:`fupin.core.schedule.prepay`): its repayment, and
    the schedule in force afterwards as a segment of the original timeline — period ``first``
    (0-based) on, ``principal`` re-amortised over ``periods`` periods. The loan's latest one
    regenerates its schedule (:func:`fupin.loans.standing.loan_schedule`)."""

    class Method(models.TextChoices):
        REDUCE = "reduce", "减额"
        SHORTEN = "shorten", "缩期"

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="prepayments")
    repayment = models.OneToOneField(Repayment, on_delete=models.PROTECT, related_name="prepayment")
    method = models.CharField("方式", max_length=8, choices=Method.choices)
    prepaid = models.BigIntegerField("提前还本（分）")
    interest = models.BigIntegerField("计至还款日的利息（分）")
    first = models.PositiveSmallIntegerField("重算起始期（0 起）")
    periods = models.PositiveSmallIntegerField("重算后期数")
    principal = models.BigIntegerField("重算本金（分）")

    class Meta:
        ordering = ["loan_id", "id"]

    def __str__(self) -> str:
        return f"部分提前还款 #{self.pk}"


class LoanEvent(models.Model):
    """An approved change to a loan outside normal repayment (R-REP-4): extension (展期),
    rollover (转据), write-off (核销), refund of a credit balance. Requested by one person and
    approved by another; the approval posts the entry. Recoveries after a write-off are
    repayments of a written-off loan (Dr 1011 / Cr 6013)."""

    class Kind(models.TextChoices):
        EXTENSION = "extension", "展期"
        ROLLOVER = "rollover", "转据（借新还旧）"
        WRITE_OFF = "write_off", "核销"
        REFUND = "refund", "退还溢缴款"

    class State(models.TextChoices):
        REQUESTED = "requested", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "已驳回"

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("事项", max_length=12, choices=Kind.choices)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.REQUESTED)
    new_maturity = models.DateField("展期后到期日", null=True, blank=True)
    amount = models.BigIntegerField("金额（分）", default=0)  # principal written off / rolled over / refunded
    interest = models.BigIntegerField("利息（分）", default=0)  # receivable written off / added by extension
    reason = models.CharField("理由", max_length=200)
    village_code = models.CharField(max_length=12)
    requested_by = user_field(null=False)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = user_field()
    decided_on = models.DateField("审批日期", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=200, blank=True)
    entry = models.OneToOneField(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    new_loan = models.OneToOneField(Loan, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    SCOPE_FIELD = "village_code"
    INSTITUTION_FIELD = "loan__institution"  # the lender (issue 25): bank roles see their own
    INSTITUTION_ATTR = "loan__institution_id"

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["loan", "kind"], condition=models.Q(state="requested"), name="one_open_event_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.loan_id}"

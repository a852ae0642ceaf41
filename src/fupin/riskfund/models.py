"""The county risk compensation fund (DOMAIN §8): the fund with its loss-sharing parties,
contributions on the ledger, claims with their proofs and review chain, the recoveries returned
in the same shares, and the blacklist of malicious defaulters with legal actions (R-RSK-4)."""

from __future__ import annotations

from django.db import models

from fupin.accounts.models import user_field
from fupin.core import riskfund as core
from fupin.divisions.models import institution_field


class Fund(models.Model):
    """A county's fund under its agreement with a cooperating bank (issue 25): deposited there,
    covering that institution's loans with its own leverage and shares. A fund with no institution
    covers every lender of the county (one agreement for all)."""

    county_code = models.CharField("县区划代码", max_length=12)
    institution = institution_field(null=True)  # the cooperating bank; None: every lender
    name = models.CharField("名称", max_length=60)
    account = models.CharField("专户", max_length=60, blank=True)
    parties = models.JSONField("分担方与比例", default=list)  # [[name, kind, weight], …], R-RSK-2
    insurance_first = models.BooleanField("保险先行赔付", default=False)
    products = models.JSONField("覆盖产品", default=list)
    # a claim only for a loan this many days past due (the county's policy; 90 by default)
    overdue_days = models.PositiveSmallIntegerField("代偿须逾期天数", default=90)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_FIELD = "county_code"

    class Meta:
        ordering = ["county_code", "institution_id"]
        constraints = [
            models.UniqueConstraint(fields=["county_code", "institution"], name="fund_once_a_bank"),
            models.UniqueConstraint(
                fields=["county_code"], condition=models.Q(institution=None), name="fund_once_for_all"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def sharing(self) -> tuple[core.Party, ...]:
        return tuple(core.Party(n, k, int(w)) for n, k, w in self.parties)


class Contribution(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="contributions")
    county_code = models.CharField(max_length=12)
    source = models.CharField("出资方", max_length=60)
    amount = models.BigIntegerField("金额（分）")
    on = models.DateField("到账日期")
    # None: a fund held at a bank that keeps its own core system, whose books record it (issue 25 (3))
    entry = models.OneToOneField(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = user_field(null=False)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_FIELD = "county_code"

    class Meta:
        ordering = ["-on", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="contribution_positive")]

    def __str__(self) -> str:
        return f"{self.source} {self.on}"


class Claim(models.Model):
    """A claim on the fund for a borrower who cannot repay (R-RSK-3)."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", "已申请，待村委会审查"
        VILLAGE = "village", "村已审查，待乡镇审核"
        TOWNSHIP = "township", "乡镇已审核，待扶贫办审批"
        APPROVED = "approved", "扶贫办已批准，待代偿"
        PAID = "paid", "已代偿并核销，继续追偿"
        REJECTED = "rejected", "已否决"

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="claims")
    # the loan; None for a loan a bank keeps in its own core system (issue 25 (3)), named by its
    # lender and contract number as its monthly files state it
    loan = models.ForeignKey(
        "loans.Loan", on_delete=models.PROTECT, null=True, blank=True, related_name="fund_claims"
    )
    institution = institution_field(null=True)  # the lender
    contract_no = models.CharField("合同编号", max_length=40, blank=True)
    village_code = models.CharField(max_length=12)
    cause = models.CharField("原因", max_length=12, choices=list(core.CAUSES.items()))
    description = models.CharField("情况说明", max_length=500)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.SUBMITTED)
    insurance = models.BigIntegerField("保险赔付（分）", default=0)
    principal = models.BigIntegerField("代偿本金（分）", default=0)
    interest = models.BigIntegerField("代偿利息（分）", default=0)
    penalty = models.BigIntegerField("罚息（银行承担，分）", default=0)
    shares = models.JSONField("分担", default=list)  # [[name, kind, weight, fen], …]
    submitted_by = user_field(null=False)
    submitted_at = models.DateTimeField(auto_now_add=True)
    village_by = user_field()
    village_on = models.DateField(null=True, blank=True)
    township_by = user_field()
    township_on = models.DateField(null=True, blank=True)
    approved_by = user_field()
    approved_on = models.DateField(null=True, blank=True)
    paid_by = user_field()
    paid_on = models.DateField(null=True, blank=True)
    note = models.CharField("意见", max_length=200, blank=True)
    event = models.OneToOneField(
        "loans.LoanEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    SCOPE_FIELD = "village_code"
    INSTITUTION_FIELD = "institution"  # the lender (issue 25): bank roles see their own
    INSTITUTION_ATTR = "institution_id"

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["loan"], condition=~models.Q(state="rejected"), name="one_live_claim_per_loan"
            ),
            models.UniqueConstraint(
                fields=["institution", "contract_no"],
                condition=~models.Q(state="rejected") & models.Q(loan__isnull=True),
                name="one_live_claim_per_bank_loan",
            ),
        ]

    def __str__(self) -> str:
        return f"代偿申请 #{self.pk}"

    @property
    def loss(self) -> int:
        return self.principal + self.interest


class Proof(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="proofs")
    name = models.CharField("文件名", max_length=120)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField()
    data = models.BinaryField()
    uploaded_by = user_field(null=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    SCOPE_ATTR = "claim.village_code"
    SCOPE_FIELD = "claim__village_code"

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Recovery(models.Model):
    """A recovery on a loan the fund paid for, returned to the parties in the same shares."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="recoveries")
    repayment = models.OneToOneField("loans.Repayment", on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField("收回（分）")
    shares = models.JSONField("返还", default=list)  # [[name, kind, fen], …]

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"收回 {self.claim_id}"


class Blacklist(models.Model):
    """Malicious default (恶意拖欠, R-RSK-4): a recorded decision, reversible by another."""

    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="blacklistings"
    )
    village_code = models.CharField(max_length=12)
    reason = models.CharField("事实与理由", max_length=300)
    decision_no = models.CharField("决定文号", max_length=40)
    decided_by = user_field(null=False)
    decided_on = models.DateField("决定日期")
    exclusion = models.ForeignKey(
        "ratings.Exclusion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_on = models.DateField("撤销日期", null=True, blank=True)
    lifted_by = user_field()
    lift_reason = models.CharField("撤销理由", max_length=300, blank=True)

    SCOPE_FIELD = "village_code"

    class Meta:
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=models.Q(lifted_on__isnull=True), name="one_live_blacklisting"
            )
        ]

    def __str__(self) -> str:
        return f"黑名单 {self.household_id}"


class LegalAction(models.Model):
    class Kind(models.TextChoices):
        DEMAND = "demand", "发催收函"
        SUIT = "suit", "提起诉讼"
        JUDGEMENT = "judgement", "判决/调解"
        ENFORCEMENT = "enforcement", "申请强制执行"

    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="legal_actions"
    )
    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    village_code = models.CharField(max_length=12)
    kind = models.CharField("措施", max_length=12, choices=Kind.choices)
    on = models.DateField("日期")
    note = models.CharField("说明", max_length=300)
    recorded_by = user_field(null=False)
    recorded_at = models.DateTimeField(auto_now_add=True)

    SCOPE_FIELD = "village_code"
    INSTITUTION_FIELD = "loan__institution"  # the lender (issue 25): bank roles see their own
    INSTITUTION_ATTR = "loan__institution_id"

    class Meta:
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return self.get_kind_display()

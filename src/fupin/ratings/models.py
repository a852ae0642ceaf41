"""评级授信 and eligibility (DOMAIN §2, §3): scorecard versions, village panels, rating rounds
with back-to-back score sheets, the current credit line of each household and its history,
recorded exclusions, credit villages and reputation lists.

A rating keeps the scorecard version it was made with (R-RAT-1); published versions are never
edited — an edit is a new draft version.
"""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.db import models

from fupin.accounts.models import user_field
from fupin.core import rating as core
from fupin.core.eligibility import EXCLUSIONS
from fupin.divisions.models import division_field


class Scorecard(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"
        RETIRED = "retired", "已停用"

    class Kind(models.TextChoices):
        HOUSEHOLD = "household", "农户"
        LEAD = "lead", "带动大户与合作社"

    division = division_field(label="县")
    code = models.CharField("评分表代码", max_length=32)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("适用对象", max_length=16, choices=Kind.choices, default=Kind.HOUSEHOLD)
    version = models.PositiveIntegerField("版本")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.DRAFT)
    definition = models.JSONField("定义")
    note = models.CharField("修改说明", max_length=200, blank=True)
    created_by = user_field()
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = user_field()
    published_at = models.DateTimeField(null=True, blank=True)

    SCOPE_FIELD = "division__code"
    SCOPE_ATTR = "division_id"

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["division", "code", "version"], name="scorecard_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} 第 {self.version} 版"

    @cached_property
    def card(self) -> core.Scorecard:
        return core.scorecard_from_dict(self.code, str(self.version), self.definition)


class Seat(models.TextChoices):
    REPRESENTATIVE = "representative", "村民代表"
    COMMITTEE = "committee", "村委成员"
    TOWNSHIP = "township", "包村乡镇干部"
    WORK_TEAM = "work_team", "驻村工作队"


class Panel(models.Model):
    """A village evaluation panel (村级评议小组, R-RAT-3)."""

    village = division_field(column="village_code", label="行政村")
    name = models.CharField("名称", max_length=100)
    created_by = user_field()
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_FIELD = "village__code"
    SCOPE_ATTR = "village_id"

    class Meta:
        ordering = ["village_id", "-created_at"]

    def __str__(self) -> str:
        return self.name

    def seats(self) -> list[str]:
        return [m.seat for m in self.members.all()]

    def problems(self) -> list[str]:
        return core.panel_problems(self.seats())


class PanelMember(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_seats")
    seat = models.CharField("身份", max_length=16, choices=Seat.choices)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["panel", "user"], name="panel_member_once")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_seat_display()})"


class RatingRound(models.Model):
    """One village's rating round (整村评级授信): panel scoring → panel signs → township review
    → county audit (R-RAT-3)."""

    class State(models.TextChoices):
        SCORING = "scoring", "村级评议中"
        SIGNED = "signed", "评议小组已签字"
        REVIEWED = "reviewed", "乡镇已审核"
        AUDITED = "audited", "县级已审定"
        RETURNED = "returned", "已退回"

    village = division_field(column="village_code", label="行政村")
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="rounds")
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="rounds")
    year = models.PositiveSmallIntegerField("评级年度")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.SCORING)
    total = models.PositiveIntegerField("农户数", default=0)
    scored = models.PositiveIntegerField("已评完", default=0)
    created_by = user_field()
    created_at = models.DateTimeField(auto_now_add=True)
    signed_by = user_field()
    signed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = user_field()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    audited_by = user_field()
    audited_at = models.DateTimeField(null=True, blank=True)
    returned_reason = models.CharField("退回原因", max_length=200, blank=True)

    SCOPE_FIELD = "village__code"
    SCOPE_ATTR = "village_id"

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.year} 年评级 #{self.pk}"

    @property
    def progress(self) -> int:
        return 100 * self.scored // self.total if self.total else 100


class Rating(models.Model):
    """One household's rating in a round; aggregated when every panel member has scored it."""

    class State(models.TextChoices):
        SCORING = "scoring", "评分中"
        SCORED = "scored", "已汇总"
        EFFECTIVE = "effective", "已生效"
        RETURNED = "returned", "已退回"

    round = models.ForeignKey(RatingRound, on_delete=models.PROTECT, related_name="ratings")
    household = models.ForeignKey("households.Household", on_delete=models.PROTECT, related_name="ratings")
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="ratings")
    village_code = models.CharField(max_length=12)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.SCORING)
    facts = models.JSONField("登记信息", default=dict)  # the registry facts that prefill sheets
    sheets_count = models.PositiveSmallIntegerField(default=0)
    score = models.DecimalField("得分", max_digits=7, decimal_places=2, null=True, blank=True)
    spread = models.DecimalField("极差", max_digits=7, decimal_places=2, null=True, blank=True)
    outliers = models.JSONField("偏离较大的评议人", default=list)
    grade_code = models.CharField("信用等级", max_length=8, blank=True)
    grade_label = models.CharField("信用等级名称", max_length=32, blank=True)
    credit_line = models.DecimalField(
        "授信额度（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    valid_until = models.DateField("有效期至", null=True, blank=True)

    SCOPE_FIELD = "village_code"

    class Meta:
        ordering = ["household_id"]
        constraints = [models.UniqueConstraint(fields=["round", "household"], name="rating_once_per_round")]
        indexes = [models.Index(fields=["household", "state"])]

    def __str__(self) -> str:
        return f"评级 #{self.pk}"


class ScoreSheet(models.Model):
    """One panel member's scores for one household: written once, never changed (R-RAT-1b)."""

    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="sheets")
    member = models.ForeignKey(PanelMember, on_delete=models.PROTECT, related_name="sheets")
    values = models.JSONField("填写的值")
    points = models.JSONField("各项得分")
    total = models.DecimalField("总分", max_digits=7, decimal_places=2)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["rating", "member"], name="one_sheet_per_member")]

    def __str__(self) -> str:
        return f"评分 #{self.pk}"


class CreditLine(models.Model):
    """A household's current grade and credit line; the history is in :class:`GradeChange`."""

    household = models.OneToOneField(
        "households.Household", on_delete=models.PROTECT, related_name="credit", primary_key=True
    )
    village_code = models.CharField(max_length=12, db_index=True)
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="+")
    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    grade_code = models.CharField("信用等级", max_length=8)
    grade_label = models.CharField("信用等级名称", max_length=32)
    amount = models.DecimalField("授信额度（元）", max_digits=12, decimal_places=2)
    term_months = models.PositiveSmallIntegerField("用信期限（月）", default=12)
    granted_on = models.DateField("授信日期")
    valid_until = models.DateField("有效期至")
    subsidy_barred_from = models.PositiveSmallIntegerField("自该年度起不再贴息", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_FIELD = "village_code"

    def __str__(self) -> str:
        return f"{self.grade_label} {self.amount}"


class GradeChange(models.Model):
    class Event(models.TextChoices):
        RATING = "rating", "评级授信"
        REPAID = "repaid_on_time", "按时还清，升一级"
        OVERDUE = "overdue", "逾期，降一级"
        DEFAULT = "default", "违约，降至最低并取消贴息"

    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="grade_changes"
    )
    village_code = models.CharField(max_length=12)
    at = models.DateTimeField(auto_now_add=True)
    on = models.DateField("日期")
    actor = user_field()
    event = models.CharField(max_length=16, choices=Event.choices)
    before_grade = models.CharField(max_length=8, blank=True)
    after_grade = models.CharField(max_length=8)
    before_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    after_amount = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.CharField(max_length=200)
    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    SCOPE_FIELD = "village_code"

    class Meta:
        ordering = ["-on", "-id"]
        constraints = [
            # the nightly batch may run twice: one change per household, event and day (R-RAT-4)
            models.UniqueConstraint(
                fields=["household", "event", "on"],
                condition=~models.Q(event="rating"),
                name="grade_change_once_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.before_grade}→{self.after_grade}"


class Withdrawable(models.Model):
    """A recorded fact or published entry that is withdrawn with a reason, never deleted."""

    withdrawn_on = models.DateField("撤销日期", null=True, blank=True)
    withdrawn_by = user_field()
    withdraw_reason = models.CharField("撤销理由", max_length=300, blank=True)

    class Meta:
        abstract = True


class Exclusion(Withdrawable):
    """A recorded exclusion fact (R-ELG-2, R-ELG-2a): what, who, why, since when."""

    household = models.ForeignKey("households.Household", on_delete=models.PROTECT, related_name="exclusions")
    village_code = models.CharField(max_length=12)
    code = models.CharField("情形", max_length=32, choices=[(k, v[1]) for k, v in EXCLUSIONS.items()])
    reason = models.CharField("事实与依据", max_length=300)
    recorded_by = user_field(null=False)
    recorded_on = models.DateField("记录日期")

    SCOPE_FIELD = "village_code"

    class Meta:
        ordering = ["-recorded_on", "-id"]

    def __str__(self) -> str:
        return self.get_code_display()


class RuleSet(models.Model):
    """One version of a county programme's eligibility rules (R-ELG-5) and credit-village
    thresholds (R-RAT-5); a decision is always judged by the version in force on its date."""

    division = division_field(label="县")
    programme = models.CharField("项目", max_length=32)
    name = models.CharField("名称", max_length=100)
    version = models.PositiveIntegerField("版本")
    effective = models.DateField("生效日期")
    definition = models.JSONField("规则")
    created_by = user_field()
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_FIELD = "division__code"
    SCOPE_ATTR = "division_id"

    class Meta:
        ordering = ["programme", "-effective"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "programme", "version"], name="ruleset_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} 第 {self.version} 版"


class Designation(models.Model):
    """A published credit village or township (信用村/信用乡镇, R-RAT-5); it expires."""

    division = division_field(label="村或乡镇")
    year = models.PositiveSmallIntegerField("年度")
    metrics = models.JSONField("评定指标")
    published_on = models.DateField("公布日期")
    expires_on = models.DateField("到期日期")
    decided_by = user_field(null=False)
    withdrawn_on = models.DateField("撤销日期", null=True, blank=True)

    SCOPE_FIELD = "division__code"
    SCOPE_ATTR = "division_id"

    class Meta:
        ordering = ["-published_on", "division_id"]

    def __str__(self) -> str:
        return f"{self.division_id} {self.year}"


class Reputation(Withdrawable):
    """An entry of the public reputation lists (守信典范/失信典型, R-RAT-6): published only with a
    recorded decision, and reversible."""

    class Kind(models.TextChoices):
        EXEMPLARY = "exemplary", "守信典范"
        DEFAULTER = "defaulter", "失信典型"

    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="reputations"
    )
    village_code = models.CharField(max_length=12)
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    reason = models.CharField("事实", max_length=300)
    decision = models.CharField("决定（会议、文号）", max_length=200)
    decided_by = user_field(null=False)
    published_on = models.DateField("公示日期")

    SCOPE_FIELD = "village_code"

    class Meta:
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return self.get_kind_display()

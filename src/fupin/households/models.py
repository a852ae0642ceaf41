"""The registry (一户一档, R-REG-2): households, their members, and their history.

ID numbers, phones and bank accounts are stored encrypted with a blind index for search
and a masked form for display (R-REG-5); see :mod:`fupin.core.pii`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class RegistryStatus(models.TextChoices):
    POOR = "poor", "建档立卡贫困户"
    LOW_INCOME = "low_income", "低收入户"
    MONITORED = "monitored", "监测户"
    LIFTED = "lifted", "已脱贫户"
    NONE = "none", "非建档户"


REGISTERED = (
    RegistryStatus.POOR,
    RegistryStatus.LOW_INCOME,
    RegistryStatus.MONITORED,
)  # the programme's "registered poor"


class Labour(models.TextChoices):
    FULL = "full", "有劳动能力"
    WEAK = "weak", "弱劳动力"
    NONE = "none", "无劳动力"


class Household(models.Model):
    # indexes: (county_code, registry_no) unique and (village, status) serve every lookup; the
    # single-column ones Django would add are left out (each index costs on a registry import)
    county_code = models.CharField("县代码", max_length=6)
    village = models.ForeignKey(
        "divisions.Division",
        on_delete=models.PROTECT,
        db_column="village_code",
        related_name="+",
        verbose_name="行政村",
        db_index=False,
    )
    natural_village = models.CharField("自然村", max_length=64, blank=True)
    registry_no = models.CharField("户编号", max_length=40)
    status = models.CharField(
        "户类型", max_length=16, choices=RegistryStatus.choices, default=RegistryStatus.POOR
    )
    status_year = models.PositiveSmallIntegerField("建档年份", null=True, blank=True)
    lifted_year = models.PositiveSmallIntegerField("脱贫年度", null=True, blank=True)
    poverty_attribute = models.CharField("贫困户属性", max_length=32, blank=True)
    lifting_attribute = models.CharField("脱贫属性", max_length=32, blank=True)
    identification_standard = models.CharField("识别标准", max_length=32, blank=True)
    main_cause = models.CharField("主要致贫原因", max_length=32, blank=True)
    member_count = models.PositiveSmallIntegerField("人数", default=0)
    income_total = models.DecimalField(
        "家庭年收入（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    income_per_capita = models.DecimalField(
        "人均纯收入（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    income_sources = models.CharField("主要收入来源", max_length=120, blank=True)
    dangerous_house = models.BooleanField("危房户", null=True, blank=True)
    water_safe = models.BooleanField("饮水安全", null=True, blank=True)
    water_difficulty = models.BooleanField("饮水困难", null=True, blank=True)
    bank_name = models.CharField("开户银行", max_length=64, blank=True)
    bank_account_cipher = models.BinaryField("银行卡号（密文）", null=True, blank=True)
    bank_account_masked = models.CharField("银行卡号", max_length=40, blank=True)
    tags = models.JSONField("重点标签", default=list, blank=True)
    registered_on = models.DateField("登记日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_FIELD = "village__code"  # Django reads this from the local village_code column, no join
    SCOPE_ATTR = "village_id"

    class Meta:
        verbose_name = "农户"
        verbose_name_plural = "农户"
        constraints = [
            models.UniqueConstraint(
                fields=["county_code", "registry_no"], name="household_registry_no_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(income_total__gte=0) | models.Q(income_total__isnull=True),
                name="household_income_nonnegative",
            ),
        ]
        indexes = [models.Index(fields=["village", "status"])]

    def __str__(self) -> str:
        return f"{self.registry_no}"


class Person(models.Model):
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="members", verbose_name="所属农户"
    )
    county_code = models.CharField("县代码", max_length=6)
    village_code = models.CharField("村代码", max_length=12, db_index=True)
    name = models.CharField("姓名", max_length=64)  # searched with contains: a b-tree would not help
    id_cipher = models.BinaryField("证件号码（密文）")
    id_index = models.CharField("证件号码索引", max_length=32, unique=True)
    id_masked = models.CharField("证件号码", max_length=18)
    birth_date = models.DateField("出生日期")
    sex = models.CharField("性别", max_length=2)
    is_head = models.BooleanField("户主", default=False)
    relationship = models.CharField("与户主关系", max_length=16, blank=True)
    person_no = models.CharField("人编号", max_length=40, blank=True)
    ethnicity = models.CharField("民族", max_length=16, blank=True)
    education = models.CharField("文化程度", max_length=32, blank=True)
    school_status = models.CharField("在校生状况", max_length=32, blank=True)
    health = models.CharField("健康状况", max_length=32, blank=True)
    labour = models.CharField("劳动能力", max_length=8, choices=Labour.choices, blank=True)
    labour_skill = models.CharField("劳动技能", max_length=32, blank=True)
    work_status = models.CharField("务工状况", max_length=32, blank=True)
    work_months = models.PositiveSmallIntegerField("务工时间（月）", null=True, blank=True)
    serious_illness_insured = models.BooleanField("参加大病医疗", null=True, blank=True)
    phone_cipher = models.BinaryField("联系电话（密文）", null=True, blank=True)
    phone_index = models.CharField("联系电话索引", max_length=32, blank=True, db_index=True)
    phone_masked = models.CharField("联系电话", max_length=20, blank=True)
    left_on = models.DateField(
        "迁出日期", null=True, blank=True
    )  # no longer a member (the row stays for history)

    SCOPE_FIELD = "village_code"

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(is_head=True, left_on__isnull=True),
                name="one_head_per_household",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class HouseholdEvent(models.Model):
    """The household's history: creation, every changed field, status changes, members in/out."""

    class Kind(models.TextChoices):
        CREATED = "created", "建档"
        CHANGED = "changed", "信息变更"
        STATUS = "status", "户类型变更"
        MEMBER_IN = "member_in", "成员迁入"
        MEMBER_OUT = "member_out", "成员迁出"

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    batch = models.ForeignKey(
        "ImportBatch", on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    field = models.CharField(max_length=64, blank=True)
    before = models.CharField(max_length=200, blank=True)
    after = models.CharField(max_length=200, blank=True)
    person_name = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.field}"


class ImportBatch(models.Model):
    class State(models.TextChoices):
        RUNNING = "running", "处理中"
        FAILED = "failed", "有错误，未导入"
        CHECKED = "checked", "检查通过（试运行）"
        IMPORTED = "imported", "已导入"

    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    layout = models.CharField(max_length=16, blank=True)  # registry | template
    dry_run = models.BooleanField(default=False)
    state = models.CharField(max_length=16, choices=State.choices, default=State.RUNNING)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    stage = models.CharField(max_length=64, blank=True)
    rows = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    division_code = models.CharField(max_length=12, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(default=timezone.now)  # the running import's heartbeat
    finished_at = models.DateTimeField(null=True, blank=True)

    SCOPE_FIELD = "division_code"

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"导入 #{self.pk} {self.file_name}"


class Visit(models.Model):
    """A visit to a household (走访), often written on a phone in a village with no signal and sent
    later (issue 27 (8)): recorded once per idempotency key, so a phone that sends it again when
    it cannot tell whether the first reached us records it once."""

    class Kind(models.TextChoices):
        AFTER_LOAN = "after_loan", "贷后回访"
        VERIFY = "verify", "入户核实"
        ARREARS = "arrears", "逾期催收"
        POLICY = "policy", "政策宣传"

    SCOPE_FIELD = "village_code"

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="visits")
    village_code = models.CharField("行政村代码", max_length=12)
    visited_on = models.DateField("走访日期")
    kind = models.CharField("走访类型", max_length=16, choices=Kind.choices)
    note = models.CharField("走访情况", max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    key = models.CharField("幂等键", max_length=64, unique=True)
    at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["household", "visited_on"], name="visit_household_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.visited_on}"

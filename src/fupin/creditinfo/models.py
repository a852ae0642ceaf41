"""The credit-information service (DOMAIN §13): items per household from several sources
(R-CRD-1), consents and the log of every query (R-CRD-2), ratings of lead households and
cooperatives on their own scorecards (R-CRD-3)."""

from __future__ import annotations

from django.db import models

from fupin.accounts.models import user_field
from fupin.core import creditinfo as core


class CreditItem(models.Model):
    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="credit_items"
    )
    village_code = models.CharField(max_length=12)
    category = models.CharField("类别", max_length=8, choices=list(core.CATEGORIES.items()))
    name = models.CharField("项目", max_length=60)
    value = models.CharField("内容", max_length=200)
    source = models.CharField("来源部门", max_length=60)
    on = models.DateField("信息日期")
    adverse = models.BooleanField("不良记录", default=False)
    adverse_end = models.DateField("不良行为终止日期", null=True, blank=True)
    recorded_by = user_field()
    recorded_at = models.DateTimeField(auto_now_add=True)

    SCOPE_FIELD = "village_code"

    class Meta:
        ordering = ["category", "-on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "source", "name", "on", "value"], name="credit_item_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}：{self.value}"


class Consent(models.Model):
    """A household's signed authorisation for one institution to query its credit information."""

    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="credit_consents"
    )
    village_code = models.CharField(max_length=12)
    institution = models.CharField("被授权机构代码", max_length=20)
    institution_name = models.CharField("被授权机构", max_length=64)
    document_no = models.CharField("授权书编号", max_length=40)
    granted_on = models.DateField("授权日期")
    expires_on = models.DateField("有效期至")
    recorded_by = user_field(null=False)
    revoked_on = models.DateField("撤销日期", null=True, blank=True)
    revoked_by = user_field()

    SCOPE_FIELD = "village_code"

    class Meta:
        ordering = ["-granted_on", "-id"]

    def __str__(self) -> str:
        return f"授权 {self.institution_name} {self.document_no}"


class Query(models.Model):
    """Every query of a household's credit information, allowed or refused (R-CRD-2)."""

    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="credit_queries"
    )
    village_code = models.CharField(max_length=12)
    institution = models.CharField("查询机构", max_length=64)
    user = user_field(null=False)
    purpose = models.CharField("查询原因", max_length=100)
    at = models.DateTimeField("查询时间", auto_now_add=True)
    allowed = models.BooleanField("是否准予")
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="queries"
    )

    SCOPE_FIELD = "village_code"

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"查询 {self.household_id} {self.purpose}"


class EntityRating(models.Model):
    kind = models.CharField("对象", max_length=8, choices=list(core.KINDS.items()))
    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="entity_ratings"
    )
    coop = models.ForeignKey(
        "coops.Cooperative", on_delete=models.PROTECT, null=True, blank=True, related_name="ratings"
    )
    village_code = models.CharField(max_length=12)
    facts = models.JSONField("评分依据")
    lines = models.JSONField("各项得分")
    total = models.PositiveSmallIntegerField("得分")
    grade = models.CharField("等级", max_length=4)
    rated_on = models.DateField("评定日期")
    rated_by = user_field(null=False)

    SCOPE_FIELD = "village_code"

    class Meta:
        ordering = ["-rated_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="lead", household__isnull=False, coop__isnull=True)
                | models.Q(kind="coop", coop__isnull=False, household__isnull=True),
                name="entity_rating_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.grade}"

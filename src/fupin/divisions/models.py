"""Divisions (R-REG-1), the lending institutions and their branches.

A division is keyed by its 12-digit statistics code; ``prefix`` is stored so that
jurisdiction filters are plain ``LIKE 'prefix%'`` range scans. A county's programme has several
lending institutions (issue 25: 农信社, 农业银行, 邮储银行, 村镇银行 …); each has a head office and
branches (网点), and a branch serves a set of divisions (its coverage). Bank roles are scoped by
that coverage *and* their institution: they see and act on their own institution's loans only.
"""

from __future__ import annotations

from fractions import Fraction

from django.db import models

from fupin.core.divisions import Level


class Division(models.Model):
    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=64)
    level = models.PositiveSmallIntegerField("级别", choices=[(lvl.value, lvl.label) for lvl in Level])
    prefix = models.CharField("代码前缀", max_length=12, db_index=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级"
    )

    SCOPE_FIELD = "code"

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="division_level_range"
            ),
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True) | models.Q(level__gt=1), name="division_root_or_child"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def level_label(self) -> str:
        return Level(self.level).label


class Institution(models.Model):
    """A lending institution of the county's programme (issue 25). Its head office is the
    branch with no parent (:attr:`Branch.parent`); its loans, applications and books carry it."""

    class Kind(models.TextChoices):
        RURAL_CREDIT = "rural_credit", "农村信用社/农商银行"
        AGRICULTURAL = "agricultural", "中国农业银行"
        POSTAL = "postal", "中国邮政储蓄银行"
        VILLAGE_BANK = "village_bank", "村镇银行"
        OTHER = "other", "其他银行"

    code = models.CharField("机构代码", max_length=20, unique=True)
    name = models.CharField("机构名称", max_length=64)
    short_name = models.CharField("简称", max_length=16)
    kind = models.CharField("机构类型", max_length=16, choices=Kind.choices, default=Kind.RURAL_CREDIT)
    county = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="institutions", verbose_name="所在县"
    )
    # the loan products it offers (codes of fupin.core.products); empty: every product
    products = models.JSONField("开办的贷款产品", default=list, blank=True)
    # its own approval authority by amount (R-APP-3): [from yuan, below yuan or null, role] rows as
    # the programme's rules state them; empty: the county's rules
    approval_bands = models.JSONField("贷款审批权限", default=list, blank=True)
    # its own version of a product: the annual rate it lends at (a decimal fraction as text, by
    # product code); a product not named: the county's preset
    product_rates = models.JSONField("本机构执行利率", default=dict, blank=True)
    # it books its loans in its own core system and sends the county monthly files (issue 25 (3)):
    # nothing of its loans, its subsidy claims or its fund account is posted in Fupin's ledger
    own_core = models.BooleanField("自有核心系统记账，按月报送借据", default=False)

    class Meta:
        verbose_name = "贷款机构"
        verbose_name_plural = "贷款机构"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.short_name or self.name

    def offers(self, product: str) -> bool:
        return not self.products or product in self.products

    def rate_of(self, product: str) -> Fraction | None:
        """The annual rate this institution lends ``product`` at, if it has its own."""
        rate = self.product_rates.get(product)
        return Fraction(rate) if rate else None


class Branch(models.Model):
    """A branch (分社/支行/网点) of a lending institution; the root is the head office."""

    code = models.CharField("机构代码", max_length=20, unique=True)
    name = models.CharField("机构名称", max_length=64)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="branches", verbose_name="所属机构"
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="上级机构",
    )
    county = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="branches", verbose_name="所在县"
    )
    coverage = models.ManyToManyField(Division, related_name="served_by", verbose_name="服务区域")

    class Meta:
        verbose_name = "金融机构网点"
        verbose_name_plural = "金融机构网点"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_head_office(self) -> bool:
        return self.parent_id is None


def institution_field(*, null: bool = False) -> models.ForeignKey:
    """The foreign key by which a record belongs to a lending institution (issue 25), protected,
    with no reverse accessor."""
    return models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=null,
        blank=null,
        related_name="+",
        verbose_name="贷款机构",
    )


def division_field(*, column: str = "division_code", label: str = "区划") -> models.ForeignKey:
    """The foreign key by which a record belongs to a division (R-REG-1): stored as the
    12-digit code in ``column``, protected, with no reverse accessor."""
    return models.ForeignKey(
        Division, on_delete=models.PROTECT, db_column=column, related_name="+", verbose_name=label
    )

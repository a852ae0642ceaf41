"""The product catalogue through /api/v1 (issue 26 (4))."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Router, Schema

from fupin.accounts import access
from fupin.api.common import Yuan, responses
from fupin.products.catalogue import catalogue

router = Router(tags=["产品 Products"])


class BenchmarkOut(Schema):
    effective: dt.date = Field(..., description="LPR 公布日")
    one_year: Decimal = Field(..., description="一年期 LPR（小数，如 0.03）")
    five_year: Decimal = Field(..., description="五年期以上 LPR")


class LenderRateOut(Schema):
    code: str
    name: str
    version: str = Field(..., description="产品版本；机构有自己的利率时为“版本/机构代码”")
    annual_rate: Decimal | None = Field(None, description="该机构执行的年利率（小数）")


class ProductOut(Schema):
    code: str
    name: str
    version: str
    rules: str = Field(..., description="规则编号（DOMAIN）")
    rate_basis: str = Field(
        ..., description="fixed 固定 / lpr_1y 一年期 LPR / lpr_by_term 按期限取 LPR / agreed 合同约定"
    )
    annual_rate: Decimal | None = Field(None, description="今日的默认年利率（小数）")
    stated_rate: Decimal | None = Field(None, description="文件所称“实际年利率”（非 APR）")
    benchmark: BenchmarkOut
    min_amount: Yuan
    max_amount: Yuan | None
    term: int | None = Field(None, description="默认期限")
    term_unit: str | None
    min_term: int
    max_term: int
    allowed_terms: list[int] = Field(..., description="只允许这些期限（空：范围内任意）")
    lpr_ceiling: bool = Field(..., description="利率不得高于同期限 LPR")
    day_count: str | None = Field(None, description="计息方式：period 按期 / act360 / act365")
    holiday_shift: str | None = Field(None, description="遇节假日：none 不调整 / next 顺延 / …")
    shape: str | None = Field(None, description="还款方式")
    frequency: str | None = Field(None, description="还款频率")
    settlement_day: int | None = Field(None, description="结息日")
    upfront_fee_rate: Decimal | None = None
    deposit_rate: Decimal | None = None
    guarantors: int = Field(..., description="签约前须有的担保人数")
    prepayment: list[str] = Field(..., description="可选的部分提前还款方式")
    lenders: list[LenderRateOut] = Field(..., description="开办该产品的贷款机构")


@router.get(
    "/products",
    response=responses(list[ProductOut]),
    summary="贷款产品目录：版本、利率、期限、计息与节假日规则、额度",
)
def products(request):
    access.require(request.auth, "application.view")
    return catalogue(timezone.localdate())

"""Interest subsidies through /api/v1: policies, claim batches and their steps (R-SUB-2), the
subsidy register (附表8), the receivable from government aged (R-SUB-3)."""

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from fupin.accounts import access
from fupin.api.common import MAX_ID, Amount, DivisionCode, IsoDate, Pagination, Text, Yuan, responses
from fupin.core.errors import NotFound
from fupin.core.money import fmt, money, rate, to_fen
from fupin.subsidies import selectors, services
from fupin.subsidies.models import Policy

router = Router(tags=["贴息 Subsidies"])
Id = Path(..., ge=1, le=MAX_ID)


class SubsidyPolicyOut(Schema):
    id: int
    code: str
    version: str
    kind: str = Field(..., description="rate 按贴息率 / half 按时还款贴一半 / capped 每户封顶")
    name: str
    effective: dt.date
    products: list[str]
    rate: str
    share: str
    cap: Yuan | None = Field(None, description="每户贴息上限（元）")

    @staticmethod
    def resolve_rate(obj) -> str:
        return str(obj.rate)

    @staticmethod
    def resolve_share(obj) -> str:
        return str(obj.share)


@router.get("/subsidies/policies", response=responses(list[SubsidyPolicyOut]), summary="贴息政策（按版本）")
def subsidy_policies(request):
    access.require(request.auth, "subsidy.view")
    return selectors.policies()


class SubsidyPolicyIn(Schema):
    code: Text(16, 1)
    version: Text(16, 1)
    kind: Text(8) = Field(..., description="rate / half / capped")
    name: Text(100, 1)
    effective: IsoDate = Field(..., description="自此日起放出的贷款适用")
    products: list[Text(16)] = Field(..., min_length=1, max_length=10)
    rate: Text(12) = Field("0.05", description="贴息年率（小数，字符串）")
    share: Text(12) = Field("0.5", description="贴息比例（S-HALF，小数，字符串）")
    window_start: IsoDate | None = None
    window_end: IsoDate | None = None
    max_days: int | None = Field(None, ge=1, le=36500)
    cap: Amount | None = Field(None, description="每户上限（元，字符串）")
    benchmark_only: bool = False
    bars_next_year: bool = True


@router.post(
    "/subsidies/policies",
    response=responses(SubsidyPolicyOut, 409, 422, ok_status=201),
    summary="新增贴息政策版本（旧版本不改，已放贷款沿用原版本）",
)
def subsidy_policy_create(request, payload: SubsidyPolicyIn):
    window = (
        (payload.window_start, payload.window_end) if payload.window_start and payload.window_end else None
    )
    return Status(
        201,
        services.policy_save(
            acting_user=request.auth,
            code=payload.code,
            version=payload.version,
            kind=payload.kind,
            name=payload.name,
            effective=payload.effective,
            products=payload.products,
            rate=rate(payload.rate, field="贴息年率"),
            share=_share(payload.share),
            window=window,
            max_days=payload.max_days,
            cap=to_fen(money(payload.cap, field="每户上限")) if payload.cap else None,
            benchmark_only=payload.benchmark_only,
            bars_next_year=payload.bars_next_year,
        ),
    )


def _share(value: str):
    from fractions import Fraction

    return Fraction(1) if value.strip() in ("1", "1.0", "1.00") else rate(value, field="贴息比例")


class SubsidyBatchOut(Schema):
    id: int
    policy_id: int
    division_code: str
    cutoff: dt.date
    state: str
    claimed: Yuan = Field(..., description="申报金额（元）")
    approved: Yuan = Field(..., description="扶贫办审核金额（元）")
    confirmed: Yuan = Field(..., description="财政局确认金额（元）")
    paid: Yuan = Field(..., description="财政拨付金额（元）")
    credited: Yuan = Field(..., description="入账到户金额（元）")
    prepared_on: dt.date
    reviewed_on: dt.date | None
    confirmed_on: dt.date | None
    paid_on: dt.date | None
    credited_on: dt.date | None
    payment_ref: str
    note: str


@router.get("/subsidies/batches", response=responses(list[SubsidyBatchOut]), summary="贴息申报批次")
@paginate(Pagination)
def subsidy_batches(request):
    access.require(request.auth, "subsidy.view")
    return selectors.batches(request.auth)


class SubsidyBatchIn(Schema):
    policy_id: int = Field(..., ge=1, le=MAX_ID)
    division_code: DivisionCode = Field(..., description="申报单位（县或乡镇）区划代码")
    cutoff: IsoDate = Field(..., description="截止日期：此日及以前结束的计息期")


@router.post(
    "/subsidies/batches",
    response=responses(SubsidyBatchOut, 404, 409, 422, ok_status=201),
    summary="银行申报贴息：计算截止日前各期贴息（附表8），记应收财政贴息",
)
def subsidy_batch_prepare(request, payload: SubsidyBatchIn):
    access.require(request.auth, "subsidy.prepare")
    policy = Policy.objects.filter(pk=payload.policy_id).first()
    if policy is None:
        raise NotFound("贴息政策不存在", code="not_found")
    return Status(
        201,
        services.batch_prepare(
            acting_user=request.auth,
            policy=policy,
            division_code=payload.division_code,
            cutoff=payload.cutoff,
        ),
    )


@router.get(
    "/subsidies/batches/{batch_id}", response=responses(SubsidyBatchOut, 404), summary="一个贴息申报批次"
)
def subsidy_batch(request, batch_id: int = Id):
    return selectors.batch_get(request.auth, batch_id)


class SubsidyStrikeIn(Schema):
    line_id: int = Field(..., ge=1, le=MAX_ID, description="明细号")
    reason: Text(100, 2) = Field(..., description="核减原因")


class SubsidyReviewIn(Schema):
    approve: bool
    strike: list[SubsidyStrikeIn] = Field(
        default_factory=list, max_length=2000, description="核减的明细及原因"
    )
    note: Text(200) = Field("", description="审核意见（退回须填写）")


@router.post(
    "/subsidies/batches/{batch_id}/review",
    response=responses(SubsidyBatchOut, 404, 409, 422),
    summary="扶贫办审核：通过（可逐条核减并写明原因）或整批退回",
)
def subsidy_batch_review(request, payload: SubsidyReviewIn, batch_id: int = Id):
    batch = selectors.batch_get(request.auth, batch_id)
    return services.batch_review(
        acting_user=request.auth,
        batch=batch,
        approve=payload.approve,
        strike={s.line_id: s.reason for s in payload.strike},
        note=payload.note,
    )


@router.post(
    "/subsidies/batches/{batch_id}/confirm",
    response=responses(SubsidyBatchOut, 404, 409),
    summary="财政局确认审核金额",
)
def subsidy_batch_confirm(request, batch_id: int = Id):
    return services.batch_confirm(acting_user=request.auth, batch=selectors.batch_get(request.auth, batch_id))


class SubsidyPaymentIn(Schema):
    payment_ref: Text(40, 1) = Field(..., description="拨付凭证号")


@router.post(
    "/subsidies/batches/{batch_id}/payment",
    response=responses(SubsidyBatchOut, 404, 409, 422),
    summary="财政拨付：银行收到确认金额（与确认者须为不同的人）",
)
def subsidy_batch_pay(request, payload: SubsidyPaymentIn, batch_id: int = Id):
    return services.batch_pay(
        acting_user=request.auth,
        batch=selectors.batch_get(request.auth, batch_id),
        payment_ref=payload.payment_ref,
    )


@router.post(
    "/subsidies/batches/{batch_id}/credit",
    response=responses(SubsidyBatchOut, 404, 409),
    summary="银行将贴息入账到户（与申报者须为不同的人）",
)
def subsidy_batch_credit(request, batch_id: int = Id):
    return services.batch_credit(acting_user=request.auth, batch=selectors.batch_get(request.auth, batch_id))


class SubsidyLineOut(Schema):
    id: int
    policy_id: int
    loan_id: int | None = Field(..., description="本系统的贷款；自有核心系统银行的贷款为空，以借据号为准")
    institution_id: int | None = Field(..., description="贷款机构")
    contract_no: str = Field(..., description="合同编号（借据号）")
    household_id: int
    village_code: str
    seq: int = Field(..., description="期次（0：整笔贷款）")
    start: dt.date
    end: dt.date
    days: int
    interest: Yuan = Field(..., description="该期已付利息（元）")
    amount: Yuan = Field(..., description="贴息（元）")
    reason: str = Field(..., description="不贴息或少贴的原因")
    batch_id: int | None
    struck: str
    credited_on: dt.date | None


class SubsidyLineQuery(Schema):
    policy: int | None = Field(None, ge=1, le=MAX_ID)
    batch: int | None = Field(None, ge=1, le=MAX_ID)


@router.get("/subsidies/lines", response=responses(list[SubsidyLineOut]), summary="贴息登记簿（附表8）明细")
@paginate(Pagination)
def subsidy_lines(request, q: Query[SubsidyLineQuery]):
    access.require(request.auth, "subsidy.view")
    return selectors.register(request.auth, policy=q.policy, batch=q.batch)


class SubsidyReceivableOut(Schema):
    on: dt.date
    total: Yuan = Field(..., description="应收财政贴息合计（元）")
    unclaimed: Yuan = Field(..., description="已扣减尚未申报（元）")
    buckets: dict[str, Any] = Field(..., description="按申报后天数分段（元）")

    @staticmethod
    def resolve_buckets(obj) -> dict[str, str]:
        return {k: fmt(v) for k, v in obj["buckets"].items()}


@router.get(
    "/subsidies/receivable",
    response=responses(SubsidyReceivableOut),
    summary="应收财政贴息账龄（按申报后天数）",
)
def subsidy_receivable(request):
    access.require(request.auth, "subsidy.view")
    return selectors.receivable(request.auth, timezone.localdate())

"""The nightly batch and servicing through /api/v1: runs, collection lists, village recovery
(R-RPT-4), loan events (R-REP-4), group meeting collection (P-GROUP)."""

import datetime as dt

from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from fupin.accounts import access
from fupin.api.common import MAX_ID, Amount, Choice, DivisionCode, IsoDate, Pagination, Text, Yuan, responses
from fupin.cob import selectors, services
from fupin.core.money import money, to_fen
from fupin.loans import selectors as loans
from fupin.loans.collections import collection_post
from fupin.loans.events import event_decide, event_request
from fupin.loans.models import Group, LoanEvent
from fupin.loans.selectors import loan_get

router = Router(tags=["日终与贷后 Servicing"])
Id = Path(..., ge=1, le=MAX_ID)


class NextCollectionOut(Schema):
    date: dt.date = Field(..., description="收款日（次日）")
    loans: int
    due: Yuan = Field(..., description="应还（元）")
    arrears: Yuan = Field(..., description="逾期欠款（元）")


class ProvisionsOut(Schema):
    villages: int
    required: Yuan = Field(..., description="应提贷款损失准备（元）")
    change: Yuan = Field(..., description="本次计提（负数为转回，元）")
    entries: int


class VillageMonthsOut(Schema):
    villages: int
    below: int = Field(..., description="当年到期贷款回收率低于 98% 的村")
    suspended: int = Field(..., description="暂停新增贷款的村（R-RPT-4）")


class CobSummaryOut(Schema):
    """A close's summary; amounts in yuan (issue 26 (5)). A run still going has none of it."""

    loans: int | None = Field(None, description="在贷笔数")
    accrued: Yuan | None = Field(None, description="计提利息（元）")
    penalty: Yuan | None = Field(None, description="计提罚息（元）")
    entries: int | None = Field(None, description="记账凭证数")
    rolled: int | None = None
    newly_late: int | None = Field(None, description="新增逾期笔数")
    defaults: int | None = Field(None, description="新增违约笔数")
    repaid_on_time: int | None = None
    grade_changes: int | None = Field(None, description="信用等级调整户数")
    collection: NextCollectionOut | None = None
    villages: VillageMonthsOut | None = Field(None, description="月末：各村回收率（月末之外为空）")
    provisions: ProvisionsOut | None = Field(None, description="月末：贷款损失准备（月末之外为空）")
    categories: dict[str, int] | None = Field(None, description="在贷笔数按五级分类")
    par: dict[str, int] | None = Field(None, description="逾期笔数按逾期天数档")
    seconds: float | None = Field(None, description="用时（秒）")


class CobRunOut(Schema):
    date: dt.date
    state: str
    summary: CobSummaryOut = Field(
        ..., description="汇总：贷款、计提、逾期、等级调整、五级分类、次日收款清单"
    )


@router.get("/cob/runs", response=responses(list[CobRunOut]), summary="日终批处理记录（最近 60 个营业日）")
def cob_runs(request):
    return selectors.runs(request.auth)


@router.post(
    "/cob/runs",
    response=responses(list[CobRunOut], 409),
    summary="日终：关闭昨天及之前尚未关闭的营业日（大额账务请用 fupin cob --workers N）",
)
def cob_run(request):
    access.require(request.auth, "cob.run")
    return [o.run for o in services.cob_until(timezone.localdate() - dt.timedelta(days=1))]


class CollectionOut(Schema):
    date: dt.date
    village_code: str
    loan_id: int
    contract_no: str = Field(..., alias="loan.contract_no")
    due: Yuan = Field(..., description="当日应还（元）")
    arrears: Yuan = Field(..., description="逾期欠款含罚息（元）")
    dpd: int = Field(..., description="逾期天数")


class CollectionQuery(Schema):
    date: IsoDate | None = Field(None, description="收款日（默认今天）")
    village: DivisionCode | None = Field(None, description="只看一个村")


@router.get(
    "/collections",
    response=responses(list[CollectionOut]),
    summary="收款清单：当日到期应还与逾期欠款（由前一营业日日终生成）",
)
@paginate(Pagination)
def collections(request, q: Query[CollectionQuery]):
    access.require(request.auth, "collection.view")
    return selectors.collection_list(request.auth, q.date or timezone.localdate(), q.village or "")


class VillageMonthOut(Schema):
    village_code: str
    month: dt.date
    due: Yuan
    repaid: Yuan
    rate: str | None = Field(None, description="回收率（六位小数）")
    below: bool
    suspended: bool = Field(..., description="暂停新增贷款（R-RPT-4）")

    @staticmethod
    def resolve_rate(obj) -> str | None:
        return None if obj.rate is None else str(obj.rate)


@router.get(
    "/villages/recovery",
    response=responses(list[VillageMonthOut]),
    summary="各村月末当年到期贷款回收率与暂停放款状态",
)
@paginate(Pagination)
def village_recovery(request):
    access.require(request.auth, "collection.view")
    return selectors.village_months(request.auth)


class LoanEventIn(Schema):
    kind: Choice(["extension", "rollover", "write_off", "refund"]) = Field(
        ..., description="extension 展期 / rollover 转据 / write_off 核销 / refund 退还溢缴款"
    )
    reason: Text(200, 1) = Field(..., description="理由")
    new_maturity: IsoDate | None = Field(None, description="展期后到期日")
    amount: Amount | None = Field(None, description="退款金额（元，字符串；默认全部溢缴款）")


class LoanEventOut(Schema):
    id: int
    loan_id: int
    kind: str
    kind_label: str
    state: str
    state_label: str
    amount: Yuan
    interest: Yuan
    new_maturity: dt.date | None
    reason: str
    entry_id: int | None
    new_loan_id: int | None
    requested_by: str = Field(..., description="申请人用户名")
    requested_by_name: str
    requested_at: dt.datetime
    decided_by: str | None = Field(None, description="审批人用户名（未审批为空）")
    decided_by_name: str | None = None
    decided_on: dt.date | None = None

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_state_label(obj) -> str:
        return obj.get_state_display()

    @staticmethod
    def resolve_requested_by(obj) -> str:
        return obj.requested_by.username

    @staticmethod
    def resolve_requested_by_name(obj) -> str:
        return obj.requested_by.get_full_name()

    @staticmethod
    def resolve_decided_by(obj) -> str | None:
        return obj.decided_by.username if obj.decided_by_id else None

    @staticmethod
    def resolve_decided_by_name(obj) -> str | None:
        return obj.decided_by.get_full_name() if obj.decided_by_id else None


@router.get(
    "/loans/{loan_id}/events",
    response=responses(list[LoanEventOut], 404),
    summary="贷款的展期、转据、核销、退款事项",
)
def loan_events(request, loan_id: int = Id):
    return loans.loan_events(request.auth, loan_id)


@router.post(
    "/loans/{loan_id}/events",
    response=responses(LoanEventOut, 404, 409, 422, ok_status=201),
    summary="申请展期、转据、核销或退还溢缴款（须另一人审批后记账）",
)
def loan_event_request(request, payload: LoanEventIn, loan_id: int = Id):
    loan = loan_get(request.auth, loan_id)
    amount = to_fen(money(payload.amount, field="金额")) if payload.amount else None
    return Status(
        201,
        event_request(
            acting_user=request.auth,
            loan=loan,
            kind=payload.kind,
            reason=payload.reason,
            new_maturity=payload.new_maturity,
            amount=amount,
        ),
    )


class LoanEventDecisionIn(Schema):
    approve: bool
    note: Text(200) = Field("", description="审批意见（驳回须填写）")


@router.post(
    "/loan-events/{event_id}/decision",
    response=responses(LoanEventOut, 404, 409, 422),
    summary="审批展期、转据、核销或退款：批准即记账（申请人不能审批）",
)
def loan_event_decide(request, payload: LoanEventDecisionIn, event_id: int = Id):
    event = access.get_visible(request.auth, LoanEvent.objects.all(), "loan.event.approve", pk=event_id)
    return event_decide(acting_user=request.auth, event=event, approve=payload.approve, note=payload.note)


class CollectionLineIn(Schema):
    loan_id: int = Field(..., ge=1, le=MAX_ID)
    amount: Amount = Field(..., description="实收金额（元，字符串）")


class CollectionSheetIn(Schema):
    week_of: IsoDate = Field(..., description="收款周的周一")
    idempotency_key: Text(40, 8) = Field(..., description="收款单幂等键：重复提交每笔只记一次")
    lines: list[CollectionLineIn] = Field(..., max_length=50)


class CollectionSheetOut(Schema):
    repayments: list[int]


@router.post(
    "/groups/{group_id}/collection",
    response={**responses(CollectionSheetOut, 404, 409, 422, ok_status=201), 200: CollectionSheetOut},
    summary="联保小组会收款：成员的还款一并登记（按顺序分配；幂等：同一收款单再发答 200，不重复登记）",
)
def group_collection(request, payload: CollectionSheetIn, group_id: int = Id):
    group = access.get_visible(request.auth, Group.objects.all(), "application.view", pk=group_id)
    amounts = {line.loan_id: to_fen(money(line.amount, field="金额")) for line in payload.lines}
    done = collection_post(
        acting_user=request.auth,
        group=group,
        week_of=payload.week_of,
        amounts=amounts,
        key=payload.idempotency_key,
    )
    created = any(new for _, new in done) or not done
    return Status(201 if created else 200, {"repayments": [r.pk for r, _ in done]})

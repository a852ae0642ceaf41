import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from fupin.accounts import access
from fupin.api.common import (
    MAX_ID,
    Amount,
    Choice,
    DivisionCode,
    IsoDate,
    Pagination,
    Text,
    Yuan,
    ordering,
    responses,
)
from fupin.core.errors import NotFound, ValidationFailed
from fupin.core.money import money, to_fen
from fupin.core.origination import GUARANTOR_KINDS, PURPOSES, STATES
from fupin.core.products import PRESETS
from fupin.core.servicing import CATEGORIES
from fupin.divisions.models import Division
from fupin.divisions.selectors import institution_code, institution_pick
from fupin.households.models import Household
from fupin.loans import listing, selectors, services
from fupin.loans.disbursement import loan_contract as contract
from fupin.loans.disbursement import loan_disburse as disburse
from fupin.loans.groups import actual_use_record, lead_agreement_sign
from fupin.loans.groups import group_create as create
from fupin.loans.guarantors import guarantor_add
from fupin.loans.models import Group, Loan, Notice, Quota
from fupin.loans.repayments import loan_payoff as pay_off
from fupin.loans.repayments import loan_prepay as prepay
from fupin.loans.repayments import repayment_post
from fupin.ratings.api import EligibilityOut, FailureOut
from fupin.ratings.models import CreditLine
from fupin.ratings.selectors import eligibility

router = Router(tags=["贷款申请 Applications"])
Id = Path(..., ge=1, le=MAX_ID)


class ApplicationIn(Schema):
    household_id: int = Field(..., ge=1, le=MAX_ID)
    product: Choice(PRESETS) = Field(..., description="产品：" + "、".join(PRESETS))
    purpose: Choice(PURPOSES) = Field(..., description="用途：" + "、".join(PURPOSES))
    project: Text(300) = Field(..., description="项目说明")
    amount: Amount = Field(..., description="申请金额（元，两位小数，字符串）", examples=["8000.00"])
    term: int = Field(..., ge=1, le=360, description="期限（月）")
    institution: str | None = Field(
        None,
        max_length=20,
        description="贷款机构代码（须在本村有服务网点；银行人员只能是本机构；默认本村最近的贷款机构）",
        examples=["FM000"],
    )


class StepOut(Schema):
    action: str
    role: str
    approve: bool
    reason: str
    at: dt.datetime
    from_state: str
    to_state: str
    actor: str | None = Field(None, description="办理人用户名（系统办理为空）")
    actor_name: str | None = Field(None, description="办理人姓名")

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor_id else None

    @staticmethod
    def resolve_actor_name(obj) -> str | None:
        return obj.actor.get_full_name() if obj.actor_id else None


class ApplicationOut(Schema):
    id: int
    household_id: int
    village_code: str
    institution: str | None = Field(None, description="贷款机构代码")
    product: str
    purpose: str
    project: str
    amount: Yuan
    term: int
    state: str
    state_label: str
    rejected_reason: str
    loan_id: int | None = Field(None, description="据此签订的贷款（尚未签约为空）")

    @staticmethod
    def resolve_state_label(obj) -> str:
        return STATES.get(obj.state, obj.state)

    @staticmethod
    def resolve_loan_id(obj) -> int | None:
        try:
            return obj.loan.pk
        except Loan.DoesNotExist:
            return None

    @staticmethod
    def resolve_institution(obj) -> str | None:
        return institution_code(obj.institution_id)


class ApplicationDetail(ApplicationOut):
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(obj) -> list:
        return list(obj.steps.select_related("actor").order_by("at", "id"))


class ReviewIn(Schema):
    approve: bool = Field(..., description="true 通过；false 否决（须写原因）")
    reason: Text(300) = ""


class ObjectionIn(Schema):
    text: Text(500, 1)


class ObjectionOut(Schema):
    id: int
    application_id: int
    text: str
    filed_at: dt.datetime


class ApplicationFilter(Schema):
    state: Choice(STATES) | None = Field(None, description="状态：" + "、".join(STATES))
    village: DivisionCode | None = Field(None, description="行政村代码")


@router.post(
    "/applications",
    response=responses(ApplicationDetail, 404, 409, 422, ok_status=201),
    summary="提交贷款申请：准入、授信额度与产品条件一并检查，列出全部不符合的原因",
)
def application_create(request, payload: ApplicationIn):
    hh = access.get_visible(request.auth, Household, "application.create", pk=payload.household_id)
    lender = institution_pick(request.auth, "application.create", payload.institution)
    app = services.application_create(
        acting_user=request.auth,
        household=hh,
        product=payload.product,
        purpose=payload.purpose,
        project=payload.project,
        amount=to_fen(money(payload.amount, field="申请金额")),
        term=payload.term,
        institution=lender.pk if lender else None,
    )
    return Status(201, app)


class EligibilityQuery(Schema):
    product: Choice(PRESETS) | None = Field(
        None, description="拟申请的产品（与金额、期限一起给出时按申请条件逐条检查）"
    )
    amount: Amount | None = Field(None, description="拟申请金额（元）", examples=["30000.00"])
    term: int | None = Field(None, ge=1, le=360, description="拟申请期限（月）")
    purpose: Choice(PURPOSES) | None = Field(None, description="用途（不给出则不检查）")
    project: Text(300) | None = Field(None, description="项目说明（不给出则不检查）")
    institution: str | None = Field(None, max_length=20, description="贷款机构代码（默认本村最近的贷款机构）")


class EligibilityProblemOut(FailureOut):
    field: str = Field("", description="与哪一项有关：amount、term、product、purpose、project；空为准入条件")


class EligibilityCheckOut(EligibilityOut):
    failures: list[EligibilityProblemOut] = Field(
        ..., description="每一条不符合之处（R-ELG-4、R-APP-1），不只第一条"
    )
    checked: bool = Field(..., description="是否已按给出的产品、金额与期限检查申请条件")
    institution: str | None = Field(None, description="申请将提交给的贷款机构代码")
    product_version: str | None = Field(None, description="所依据的产品版本")


@router.get(
    "/households/{household_id}/eligibility",
    response=responses(EligibilityCheckOut, 404, 409, 422),
    summary="一户能否贷款：准入规则；给出产品、金额与期限时，连同授信额度、产品限额、在办申请、村暂停等一并列出全部原因",
)
def household_eligibility(request, q: Query[EligibilityQuery], household_id: int = Id):
    hh = access.get_visible(request.auth, Household, "household.view", pk=household_id)
    credit = CreditLine.objects.filter(household=hh).first()
    given = [x is not None for x in (q.product, q.amount, q.term)]
    if any(given) and not all(given):
        raise ValidationFailed("产品、金额与期限须一起给出", code="incomplete_enquiry")
    if not any(given):
        verdict = eligibility(hh, timezone.localdate())
        failures = [{"rule": f.rule, "message": f.message} for f in verdict.failures]
        return {
            "household_id": hh.pk,
            "eligible": not failures,
            "failures": failures,
            "credit": credit,
            "checked": False,
        }
    lender = institution_pick(request.auth, "household.view", q.institution)
    lender, p, problems = services.application_check(
        acting_user=request.auth,
        household=hh,
        product=q.product,
        amount=to_fen(money(q.amount, field="申请金额")),
        term=q.term,
        purpose=q.purpose,
        project=q.project,
        institution=lender.pk if lender else None,
        action="household.view",
    )
    return {
        "household_id": hh.pk,
        "eligible": not problems,
        "failures": [{"rule": x.rule, "message": x.message, "field": x.field} for x in problems],
        "credit": credit,
        "checked": True,
        "institution": lender.code if lender else None,
        "product_version": p.version,
    }


ApplicationOrder, application_order = ordering(
    "ApplicationOrder",
    {
        "created_at": ("created_at", "id"),
        "amount": ("amount", "id"),
        "state": ("state", "id"),
        "village": ("village_code", "id"),
    },
    "-created_at",
)


@router.get("/applications", response=responses(list[ApplicationOut]), summary="辖区内的贷款申请")
@paginate(Pagination)
def application_list(request, filters: Query[ApplicationFilter], sort: Query[ApplicationOrder]):  # type: ignore[valid-type]
    state = filters.state if filters.state in STATES else ""
    return selectors.applications_visible(
        request.auth, state=state or "", village=filters.village or ""
    ).order_by(*application_order(sort.order))


@router.get(
    "/applications/{application_id}",
    response=responses(ApplicationDetail, 404),
    summary="一笔申请及其审查记录",
)
def application_detail(request, application_id: int = Id):
    return selectors.application_get(request.auth, application_id)


@router.post(
    "/applications/{application_id}/review",
    response=responses(ApplicationDetail, 404, 409, 422),
    summary="办理申请当前等待的一步（联合审查、乡镇审核、县级审批、银行审批），或否决",
)
def application_review(request, payload: ReviewIn, application_id: int = Id):
    app = selectors.application_get(request.auth, application_id)
    return services.application_review(
        acting_user=request.auth, application=app, approve=payload.approve, reason=payload.reason
    )


@router.post(
    "/applications/{application_id}/objections",
    response=responses(ObjectionOut, 404, 409, 422, ok_status=201),
    summary="对公示中的申请提出异议",
)
def objection_file(request, payload: ObjectionIn, application_id: int = Id):
    app = selectors.application_get(request.auth, application_id)
    return Status(201, services.objection_file(acting_user=request.auth, application=app, text=payload.text))


class GuarantorIn(Schema):
    kind: Choice(GUARANTOR_KINDS) = Field(..., description="类型：" + "、".join(GUARANTOR_KINDS))
    name: Text(64, 1) = Field(..., description="姓名")
    id_number: Text(20, 15) = Field(..., description="居民身份证号码（18 位或 15 位旧号）")
    phone: Text(20) = Field("", description="联系电话")
    relationship: Text(32) = Field("", description="与借款人关系")
    consent_on: IsoDate = Field(..., description="签署担保承诺书的日期")


class GuarantorOut(Schema):
    id: int
    application_id: int
    kind: str
    name: str
    id_masked: str = Field(..., description="证件号码（脱敏）")
    phone_masked: str
    relationship: str
    consent_on: dt.date


@router.get(
    "/applications/{application_id}/guarantors",
    response=responses(list[GuarantorOut], 404),
    summary="一笔申请的保证人（证件号码脱敏）",
)
def guarantor_list(request, application_id: int = Id):
    return list(selectors.application_get(request.auth, application_id).guarantors.all())


@router.post(
    "/applications/{application_id}/guarantors",
    response=responses(GuarantorOut, 404, 409, 422, ok_status=201),
    summary="登记保证人（P-SEASONAL“1+1”）：年龄、是否本户成员、所在农户有无违约贷款、担保笔数上限一并检查",
)
def guarantor_new(request, payload: GuarantorIn, application_id: int = Id):
    app = selectors.application_get(request.auth, application_id)
    return Status(201, guarantor_add(acting_user=request.auth, application=app, **payload.dict()))


class LoanOut(Schema):
    id: int
    application_id: int
    household_id: int
    contract_no: str
    institution: str | None = Field(None, description="贷款机构代码")
    product: str
    principal: Yuan
    start: dt.date
    maturity: dt.date
    nominal_rate: Decimal
    apr: Decimal
    ear: Decimal
    state: str
    disbursement_id: int | None = None

    @staticmethod
    def resolve_institution(obj) -> str | None:
        return institution_code(obj.institution_id)


LOAN_OUT = (*LoanOut.model_fields, "village_code")  # the columns a LoanOut shows, and its scope


@router.post(
    "/applications/{application_id}/contract",
    response=responses(LoanOut, 404, 409, 422, ok_status=201),
    summary="为已审批的申请生成借款合同（含还款计划、名义利率、APR、EAR）",
)
def loan_contract(request, application_id: int = Id):
    app = selectors.application_get(request.auth, application_id)
    return Status(201, contract(acting_user=request.auth, application=app))


class LoanListOut(LoanOut):
    village_code: str
    outstanding: Yuan = Field(..., description="未还本金（元）")
    days_past_due: int = Field(..., description="逾期天数（按最近一次日终批处理）")
    classification: str = Field(
        ..., description="五级分类：normal 正常 / special 关注 / substandard 次级 / doubtful 可疑 / loss 损失"
    )
    classification_label: str
    officer: str | None = Field(None, description="放款信贷员（用户名）")
    officer_name: str | None = Field(None, description="放款信贷员姓名")

    @staticmethod
    def resolve_days_past_due(obj, context) -> int:
        return listing.days_past_due(obj.late_since, context["request"].listed_on)

    @staticmethod
    def resolve_classification(obj, context) -> str:
        return listing.classification(listing.days_past_due(obj.late_since, context["request"].listed_on))

    @staticmethod
    def resolve_classification_label(obj, context) -> str:
        return CATEGORIES[LoanListOut.resolve_classification(obj, context)]

    @staticmethod
    def resolve_officer(obj) -> str | None:
        return obj.disbursed_by.username if obj.disbursed_by_id else None

    @staticmethod
    def resolve_officer_name(obj) -> str | None:
        return obj.disbursed_by.get_full_name() if obj.disbursed_by_id else None


class LoanFilterIn(Schema):
    division: DivisionCode | None = Field(None, description="区划代码：该区划内各村的贷款")
    institution: Text(20) | None = Field(None, description="贷款机构代码")
    product: Choice(PRESETS) | None = Field(None, description="产品代码")
    state: Choice(dict(Loan.State.choices)) | None = Field(None, description="状态")
    classification: Choice(CATEGORIES) | None = Field(None, description="五级分类")
    dpd_min: int | None = Field(None, ge=0, le=100_000, description="逾期天数不少于")
    dpd_max: int | None = Field(None, ge=0, le=100_000, description="逾期天数不多于")
    officer: Text(150) | None = Field(None, description="放款信贷员用户名")
    disbursed_from: IsoDate | None = Field(None, description="放款日期起（含）")
    disbursed_to: IsoDate | None = Field(None, description="放款日期止（含）")
    q: Text(40) | None = Field(None, description="合同编号或户编号（精确）")


LoanOrder, loan_order = ordering(
    "LoanOrder",
    {
        "start": ("start", "id"),
        "principal": ("principal", "id"),
        "contract_no": ("contract_no",),
        "village": ("village_code", "id"),
        "days_past_due": ("-late_since", "id"),
    },
    "-start",
)


@router.get("/loans", response=responses(list[LoanListOut]), summary="辖区内的贷款：检索、筛选与分页")
@paginate(Pagination)
def loan_list(request, filters: Query[LoanFilterIn], sort: Query[LoanOrder]):  # type: ignore[valid-type]
    request.listed_on = timezone.localdate()
    f = listing.LoanFilter(**{k: v for k, v in filters.dict().items() if v is not None})
    return listing.loans_listed(request.auth, f, request.listed_on).order_by(*loan_order(sort.order))


class InstalmentOut(Schema):
    seq: int
    due_date: dt.date
    principal: Yuan
    interest: Yuan
    principal_paid: Yuan
    interest_paid: Yuan
    penalty_paid: Yuan
    outstanding: Yuan = Field(..., description="该期尚欠本息（元）")


class ScheduleOut(Schema):
    loan_id: int
    contract_no: str
    on: dt.date = Field(..., description="按此日计算逾期")
    outstanding: Yuan = Field(..., description="未还本金（元）")
    arrears_principal: Yuan = Field(..., description="逾期本金（元）")
    arrears_interest: Yuan = Field(..., description="逾期利息（元）")
    days_past_due: int
    par_bucket: str
    classification: str
    penalty: Yuan = Field(..., description="已计未还罚息（元）")
    instalments: list[InstalmentOut]


@router.get(
    "/loans/{loan_id}/schedule", response=responses(ScheduleOut, 404), summary="一笔贷款的还款计划与逾期状况"
)
def loan_schedule(request, loan_id: int = Id):
    return listing.schedule(selectors.loan_get(request.auth, loan_id, bare=True), timezone.localdate())


@router.get("/loans/{loan_id}", response=responses(LoanOut, 404), summary="一笔贷款")
def loan_detail(request, loan_id: int = Id):
    return selectors.loan_get(request.auth, loan_id, fields=LOAN_OUT)


@router.post(
    "/loans/{loan_id}/disbursement",
    response=responses(LoanOut, 404, 409, 422),
    summary="放款：只在名单与额度内，于合同放款日，记一笔借贷平衡的分录",
)
def loan_disburse(request, loan_id: int = Id):
    return disburse(acting_user=request.auth, loan=selectors.loan_get(request.auth, loan_id))


class GroupOut(Schema):
    id: int
    village_code: str = Field(..., alias="village_id")
    name: str
    leader_id: int
    member_ids: list[int]

    @staticmethod
    def resolve_member_ids(obj) -> list[int]:
        return [m.household_id for m in obj.members.all() if m.left_on is None]


class GroupIn(Schema):
    village_code: DivisionCode
    name: Text(60) = ""
    leader_id: int = Field(..., ge=1, le=MAX_ID)
    household_ids: list[int] = Field(..., min_length=1, max_length=10, description="成员农户（含小组长）")


class AgreementIn(Schema):
    driven_id: int = Field(..., ge=1, le=MAX_ID, description="被带动贫困户（本县）")
    terms: Text(300, 1) = Field(..., description="带动方式与收益")


class AgreementOut(Schema):
    id: int
    lead_id: int
    driven_id: int
    terms: str
    signed_on: dt.date


class UseIn(Schema):
    household_id: int = Field(..., ge=1, le=MAX_ID, description="实际使用资金的农户")
    amount: Amount = Field(..., description="金额（元，字符串）", examples=["5000.00"])


class UseOut(Schema):
    id: int
    loan_id: int
    user_household_id: int
    amount: Yuan


@router.get("/groups", response=responses(list[GroupOut]), summary="辖区内的联保小组")
@paginate(Pagination)
def group_list(request):
    access.require(request.auth, "application.view")
    return (
        access.visible(request.auth, Group, "application.view")
        .filter(dissolved_on__isnull=True)
        .prefetch_related("members")
    )


def _households(user, ids: list[int], action: str) -> list[Household]:
    access.require(user, action)
    found = {h.pk: h for h in access.visible(user, Household, action).filter(pk__in=ids)}
    if len(found) != len(set(ids)):
        raise NotFound("农户不存在或不在您的辖区内", code="not_found")
    return [found[i] for i in ids]


@router.post(
    "/groups",
    response=responses(GroupOut, 404, 409, 422, ok_status=201),
    summary="组建联保小组（同村、均符合准入条件、户数符合规定）",
)
def group_create(request, payload: GroupIn):
    members = _households(request.auth, payload.household_ids, "group.manage")
    leader = _households(request.auth, [payload.leader_id], "group.manage")[0]
    return Status(
        201,
        create(
            acting_user=request.auth,
            village_code=payload.village_code,
            name=payload.name,
            leader=leader,
            households=members,
        ),
    )


@router.post(
    "/households/{household_id}/lead-agreements",
    response=responses(AgreementOut, 404, 409, 422, ok_status=201),
    summary="带动主体与一户被带动贫困户签订带动协议",
)
def lead_agreement(request, payload: AgreementIn, household_id: int = Id):
    lead = access.get_visible(request.auth, Household, "group.manage", pk=household_id)
    driven = access.get_visible(request.auth, Household, "application.view", pk=payload.driven_id)
    return Status(
        201, lead_agreement_sign(acting_user=request.auth, lead=lead, driven=driven, terms=payload.terms)
    )


@router.post(
    "/loans/{loan_id}/actual-uses",
    response=responses(UseOut, 404, 409, 422, ok_status=201),
    summary="登记联保贷款的实际用款人",
)
def actual_use(request, payload: UseIn, loan_id: int = Id):
    loan = selectors.loan_get(request.auth, loan_id)
    user = access.get_visible(request.auth, Household, "application.view", pk=payload.household_id)
    return Status(
        201,
        actual_use_record(
            acting_user=request.auth,
            loan=loan,
            user_household=user,
            amount=to_fen(money(payload.amount, field="金额")),
        ),
    )


class RepaymentIn(Schema):
    amount: Amount = Field(..., description="金额（元，字符串）", examples=["500.00"])
    guarantor_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="保证人代偿时为该贷款保证人的编号（借款人须有逾期款项）"
    )
    idempotency_key: Text(64, 8) = Field(..., description="幂等键：同一键重复提交只记一次；内容不同则拒绝")
    received_on: IsoDate | None = Field(None, description="收款日期（默认今天）")


class RepaymentOut(Schema):
    id: int
    loan_id: int
    amount: Yuan
    received_on: dt.date
    overpayment: Yuan
    allocation: list[list[Any]] = Field(..., description="[期次, 科目, 分]")
    entry_id: int
    guarantor_id: int | None = Field(None, description="保证人代偿时的保证人编号")


@router.post(
    "/loans/{loan_id}/repayments",
    response={**responses(RepaymentOut, 404, 409, 422, ok_status=201), 200: RepaymentOut},
    summary="登记还款：按顺序分配（罚息→逾期利息→逾期本金→当期利息→当期本金），多余部分作溢缴款；幂等",
)
def repayment(request, payload: RepaymentIn, loan_id: int = Id):
    loan = selectors.loan_get(request.auth, loan_id, bare=True)
    payer = None
    if payload.guarantor_id is not None:
        payer = loan.application.guarantors.filter(pk=payload.guarantor_id).first()
        if payer is None:
            raise ValidationFailed("该保证人不是这笔贷款的保证人", code="guarantor_other_loan")
    r, created = repayment_post(
        acting_user=request.auth,
        loan=loan,
        amount=to_fen(money(payload.amount, field="金额")),
        key=payload.idempotency_key,
        on=payload.received_on,
        guarantor=payer,
    )
    return Status(201 if created else 200, r)


class PayoffIn(Schema):
    idempotency_key: Text(64, 8) = Field(..., description="幂等键")
    on: IsoDate | None = Field(None, description="还款日期（默认今天）")


@router.post(
    "/loans/{loan_id}/payoff",
    response={**responses(RepaymentOut, 404, 409, 422, ok_status=201), 200: RepaymentOut},
    summary="提前还清：本金加计至还款日的利息（多收的预收利息退还），保证金抵扣；幂等",
)
def loan_payoff(request, payload: PayoffIn, loan_id: int = Id):
    loan = selectors.loan_get(request.auth, loan_id, bare=True)
    r, created = pay_off(acting_user=request.auth, loan=loan, key=payload.idempotency_key, on=payload.on)
    return Status(201 if created else 200, r)


class PrepayIn(Schema):
    amount: Amount = Field(
        ...,
        description="提前偿还的本金（元，字符串）；另收其自本期起息日至还款日的利息",
        examples=["3000.00"],
    )
    method: Literal["reduce", "shorten"] = Field(
        ...,
        description="剩余本金的重算方式：reduce 减额（期数不变）、shorten 缩期（每期不增加，期数减少）；"
        "以产品所允许者为限",
    )
    idempotency_key: Text(64, 8) = Field(..., description="幂等键")
    on: IsoDate | None = Field(None, description="还款日期（默认今天）")


@router.post(
    "/loans/{loan_id}/prepayments",
    response={**responses(RepaymentOut, 404, 409, 422, ok_status=201), 200: RepaymentOut},
    summary="部分提前还款：本金加其计至还款日的利息，剩余本金按原还款日减额或缩期重算还款计划；幂等",
)
def loan_prepay(request, payload: PrepayIn, loan_id: int = Id):
    loan = selectors.loan_get(request.auth, loan_id, bare=True)
    r, created = prepay(
        acting_user=request.auth,
        loan=loan,
        amount=to_fen(money(payload.amount, field="金额")),
        method=payload.method,
        key=payload.idempotency_key,
        on=payload.on,
    )
    return Status(201 if created else 200, r)


class NoticeOut(Schema):
    id: int
    village_code: str
    start: dt.date
    end: dt.date
    days: int
    approved: bool
    applications: list[int]


@router.get("/notices", response=responses(list[NoticeOut]), summary="辖区内的贷款申请公示")
def notice_list(request):
    access.require(request.auth, "application.view")
    rows = access.visible(request.auth, Notice.objects.prefetch_related("applications"), "application.view")
    return [
        {
            "id": n.pk,
            "village_code": n.village_id,
            "start": n.start,
            "end": n.end,
            "days": n.days,
            "approved": n.approved_at is not None,
            "applications": [a.pk for a in n.applications.all()],
        }
        for n in rows.order_by("-start", "-id")[:200]
    ]


class NoticeIn(Schema):
    application_ids: list[int] = Field(
        ..., min_length=1, max_length=200, description="同一个村的乡镇已审核申请"
    )
    start: IsoDate | None = Field(None, description="公示自发布当日开始；若填写，只能是今天")
    days: int | None = Field(
        None, ge=5, le=30, description="公示天数由本县项目规则确定（默认 7 天）；若填写，须与之相同"
    )


@router.post("/notices", response=responses(NoticeOut, 422, ok_status=201), summary="发布村级公示（R-APP-2）")
def notice_publish(request, payload: NoticeIn):
    access.require(request.auth, "notice.publish")
    apps = list(
        selectors.applications_visible(request.auth, state="township_reviewed").filter(
            pk__in=[i for i in payload.application_ids if 1 <= i <= MAX_ID]
        )
    )
    villages = {a.village_code for a in apps}
    if len(villages) != 1 or len(apps) != len(set(payload.application_ids)):
        raise ValidationFailed("请选择同一个村的待公示申请（乡镇已审核）", code="notice_village")
    village = villages.pop()
    if payload.start is not None and payload.start != services.today():
        raise ValidationFailed("公示自发布当日开始，不能指定其他日期", code="notice_start")
    if payload.days is not None and payload.days != services.notice_days(village):
        raise ValidationFailed(
            f"公示天数由本县项目规则确定（{services.notice_days(village)} 天），不能另行指定",
            code="notice_days",
        )
    n = services.notice_publish(acting_user=request.auth, village_code=village, applications=apps)
    return Status(
        201,
        {
            "id": n.pk,
            "village_code": n.village_id,
            "start": n.start,
            "end": n.end,
            "days": n.days,
            "approved": False,
            "applications": [a.pk for a in apps],
        },
    )


class RosterOut(Schema):
    approved: list[int]
    skipped: list[str] = Field(..., description="始终为空：有未处理异议时整个名单不予审批（409）")


@router.post(
    "/notices/{notice_id}/approval", response=responses(RosterOut, 404, 409), summary="县扶贫办审批公示名单"
)
def roster_approve(request, notice_id: int = Id):
    notice = selectors.notice_get(request.auth, notice_id)
    approved = services.roster_approve(acting_user=request.auth, notice=notice)
    return {"approved": [a.pk for a in approved], "skipped": []}


class QuotaOut(Schema):
    township_code: str
    institution: str | None = Field(None, description="贷款机构代码；空：本乡镇全部机构合计的额度")
    year: int
    amount: Yuan | None
    households: int | None
    lead_amount: Yuan | None
    deadline: dt.date | None


class QuotaIn(Schema):
    township_code: DivisionCode
    institution: str | None = Field(
        None, max_length=20, description="贷款机构代码：只给该机构的额度（默认全部机构合计）"
    )
    year: int = Field(..., ge=2000, le=2100)
    amount: Amount | None = Field(None, description="年度额度（元）")
    households: int | None = Field(None, ge=0, le=10_000_000, description="户数指标")
    lead_amount: Amount | None = Field(None, description="带动主体额度（元，不超过 25%）")
    deadline: IsoDate | None = None


def _quota(q) -> dict:
    return {
        "township_code": q.township_id,
        "institution": q.institution.code if q.institution_id else None,
        "year": q.year,
        "amount": q.amount,
        "households": q.households,
        "lead_amount": q.lead_amount,
        "deadline": q.deadline,
    }


@router.get("/quotas", response=responses(list[QuotaOut]), summary="辖区内各乡镇的年度额度")
def quota_list(request, year: int = Query(None, ge=2000, le=2100)):
    access.require(request.auth, "application.view")
    towns = access.visible(request.auth, Division.objects.filter(level=4), "application.view")
    rows = Quota.objects.filter(township__in=towns).select_related("institution")
    if year:
        rows = rows.filter(year=year)
    return [_quota(q) for q in rows.order_by("township_id", "-year")[:1000]]


@router.post("/quotas", response=responses(QuotaOut, 404, 422), summary="设定乡镇年度额度（R-APP-4）")
def quota_set(request, payload: QuotaIn):
    lender = institution_pick(request.auth, "quota.manage", payload.institution)
    q = services.quota_set(
        acting_user=request.auth,
        township_code=payload.township_code,
        institution=lender.pk if lender else None,
        year=payload.year,
        amount=to_fen(money(payload.amount, field="额度")) if payload.amount else None,
        households=payload.households,
        deadline=payload.deadline,
        lead_amount=to_fen(money(payload.lead_amount, field="带动主体额度")) if payload.lead_amount else None,
    )
    return _quota(q)

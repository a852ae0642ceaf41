"""Village mutual-aid cooperatives through /api/v1 (R-COOP-1, 2): the report with both rates,
founding, members, capital, loans, and repayments with an idempotency key."""

from django.utils import timezone
from ninja import Field, Path, Router, Schema
from ninja.responses import Status

from fupin.accounts import access
from fupin.api.common import MAX_ID, Amount, Choice, DivisionCode, IsoDate, Text, Yuan, responses
from fupin.coops import selectors, services
from fupin.coops.models import Cooperative, CoopLoan, Member
from fupin.core.money import money, to_fen
from fupin.households.models import Household

router = Router(tags=["扶贫互助社 Cooperatives"])
Id = Path(..., ge=1, le=MAX_ID)


class CoopRateOut(Schema):
    part: int
    whole: int
    percent: str
    met: bool = Field(..., description="是否达到 60% 目标")


class CoopOut(Schema):
    id: int
    village_code: str
    name: str
    max_amount: Yuan
    max_term: int
    fee_rate: str
    government: Yuan = Field(..., description="政府配套资金（元）")
    member_capital: Yuan = Field(..., description="社员入社互助金（元）")
    cash: Yuan = Field(..., description="可用资金（元）")
    members: int
    loans: int
    lent: Yuan
    outstanding: Yuan
    fees: Yuan = Field(..., description="资金占用费收入（元）")
    overdue: int
    repayment_rate: str | None = Field(None, description="到期借款的本金还款率 %")
    membership: CoopRateOut = Field(..., description="入社率 = 入社低收入户 ÷ 低收入户")
    borrowing: CoopRateOut = Field(..., description="借款率 = 借过款的社员 ÷ 社员")


def _rate(r) -> dict:
    return {"part": r.part, "whole": r.whole, "percent": r.percent(), "met": r.met}


def _out(r: dict) -> dict:
    c = r["coop"]
    return {
        **{k: v for k, v in r.items() if k not in ("coop", "membership", "borrowing")},
        "id": c.pk,
        "village_code": c.village_code,
        "name": c.name,
        "max_amount": c.max_amount,
        "max_term": c.max_term,
        "fee_rate": str(c.fee_rate),
        "membership": _rate(r["membership"]),
        "borrowing": _rate(r["borrowing"]),
    }


@router.get(
    "/coops",
    response=responses(list[CoopOut]),
    summary="辖区内的扶贫互助社：资金、社员、借款、还款、入社率与借款率",
)
def coop_list(request):
    access.require(request.auth, "coop.view")
    return [_out(r) for r in selectors.report(selectors.coops(request.auth), timezone.localdate())]


@router.get("/coops/{coop_id}", response=responses(CoopOut, 404), summary="一个扶贫互助社")
def coop_get(request, coop_id: int = Id):
    return _out(selectors.report([selectors.coop_get(request.auth, coop_id)], timezone.localdate())[0])


class CoopIn(Schema):
    village_code: DivisionCode
    name: Text(80) = ""
    max_amount: Amount = Field(..., description="单笔借款上限（元）")
    max_term: int = Field(..., ge=1, le=60, description="最长期限（月）")
    fee_rate: Text(8, 1) = Field(
        ..., pattern=r"^(0(\.\d{1,4})?|1(\.0{1,4})?)$", description="资金占用费年率（小数，如 0.06）"
    )


@router.post(
    "/coops",
    response=responses(CoopOut, 404, 409, 422, ok_status=201),
    summary="成立村扶贫互助社（每村一个）",
)
def coop_create(request, payload: CoopIn):
    c = services.coop_create(
        acting_user=request.auth,
        village_code=payload.village_code,
        name=payload.name,
        max_amount=to_fen(money(payload.max_amount)),
        max_term=payload.max_term,
        fee_rate=payload.fee_rate,
    )
    return Status(201, _out(selectors.report([c], timezone.localdate())[0]))


class CoopMemberIn(Schema):
    household_id: int = Field(..., ge=1, le=MAX_ID)


class CoopMemberOut(Schema):
    id: int
    household_id: int
    joined_on: str


@router.post(
    "/coops/{coop_id}/members",
    response=responses(CoopMemberOut, 404, 409, 422, ok_status=201),
    summary="本村农户入社",
)
def coop_member_join(request, payload: CoopMemberIn, coop_id: int = Id):
    coop = access.get_visible(request.auth, Cooperative, "coop.manage", pk=coop_id)
    hh = access.get_visible(request.auth, Household, "coop.manage", pk=payload.household_id)
    m = services.member_join(acting_user=request.auth, coop=coop, household=hh)
    return Status(201, {"id": m.pk, "household_id": m.household_id, "joined_on": m.joined_on.isoformat()})


class CoopCapitalIn(Schema):
    kind: Choice(["government", "member"]) = Field(
        ..., description="government 政府配套资金 / member 社员入社互助金"
    )
    amount: Amount = Field(..., description="金额（元）")
    member_id: int | None = Field(None, ge=1, le=MAX_ID, description="社员入社互助金：社员 id")
    on: IsoDate | None = None


class CoopCapitalOut(Schema):
    id: int
    kind: str
    amount: Yuan
    on: str
    entry_id: int


@router.post(
    "/coops/{coop_id}/capital",
    response=responses(CoopCapitalOut, 404, 422, ok_status=201),
    summary="资金入账（政府配套由县扶贫办或财政局，社员互助金由村）",
)
def coop_capital(request, payload: CoopCapitalIn, coop_id: int = Id):
    coop = selectors.coop_get(request.auth, coop_id)
    member = Member.objects.filter(coop=coop, pk=payload.member_id).first() if payload.member_id else None
    c = services.capital_post(
        acting_user=request.auth,
        coop=coop,
        kind=payload.kind,
        amount=to_fen(money(payload.amount)),
        member=member,
        on=payload.on,
    )
    return Status(
        201, {"id": c.pk, "kind": c.kind, "amount": c.amount, "on": c.on.isoformat(), "entry_id": c.entry_id}
    )


class CoopLoanIn(Schema):
    member_id: int = Field(..., ge=1, le=MAX_ID)
    amount: Amount = Field(..., description="金额（元）")
    term: int = Field(..., ge=1, le=60, description="期限（月）")
    purpose: Text(100, 1)
    decision: Text(100, 1) = Field(..., description="理事会决定（如纪要编号）")


class CoopLoanOut(Schema):
    id: int
    member_id: int
    amount: Yuan
    term: int
    fee: Yuan = Field(..., description="资金占用费（元）")
    start: str
    due: str
    principal_paid: Yuan
    fee_paid: Yuan
    state: str


def _loan(loan: CoopLoan) -> dict:
    return {
        "id": loan.pk,
        "member_id": loan.member_id,
        "amount": loan.amount,
        "term": loan.term,
        "fee": loan.fee,
        "start": loan.start.isoformat(),
        "due": loan.due.isoformat(),
        "principal_paid": loan.principal_paid,
        "fee_paid": loan.fee_paid,
        "state": loan.state,
    }


@router.post(
    "/coops/{coop_id}/loans",
    response=responses(CoopLoanOut, 404, 422, ok_status=201),
    summary="按本社章程向社员发放互助金借款",
)
def coop_loan_new(request, payload: CoopLoanIn, coop_id: int = Id):
    coop = access.get_visible(request.auth, Cooperative, "coop.manage", pk=coop_id)
    member = access.get_visible(request.auth, Member, "coop.manage", pk=payload.member_id, coop=coop)
    loan = services.coop_loan_make(
        acting_user=request.auth,
        coop=coop,
        household=member.household,
        amount=to_fen(money(payload.amount)),
        term=payload.term,
        purpose=payload.purpose,
        decision=payload.decision,
    )
    return Status(201, _loan(loan))


@router.get("/coops/{coop_id}/loans", response=responses(list[CoopLoanOut], 404), summary="互助社的借款")
def coop_loans(request, coop_id: int = Id):
    coop = selectors.coop_get(request.auth, coop_id)
    return [_loan(x) for x in coop.loans.all()[:1000]]


class CoopRepaymentIn(Schema):
    amount: Amount = Field(..., description="金额（元）")
    idempotency_key: Text(64, 8) = Field(..., description="幂等键：同一键只记一次")


class CoopRepaymentOut(Schema):
    id: int
    amount: Yuan
    fee: Yuan
    principal: Yuan
    on: str
    entry_id: int
    loan: CoopLoanOut


@router.post(
    "/coop-loans/{loan_id}/repayments",
    response={**responses(CoopRepaymentOut, 404, 409, 422, ok_status=201), 200: CoopRepaymentOut},
    summary="社员还款（先交占用费，后还本金；幂等键保证只记一次）",
)
def coop_repay(request, payload: CoopRepaymentIn, loan_id: int = Id):
    loan = access.get_visible(request.auth, CoopLoan, "coop.manage", pk=loan_id)
    r, created = services.coop_repayment_post(
        acting_user=request.auth, loan=loan, amount=to_fen(money(payload.amount)), key=payload.idempotency_key
    )
    r.loan.refresh_from_db()
    body = {
        "id": r.pk,
        "amount": r.amount,
        "fee": r.fee,
        "principal": r.principal,
        "on": r.on.isoformat(),
        "entry_id": r.entry_id,
        "loan": _loan(r.loan),
    }
    return Status(201 if created else 200, body)

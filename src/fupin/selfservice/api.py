"""The household's own data through /api/v1 (DOMAIN §14): only what its login is bound to."""

from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.responses import Status

from fupin.accounts import access
from fupin.accounts.api import SignedIn, signed_in
from fupin.accounts.services import person_token
from fupin.api.common import Text, Yuan, responses
from fupin.selfservice import selectors, services
from fupin.sms import services as sms

router = Router(tags=["农户自助 Household self-service"])


class CodeIn(Schema):
    id_number: Text(40, 1) = Field(..., description="户主或家庭成员的身份证号")


class CodeSent(Schema):
    message: str = Field(..., description="验证码已发往档案中登记的手机（号码不存在时也如此回答）")


class HouseholdSignInIn(CodeIn):
    code: Text(12, 1) = Field(..., description="短信验证码")


@router.post(
    "/auth/household/code",
    auth=None,
    response=responses(CodeSent, 422, ok_status=202),
    summary="农户登录第一步：按身份证号向档案手机发送验证码",
)
def household_code(request, payload: CodeIn):
    return Status(202, {"message": services.code_request(id_number=payload.id_number)})


@router.post(
    "/auth/household/token",
    auth=None,
    response=responses(SignedIn, 422, ok_status=201),
    summary="农户登录第二步：身份证号和验证码换取令牌",
)
def household_sign_in(request, payload: HouseholdSignInIn):
    user = services.code_verify(id_number=payload.id_number, code=payload.code)
    token, secret = person_token(user, "农户自助")
    return Status(201, signed_in(token, secret))


class MyInstalmentOut(Schema):
    seq: int
    due_date: str
    principal: Yuan
    interest: Yuan
    owed: Yuan = Field(..., description="尚欠（元）")


class MyLoanOut(Schema):
    contract_no: str
    state: str
    principal: Yuan
    outstanding: Yuan = Field(..., description="未还本金（元）")
    overdue: Yuan = Field(..., description="已逾期（元）")
    next_due_date: str | None
    next_due_amount: Yuan | None
    schedule: list[MyInstalmentOut]


class MyRepaymentOut(Schema):
    contract_no: str
    received_on: str
    amount: Yuan


class MySubsidyOut(Schema):
    contract_no: str
    start: str
    end: str
    amount: Yuan
    credited_on: str | None


class MyHouseholdOut(Schema):
    registry_no: str
    grade: str | None = Field(None, description="信用等级")
    credit_line: str | None = Field(None, description="授信额度（元）")
    credit_valid_until: str | None
    loans: list[MyLoanOut]
    repayments: list[MyRepaymentOut]
    subsidies: list[MySubsidyOut]


@router.get(
    "/me/household",
    response=responses(MyHouseholdOut, 404),
    summary="农户本人：授信额度、贷款、还款计划、下次应还、还款与贴息",
)
def me_household(request):
    access.require(request.auth, "selfservice.view")
    d = selectors.mine(request.auth, timezone.localdate())
    credit = d["credit"]
    return {
        "registry_no": d["household"].registry_no,
        "grade": credit.grade_label if credit else None,
        "credit_line": str(credit.amount) if credit else None,
        "credit_valid_until": credit.valid_until.isoformat() if credit and credit.valid_until else None,
        "loans": [
            {
                "contract_no": x["loan"].contract_no,
                "state": x["loan"].state,
                "principal": x["loan"].principal,
                "outstanding": x["outstanding"],
                "overdue": x["overdue"],
                "next_due_date": x["next"].due_date.isoformat() if x["next"] else None,
                "next_due_amount": x["next"].owed if x["next"] else None,
                "schedule": [
                    {
                        "seq": i.seq,
                        "due_date": i.due_date.isoformat(),
                        "principal": i.principal,
                        "interest": i.interest,
                        "owed": i.owed,
                    }
                    for i in x["schedule"]
                ],
            }
            for x in d["loans"]
        ],
        "repayments": [
            {"contract_no": r.loan.contract_no, "received_on": r.received_on.isoformat(), "amount": r.amount}
            for r in d["repayments"]
        ],
        "subsidies": [
            {
                "contract_no": s.loan.contract_no,
                "start": s.start.isoformat(),
                "end": s.end.isoformat(),
                "amount": s.amount,
                "credited_on": s.credited_on.isoformat() if s.credited_on else None,
            }
            for s in d["subsidies"]
        ],
    }


class SmsIn(Schema):
    receive: bool = Field(..., description="true 接收还款提醒和通知；false 退订（登录验证码不受影响）")


class SmsOut(Schema):
    receive: bool


@router.put("/me/sms", response=responses(SmsOut), summary="农户本人：接收或退订短信提醒")
def me_sms(request, payload: SmsIn):
    access.require(request.auth, "selfservice.view")
    household = selectors.household_of(request.auth)
    if payload.receive:
        sms.opt_in(acting_user=request.auth, household=household)
    else:
        sms.opt_out(acting_user=request.auth, household=household)
    return {"receive": not sms.household_opted_out(household)}

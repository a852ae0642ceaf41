"""The household's own data through /api/v1 (DOMAIN §14): only what its login is bound to."""

from django.utils import timezone
from ninja import Field, Router, Schema

from fupin.accounts import access
from fupin.api.common import Yuan, responses
from fupin.selfservice import selectors

router = Router(tags=["农户自助 Household self-service"])


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

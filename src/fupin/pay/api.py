"""Officer pay through /api/v1: a branch's monthly sheet with every line, and the rules (R-PAY-1 … 4)."""

from typing import Annotated

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import StringConstraints

from fupin.accounts import access
from fupin.api.common import Amount, IsoDate, Text, Yuan, responses
from fupin.core.money import from_fen, money, to_fen
from fupin.pay import selectors, services
from fupin.pay.views import month

router = Router(tags=["绩效工资 Officer pay"])
Rate = Annotated[str, StringConstraints(pattern=r"^(0(\.\d{1,6})?|1(\.0{1,6})?)$")]


class PayQuery(Schema):
    branch: Text(20, 1) = Field(..., description="网点机构代码")
    month: Text(7, 7) = Field(..., description="YYYY-MM")


class PayLineOut(Schema):
    loan: int = Field(..., description="贷款 id（网点主任、会计的行为 0）")
    contract: str
    item: str = Field(
        ...,
        description="项目：当月结息提成、还清本金后补发提成、月末逾期本金扣减、月末逾期利息扣减、收回欠款奖励…",
    )
    basis: Yuan = Field(..., description="计算基数（元）")
    rate: str = Field(..., description="比例（小数）")
    amount: Yuan = Field(..., description="金额（元，扣减为负）")
    formula: str = Field(..., description="计算过程")


class PayOfficerOut(Schema):
    officer: str
    username: str
    lines: list[PayLineOut]
    total: Yuan


class PayExcludedOut(Schema):
    loan: int
    contract: str
    reason: str


class PaySheetOut(Schema):
    branch: str
    branch_name: str
    month: str
    rules_from: str | None = Field(None, description="所用规则的生效日期；空为默认规则")
    officers: list[PayOfficerOut]
    branch_lines: list[PayLineOut] = Field(..., description="网点主任、会计的提成")
    excluded: list[PayExcludedOut] = Field(..., description="不计绩效的贷款（转据、展期）")
    officers_total: Yuan
    total: Yuan
    whole: bool = Field(..., description="false：只含本人的部分")


def _line(ln) -> dict:
    return {
        "loan": ln.loan,
        "contract": ln.contract,
        "item": ln.item,
        "basis": ln.basis,
        "rate": f"{float(ln.rate):g}",
        "amount": ln.amount,
        "formula": ln.formula,
    }


@router.get(
    "/officer-pay",
    response=responses(PaySheetOut, 404, 422),
    summary="网点月度信贷员绩效工资计算表（每笔贷款每一行）",
)
def officer_pay(request, q: Query[PayQuery]):
    access.require(request.auth, "pay.view")
    s = selectors.sheet(request.auth, selectors.branch_get(request.auth, q.branch), month(q.month))
    return {
        "branch": s.branch.code,
        "branch_name": s.branch.name,
        "month": s.period.label,
        "rules_from": s.rules_row.valid_from.isoformat() if s.rules_row else None,
        "officers": [
            {
                "officer": o.officer.get_full_name(),
                "username": o.officer.username,
                "lines": [_line(ln) for ln in o.lines],
                "total": o.total,
            }
            for o in s.officers
        ],
        "branch_lines": [_line(ln) for ln in s.branch_lines],
        "excluded": [{"loan": lid, "contract": c, "reason": w} for lid, c, w in s.excluded],
        "officers_total": s.officers_total,
        "total": s.total,
        "whole": s.whole,
    }


class PayBandIn(Schema):
    low: Amount = Field(..., description="贷款金额下限（元，含）", examples=["30000.00"])
    high: Amount | None = Field(None, description="上限（元，不含）；空为无上限", examples=["40000.00"])
    principal: Rate = Field(..., description="逾期本金扣减比例（小数）")
    interest: Rate = Field(..., description="逾期利息扣减比例（小数）")


class PayRulesIn(Schema):
    valid_from: IsoDate
    share_cycle: Rate = Field("0.25", description="周期贷款（联保）提成比例")
    share_short: Rate = Field("0.2", description="短期贷款提成比例")
    current: Rate = Field("0.05", description="在贷期间当月结息提成比例")
    reward: Rate = Field("0.05", description="收回欠款奖励比例")
    director: Rate = Field("0.1", description="网点主任：占信贷员合计的比例")
    accountant: Rate = Field("0.05", description="会计：占信贷员合计的比例")
    bands: list[PayBandIn] = Field(..., max_length=10, description="周期贷款月末逾期扣减档次")
    note: Text(200) = ""


class PayRulesOut(Schema):
    valid_from: str | None
    values: dict = Field(
        ...,
        description="各比例（小数）；bands：[下限（元）, 上限（元，空为无上限）, 本金扣减, 利息扣减]",
    )


def _rules_out(valid_from: str | None, values: dict) -> dict:
    """The rules as the API shows them: the bands' bounds in yuan (stored in fen)."""
    bands = [
        [str(from_fen(low)), str(from_fen(high)) if high is not None else None, p, i]
        for low, high, p, i in values.get("bands", [])
    ]
    return {"valid_from": valid_from, "values": {**values, "bands": bands}}


@router.get("/officer-pay/rules", response=responses(PayRulesOut), summary="当前有效的绩效规则")
def officer_pay_rules(request):
    access.require(request.auth, "pay.view")
    rules, row = selectors.rules_on(timezone.localdate(), selectors.rules_of(request.auth))
    return _rules_out(row.valid_from.isoformat() if row else None, rules.values())


@router.post(
    "/officer-pay/rules",
    response=responses(PayRulesOut, 409, 422, ok_status=201),
    summary="制定新版绩效规则（总社；自生效日期起用于月度计算表）",
)
def officer_pay_rules_save(request, payload: PayRulesIn):
    values = payload.dict(exclude={"valid_from", "note", "bands"})
    values["bands"] = [
        [to_fen(money(b.low)), to_fen(money(b.high)) if b.high else None, b.principal, b.interest]
        for b in payload.bands
    ]
    row = services.rules_save(
        acting_user=request.auth, valid_from=payload.valid_from, values=values, note=payload.note
    )
    return Status(201, _rules_out(row.valid_from.isoformat(), row.values))

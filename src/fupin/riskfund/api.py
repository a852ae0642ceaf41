"""The risk compensation fund through /api/v1: funds and contributions (R-RSK-1, 2), claims and
their review and payout (R-RSK-3), the blacklist and legal actions (R-RSK-4)."""

import base64
import binascii
import datetime as dt
from typing import Annotated, Any

from ninja import Field, Path, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import StringConstraints

from fupin.accounts import access
from fupin.api.common import MAX_ID, Amount, Choice, DivisionCode, IsoDate, Pagination, Text, Yuan, responses
from fupin.core import riskfund as core
from fupin.core.errors import ValidationFailed
from fupin.core.money import money, to_fen
from fupin.divisions.selectors import institution_acting
from fupin.households.models import Household
from fupin.loans.selectors import loan_get
from fupin.riskfund import selectors, services
from fupin.riskfund.models import Blacklist

router = Router(tags=["风险补偿金 Risk fund"])
Id = Path(..., ge=1, le=MAX_ID)


class FundOut(Schema):
    id: int
    county_code: str
    name: str
    parties: list[list[Any]] = Field(..., description="[[分担方, 类型, 比例], …]")
    insurance_first: bool
    products: list[str]
    overdue_days: int = Field(..., description="贷款逾期满此天数方可申请代偿")


class FundPositionOut(Schema):
    fund: FundOut
    contributed: Yuan
    paid_out: Yuan
    recovered: Yuan
    balance: Yuan = Field(..., description="余额（元）")
    loans: int = Field(..., description="覆盖的在贷笔数")
    outstanding: Yuan = Field(..., description="覆盖贷款余额（元）")
    leverage: str | None = Field(None, description="放大倍数 = 贷款余额 / 基金余额（两位小数）")


def _position(fund, pos: dict) -> dict:
    lev = pos["leverage"]
    return {"fund": fund, **pos, "leverage": None if lev is None else f"{float(lev):.2f}"}


@router.get(
    "/risk-funds", response=responses(list[FundPositionOut]), summary="风险补偿金：余额、覆盖贷款与放大倍数"
)
def risk_funds(request):
    access.require(request.auth, "riskfund.view")
    return [_position(f, pos) for f, pos in selectors.funds(request.auth)]


class FundPartyIn(Schema):
    name: Text(60, 1)
    kind: Choice(core.PARTY_KINDS) = Field(
        ..., description="fund 风险补偿金 / bank 贷款银行 / guarantor 担保公司 / government 其他财政资金"
    )
    weight: int = Field(..., ge=1, le=10_000, description="比例（整数）")


class FundIn(Schema):
    county_code: DivisionCode
    name: Text(60) = ""
    preset: Text(8) = Field("80:20", description="分担比例预设：80:20、7:3、4:4:2")
    parties: list[FundPartyIn] | None = Field(
        None, max_length=10, description="自定义分担方（给出时不用预设）"
    )
    insurance_first: bool = False
    overdue_days: int = Field(
        90, ge=30, le=720, description="贷款逾期满此天数方可申请代偿（本县政策，默认 90 天）"
    )


@router.post(
    "/risk-funds", response=responses(FundOut, 409, 422, ok_status=201), summary="设立县风险补偿金及分担比例"
)
def risk_fund_create(request, payload: FundIn):
    return Status(
        201,
        services.fund_create(
            acting_user=request.auth,
            county_code=payload.county_code,
            name=payload.name,
            preset=payload.preset,
            insurance_first=payload.insurance_first,
            overdue_days=payload.overdue_days,
            parties=[(p.name, p.kind, p.weight) for p in payload.parties] if payload.parties else None,
        ),
    )


class ContributionIn(Schema):
    source: Text(60, 1) = Field(..., description="出资方，如 省财政")
    amount: Amount = Field(..., description="金额（元，字符串）")


class ContributionOut(Schema):
    id: int
    source: str
    amount: Yuan
    on: dt.date
    entry_id: int | None = Field(..., description="总账凭证；自有核心系统银行的专户由其自行记账，为空")


@router.post(
    "/risk-funds/{fund_id}/contributions",
    response=responses(ContributionOut, 404, 422, ok_status=201),
    summary="风险补偿金注资（记账：借 1011 / 贷 2901）",
)
def risk_fund_contribute(request, payload: ContributionIn, fund_id: int = Id):
    fund = selectors.fund_get(request.auth, fund_id)
    return Status(
        201,
        services.contribution_post(
            acting_user=request.auth,
            fund=fund,
            source=payload.source,
            amount=to_fen(money(payload.amount, field="金额")),
        ),
    )


class ClaimOut(Schema):
    id: int
    fund_id: int
    loan_id: int | None = Field(
        ..., description="本系统的贷款；自有核心系统银行的贷款为空，以机构和借据号为准"
    )
    institution_id: int | None = Field(..., description="贷款机构")
    contract_no: str = Field(..., description="合同编号（借据号）")
    village_code: str
    cause: str
    description: str
    state: str
    insurance: Yuan
    principal: Yuan
    interest: Yuan
    penalty: Yuan
    shares: list[list[Any]] = Field(..., description="[[分担方, 类型, 比例, 分], …]")
    paid_on: dt.date | None
    note: str


@router.get("/fund-claims", response=responses(list[ClaimOut]), summary="风险补偿金代偿申请")
@paginate(Pagination)
def fund_claims(request):
    access.require(request.auth, "fundclaim.view")
    return selectors.claims(request.auth)


class ClaimIn(Schema):
    loan_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="本系统的贷款（与 institution、contract_no 二选一）"
    )
    institution: Text(20, 1) | None = Field(
        None, description="自有核心系统银行的机构代码：按其最新月度数据中的借据申请代偿"
    )
    contract_no: Text(40, 1) | None = Field(None, description="该银行的借据号")
    cause: Choice(core.CAUSES) = Field(
        ..., description="disaster 自然灾害 / accident 意外事故 / illness 疾病 / business 经营失败"
    )
    description: Text(500, 1) = Field(..., description="情况说明")


@router.post(
    "/fund-claims",
    response=responses(ClaimOut, 404, 409, 422, ok_status=201),
    summary="提出代偿申请（证明材料另行上传）",
)
def fund_claim_submit(request, payload: ClaimIn):
    access.require(request.auth, "fundclaim.submit")
    if (payload.loan_id is None) == (payload.institution is None or payload.contract_no is None):
        raise ValidationFailed(
            "请给出 loan_id，或给出 institution 和 contract_no（二选一）", code="claim_subject"
        )
    if payload.loan_id is not None:
        loan = loan_get(request.auth, payload.loan_id)
        claim = services.claim_submit(
            acting_user=request.auth, loan=loan, cause=payload.cause, description=payload.description
        )
    else:
        claim = services.claim_submit_bank(
            acting_user=request.auth,
            institution=institution_acting(
                request.auth, "fundclaim.submit", payload.institution, "请给出贷款机构代码"
            ).pk,
            contract_no=payload.contract_no,
            cause=payload.cause,
            description=payload.description,
        )
    return Status(201, claim)


@router.get("/fund-claims/{claim_id}", response=responses(ClaimOut, 404), summary="一件代偿申请")
def fund_claim(request, claim_id: int = Id):
    return selectors.claim_get(request.auth, claim_id)


class ProofOut(Schema):
    id: int
    name: str
    content_type: str
    size: int


class ProofIn(Schema):
    name: Text(120, 1) = Field(..., description="文件名")
    content_type: Text(80) = Field(..., description="application/pdf、image/jpeg 或 image/png")
    content_base64: Annotated[
        str, StringConstraints(max_length=7_000_000, pattern=r"^[A-Za-z0-9+/=\s]*$")
    ] = Field(..., description="文件内容（Base64，解码后不超过 5 MB）")


@router.post(
    "/fund-claims/{claim_id}/proofs",
    response=responses(ProofOut, 404, 409, 422, ok_status=201),
    summary="上传证明材料（PDF、JPEG、PNG，不超过 5 MB）",
)
def fund_claim_proof(request, payload: ProofIn, claim_id: int = Id):
    claim = selectors.claim_get(request.auth, claim_id)
    try:
        data = base64.b64decode(payload.content_base64, validate=False)
    except (binascii.Error, ValueError):
        raise ValidationFailed("文件内容不是有效的 Base64", code="proof_base64") from None
    return Status(
        201,
        services.proof_add(
            acting_user=request.auth,
            claim=claim,
            name=payload.name,
            content_type=payload.content_type,
            data=data,
        ),
    )


class ClaimReviewIn(Schema):
    approve: bool
    note: Text(200) = Field("", description="意见（否决须填写）")


@router.post(
    "/fund-claims/{claim_id}/review",
    response=responses(ClaimOut, 404, 409, 422),
    summary="审查代偿申请：村委会 → 乡镇 → 扶贫办，依次办理",
)
def fund_claim_review(request, payload: ClaimReviewIn, claim_id: int = Id):
    claim = selectors.claim_get(request.auth, claim_id)
    return services.claim_review(
        acting_user=request.auth, claim=claim, approve=payload.approve, note=payload.note
    )


class ClaimPayIn(Schema):
    insurance: Amount = Field("0", description="保险已赔付金额（元，字符串；仅设保险先行赔付的县）")


@router.post(
    "/fund-claims/{claim_id}/payout",
    response=responses(ClaimOut, 404, 409, 422),
    summary="按比例代偿并核销贷款（继续追偿，收回按同一比例返还）",
)
def fund_claim_pay(request, payload: ClaimPayIn, claim_id: int = Id):
    claim = selectors.claim_get(request.auth, claim_id)
    return services.claim_pay(
        acting_user=request.auth, claim=claim, insurance=to_fen(money(payload.insurance, field="保险赔付"))
    )


class BlacklistOut(Schema):
    id: int
    household_id: int
    village_code: str
    reason: str
    decision_no: str
    decided_on: dt.date
    lifted_on: dt.date | None
    lift_reason: str


@router.get("/blacklist", response=responses(list[BlacklistOut]), summary="失信黑名单（恶意拖欠）")
@paginate(Pagination)
def blacklist(request):
    access.require(request.auth, "household.view")
    return selectors.blacklist(request.auth)


class BlacklistIn(Schema):
    reason: Text(300, 1) = Field(..., description="事实与理由")
    decision_no: Text(40, 1) = Field(..., description="决定文号")


@router.post(
    "/households/{household_id}/blacklist",
    response=responses(BlacklistOut, 404, 409, 422, ok_status=201),
    summary="列入失信黑名单：取消贴息与项目资格（记录决定）",
)
def blacklist_decide(request, payload: BlacklistIn, household_id: int = Id):
    household = access.get_visible(request.auth, Household, "blacklist.decide", pk=household_id)
    return Status(
        201,
        services.blacklist_decide(
            acting_user=request.auth,
            household=household,
            reason=payload.reason,
            decision_no=payload.decision_no,
        ),
    )


class BlacklistLiftIn(Schema):
    reason: Text(300, 1) = Field(..., description="撤销理由")


@router.post(
    "/blacklist/{blacklist_id}/lift",
    response=responses(BlacklistOut, 404, 409, 422),
    summary="撤销失信黑名单（由作出决定以外的人办理）",
)
def blacklist_lift(request, payload: BlacklistLiftIn, blacklist_id: int = Id):
    b = access.get_visible(request.auth, Blacklist.objects.all(), "blacklist.decide", pk=blacklist_id)
    return services.blacklist_lift(acting_user=request.auth, blacklisting=b, reason=payload.reason)


class LegalActionIn(Schema):
    kind: Text(12) = Field(
        ..., description="demand 催收函 / suit 起诉 / judgement 判决 / enforcement 强制执行"
    )
    on: IsoDate
    note: Text(300, 1)
    loan_id: int | None = Field(None, ge=1, le=MAX_ID)


class LegalActionOut(Schema):
    id: int
    household_id: int
    loan_id: int | None
    kind: str
    on: dt.date
    note: str


@router.post(
    "/households/{household_id}/legal-actions",
    response=responses(LegalActionOut, 404, 422, ok_status=201),
    summary="登记法律措施（催收、起诉、判决、强制执行）",
)
def legal_action(request, payload: LegalActionIn, household_id: int = Id):
    household = access.get_visible(request.auth, Household, "legal.record", pk=household_id)
    loan = loan_get(request.auth, payload.loan_id) if payload.loan_id else None
    return Status(
        201,
        services.legal_action_record(
            acting_user=request.auth,
            household=household,
            kind=payload.kind,
            on=payload.on,
            note=payload.note,
            loan=loan,
        ),
    )

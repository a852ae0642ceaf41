import datetime as dt

from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema
from ninja.responses import Status

from fupin.accounts import access
from fupin.api.common import MAX_ID, IsoDate, Text, Yuan, responses
from fupin.divisions.selectors import institution_pick
from fupin.ledger import selectors, services
from fupin.ledger.models import Account

router = Router(tags=["总账 Ledger"])


class LineOut(Schema):
    code: str
    name: str
    kind: str
    debit: Yuan = Field(..., description="借方合计（元）")
    credit: Yuan = Field(..., description="贷方合计（元）")
    balance: Yuan = Field(..., description="余额（元，按科目的正常方向）")


class TrialBalanceOut(Schema):
    on: dt.date
    lines: list[LineOut]
    debit: Yuan
    credit: Yuan
    balanced: bool = Field(..., description="借贷合计相等（R-REP-6）")


class PostingOut(Schema):
    account: str = Field(..., alias="account_id")
    debit: Yuan
    credit: Yuan
    loan_id: int | None = None
    memo: str


class EntryOut(Schema):
    id: int
    book: str
    date: dt.date
    memo: str
    division_code: str
    source: str
    reverses_id: int | None = None
    postings: list[PostingOut]

    @staticmethod
    def resolve_postings(obj) -> list:
        return list(obj.postings.all())


class TrialBalanceQuery(Schema):
    on: IsoDate | None = Field(None, description="截至日期（默认今天）")
    institution: str | None = Field(
        None, max_length=20, description="贷款机构代码：只看该机构的账（默认辖区内全部机构）"
    )


class ReversalIn(Schema):
    reason: Text(200, 1) = Field(..., description="冲正原因")


@router.get(
    "/trial-balance", response=responses(TrialBalanceOut, 404), summary="试算平衡表（辖区内，可按贷款机构）"
)
def trial_balance(request, q: Query[TrialBalanceQuery]):
    lender = institution_pick(request.auth, "ledger.view", q.institution)
    return selectors.trial_balance(
        request.auth, on=q.on or timezone.localdate(), institution=lender.pk if lender else None
    )


@router.get("/entries/{entry_id}", response=responses(EntryOut, 404), summary="一笔分录及其各行")
def entry_detail(request, entry_id: int = Path(..., ge=1, le=MAX_ID)):
    return selectors.entry_get(request.auth, entry_id)


@router.post(
    "/entries/{entry_id}/reversal",
    response=responses(EntryOut, 404, 409, 422, ok_status=201),
    summary="冲正一笔分录（须由记账人以外的另一人操作）",
)
def entry_reverse(request, payload: ReversalIn, entry_id: int = Path(..., ge=1, le=MAX_ID)):
    e = selectors.entry_get(request.auth, entry_id)
    return Status(201, services.entry_reverse(acting_user=request.auth, entry=e, reason=payload.reason))


class AccountOut(Schema):
    code: str
    name: str
    kind: str = Field(
        ..., description="asset 资产 / liability 负债 / income 收入 / expense 支出 / equity 所有者权益"
    )
    active: bool


class AccountIn(Schema):
    code: str = Field(..., pattern=r"^\d{4,8}$", description="科目代码（4–8 位数字）")
    name: Text(40, 1)
    kind: Text(12, 1)
    active: bool = True


@router.get("/accounts", response=responses(list[AccountOut]), summary="会计科目表")
def account_list(request):
    access.require(request.auth, "ledger.view")
    return list(Account.objects.all())


@router.post(
    "/accounts",
    response=responses(AccountOut, 409, 422),
    summary="增加或修改会计科目（总社；有发生额的科目不改代码和类别）",
)
def account_save(request, payload: AccountIn):
    return services.account_save(
        acting_user=request.auth,
        code=payload.code,
        name=payload.name,
        kind=payload.kind,
        active=payload.active,
    )

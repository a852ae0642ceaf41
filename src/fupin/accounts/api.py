
import datetime as dt

from ninja import Field, Path, Router, Schema

from fupin.accounts import access, services
from fupin.accounts.models import ApiToken, User
from fupin.accounts.roles import ROLES
from fupin.accounts.selectors import tokens_visible, users_visible
from fupin.api.common import MAX_ID, Text, responses
from fupin.core.errors import NotFound

router = Router(tags=["用户与令牌 Accounts"])


class RoleOut(Schema):
    role: str
    label: str
    division_code: str
    division_name: str
    branch_code: str | None = None


class MeOut(Schema):
    username: str
    display_name: str
    roles: list[RoleOut]


class TokenOut(Schema):
    id: int
    user: str
    name: str
    prefix: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None
    last_used_at: dt.datetime | None = None


class TokenIn(Schema):
    username: Text(150, 1) = Field(..., description="令牌归属的用户名")
    name: Text(64, 1) = Field(..., description="用途，例如“县数据交换”")


class TokenIssued(TokenOut):
    token: str = Field(..., description="令牌明文，仅此一次返回")


def _token_out(t: ApiToken) -> dict:
    return {
        "id": t.pk, "user": t.user.username, "name": t.name, "prefix": t.prefix,
        "created_at": t.created_at, "revoked_at": t.revoked_at, "last_used_at": t.last_used_at,
    }


@router.get("/me", response=responses(MeOut), summary="当前用户及其角色、辖区")
def me(request):
    user: User = request.auth
    roles = [
        {"role": ra.role, "label": ROLES[ra.role].label, "division_code": ra.division_id,
         "division_name": ra.division.name, "branch_code": ra.branch.code if ra.branch else None}
        for ra in user.roles.select_related("division", "branch")
    ]
    return {"username": user.username, "display_name": user.get_full_name(), "roles": roles}


@router.get("/tokens", response=responses(list[TokenOut]), summary="API 令牌列表")
def token_list(request):
    access.require(request.auth, "token.own")
    return [_token_out(t) for t in tokens_visible(request.auth).order_by("-created_at")[:500]]


@router.post("/tokens", response=responses(TokenIssued, 404, 409, ok_status=201), summary="签发 API 令牌（系统管理员）")
def token_issue(request, payload: TokenIn):
    access.require(request.auth, "token.manage")
    user = users_visible(request.auth).filter(username=payload.username).first()
    if user is None:
        raise NotFound(f"用户“{payload.username}”不存在或不在您的辖区内", code="user_missing")
    token, secret = services.token_issue(acting_user=request.auth, user=user, name=payload.name)
    return 201, {**_token_out(token), "token": secret}


@router.delete("/tokens/{token_id}", response=responses(TokenOut, 404, 409), summary="吊销 API 令牌（系统管理员）")
def token_revoke(request, token_id: int = Path(..., ge=1, le=MAX_ID)):
    access.require(request.auth, "token.manage")
    if not tokens_visible(request.auth).filter(pk=token_id).exists():
        raise NotFound("令牌不存在或不在您的辖区内", code="token_missing")
    token = services.token_revoke(acting_user=request.auth, token_id=token_id)
    return _token_out(token)

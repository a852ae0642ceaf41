import datetime as dt
from typing import Literal

from ninja import Field, Path, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import StrictBool

from fupin.accounts import access, services
from fupin.accounts.models import ApiToken, User
from fupin.accounts.roles import ROLES
from fupin.accounts.selectors import role_requests_visible, tokens_visible, users_visible
from fupin.api.common import MAX_ID, DivisionCode, Pagination, Text, responses
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
        "id": t.pk,
        "user": t.user.username,
        "name": t.name,
        "prefix": t.prefix,
        "created_at": t.created_at,
        "revoked_at": t.revoked_at,
        "last_used_at": t.last_used_at,
    }


class SignInIn(Schema):
    username: Text(150, 1) = Field(..., description="用户名")
    password: str = Field(..., max_length=128, description="密码")
    name: Text(64) | None = Field(None, description="用途（如“县数据平台”），记入令牌列表")
    otp: Text(16) | None = Field(
        None, description="两步验证码：身份验证器上的 6 位数字或一个恢复码（启用了两步验证的用户必填）"
    )

    model_config = {
        "json_schema_extra": {
            "examples": [{"username": "xindai", "password": "Fupin@2026demo", "otp": "123456"}]
        }
    }


class SignedIn(Schema):
    token: str = Field(..., description="令牌明文，仅此一次返回；请求时放在 Authorization: Bearer 中")
    token_id: int
    expires_at: dt.datetime = Field(..., description="失效时间（过后须重新登录）")
    username: str
    display_name: str


def signed_in(token: ApiToken, secret: str) -> dict:
    return {
        "token": secret,
        "token_id": token.pk,
        "expires_at": token.expires_at,
        "username": token.user.username,
        "display_name": token.user.get_full_name(),
    }


@router.post(
    "/auth/token",
    auth=None,
    response=responses(SignedIn, 403, 422, 429, ok_status=201),
    summary="工作人员登录：用户名、密码（及两步验证码）换取令牌（与登录页同样的失败锁定）",
)
def sign_in(request, payload: SignInIn):
    token, secret = services.token_sign_in(
        request,
        username=payload.username,
        password=payload.password,
        name=payload.name or "",
        otp=payload.otp or "",
    )
    return Status(201, signed_in(token, secret))


@router.delete(
    "/auth/token", response=responses(None, 409, ok_status=204), summary="退出：吊销本次使用的令牌"
)
def sign_out(request):
    header = request.headers.get("Authorization", "")
    services.token_sign_out(header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else "")
    return Status(204, None)


@router.get("/me", response=responses(MeOut), summary="当前用户及其角色、辖区")
def me(request):
    user: User = request.auth
    roles = [_role_out(ra) for ra in user.roles.select_related("division", "branch")]
    return {"username": user.username, "display_name": user.get_full_name(), "roles": roles}


@router.get("/tokens", response=responses(list[TokenOut]), summary="API 令牌列表")
def token_list(request):
    access.require(request.auth, "token.own")
    return [_token_out(t) for t in tokens_visible(request.auth).order_by("-created_at")[:500]]


@router.post(
    "/tokens",
    response=responses(TokenIssued, 404, 409, 422, ok_status=201),
    summary="签发 API 令牌（系统管理员）",
)
def token_issue(request, payload: TokenIn):
    access.require(request.auth, "token.manage")
    user = users_visible(request.auth).filter(username=payload.username).first()
    if user is None:
        raise NotFound(f"用户“{payload.username}”不存在或不在您的辖区内", code="user_missing")
    token, secret = services.token_issue(acting_user=request.auth, user=user, name=payload.name)
    return Status(201, {**_token_out(token), "token": secret})


@router.delete(
    "/tokens/{token_id}", response=responses(TokenOut, 404, 409), summary="吊销 API 令牌（系统管理员）"
)
def token_revoke(request, token_id: int = Path(..., ge=1, le=MAX_ID)):
    access.require(request.auth, "token.manage")
    if not tokens_visible(request.auth).filter(pk=token_id).exists():
        raise NotFound("令牌不存在或不在您的辖区内", code="token_missing")
    token = services.token_revoke(acting_user=request.auth, token_id=token_id)
    return _token_out(token)


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    is_active: bool
    is_service_account: bool = Field(..., description="系统账号：只通过令牌调用 API，不能登录页面")
    roles: list[RoleOut]
    pending_roles: list[RoleOut] = Field(
        ..., description="已申请、待另一位系统管理员审批的角色（涉及资金的角色）"
    )

    @staticmethod
    def resolve_roles(obj: User) -> list[dict]:
        return [_role_out(ra) for ra in obj.roles.all()]

    @staticmethod
    def resolve_pending_roles(obj: User) -> list[dict]:
        return [_role_out(r) for r in obj.role_requests.all() if r.decided_at is None]


RoleCode = Literal[tuple(ROLES)]  # type: ignore[valid-type]


class RoleIn(Schema):
    role: RoleCode = Field(
        ..., description="角色代码：" + "、".join(f"{c}（{r.label}）" for c, r in ROLES.items())
    )
    division_code: DivisionCode = Field(..., description="绑定的区划代码（12位）")
    branch_code: Text(20) | None = Field(None, description="银行角色绑定的网点代码")


class UserIn(RoleIn):
    username: Text(150, 1)
    password: Text(128) = Field("", description="初始密码（至少12位，3类字符）；系统账号不填")
    display_name: Text(64) = ""
    phone: Text(32) = ""
    service_account: StrictBool = Field(
        False, description="系统账号（银行核心系统、县数据平台等）：不能登录页面，只能用签发给它的令牌"
    )


class ActiveIn(Schema):
    active: StrictBool


def _role_out(ra) -> dict:
    return {
        "role": ra.role,
        "label": ROLES[ra.role].label,
        "division_code": ra.division_id,
        "division_name": ra.division.name,
        "branch_code": ra.branch.code if ra.branch else None,
    }


def _subject(request, user_id: int) -> User:
    user = users_visible(request.auth).filter(pk=user_id).first()
    if user is None:
        raise NotFound("用户不存在或不在您的辖区内", code="user_missing")
    return user


@router.get("/users", response=responses(list[UserOut]), summary="辖区内的用户（系统管理员）")
@paginate(Pagination)
def user_list(request, q: Text(64) | None = None):
    access.require(request.auth, "user.view")
    users = users_visible(request.auth).prefetch_related(
        "roles__division", "roles__branch", "role_requests__division", "role_requests__branch"
    )
    if q:
        users = users.filter(username__icontains=q)
    return users


@router.post(
    "/users",
    response=responses(UserOut, 409, 422, ok_status=201),
    summary="新建用户并授予第一个角色（系统管理员）",
)
def user_create(request, payload: UserIn):
    user = services.user_onboard(
        acting_user=request.auth,
        username=payload.username,
        password=payload.password,
        role=payload.role,
        division_code=payload.division_code,
        branch_code=payload.branch_code,
        display_name=payload.display_name,
        phone=payload.phone,
        service_account=payload.service_account,
    )
    return Status(201, user)


@router.post(
    "/users/{user_id}/roles",
    response=responses(UserOut, 404, 409, 422),
    summary="为用户添加角色（系统管理员）",
)
def user_role_add(request, payload: RoleIn, user_id: int = Path(..., ge=1, le=MAX_ID)):
    access.require(request.auth, "user.manage")
    user = _subject(request, user_id)
    services.role_assign(
        acting_user=request.auth,
        user=user,
        role=payload.role,
        division_code=payload.division_code,
        branch_code=payload.branch_code,
    )
    return user


@router.delete(
    "/users/{user_id}/roles/{role_id}",
    response=responses(UserOut, 404, 409),
    summary="撤销用户的角色（系统管理员）",
)
def user_role_revoke(
    request, user_id: int = Path(..., ge=1, le=MAX_ID), role_id: int = Path(..., ge=1, le=MAX_ID)
):
    access.require(request.auth, "user.manage")
    user = _subject(request, user_id)
    assignment = user.roles.select_related("user", "branch").filter(pk=role_id).first()
    if assignment is None:
        raise NotFound("角色授权不存在", code="role_missing")
    services.role_revoke(acting_user=request.auth, assignment=assignment)
    return user


@router.post(
    "/users/{user_id}/active", response=responses(UserOut, 404, 409), summary="启用或停用用户（系统管理员）"
)
def user_active(request, payload: ActiveIn, user_id: int = Path(..., ge=1, le=MAX_ID)):
    access.require(request.auth, "user.manage")
    user = services.user_set_active(
        acting_user=request.auth, user=_subject(request, user_id), active=payload.active
    )
    return user


class RoleRequestOut(Schema):
    id: int
    user: str
    role: RoleOut
    requested_by: str = Field(..., description="申请人用户名")
    requested_by_name: str = Field(..., description="申请人姓名")
    requested_at: dt.datetime
    decided_by: str | None = Field(None, description="审批人用户名")
    decided_by_name: str | None = Field(None, description="审批人姓名")
    decided_at: dt.datetime | None = None
    approved: bool | None = None
    reason: str


class RoleDecisionIn(Schema):
    approve: StrictBool
    reason: Text(200) = Field("", description="不予批准时必填")


def _request_out(r) -> dict:
    return {
        "id": r.pk,
        "user": r.user.username,
        "role": _role_out(r),
        "requested_by": r.requested_by.username,
        "requested_by_name": r.requested_by.get_full_name(),
        "requested_at": r.requested_at,
        "decided_by": r.decided_by.username if r.decided_by else None,
        "decided_by_name": r.decided_by.get_full_name() if r.decided_by else None,
        "decided_at": r.decided_at,
        "approved": r.approved,
        "reason": r.reason,
    }


@router.get(
    "/role-requests", response=responses(list[RoleRequestOut]), summary="待审批的角色授权申请（系统管理员）"
)
def role_request_list(request):
    access.require(request.auth, "user.view")
    return [_request_out(r) for r in role_requests_visible(request.auth)[:500]]


@router.post(
    "/role-requests/{request_id}/decision",
    response=responses(RoleRequestOut, 404, 409, 422),
    summary="审批另一位管理员申请的角色授权（两人规则）",
)
def role_request_decide(request, payload: RoleDecisionIn, request_id: int = Path(..., ge=1, le=MAX_ID)):
    access.require(request.auth, "user.manage")
    asked = role_requests_visible(request.auth).filter(pk=request_id).first()
    if asked is None:
        raise NotFound("授权申请不存在、已处理或不在您的辖区内", code="role_request_missing")
    decided = services.role_request_decide(
        acting_user=request.auth, request=asked, approve=payload.approve, reason=payload.reason
    )
    return _request_out(decided)

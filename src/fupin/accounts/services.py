"""Writes for users, role assignments and API tokens (each audited)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django_otp import user_has_device

from fupin import compiled
from fupin.accounts import access, twofactor
from fupin.accounts.models import BATCH_USERNAME, ApiToken, RoleAssignment, RoleRequest, User
from fupin.accounts.roles import MONEY_ROLES, ROLES
from fupin.audit.services import audit_record
from fupin.core.divisions import Level
from fupin.core.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    NotPermitted,
    TooManyAttempts,
    ValidationFailed,
    reason_required,
)
from fupin.divisions.models import Branch, Division

TOKEN_PREFIX = "fp_"


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as e:
        raise ValidationFailed("密码不符合要求：" + "；".join(e.messages), code="password_invalid") from e


def user_create(
    *,
    acting_user,
    username: str,
    password: str,
    display_name: str = "",
    phone: str = "",
    check_password: bool = True,
    service_account: bool = False,
) -> User:
    """A user; a ``service_account`` (another system calling the API) has no usable password
    and acts only through the tokens issued to it."""
    if acting_user is not None:  # None: the system itself (demo, initial setup)
        access.require(acting_user, "user.manage")
    username = username.strip()
    if not username:
        raise ValidationFailed("用户名不能为空", code="username_empty")
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise Conflict(f"用户名“{username}”已存在", code="username_exists")
        user = User(
            username=username, display_name=display_name, phone=phone, is_service_account=service_account
        )
        if service_account:
            user.set_unusable_password()
        else:
            if check_password:
                _check_password(password, user)
            user.set_password(password)
        user.save()
        audit_record(
            actor=acting_user,
            action="user.create",
            obj=user,
            after={"username": username, "display_name": display_name, "service_account": service_account},
        )
    return user


def password_change(*, acting_user: User, old: str, new: str) -> User:
    """A user changes their own password: the current one first, the new one to the password
    rules and different from it; audited (the hashes are not)."""
    if acting_user.is_service_account or not acting_user.has_usable_password():
        raise NotPermitted("该账号不使用密码登录", code="no_password")
    if not acting_user.check_password(old or ""):
        raise ValidationFailed("当前密码不正确", code="password_wrong")
    if new == old:
        raise ValidationFailed("新密码不能与当前密码相同", code="password_same")
    _check_password(new or "", acting_user)
    with transaction.atomic():
        acting_user.set_password(new)
        acting_user.save(update_fields=["password"])
        audit_record(actor=acting_user, action="user.password", obj=acting_user, after={"changed": True})
    return acting_user


def _role_target(role: str, division_code: str, branch_code: str | None) -> tuple[Division, Branch | None]:
    spec = ROLES.get(role)
    if spec is None:
        raise ValidationFailed(f"未知角色“{role}”", code="role_unknown")
    division = Division.objects.filter(code=division_code).first()
    if division is None:
        raise ValidationFailed(f"区划“{division_code}”不存在", code="division_missing")
    if spec.level is not None and division.level != spec.level:
        raise ValidationFailed(
            f"{spec.label}角色必须绑定到{Level(spec.level).label}级区划", code="role_level_mismatch"
        )
    branch = None
    if spec.bank:
        if not branch_code:
            raise ValidationFailed(f"{spec.label}角色必须绑定到金融机构网点", code="role_branch_required")
        branch = Branch.objects.filter(code=branch_code).first()
        if branch is None:
            raise ValidationFailed(f"网点“{branch_code}”不存在", code="branch_missing")
        if role == "head_office" and not branch.is_head_office:
            raise ValidationFailed("总社角色必须绑定到总社机构", code="role_branch_mismatch")
    return division, branch


def role_assign(
    *, acting_user, user: User, role: str, division_code: str, branch_code: str | None = None
) -> RoleAssignment | RoleRequest:
    """Give ``user`` a role bound to a division (and, for bank roles, a branch). Nobody gives a
    role to themselves; a role that carries money steps (:data:`fupin.accounts.roles.MONEY_ROLES`)
    is only asked for here — a :class:`RoleRequest` that grants nothing until a second
    administrator approves it (:func:`role_request_decide`). ``acting_user`` None is the system
    itself (the demo, initial setup from the command line): the role is given at once."""
    division, branch = _role_target(role, division_code, branch_code)
    if acting_user is None:
        return _grant(None, user, role, division, branch)
    access.require(acting_user, "user.manage", code=division.code)
    if acting_user.pk == user.pk:
        raise NotPermitted("不能给自己授予角色：请另一位系统管理员办理", code="self_grant")
    if role not in MONEY_ROLES:
        return _grant(acting_user, user, role, division, branch)
    with transaction.atomic():
        held = RoleAssignment.objects.filter(user=user, role=role, division=division, branch=branch).first()
        if held is not None:
            return held
        request, created = RoleRequest.objects.get_or_create(
            user=user,
            role=role,
            division=division,
            branch=branch,
            decided_at__isnull=True,
            defaults={"requested_by": acting_user},
        )
        if created:
            audit_record(
                actor=acting_user,
                action="role.request",
                obj=request,
                division_code=division.code,
                after={
                    "user": user.username,
                    "role": role,
                    "division": division.code,
                    "branch": branch.code if branch else None,
                },
            )
    return request


def _grant(
    acting_user,
    user: User,
    role: str,
    division: Division,
    branch: Branch | None,
    approved: RoleRequest | None = None,
) -> RoleAssignment:
    with transaction.atomic():
        ra, created = RoleAssignment.objects.get_or_create(
            user=user, role=role, division=division, branch=branch
        )
        if created:
            after = {
                "user": user.username,
                "role": role,
                "division": division.code,
                "branch": branch.code if branch else None,
            }
            if approved is not None:
                after |= {"requested_by": approved.requested_by.username, "approved_by": acting_user.username}
            audit_record(
                actor=acting_user, action="role.assign", obj=ra, division_code=division.code, after=after
            )
            # the grants stamp is renewed by fupin.accounts.signals (the caller's user object too)
    return ra


def role_request_decide(*, acting_user, request: RoleRequest, approve: bool, reason: str = "") -> RoleRequest:
    """A second administrator approves (the role is given) or refuses a role asked for by another
    one; neither the one who asked nor the one the role is for may decide it."""
    access.require(acting_user, "user.manage", code=request.division_id)
    if acting_user.pk in (request.requested_by_id, request.user_id):
        raise NotPermitted(
            "角色授权须由另一位系统管理员审批（申请人和被授权人本人不能审批）", code="maker_checker"
        )
    if not approve:
        reason = reason_required(reason, "不予批准的原因")
    with transaction.atomic():
        request = (
            RoleRequest.objects.select_for_update().select_related("user", "requested_by").get(pk=request.pk)
        )
        if request.decided_at is not None:
            raise Conflict("该授权申请已处理", code="role_request_decided")
        request.decided_by, request.decided_at, request.approved = acting_user, timezone.now(), approve
        request.reason = reason.strip()[:200]
        request.save(update_fields=["decided_by", "decided_at", "approved", "reason"])
        audit_record(
            actor=acting_user,
            action="role.approve" if approve else "role.refuse",
            obj=request,
            division_code=request.division_id,
            after={
                "user": request.user.username,
                "role": request.role,
                "requested_by": request.requested_by.username,
                "reason": request.reason,
            },
        )
        if approve:
            _grant(
                acting_user, request.user, request.role, request.division, request.branch, approved=request
            )
    return request


def user_onboard(
    *,
    acting_user,
    username: str,
    password: str,
    role: str,
    division_code: str,
    branch_code: str | None = None,
    display_name: str = "",
    phone: str = "",
    service_account: bool = False,
) -> User:
    """Create a user together with their first role, in one transaction: a user without a
    role would sit outside every jurisdiction, invisible to the administrator who made it (a
    role carrying money steps is asked for, and the user is seen through that request)."""
    access.require(acting_user, "user.manage", code=division_code)
    with transaction.atomic():
        user = user_create(
            acting_user=acting_user,
            username=username,
            password=password,
            display_name=display_name,
            phone=phone,
            service_account=service_account,
        )
        role_assign(
            acting_user=acting_user,
            user=user,
            role=role,
            division_code=division_code,
            branch_code=branch_code,
        )
    return user


def role_revoke(*, acting_user, assignment: RoleAssignment) -> None:
    access.require(acting_user, "user.manage", code=assignment.division_id)
    with transaction.atomic():
        if assignment.user.roles.count() <= 1 and assignment.user.is_active:
            raise Conflict("不能撤销启用用户的最后一个角色；请先停用该用户", code="role_last")
        audit_record(
            actor=acting_user,
            action="role.revoke",
            obj=assignment,
            division_code=assignment.division_id,
            before={
                "user": assignment.user.username,
                "role": assignment.role,
                "division": assignment.division_id,
                "branch": assignment.branch.code if assignment.branch else None,
            },
        )
        assignment.delete()


def user_set_active(*, acting_user, user: User, active: bool) -> User:
    """Enable or disable a user (users are never deleted: the audit log refers to them)."""
    access.require(acting_user, "user.manage")
    if user.pk == getattr(acting_user, "pk", None) and not active:
        raise Conflict("不能停用自己的账号", code="user_self")
    with transaction.atomic():
        before = user.is_active
        if before != active:
            user.is_active = active
            user.save(update_fields=["is_active"])
            audit_record(
                actor=acting_user,
                action="user.activate" if active else "user.deactivate",
                obj=user,
                before={"is_active": before},
                after={"is_active": active},
            )
    return user


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_issue(*, acting_user, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue an API token; the secret is returned once and only its hash is kept. A token acts
    as the user it is for, so it is issued only to its creator themselves or to a service
    account (another system, with roles of its own): never in another person's name, which
    would credit what the token does to that person in the audit log."""
    if acting_user is not None:  # None: the system itself (initial setup from the command line)
        access.require(acting_user, "token.manage")
        if user.pk != acting_user.pk and not user.is_service_account:
            raise NotPermitted(
                "令牌只能签发给自己，或签发给系统账号（供其他系统调用）；不能以他人名义签发",
                code="token_other_user",
            )
    if not name.strip():
        raise ValidationFailed("请填写令牌用途", code="token_name_empty")
    return _issue(user, acting_user, name, None, "token.issue")


def _issue(user: User, acting_user, name: str, expires_at, action: str) -> tuple[ApiToken, str]:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name.strip()[:64],
            prefix=secret[:10],
            key_hash=_hash(secret),
            created_by=acting_user or user,
            expires_at=expires_at,
        )
        audit_record(
            actor=acting_user or (user if action != "token.issue" else None),
            action=action,
            obj=token,
            after={
                "user": user.username,
                "name": token.name,
                "prefix": token.prefix,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
        )
    return token, secret


def token_sign_in(
    request, *, username: str, password: str, name: str = "", otp: str = ""
) -> tuple[ApiToken, str]:
    """A person signs in over the API (issue 26): the username and password are checked as the
    login page checks them, with the same lockout after repeated failures (django-axes), then the
    second factor where the person needs one (``otp``: the authenticator's code or a recovery code,
    :mod:`fupin.accounts.twofactor`); they give a token of their own that expires after
    ``FUPIN_TOKEN_HOURS`` (8 by default) and that signing out revokes. A service account has no
    password: an administrator issues its tokens."""
    user = authenticate(request, username=(username or "")[:150], password=password or "")
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise TooManyAttempts(
                "登录失败次数过多，账号已锁定，请稍后再试或联系系统管理员", code="locked_out"
            )
        raise NotAuthenticated("用户名或密码错误", code="bad_credentials")
    if twofactor.needed(user):
        if not user_has_device(user, confirmed=True):
            raise NotPermitted(
                "您的角色须使用两步验证：请先在网页上登录并启用（两步验证），再用验证码登录接口",
                code="otp_enrolment_required",
            )
        if not (otp or "").strip():
            raise NotAuthenticated("请提供身份验证器上的验证码（otp）", code="otp_required")
        if twofactor.verify(user, otp) is None:
            raise NotAuthenticated("验证码或恢复码不正确", code="bad_otp")
    return person_token(user, name or "API 登录")


def person_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A token for a person who has just proved who they are (a password, or a household's SMS
    code), expiring after ``FUPIN_TOKEN_HOURS``."""
    hours = settings.FUPIN_TOKEN_HOURS
    return _issue(user, None, name, timezone.now() + dt.timedelta(hours=hours), "token.sign_in")


def token_sign_out(secret: str) -> ApiToken:
    """Revoke the token the caller signed in with (its secret)."""
    token = ApiToken.objects.filter(key_hash=_hash(secret or ""), revoked_at__isnull=True).first()
    if token is None:
        raise Conflict("本次请求不是用 API 令牌登录的，无需退出", code="not_a_token")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=token.user, action="token.sign_out", obj=token, after={"prefix": token.prefix})
    return token


def token_revoke(*, acting_user, token_id: int) -> ApiToken:
    access.require(acting_user, "token.manage")
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
        if token is None:
            raise NotFound("令牌不存在", code="token_missing")
        if token.revoked_at is not None:
            raise Conflict("该令牌已吊销", code="token_revoked")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=acting_user,
            action="token.revoke",
            obj=token,
            before={"revoked_at": None},
            after={"revoked_at": token.revoked_at},
        )
    return token


def token_authenticate(secret: str) -> User | None:
    """The active user behind a bearer token, or None (unknown, revoked, or inactive user)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = compiled.first(  # a key (unique): no ordering; of the token only what is used here
        ApiToken,
        where={"key_hash": _hash(secret)},
        related=("user",),
        fields=("last_used_at", "revoked_at", "expires_at", "user"),
        order=(),
    )
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def system_user() -> User:
    """The system's own actor for what it posts unattended — the nightly batch, a command run
    without --user (no roles, cannot log in)."""
    user, created = User.objects.get_or_create(
        username=BATCH_USERNAME, defaults={"display_name": "日终批处理"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user

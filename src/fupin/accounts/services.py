"""Writes for users, role assignments and API tokens (each audited)."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from fupin.accounts import access
from fupin.accounts.models import ApiToken, RoleAssignment, User
from fupin.accounts.roles import ROLES
from fupin.audit.services import audit_record
from fupin.core.divisions import Level
from fupin.core.errors import Conflict, NotFound, ValidationFailed
from fupin.divisions.models import Branch, Division
from fupin.prepared import Prepared

TOKEN_PREFIX = "fp_"


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as e:
        raise ValidationFailed("密码不符合要求：" + "；".join(e.messages), code="password_invalid") from e


def user_create(
    *, acting_user, username: str, password: str, display_name: str = "", phone: str = "",
    check_password: bool = True,
) -> User:
    if acting_user is not None:  # None: the system itself (demo, initial setup)
        access.require(acting_user, "user.manage")
    username = username.strip()
    if not username:
        raise ValidationFailed("用户名不能为空", code="username_empty")
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise Conflict(f"用户名“{username}”已存在", code="username_exists")
        user = User(username=username, display_name=display_name, phone=phone)
        if check_password:
            _check_password(password, user)
        user.set_password(password)
        user.save()
        audit_record(
            actor=acting_user, action="user.create", obj=user,
            after={"username": username, "display_name": display_name},
        )
    return user


def role_assign(*, acting_user, user: User, role: str, division_code: str, branch_code: str | None = None) -> RoleAssignment:
    """Give ``user`` a role bound to a division (and, for bank roles, a branch)."""
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
    if acting_user is not None:  # None: the system itself (demo, initial setup)
        access.require(acting_user, "user.manage", code=division.code)
    with transaction.atomic():
        ra, created = RoleAssignment.objects.get_or_create(user=user, role=role, division=division, branch=branch)
        if created:
            audit_record(
                actor=acting_user, action="role.assign", obj=ra, division_code=division.code,
                after={"user": user.username, "role": role, "division": division.code,
                       "branch": branch.code if branch else None},
            )  # the grants stamp is renewed by fupin.accounts.signals (the caller's user object too)
    return ra


def user_onboard(
    *, acting_user, username: str, password: str, role: str, division_code: str,
    branch_code: str | None = None, display_name: str = "", phone: str = "",
) -> User:
    """Create a user together with their first role, in one transaction: a user without a
    role would sit outside every jurisdiction, invisible to the administrator who made it."""
    access.require(acting_user, "user.manage", code=division_code)
    with transaction.atomic():
        user = user_create(
            acting_user=acting_user, username=username, password=password, display_name=display_name, phone=phone
        )
        role_assign(acting_user=acting_user, user=user, role=role, division_code=division_code, branch_code=branch_code)
    return user


def role_revoke(*, acting_user, assignment: RoleAssignment) -> None:
    access.require(acting_user, "user.manage", code=assignment.division_id)
    with transaction.atomic():
        if assignment.user.roles.count() <= 1 and assignment.user.is_active:
            raise Conflict("不能撤销启用用户的最后一个角色；请先停用该用户", code="role_last")
        audit_record(
            actor=acting_user, action="role.revoke", obj=assignment, division_code=assignment.division_id,
            before={"user": assignment.user.username, "role": assignment.role, "division": assignment.division_id,
                    "branch": assignment.branch.code if assignment.branch else None},
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
            audit_record(actor=acting_user, action="user.activate" if active else "user.deactivate", obj=user,
                         before={"is_active": before}, after={"is_active": active})
    return user


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_issue(*, acting_user, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue an API token; the secret is returned once and only its hash is kept."""
    access.require(acting_user, "token.manage")
    if not name.strip():
        raise ValidationFailed("请填写令牌用途", code="token_name_empty")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name.strip()[:64], prefix=secret[:10], key_hash=_hash(secret), created_by=acting_user
        )
        audit_record(
            actor=acting_user, action="token.issue", obj=token,
            after={"user": user.username, "name": token.name, "prefix": token.prefix},
        )
    return token, secret


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
            actor=acting_user, action="token.revoke", obj=token,
            before={"revoked_at": None}, after={"revoked_at": token.revoked_at},
        )
    return token


_TOKEN = Prepared(lambda *, key_hash: ApiToken.objects.select_related("user").filter(key_hash=key_hash,
                                                                                  revoked_at__isnull=True)[:1])


def token_authenticate(secret: str) -> User | None:
    """The active user behind a bearer token, or None (unknown, revoked, or inactive user)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = _TOKEN.first(key_hash=_hash(secret))
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user

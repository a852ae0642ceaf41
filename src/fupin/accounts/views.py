"""Pages for users, their roles and API tokens (system administrators)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from fupin.accounts import access, services, twofactor
from fupin.accounts.decorators import requires
from fupin.accounts.models import RoleAssignment
from fupin.accounts.roles import ROLES
from fupin.accounts.selectors import (
    branches_visible,
    divisions_visible_for,
    role_requests_visible,
    tokens_visible,
    users_visible,
)
from fupin.core.divisions import grouped
from fupin.core.errors import DomainError, NotFound, NotPermitted, ValidationFailed
from fupin.web.responses import act


@requires("token.manage")
def token_list(request):
    tokens = tokens_visible(request.user).order_by("-created_at")[:200]
    users = [
        request.user.username,
        *users_visible(request.user).filter(is_service_account=True).values_list("username", flat=True)[:500],
    ]
    issued = request.session.pop("issued_token", None)
    return render(request, "accounts/tokens.html", {"tokens": tokens, "users": users, "issued": issued})


@require_POST
@requires("token.manage")
def token_issue(request):
    username = request.POST.get("username", "").strip()
    user = users_visible(request.user).filter(username=username).first()
    if user is None:
        messages.error(request, f"用户“{username}”不存在或不在您的辖区内")
        return redirect("token_list")
    try:
        token, secret = services.token_issue(
            acting_user=request.user, user=user, name=request.POST.get("name", "")
        )
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("token_list")
    request.session["issued_token"] = {"secret": secret, "user": user.username, "name": token.name}
    return redirect("token_list")


@require_POST
@requires("token.manage")
def token_revoke(request, token_id: int):
    if not tokens_visible(request.user).filter(pk=token_id).exists():
        messages.error(request, "令牌不存在或不在您的辖区内")
        return redirect("token_list")
    return act(
        request,
        lambda: services.token_revoke(acting_user=request.user, token_id=token_id),
        "令牌已吊销",
        "token_list",
    )


def _role_choices():
    return [(code, r.label) for code, r in ROLES.items()]


def _form_context(request):
    return {
        "roles": _role_choices(),
        "divisions": grouped(
            list(divisions_visible_for(request.user).values_list("code", "name")[:2000]), {}
        ),
        "branches": branches_visible(request.user),
    }


@requires("user.view")
def user_list(request):
    q = request.GET.get("q", "").strip()[:64]
    users = users_visible(request.user)
    if q:
        users = users.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    page = Paginator(users.prefetch_related("roles__division", "roles__branch"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request, "accounts/users.html", {"page": page, "q": q, "query": urlencode({"q": q}) if q else ""}
    )


@requires("user.manage")
def user_new(request):
    if request.method == "POST":
        f = request.POST
        try:
            user = services.user_onboard(
                acting_user=request.user,
                username=f.get("username", ""),
                password=f.get("password", ""),
                display_name=f.get("display_name", "").strip()[:64],
                phone=f.get("phone", "").strip()[:32],
                role=f.get("role", ""),
                division_code=f.get("division", "").strip(),
                branch_code=f.get("branch", "").strip() or None,
                service_account=f.get("service_account") == "1",
            )
        except DomainError as e:
            return render(
                request,
                "accounts/user_new.html",
                {**_form_context(request), "error": e.message, "form": f},
                status=400,
            )
        messages.success(
            request,
            f"用户“{user.username}”已创建"
            + (
                "；所选角色涉及资金，须由另一位系统管理员在该用户页面审批后生效"
                if user.role_requests.exists()
                else ""
            ),
        )
        return redirect("user_detail", user_id=user.pk)
    return render(request, "accounts/user_new.html", {**_form_context(request), "form": {}})


@requires("user.view")
def user_detail(request, user_id: int):
    user = users_visible(request.user).filter(pk=user_id).first()
    if user is None:
        raise NotFound("用户不存在或不在您的辖区内", code="user_missing")
    assignments = user.roles.select_related("division", "branch").order_by("id")
    asked = role_requests_visible(request.user).filter(user=user)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "subject": user,
            "assignments": assignments,
            "may_manage": access.may(request.user, "user.manage"),
            "requests": asked,
            **_form_context(request),
        },
    )


def _subject(request, user_id: int):
    user = users_visible(request.user).filter(pk=user_id).first()
    if user is None:
        raise NotFound("用户不存在或不在您的辖区内", code="user_missing")
    return user


@require_POST
@requires("user.manage")
def user_role_add(request, user_id: int):
    user = _subject(request, user_id)
    f = request.POST
    return act(
        request,
        lambda: services.role_assign(
            acting_user=request.user,
            user=user,
            role=f.get("role", ""),
            division_code=f.get("division", "").strip(),
            branch_code=f.get("branch", "").strip() or None,
        ),
        lambda given: (
            "角色已添加，立即生效"
            if isinstance(given, RoleAssignment)
            else "该角色涉及资金，已提交授权申请：须由另一位系统管理员在本页审批后才生效"
        ),
        "user_detail",
        user_id=user.pk,
    )


@require_POST
@requires("user.manage")
def role_request_decide(request, pk: int):
    asked = role_requests_visible(request.user).filter(pk=pk).first()
    if asked is None:
        raise NotFound("授权申请不存在、已处理或不在您的辖区内", code="role_request_missing")
    approve = request.POST.get("approve") == "1"
    return act(
        request,
        lambda: services.role_request_decide(
            acting_user=request.user, request=asked, approve=approve, reason=request.POST.get("reason", "")
        ),
        "已批准，角色立即生效" if approve else "已不予批准",
        "user_detail",
        user_id=asked.user_id,
    )


@require_POST
@requires("user.manage")
def user_role_revoke(request, user_id: int, role_id: int):
    user = _subject(request, user_id)
    assignment = user.roles.select_related("user", "branch").filter(pk=role_id).first()
    if assignment is None:
        raise NotFound("角色授权不存在", code="role_missing")
    return act(
        request,
        lambda: services.role_revoke(acting_user=request.user, assignment=assignment),
        "角色已撤销",
        "user_detail",
        user_id=user.pk,
    )


@require_POST
@requires("user.manage")
def user_active(request, user_id: int):
    user = _subject(request, user_id)
    return act(
        request,
        lambda: services.user_set_active(
            acting_user=request.user, user=user, active=request.POST.get("active") == "1"
        ),
        lambda _: "用户已启用" if user.is_active else "用户已停用",
        "user_detail",
        user_id=user.pk,
    )


@login_required
def password_change(request):
    """Any signed-in user changes their own password (the session stays signed in)."""
    if request.method == "POST":
        f = request.POST
        if f.get("new", "") != f.get("again", ""):
            error = "两次输入的新密码不一致"
        else:
            try:
                services.password_change(acting_user=request.user, old=f.get("old", ""), new=f.get("new", ""))
            except DomainError as e:
                error = e.message
            else:
                update_session_auth_hash(request, request.user)
                messages.success(request, "密码已修改，下次登录请使用新密码")
                return redirect("home")
        return render(request, "accounts/password.html", {"error": error}, status=400)
    return render(request, "accounts/password.html", {})


@login_required
def two_factor(request):
    """两步验证 (issue 26 (8)): enrol with a QR code, give the code after the password, keep the
    recovery codes, switch it off where the role allows."""
    user = request.user
    owes = twofactor.session_needs(request)
    enrolled = user_has_device(user, confirmed=True)
    nxt = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/"
    ctx = {"next": nxt, "required": twofactor.required(user), "enrolled": enrolled, "owes": owes}
    error, status = "", 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        code = request.POST.get("code", "")
        try:
            if action == "verify" and enrolled:
                device = twofactor.verify(user, code)
                if device is None:
                    raise ValidationFailed("验证码或恢复码不正确，请重试", code="bad_otp")
                otp_login(request, device)
                return redirect(nxt)
            if action == "confirm" and not enrolled:
                codes = twofactor.enrol_confirm(user=user, token=code)
                otp_login(request, TOTPDevice.objects.get(user=user, confirmed=True))
                return render(request, "accounts/two_factor.html", {**ctx, "enrolled": True, "codes": codes})
            if owes:
                raise NotPermitted("请先输入验证码", code="otp_required")
            if action == "codes" and enrolled:
                codes = twofactor.recovery_codes_new(user=user)
                return render(request, "accounts/two_factor.html", {**ctx, "codes": codes})
            if action == "remove" and enrolled:
                twofactor.remove(acting_user=user, user=user)
                request.session[twofactor.SESSION_FREE] = False
                messages.success(request, "已停用两步验证")
                return redirect("two_factor")
            raise ValidationFailed("无法识别的操作，请刷新页面后重试", code="bad_action")
        except DomainError as e:
            error, status = e.message, 400
    if not enrolled:
        device = twofactor.enrolment(user)
        ctx.update(qr=mark_safe(twofactor.qr_svg(device)), secret=twofactor.secret_text(device))
    elif not owes:
        ctx["codes_left"] = StaticToken.objects.filter(device__user=user).count()
    return render(request, "accounts/two_factor.html", {**ctx, "error": error}, status=status)

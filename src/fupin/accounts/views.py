"""Pages for users, their roles and API tokens (system administrators)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fupin.accounts import access, services
from fupin.accounts.roles import ROLES
from fupin.accounts.selectors import branches_visible, divisions_visible_for, tokens_visible, users_visible
from fupin.core.errors import DomainError, NotFound
from fupin.web.decorators import requires
from fupin.web.responses import act


@requires("token.manage")
def token_list(request):
    tokens = tokens_visible(request.user).order_by("-created_at")[:200]
    users = users_visible(request.user).values_list("username", flat=True)[:500]
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
        token, secret = services.token_issue(acting_user=request.user, user=user, name=request.POST.get("name", ""))
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
    return act(request, lambda: services.token_revoke(acting_user=request.user, token_id=token_id),
                "令牌已吊销", "token_list")


def _role_choices():
    return [(code, r.label) for code, r in ROLES.items()]


def _form_context(request):
    return {
        "roles": _role_choices(),
        "divisions": divisions_visible_for(request.user).values_list("code", "name", "level")[:2000],
        "branches": branches_visible(request.user),
    }


@requires("user.view")
def user_list(request):
    q = request.GET.get("q", "").strip()[:64]
    users = users_visible(request.user)
    if q:
        users = users.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    page = Paginator(users.prefetch_related("roles__division", "roles__branch"), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/users.html", {"page": page, "q": q, "query": urlencode({"q": q}) if q else ""})


@requires("user.manage")
def user_new(request):
    if request.method == "POST":
        f = request.POST
        try:
            user = services.user_onboard(
                acting_user=request.user,
                username=f.get("username", ""), password=f.get("password", ""),
                display_name=f.get("display_name", "").strip()[:64], phone=f.get("phone", "").strip()[:32],
                role=f.get("role", ""), division_code=f.get("division", "").strip(),
                branch_code=f.get("branch", "").strip() or None,
            )
        except DomainError as e:
            return render(request, "accounts/user_new.html", {**_form_context(request), "error": e.message, "form": f},
                          status=400)
        messages.success(request, f"用户“{user.username}”已创建")
        return redirect("user_detail", user_id=user.pk)
    return render(request, "accounts/user_new.html", {**_form_context(request), "form": {}})


@requires("user.view")
def user_detail(request, user_id: int):
    user = users_visible(request.user).filter(pk=user_id).first()
    if user is None:
        raise NotFound("用户不存在或不在您的辖区内", code="user_missing")
    assignments = user.roles.select_related("division", "branch").order_by("id")
    return render(request, "accounts/user_detail.html", {
        "subject": user, "assignments": assignments, "may_manage": access.may(request.user, "user.manage"),
        **_form_context(request),
    })


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
        lambda: services.role_assign(acting_user=request.user, user=user, role=f.get("role", ""),
                                     division_code=f.get("division", "").strip(),
                                     branch_code=f.get("branch", "").strip() or None),
        "角色已添加", "user_detail", user_id=user.pk,
    )


@require_POST
@requires("user.manage")
def user_role_revoke(request, user_id: int, role_id: int):
    user = _subject(request, user_id)
    assignment = user.roles.select_related("user", "branch").filter(pk=role_id).first()
    if assignment is None:
        raise NotFound("角色授权不存在", code="role_missing")
    return act(request, lambda: services.role_revoke(acting_user=request.user, assignment=assignment),
                "角色已撤销", "user_detail", user_id=user.pk)


@require_POST
@requires("user.manage")
def user_active(request, user_id: int):
    user = _subject(request, user_id)
    return act(
        request, lambda: services.user_set_active(acting_user=request.user, user=user, active=request.POST.get("active") == "1"),
        lambda _: "用户已启用" if user.is_active else "用户已停用", "user_detail", user_id=user.pk,
    )

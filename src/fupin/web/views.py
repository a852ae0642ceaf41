"""Pages of the UI shell: home per role, divisions, audit log, API tokens."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fupin.accounts import access, services
from fupin.accounts.roles import ROLES
from fupin.accounts.selectors import tokens_visible, users_visible
from fupin.audit.selectors import audit_entries
from fupin.core.divisions import ancestors
from fupin.core.errors import DomainError
from fupin.divisions import selectors as divisions
from fupin.web.decorators import requires


def healthz(request):
    return JsonResponse({"status": "ok"})


@requires("home.view")
def home(request):
    user = request.user
    assignments = list(user.roles.select_related("division", "branch"))
    cards = []
    for ra in assignments:
        cards.append(
            {
                "role": ROLES[ra.role].label,
                "division": ra.division.name,
                "division_code": ra.division_id,
                "branch": ra.branch.name if ra.branch else "",
            }
        )
    context = {
        "cards": cards,
        "superuser": user.is_superuser,
        "counts": divisions.division_counts(user) if access.may(user, "division.view") else {},
    }
    return render(request, "web/home.html", context)


@requires("division.view")
def division_list(request, code: str | None = None):
    current = None
    if code:
        current = access.get_visible(request.user, divisions.Division, "division.view", code=code)
        rows = divisions.divisions_visible(request.user, parent=code)
    else:
        visible = divisions.divisions_visible(request.user)
        top = visible.order_by("level").values_list("level", flat=True).first()
        rows = visible.filter(level=top) if top else visible.none()
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    trail = []
    if current is not None:
        trail = list(divisions.divisions_visible(request.user).filter(code__in=ancestors(current.code)))
    return render(request, "web/divisions.html", {"current": current, "page": page, "trail": trail})


def _parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@requires("audit.view")
def audit_list(request):
    filters = {
        "actor": request.GET.get("actor", "").strip()[:150] or None,
        "action": request.GET.get("action", "").strip()[:64] or None,
        "object_type": request.GET.get("object_type", "").strip()[:64] or None,
        "object_id": request.GET.get("object_id", "").strip()[:64] or None,
        "date_from": _parse_date(request.GET.get("date_from")),
        "date_to": _parse_date(request.GET.get("date_to")),
    }
    page = Paginator(audit_entries(request.user, **filters), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/audit.html", {"page": page, "filters": filters, "query": query.urlencode()})


@requires("token.manage")
def token_list(request):
    tokens = tokens_visible(request.user).order_by("-created_at")[:200]
    users = users_visible(request.user).values_list("username", flat=True)[:500]
    issued = request.session.pop("issued_token", None)
    return render(request, "web/tokens.html", {"tokens": tokens, "users": users, "issued": issued})


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
    try:
        services.token_revoke(acting_user=request.user, token_id=token_id)
        messages.success(request, "令牌已吊销")
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("token_list")

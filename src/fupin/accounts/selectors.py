"""Reads for users and tokens, scoped to the reader's jurisdiction."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from fupin.accounts import access
from fupin.accounts.models import ApiToken, RoleRequest, User
from fupin.divisions.models import Branch, Division


def users_visible(reader) -> QuerySet[User]:
    """Users with a role — or a role asked for and not yet decided — in the reader's jurisdiction."""
    asked = User.objects.filter(
        access.scope_q(reader, "user.view", "role_requests__division__code"),
        role_requests__decided_at__isnull=True,
    ).values("pk")
    return (
        User.objects.filter(access.scope_q(reader, "user.view", "roles__division__code") | Q(pk__in=asked))
        .distinct()
        .prefetch_related("roles")
        .order_by("username")
    )


def role_requests_visible(reader, *, open_only: bool = True) -> QuerySet[RoleRequest]:
    rows = RoleRequest.objects.filter(access.scope_q(reader, "user.view", "division__code"))
    if open_only:
        rows = rows.filter(decided_at__isnull=True)
    return rows.select_related("user", "division", "branch", "requested_by", "decided_by").order_by(
        "-requested_at", "-id"
    )


def tokens_visible(reader) -> QuerySet[ApiToken]:
    mine = Q(user=reader)
    if access.may(reader, "token.manage"):
        mine |= Q(user__in=users_visible(reader))
    return ApiToken.objects.filter(mine).select_related("user", "created_by")


def divisions_visible_for(reader) -> QuerySet:
    """Divisions a user manager may bind roles to: those in their user.manage jurisdiction."""

    return Division.objects.filter(access.scope_q(reader, "user.manage", "code")).order_by("code")


def branches_visible(reader) -> QuerySet:
    """Branches whose county lies in the reader's user.manage jurisdiction."""

    return Branch.objects.filter(access.scope_q(reader, "user.manage", "county__code")).order_by("code")

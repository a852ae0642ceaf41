"""Reads for users and tokens, scoped to the reader's jurisdiction."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from fupin.accounts import access
from fupin.accounts.models import ApiToken, User


def users_visible(reader) -> QuerySet[User]:
    return (
        User.objects.filter(access.scope_q(reader, "user.view", "roles__division__code"))
        .distinct()
        .prefetch_related("roles")
        .order_by("username")
    )


def tokens_visible(reader) -> QuerySet[ApiToken]:
    mine = Q(user=reader)
    if access.may(reader, "token.manage"):
        mine |= Q(user__in=users_visible(reader))
    return ApiToken.objects.filter(mine).select_related("user", "created_by")


def divisions_visible_for(reader) -> QuerySet:
    """Divisions a user manager may bind roles to: those in their user.manage jurisdiction."""
    from fupin.divisions.models import Division

    return Division.objects.filter(access.scope_q(reader, "user.manage", "code")).order_by("code")


def branches_visible(reader) -> QuerySet:
    """Branches whose county lies in the reader's user.manage jurisdiction."""
    from fupin.divisions.models import Branch

    return Branch.objects.filter(access.scope_q(reader, "user.manage", "county__code")).order_by("code")

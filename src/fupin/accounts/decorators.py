"""View decorators: every page names the action it needs (checked by the permission matrix)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from fupin.accounts import access
from fupin.core.errors import DomainError


def requires(action: str):
    """Login required, then ``action`` must be allowed by one of the user's grants.

    Object-level jurisdiction is checked inside the view through
    :func:`fupin.accounts.access.get_visible`; a :class:`DomainError` raised there is
    rendered as a Chinese error page with its HTTP status.
    """

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not access.may(request.user, action):
                return render(
                    request,
                    "error.html",
                    {"message": "您没有权限访问此页面", "code": "forbidden"},
                    status=403,
                )
            try:
                return view(request, *args, **kwargs)
            except DomainError as e:
                return render(
                    request, "error.html", {"message": e.message, "code": e.code}, status=e.http_status
                )

        wrapped.fupin_action = action  # type: ignore[attr-defined]
        return wrapped

    return decorate

"""Division pages: browse the tree within the user's jurisdiction."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render

from fupin.accounts import access
from fupin.accounts.decorators import requires
from fupin.core.divisions import ancestors
from fupin.divisions import selectors as divisions


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
    return render(request, "divisions/divisions.html", {"current": current, "page": page, "trail": trail})

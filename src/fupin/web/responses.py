"""Responses that several apps' pages share: an action that ends in a message, files."""

from __future__ import annotations

import datetime as dt
from typing import overload
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect

from fupin.core.errors import DomainError, ValidationFailed

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ID = 2**63 - 1  # the largest id a row can have (PostgreSQL bigint)


def int_param(
    value: str | None, default: int | None = None, *, low: int = 0, high: int = MAX_ID
) -> int | None:
    """A whole number from a query or form value — ASCII digits only, ``low``…``high`` — or
    ``default`` (missing, malformed, or out of range: a 25-digit id never reaches the database)."""
    text = (value or "").strip() if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return default
    n = int(text)
    return n if low <= n <= high else default


def act(request, action, done, to: str, *, then=None, **kwargs):
    """Run one service call for a page: its success or its Chinese error becomes a message,
    and the browser goes back to ``to``. ``done`` may be a function of the call's result;
    ``then(result)`` gives where to go after a success instead, as (name, kwargs) — e.g. the
    object the call created."""
    try:
        result = action()
    except DomainError as e:
        problems = [p.get("message", "") for p in e.details] if isinstance(e.details, list) else []
        messages.error(request, e.message + ("：" + "；".join(problems[:10]) if problems else ""))
        return redirect(to, **kwargs)
    messages.success(request, done(result) if callable(done) else done)
    if then is not None:
        name, where = then(result)
        return redirect(name, **where)
    return redirect(to, **kwargs)


@overload
def date_param(value: str | None, default: dt.date, *, strict: bool = False) -> dt.date: ...
@overload
def date_param(value: str | None, default: None = None, *, strict: bool = False) -> dt.date | None: ...
def date_param(value: str | None, default: dt.date | None = None, *, strict: bool = False) -> dt.date | None:
    """A YYYY-MM-DD form or query value: ``default`` when empty; when malformed, ``default``
    too — or, with ``strict``, a Chinese 422."""
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        if strict:
            raise ValidationFailed("日期应为 YYYY-MM-DD", code="date") from None
        return default


def attachment(content: bytes, name: str, content_type: str = XLSX) -> HttpResponse:
    r = HttpResponse(content, content_type=content_type)
    r["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return r


def pdf_inline(content: bytes, name: str) -> HttpResponse:
    r = HttpResponse(content, content_type="application/pdf")
    r["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(name)}"
    return r

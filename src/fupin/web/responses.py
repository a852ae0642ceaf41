"""Responses that several apps' pages share: an action that ends in a message, files."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect

from fupin.core.errors import DomainError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def act(request, action, done, to: str, **kwargs):
    """Run one service call for a page: its success or its Chinese error becomes a message,
    and the browser goes back to ``to``."""
    try:
        action()
        messages.success(request, done() if callable(done) else done)
    except DomainError as e:
        problems = [p.get("message", "") for p in e.details] if isinstance(e.details, list) else []
        messages.error(request, e.message + ("：" + "；".join(problems[:10]) if problems else ""))
    return redirect(to, **kwargs)


def attachment(content: bytes, name: str, content_type: str = XLSX) -> HttpResponse:
    r = HttpResponse(content, content_type=content_type)
    r["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return r


def pdf_inline(content: bytes, name: str) -> HttpResponse:
    r = HttpResponse(content, content_type="application/pdf")
    r["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(name)}"
    return r

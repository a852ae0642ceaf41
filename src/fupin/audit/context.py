"""The client address of the request being served, for audit entries.

Set by :class:`fupin.audit.middleware.AuditContextMiddleware`; ``None`` outside a
request (command line, batch).
"""

from __future__ import annotations

from contextvars import ContextVar

_ip: ContextVar[str | None] = ContextVar("fupin_audit_ip", default=None)


def current_ip() -> str | None:
    return _ip.get()


def set_ip(ip: str | None):
    return _ip.set(ip)


def reset_ip(token) -> None:
    _ip.reset(token)

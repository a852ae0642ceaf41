from __future__ import annotations

from fupin.audit.context import reset_ip, set_ip


class AuditContextMiddleware:
    """Makes the client's address available to audit entries written during the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_ip(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            reset_ip(token)

"""Security headers Django 5.2 does not set itself: a Content-Security-Policy (no inline script,
nothing from other sites) and a Permissions-Policy (no camera, microphone, location, payment, USB).

The pages need nothing else: htmx, ECharts and the page behaviour (``fupin/app.js``) are served
from ``/static/``; chart data travels as ``application/json`` blocks. Style attributes stay
allowed (bar widths, ECharts' own drawing). The API's browsable docs (Swagger UI from ninja)
load their own scripts and are left out of the policy.
"""

from __future__ import annotations

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()"
EXEMPT = ("/api/v1/docs",)


class SecurityHeaders:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(EXEMPT):
            response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS)
        return response

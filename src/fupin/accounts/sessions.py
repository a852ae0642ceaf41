"""The idle timeout (等保 2.0: signed out after ``FUPIN_IDLE_TIMEOUT_MINUTES`` without a request)
without a database write on every request. Django's database sessions expire
``SESSION_COOKIE_AGE`` after they were last saved; :class:`IdleTimeout` saves a signed-in
session again (which pushes its expiry a full timeout ahead) only when more than
:data:`RENEW_AFTER` seconds have gone by since it last did — so a user is signed out between 29
and 30 minutes after their last request, and most page views cost no ``UPDATE django_session``."""

from __future__ import annotations

import time

RENEW_AFTER = 60  # seconds
RENEWED = "fupin_renewed"  # the session key holding when the session was last saved by us


class IdleTimeout:
    """Placed right after SessionMiddleware (so it sees the response first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        s = getattr(request, "session", None)
        if s is not None and s.session_key is not None and not s.is_empty():
            now = int(time.time())
            if now - s.get(RENEWED, 0) > RENEW_AFTER:
                s[RENEWED] = now  # marks the session modified: SessionMiddleware saves it
        return response

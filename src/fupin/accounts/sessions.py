"""The idle timeout (等保 2.0: signed out after ``FUPIN_IDLE_TIMEOUT_MINUTES`` without a request)
without a database write on every request: the session store remembers the expiry it read, and
:class:`IdleTimeout` renews it only when more than :data:`RENEW_AFTER` seconds of it have been
used — so a user is signed out between 29 and 30 minutes after their last request, and a page
view costs no ``UPDATE django_session``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.sessions.backends import db
from django.utils import timezone

from fupin.prepared import Prepared

RENEW_AFTER = 60  # seconds


_SESSION = Prepared(lambda *, key: db.SessionStore.get_model_class().objects.filter(session_key=key))


class SessionStore(db.SessionStore):
    expire_date: dt.datetime | None = None

    def _get_session_from_db(self):
        # Django's own read (the key, unexpired), compiled once: it runs on every page view
        key = self.session_key
        s = _SESSION.first(key=key) if isinstance(key, str) else None
        if s is None or s.expire_date <= timezone.now():
            self._session_key = None
            s = None
        self.expire_date = s.expire_date if s is not None else None
        return s


class IdleTimeout:
    """Placed right after SessionMiddleware: marks a session read in this request for saving
    (which pushes its expiry a full timeout ahead) once a minute of it has gone by."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        s = getattr(request, "session", None)
        expires = getattr(s, "expire_date", None)
        if s is not None and s.accessed and not s.modified and expires is not None:
            left = expires - timezone.now()
            if left < dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - RENEW_AFTER):
                s.modified = True
        return response

"""How a signed-in request finds its user and its session: Django's, with the one row each reads
on every page view compiled once (:mod:`fupin.compiled`, issue 23). What is not the plain case (a
key that is not a number, a session missing or expired) goes to Django's code as it is."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends import db
from django.utils import timezone

from fupin import compiled

BACKEND = "fupin.accounts.backends.UserBackend"  # settings.AUTHENTICATION_BACKENDS names it


class UserBackend(ModelBackend):
    """Django's ModelBackend (passwords, permissions); the signed-in user read by a compiled read."""

    def get_user(self, user_id):
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return super().get_user(user_id)
        user = compiled.first(get_user_model(), where={"pk": pk}, order=())
        return user if user is not None and self.user_can_authenticate(user) else None


class SessionStore(db.SessionStore):
    """Django's database sessions (settings.SESSION_ENGINE names this module); a live session read
    by a compiled read, anything else by Django."""

    def load(self):
        key = self.session_key
        row = (
            None
            if key is None
            else compiled.first(self.get_model_class(), where={"session_key": key}, order=())
        )
        if row is None or row.expire_date <= timezone.now():
            return super().load()  # Django forgets the key, as it does for any missing session
        return self.decode(row.session_data)

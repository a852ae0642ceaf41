"""Django's password backend with the signed-in user's row read by a query compiled once
(fupin.prepared): it runs on every page view."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from fupin.prepared import Prepared

_USER = Prepared(lambda *, pk: get_user_model()._default_manager.filter(pk=pk))


class Backend(ModelBackend):
    def get_user(self, user_id):
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        user = _USER.first(pk=pk)
        return user if user is not None and self.user_can_authenticate(user) else None

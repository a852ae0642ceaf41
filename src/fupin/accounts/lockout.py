"""What a locked-out account is answered (django-axes' ``AXES_LOCKOUT_CALLABLE``): the API's own
Chinese JSON error (429, :func:`fupin.accounts.services.token_sign_in`) where the API answered, the
locked-out page elsewhere."""

from __future__ import annotations

from django.shortcuts import render


def locked_out(request, original_response=None, credentials=None):
    if original_response is not None and request.path.startswith("/api/"):
        return original_response
    return render(request, "registration/locked_out.html", status=429)

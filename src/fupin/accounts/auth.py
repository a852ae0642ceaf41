"""How the API knows who calls: a bearer token an administrator issued, or the page's session."""

from __future__ import annotations

from ninja.security import HttpBearer, SessionAuth

from fupin.accounts import twofactor
from fupin.accounts.services import token_authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer fp_…`` — tokens issued and revoked by an administrator."""

    openapi_description = "管理员签发的 API 令牌 / API token issued by an administrator"

    def authenticate(self, request, token: str):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class VerifiedSessionAuth(SessionAuth):
    """The page's session — once its second factor is given where one is owed (issue 26 (8))."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None and twofactor.session_needs(request):
            return None
        return user


AUTH = [TokenAuth(), VerifiedSessionAuth()]

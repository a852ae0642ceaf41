"""Signing in over the API (issue 26): a person's username and password give a token that expires
and that signing out revokes, with the login page's lockout; a wrong password is a 401 in Chinese;
an administrator's token for a system does not expire."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from fupin.accounts.models import ApiToken
from fupin.accounts.services import token_issue
from fupin.audit.models import AuditEntry
from fupin.demo.county import DEMO_PASSWORD

pytestmark = [pytest.mark.sqlite]


def sign_in(username: str, password: str, **extra):
    return Client().post(
        "/api/v1/auth/token",
        {"username": username, "password": password, **extra},
        content_type="application/json",
    )


def test_a_person_signs_in_works_and_signs_out(world):
    before = timezone.now()
    r = sign_in("xindai", DEMO_PASSWORD, name="手机外勤")
    assert r.status_code == 201
    body = r.json()
    assert (body["username"], body["display_name"]) == ("xindai", "陈信贷")
    expires = dt.datetime.fromisoformat(body["expires_at"])
    hours = dt.timedelta(hours=settings.FUPIN_TOKEN_HOURS)
    assert before + hours <= expires <= timezone.now() + hours
    api = Client(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert api.get("/api/v1/me").json()["username"] == "xindai"
    token = ApiToken.objects.get(pk=body["token_id"])
    assert token.name == "手机外勤" and token.created_by.username == "xindai"
    assert AuditEntry.objects.filter(action="token.sign_in", actor__username="xindai").exists()

    assert api.delete("/api/v1/auth/token").status_code == 204
    assert api.get("/api/v1/me").status_code == 401
    assert api.delete("/api/v1/auth/token").status_code == 401  # the token is gone: nobody to sign out
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_token_past_its_time_is_refused(world):
    body = sign_in("fupinban", DEMO_PASSWORD).json()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert api.get("/api/v1/me").status_code == 200
    ApiToken.objects.filter(pk=body["token_id"]).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api.get("/api/v1/me").status_code == 401


def test_wrong_passwords_lock_the_account_as_the_login_page_does(world):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        r = sign_in("shenji", "wrong")
        assert r.status_code == 401 and r.json()["code"] == "bad_credentials"
        assert r.json()["message"] == "用户名或密码错误"
    r = sign_in("shenji", "wrong")
    assert r.status_code == 429 and "账号已锁定" in r.json()["message"]
    # the right password is refused while locked, here and on the login page
    assert sign_in("shenji", DEMO_PASSWORD).status_code == 429
    assert Client().post("/login/", {"username": "shenji", "password": DEMO_PASSWORD}).status_code == 429
    assert sign_in("fupinban", DEMO_PASSWORD).status_code == 201  # other accounts are unaffected
    assert sign_in("nobody", "x").status_code == 401


def test_a_systems_token_does_not_expire_and_a_session_has_no_token_to_revoke(world):
    token, secret = token_issue(acting_user=None, user=world.user("sysadmin"), name="县数据平台")
    assert token.expires_at is None
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/me").status_code == 200
    page = world.client("poverty_office")  # signed in on the web: a session, not a token
    r = page.delete("/api/v1/auth/token")
    assert r.status_code == 409 and r.json()["code"] == "not_a_token"

"""API tokens: issued and revoked by an administrator, stored hashed, audited."""

import pytest
from django.test import Client

from fupin.accounts.models import ApiToken
from fupin.accounts.services import token_authenticate, token_issue, token_revoke
from fupin.audit.models import AuditEntry
from fupin.core.errors import NotPermitted


def test_issue_authenticate_revoke(world):
    admin, officer = world.user("sysadmin"), world.user("loan_officer")
    token, secret = token_issue(acting_user=None, user=officer, name="县数据交换")  # the system (setup)
    assert secret.startswith("fp_") and len(secret) > 40
    assert secret not in token.key_hash and token.key_hash != secret
    assert token_authenticate(secret) == officer
    r = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert r.status_code == 200 and r.json()["username"] == officer.username
    token_revoke(acting_user=admin, token_id=token.pk)
    assert token_authenticate(secret) is None
    r = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
    actions = list(
        AuditEntry.objects.filter(object_type="accounts.ApiToken").values_list("action", flat=True)
    )
    assert sorted(actions) == ["token.issue", "token.revoke"]


def test_only_admin_may_issue(world):
    with pytest.raises(NotPermitted):
        token_issue(acting_user=world.user("loan_officer"), user=world.user("loan_officer"), name="x")
    assert ApiToken.objects.count() == 0


def test_inactive_users_token_is_refused(world):
    officer = world.user("loan_officer")
    _, secret = token_issue(acting_user=None, user=officer, name="x")
    officer.is_active = False
    officer.save()
    assert token_authenticate(secret) is None


def test_garbage_tokens_are_refused(world):
    for bad in ["", "fp_", "Bearer", "x" * 1000, "fp_" + "a" * 43]:
        assert token_authenticate(bad) is None


def service_account(world, name="bank-core", role="auditor"):
    from fupin.accounts.services import role_assign, user_create

    bot = user_create(
        acting_user=None, username=name, password="", service_account=True, display_name="银行核心系统"
    )
    role_assign(acting_user=None, user=bot, role=role, division_code=world.demo.townships[0][:6] + "000000")
    return bot


def test_token_api_issue_and_revoke(world):
    service_account(world)
    c = world.client("sysadmin")
    r = c.post("/api/v1/tokens", {"username": "bank-core", "name": "对账"}, content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["token"].startswith("fp_") and body["user"] == "bank-core"
    r = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert r.json()["roles"][0]["role"] == "auditor"
    r = c.delete(f"/api/v1/tokens/{body['id']}")
    assert r.status_code == 200 and r.json()["revoked_at"]
    r = c.delete(f"/api/v1/tokens/{body['id']}")
    assert r.status_code == 409 and r.json()["code"] == "token_revoked"


def test_token_api_refuses_users_outside_jurisdiction(world):
    from fupin.accounts.services import role_assign, user_create
    from tests.conftest import OTHER_VILLAGE

    stranger = user_create(acting_user=None, username="stranger", password="x", check_password=False)
    role_assign(acting_user=None, user=stranger, role="village_cadre", division_code=OTHER_VILLAGE)
    r = world.client("sysadmin").post(
        "/api/v1/tokens", {"username": "stranger", "name": "x"}, content_type="application/json"
    )
    assert r.status_code == 404 and r.json()["code"] == "user_missing"


def test_token_page_issues_and_shows_secret_once(world):
    service_account(world)
    c = world.client("sysadmin")
    r = c.post("/tokens/issue/", {"username": "bank-core", "name": "测试"}, follow=True)
    html = r.content.decode()
    assert "新令牌已签发" in html and "fp_" in html
    r = c.get("/tokens/")
    assert "新令牌已签发" not in r.content.decode()
    token = ApiToken.objects.get()
    r = c.post(f"/tokens/{token.pk}/revoke/", follow=True)
    assert "令牌已吊销" in r.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None

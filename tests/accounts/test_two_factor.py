"""Two-factor sign-in for staff (issue 26 (8)): enrolment with a QR code and one code, recovery
codes used once, the pages and the API closed to a session that owes its code, the token endpoint
asking for ``otp``, and who may switch it off."""

from __future__ import annotations

import base64
import re
import time
from contextlib import contextmanager

import pytest
import time_machine
from django.test import Client, override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from fupin.accounts import twofactor
from fupin.audit.models import AuditEntry
from fupin.core.errors import Conflict
from fupin.demo.county import DEMO_PASSWORD

pytestmark = [pytest.mark.sqlite, pytest.mark.usefixtures("money_roles_need_it")]


@pytest.fixture
def money_roles_need_it():
    with override_settings(FUPIN_TWO_FACTOR_ROLES=frozenset({"sysadmin", "loan_officer"})):
        yield


@contextmanager
def later(steps: int):
    """The clock some 30-second steps on: a new code (a code is good once)."""
    with time_machine.travel(time.time() + 31 * steps, tick=True):
        yield


def code(device: TOTPDevice) -> str:
    t = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{t.token():0{device.digits}d}"


def signed_in(world, role: str) -> tuple[Client, object]:
    user = world.user(role)
    c = Client()
    r = c.post("/login/", {"username": user.username, "password": DEMO_PASSWORD})
    assert r.status_code == 302
    return c, user


def test_enrol_then_sign_in_with_a_code_or_a_recovery_code(world):
    c, user = signed_in(world, "loan_officer")
    r = c.get("/")
    assert r.status_code == 302 and r["Location"].startswith("/account/two-factor/?next=")
    assert c.get("/api/v1/me").status_code == 401  # the API does not take a session that owes its code
    page = c.get("/account/two-factor/").content.decode()
    assert "<svg" in page and 'id="totp-secret"' in page and "须启用两步验证" in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert secret == base64.b32encode(device.bin_key).decode().rstrip("=")
    assert c.post("/account/two-factor/", {"action": "confirm", "code": "000000"}).status_code == 400
    with later(1):
        r = c.post("/account/two-factor/", {"action": "confirm", "code": code(device)})
        assert r.status_code == 200
        codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", r.content.decode())
        assert len(codes) == 10
        assert c.get("/").status_code == 200 and c.get("/api/v1/me").status_code == 200
    assert AuditEntry.objects.filter(action="account.2fa_enrol", actor=user).count() == 1

    # the next sign-in asks for the code; a recovery code works once
    c2, _ = signed_in(world, "loan_officer")
    assert c2.get("/households/").status_code == 302
    r = c2.post("/account/two-factor/", {"action": "verify", "code": "123456", "next": "/households/"})
    assert r.status_code == 400 and "不正确" in r.content.decode()
    with later(1):  # a failure slows the next try down (django-otp's throttling): a person types again
        r = c2.post("/account/two-factor/", {"action": "verify", "code": codes[0], "next": "/households/"})
        assert r.status_code == 302 and r["Location"] == "/households/"
        assert c2.get("/api/v1/me").status_code == 200
        c3, _ = signed_in(world, "loan_officer")
        assert c3.post("/account/two-factor/", {"action": "verify", "code": codes[0]}).status_code == 400
    with later(3):
        r = c3.post(
            "/account/two-factor/",
            {"action": "verify", "code": code(device), "next": "https://evil.example/"},
        )
        assert r.status_code == 302 and r["Location"] == "/"  # never sent off the site


def test_the_token_endpoint_asks_for_the_code(world):
    user = world.user("loan_officer")
    c = Client()
    body = {"username": user.username, "password": DEMO_PASSWORD}
    r = c.post("/api/v1/auth/token", body, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "otp_enrolment_required"
    device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
    r = c.post("/api/v1/auth/token", body, content_type="application/json")
    assert r.status_code == 401 and r.json()["code"] == "otp_required"
    r = c.post("/api/v1/auth/token", {**body, "otp": "000000"}, content_type="application/json")
    assert r.status_code == 401 and r.json()["code"] == "bad_otp"
    with later(2):
        r = c.post("/api/v1/auth/token", {**body, "otp": code(device)}, content_type="application/json")
        assert r.status_code == 201
        token = r.json()["token"]
        assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    # a role that needs no second factor signs in with its password alone
    cadre = world.user("village_cadre")
    r = c.post(
        "/api/v1/auth/token",
        {"username": cadre.username, "password": DEMO_PASSWORD},
        content_type="application/json",
    )
    assert r.status_code == 201


def test_who_may_switch_it_off(world):
    c, cadre = signed_in(world, "village_cadre")
    assert c.get("/").status_code == 200  # not required of a village cadre …
    c.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=cadre, confirmed=False)  # … who may still enrol
    with later(1):
        assert c.post("/account/two-factor/", {"action": "confirm", "code": code(device)}).status_code == 200
    c2, _ = signed_in(world, "village_cadre")
    assert c2.get("/").status_code == 302  # enrolled: asked from now on
    r = c.post("/account/two-factor/", {"action": "remove"})
    assert r.status_code == 302 and not TOTPDevice.objects.filter(user=cadre).exists()
    assert c2.get("/").status_code == 200

    officer = world.user("loan_officer")
    TOTPDevice.objects.create(user=officer, name="t", confirmed=True)
    with pytest.raises(Conflict):
        twofactor.remove(acting_user=officer, user=officer)  # the role requires it
    assert twofactor.remove(acting_user=world.user("sysadmin"), user=officer) == 1  # a lost phone
    assert AuditEntry.objects.filter(action="account.2fa_remove").count() == 2

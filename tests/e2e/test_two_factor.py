"""Two-factor sign-in in the browser (issue 26 (8)) on a phone: a loan officer whose role requires
it is led to enrolment after the password, scans (reads) the secret, confirms with a code, keeps
the recovery codes; the next sign-in asks for the code before any page opens."""

from __future__ import annotations

import os
import time

import pytest
import time_machine
from django.test import override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from fupin.demo.county import DEMO_PASSWORD
from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.e2e


def code(device: TOTPDevice) -> str:
    t = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{t.token():0{device.digits}d}"


def password_step(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")


@override_settings(FUPIN_TWO_FACTOR_ROLES=frozenset({"loan_officer"}))
def test_enrol_and_sign_in_with_a_second_factor_on_a_phone(live_world, page, watch, output_path):
    demo, base = live_world
    officer = next(u for u in demo.users if u.role == "loan_officer")
    os.makedirs(output_path, exist_ok=True)
    page.set_viewport_size(PHONE)
    password_step(page, base, officer.username)
    page.wait_for_url("**/account/two-factor/**")
    assert page.locator(".qr svg").is_visible()
    assert "须启用两步验证" in page.locator("main").inner_text()
    page.screenshot(path=os.path.join(output_path, "enrol-phone.png"), full_page=True)
    device = TOTPDevice.objects.get(user__username=officer.username, confirmed=False)
    page.fill("#confirm input[name=code]", code(device))
    page.click("#confirm button[type=submit]")
    codes = page.locator("#recovery-codes li")
    codes.first.wait_for()
    assert codes.count() == 10
    page.screenshot(path=os.path.join(output_path, "codes-phone.png"), full_page=True)
    page.click("text=我已保存，继续")
    page.wait_for_url(f"{base}/")

    page.context.clear_cookies()
    password_step(page, base, officer.username)
    page.wait_for_url("**/account/two-factor/**")
    assert page.locator("#verify").is_visible()
    page.goto(f"{base}/households/")  # no page opens before the code
    page.wait_for_url("**/account/two-factor/**")
    with time_machine.travel(time.time() + 31, tick=True):  # the next code (each is good once)
        page.fill("#verify input[name=code]", code(TOTPDevice.objects.get(user__username=officer.username)))
        page.click("#verify button[type=submit]")
        page.wait_for_url(f"{base}/households/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    assert watch.problems == []

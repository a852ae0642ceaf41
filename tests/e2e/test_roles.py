"""Every demo role logs in through the real form and sees its Chinese home page on a phone
and on a desktop; screenshots go to the test's output folder; any console error or failed
request fails the test."""

from __future__ import annotations

import os

import pytest

from fupin.accounts.roles import ROLES
from fupin.demo.county import DEMO_PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def switch_user(page, base: str, username: str, width: int = 1280) -> None:
    """Sign out whoever is signed in and sign in as ``username`` on a screen ``width`` wide."""
    page.context.clear_cookies()
    page.set_viewport_size({"width": width, "height": 900})
    login(page, base, username)


@pytest.mark.parametrize("role", list(ROLES))
def test_role_home_on_phone_and_desktop(live_world, page, watch, output_path, role):
    demo, base = live_world
    user = next(u for u in demo.users if u.role == role)
    os.makedirs(output_path, exist_ok=True)
    page.set_viewport_size(PHONE)
    login(page, base, user.username)
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert ROLES[role].label in page.content()
    assert "您好" in page.inner_text("h1")
    # no horizontal scrolling on a 360-px phone
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=os.path.join(output_path, f"{role}-phone.png"), full_page=True)
    # the phone menu opens and lists the role's pages
    page.click("summary")
    assert page.locator(".menu .nav a").first.is_visible()
    page.set_viewport_size(DESKTOP)
    page.reload()
    assert page.locator(".nav-wide a").first.is_visible()
    page.screenshot(path=os.path.join(output_path, f"{role}-desktop.png"), full_page=True)
    assert watch.problems == []


def test_lockout_is_shown_in_chinese(live_world, page, watch, output_path):
    demo, base = live_world
    for _ in range(5):
        page.goto(f"{base}/login/")
        page.fill("#id_username", "shenji")
        page.fill("#id_password", "wrong-password")
        page.click("button[type=submit]")
    assert "账号已锁定" in page.content()
    os.makedirs(output_path, exist_ok=True)
    page.screenshot(path=os.path.join(output_path, "locked.png"))
    # the lockout answer is an HTTP 429 by design; nothing else may fail
    assert [p for p in watch.problems if "429" not in p] == []


def test_language_switch_to_english(live_world, page, watch):
    demo, base = live_world
    login(page, base, "fupinban")
    page.click("button[name=language]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Poverty-alleviation microcredit" in page.content()
    assert watch.problems == []

"""Steps more than one journey takes."""

from __future__ import annotations

from tests.e2e.test_roles import switch_user


def approve(page, base: str, app_pk: int, username: str, done: str, width: int = 1280) -> None:
    """``username`` opens the application and approves its current step; ``done`` is the message shown."""
    switch_user(page, base, username, width)
    page.goto(f"{base}/loans/applications/{app_pk}/")
    page.click("button[value=approve]")
    page.wait_for_selector(f"text={done}")


def publish_notice(page, base: str, app_pk: int) -> None:
    """The village cadre publishes the public notice (公示) of this one application."""
    switch_user(page, base, "cungan")
    page.goto(f"{base}/loans/notices/")
    for box in page.query_selector_all("input[name=application]"):
        if box.get_attribute("value") != str(app_pk):
            box.uncheck()
    page.click("text=发布公示")
    page.wait_for_selector("text=公示已发布")

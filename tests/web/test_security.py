"""What a bank's security reviewer checks first: the security headers every page carries, and a
page where each user changes their own password (audited)."""

from __future__ import annotations

import re
from pathlib import Path

import fupin
from fupin.audit.models import AuditEntry
from fupin.demo.county import DEMO_PASSWORD
from fupin.web.headers import CSP

TEMPLATES = Path(fupin.__file__).parent / "templates"


def test_pages_and_the_api_carry_csp_and_permissions_policy(world):
    for client, url in (
        (world.client(None), "/login/"),
        (world.client("poverty_office"), "/"),
        (world.client("poverty_office"), "/api/v1/me"),
    ):
        r = client.get(url)
        assert r.status_code == 200
        assert r["Content-Security-Policy"] == CSP
        assert "script-src 'self'" in CSP and "frame-ancestors 'none'" in CSP and "unsafe-eval" not in CSP
        assert "camera=()" in r["Permissions-Policy"] and "geolocation=()" in r["Permissions-Policy"]


def test_no_template_has_inline_script_the_policy_would_block():
    """The policy allows no inline script: no handler attribute, no <script> with code in it."""
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\son[a-z]+=", text), path
        for m in re.finditer(r"<script\b([^>]*)>(.*?)</script>", text, re.S):
            assert "src=" in m.group(1) and not m.group(2).strip(), path


def test_a_user_changes_their_own_password(world):
    cadre = world.user("village_cadre")
    c = world.client("village_cadre")
    page = c.get("/account/password/")
    assert page.status_code == 200 and "当前密码" in page.content.decode()
    assert "修改密码" in c.get("/").content.decode()  # reachable from every page
    wrong = c.post(
        "/account/password/", {"old": "nope", "new": "Cadre#2027village", "again": "Cadre#2027village"}
    )
    assert wrong.status_code == 400 and "当前密码不正确" in wrong.content.decode()
    weak = c.post("/account/password/", {"old": DEMO_PASSWORD, "new": "short", "again": "short"})
    assert weak.status_code == 400 and "密码不符合要求" in weak.content.decode()
    mismatch = c.post(
        "/account/password/", {"old": DEMO_PASSWORD, "new": "Cadre#2027village", "again": "Cadre#2028"}
    )
    assert mismatch.status_code == 400 and "不一致" in mismatch.content.decode()
    done = c.post(
        "/account/password/",
        {"old": DEMO_PASSWORD, "new": "Cadre#2027village", "again": "Cadre#2027village"},
        follow=True,
    )
    assert "密码已修改" in done.content.decode()
    assert c.get("/").status_code == 200  # still signed in
    cadre.refresh_from_db()
    assert cadre.check_password("Cadre#2027village") and not cadre.check_password(DEMO_PASSWORD)
    entry = AuditEntry.objects.get(action="user.password")
    assert (
        entry.actor == cadre
        and "Cadre#2027" not in str(entry.after)
        and cadre.password not in str(entry.after)
    )
    assert world.client(None).get("/account/password/").status_code == 302  # signed out: to the login page

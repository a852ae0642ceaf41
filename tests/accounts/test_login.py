"""Login, lockout, idle timeout, password rules (等保 2.0), argon2 in production settings."""

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from fupin.accounts.passwords import character_classes
from fupin.demo.county import DEMO_PASSWORD


def test_production_hasher_is_argon2():
    import fupin.settings as prod

    assert prod.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    from django.contrib.auth.hashers import Argon2PasswordHasher

    encoded = Argon2PasswordHasher().encode("Abcdefgh123!", Argon2PasswordHasher().salt())
    assert encoded.startswith("argon2$")


def test_login_with_demo_password_reaches_home(world):
    c = Client()
    r = c.post(reverse("login"), {"username": "fupinban", "password": DEMO_PASSWORD}, follow=True)
    assert r.status_code == 200
    assert r.redirect_chain[-1][0] == reverse("home")
    assert "县扶贫办" in r.content.decode()


def test_wrong_password_shows_chinese_error(world):
    r = Client().post(reverse("login"), {"username": "fupinban", "password": "nope"})
    assert r.status_code == 200
    assert "用户名或密码不正确" in r.content.decode()


def test_lockout_after_five_failures(world):
    c = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        r = c.post(reverse("login"), {"username": "shenji", "password": "wrong"})
        assert r.status_code == 200
    r = c.post(reverse("login"), {"username": "shenji", "password": "wrong"})
    assert r.status_code == 429
    assert "账号已锁定" in r.content.decode()
    # even the right password is refused while locked, from any client
    r = Client().post(reverse("login"), {"username": "shenji", "password": DEMO_PASSWORD})
    assert r.status_code == 429
    # other accounts are unaffected
    r = Client().post(reverse("login"), {"username": "fupinban", "password": DEMO_PASSWORD})
    assert r.status_code == 302


def test_lockout_limit_is_five_by_default():
    assert settings.AXES_FAILURE_LIMIT == 5


def test_idle_timeout_thirty_minutes_renewed_by_a_request(world):
    import time_machine
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    c = Client()
    c.post(reverse("login"), {"username": "fupinban", "password": DEMO_PASSWORD})

    def left() -> timezone.timedelta:
        return Session.objects.get().expire_date - timezone.now()

    def writes() -> list:
        with CaptureQueriesContext(connection) as q:
            assert c.get(reverse("home")).status_code == 200
        return [x for x in q.captured_queries if "django_session" in x["sql"] and "UPDATE" in x["sql"]]

    assert not writes()  # within the first minute a request writes nothing
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=50)):
        assert not writes()
        assert left() > timezone.timedelta(minutes=29)
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=29)):
        assert left() < timezone.timedelta(minutes=2)  # idle 29 minutes: the session nearly out
        assert writes()  # a request now pushes the expiry a full 30 minutes ahead again
        assert timezone.timedelta(minutes=29) < left() <= timezone.timedelta(minutes=30)
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=60)):  # 31 idle minutes
        r = c.get(reverse("home"))
        assert r.status_code == 302 and r.url.startswith(reverse("login"))


def test_expired_session_redirects_to_login(world):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    c = Client()
    c.post(reverse("login"), {"username": "fupinban", "password": DEMO_PASSWORD})
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    r = c.get(reverse("home"))
    assert r.status_code == 302 and r.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "password, ok",
    [
        ("Fupin@2026demo", True),
        ("abcdefghijk1", False),  # two classes
        ("Abc@1234", False),  # too short
        ("ABCDEFGHIJ1!", True),  # upper, digit, symbol
        ("abcdefghij1!", True),  # lower, digit, symbol
        ("abcdefghijkL", False),
    ],
)
def test_password_rules(password, ok, db):
    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def test_character_classes():
    assert character_classes("aA1!") == 4
    assert character_classes("aaaa") == 1
    assert character_classes("中文abc1") == 3  # CJK counts as a symbol class


def test_anonymous_pages_redirect_to_login(db):
    r = Client().get(reverse("home"))
    assert r.status_code == 302 and reverse("login") in r.url


def test_logout_requires_post_and_ends_session(world):
    c = world.client("poverty_office")
    assert c.get(reverse("logout")).status_code == 405
    assert c.post(reverse("logout")).status_code == 302
    assert c.get(reverse("home")).status_code == 302

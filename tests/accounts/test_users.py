"""User management by the system administrator: onboarding with a first role, adding and
revoking roles, deactivation — all audited and bounded by the administrator's county."""

import pytest

from fupin.accounts.models import User
from fupin.accounts.services import role_revoke, user_onboard, user_set_active
from fupin.audit.models import AuditEntry
from fupin.core.errors import Conflict, NotPermitted, ValidationFailed
from tests.conftest import OTHER_VILLAGE

GOOD = "Cadre#2026village"


def test_onboard_creates_user_and_role_atomically(world):
    admin = world.user("sysadmin")
    u = user_onboard(
        acting_user=admin,
        username="newcadre",
        password=GOOD,
        role="village_cadre",
        division_code=world.village,
        display_name="新村干",
    )
    assert u.roles.get().division_id == world.village
    assert u.check_password(GOOD)
    with pytest.raises(ValidationFailed):  # bad role level: nothing is created
        user_onboard(
            acting_user=admin,
            username="half",
            password=GOOD,
            role="village_cadre",
            division_code=world.township,
        )
    assert not User.objects.filter(username="half").exists()
    assert not AuditEntry.objects.filter(action="user.create", after__username="half").exists()


def test_onboard_enforces_password_rules_and_jurisdiction(world):
    admin = world.user("sysadmin")
    with pytest.raises(ValidationFailed) as e:
        user_onboard(
            acting_user=admin,
            username="weak",
            password="short1",
            role="village_cadre",
            division_code=world.village,
        )
    assert "密码不符合要求" in e.value.message
    with pytest.raises(NotPermitted):
        user_onboard(
            acting_user=admin,
            username="far",
            password=GOOD,
            role="village_cadre",
            division_code=OTHER_VILLAGE,
        )
    with pytest.raises(NotPermitted):
        user_onboard(
            acting_user=world.user("poverty_office"),
            username="x",
            password=GOOD,
            role="village_cadre",
            division_code=world.village,
        )


def test_last_role_of_active_user_cannot_be_revoked_and_self_cannot_be_disabled(world):
    admin = world.user("sysadmin")
    cadre = world.user("village_cadre")
    with pytest.raises(Conflict):
        role_revoke(acting_user=admin, assignment=cadre.roles.get())
    user_set_active(acting_user=admin, user=cadre, active=False)
    role_revoke(acting_user=admin, assignment=cadre.roles.get())
    assert cadre.roles.count() == 0
    with pytest.raises(Conflict):
        user_set_active(acting_user=admin, user=admin, active=False)
    actions = list(
        AuditEntry.objects.filter(action__in=["user.deactivate", "role.revoke"]).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["role.revoke", "user.deactivate"]


def test_deactivated_user_cannot_sign_in(world):
    from django.test import Client

    from fupin.demo.county import DEMO_PASSWORD

    user_set_active(acting_user=world.user("sysadmin"), user=world.user("auditor"), active=False)
    r = Client().post("/login/", {"username": "shenji", "password": DEMO_PASSWORD})
    assert r.status_code == 200 and "用户名或密码不正确" in r.content.decode()


def test_user_pages(world):
    c = world.client("sysadmin")
    html = c.get("/users/").content.decode()
    assert "cungan" in html and "村干部" in html
    r = c.post(
        "/users/new/",
        {
            "username": "pagecadre",
            "password": GOOD,
            "role": "village_cadre",
            "division": world.village,
            "display_name": "页面",
        },
        follow=True,
    )
    assert r.status_code == 200 and "已创建" in r.content.decode()
    u = User.objects.get(username="pagecadre")
    r = c.post(
        "/users/new/",
        {"username": "pagecadre", "password": GOOD, "role": "village_cadre", "division": world.village},
    )
    assert r.status_code == 400 and "已存在" in r.content.decode()
    r = c.post(f"/users/{u.pk}/roles/", {"role": "auditor", "division": world.township}, follow=True)
    assert "角色已添加" in r.content.decode() and u.roles.count() == 2
    r = c.post(f"/users/{u.pk}/active/", {"active": "0"}, follow=True)
    assert "用户已停用" in r.content.decode()
    u.refresh_from_db()
    assert not u.is_active


def test_user_api(world):
    c = world.client("sysadmin")
    r = c.post(
        "/api/v1/users",
        {
            "username": "apiuser",
            "password": GOOD,
            "role": "loan_officer",
            "division_code": world.township,
            "branch_code": "FM001",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    # a loan officer moves money: the role waits for a second administrator
    # (tests/accounts/test_two_person.py)
    assert body["roles"] == [] and body["pending_roles"] == [
        {
            "role": "loan_officer",
            "label": "信贷员",
            "division_code": world.township,
            "division_name": body["pending_roles"][0]["division_name"],
            "branch_code": "FM001",
        }
    ]
    r = c.get("/api/v1/users", {"q": "apiuser"})
    assert r.json()["count"] == 1
    r = c.post(
        "/api/v1/users",
        {"username": "apiuser", "password": GOOD, "role": "auditor", "division_code": world.township},
        content_type="application/json",
    )
    assert r.status_code == 409 and r.json()["code"] == "username_exists"


def test_user_list_query_count_is_bounded(world, django_assert_max_num_queries):
    c = world.client("sysadmin")
    c.get("/users/")
    with django_assert_max_num_queries(12):
        assert c.get("/users/").status_code == 200

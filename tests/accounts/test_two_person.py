"""One administrator cannot defeat the two-person rules (DOMAIN §14): nobody grants a role to
themselves; a role that carries money steps is in force only once a second administrator
approves it; a token acts only as its creator or as a service account — so the audit log always
names the real actor."""

from __future__ import annotations

import pytest
from django.test import Client

from fupin.accounts import access
from fupin.accounts.models import RoleAssignment, RoleRequest, User
from fupin.accounts.roles import MONEY_ROLES
from fupin.accounts.services import role_assign, role_request_decide, token_issue, user_create
from fupin.audit.models import AuditEntry
from fupin.core.errors import NotPermitted

COUNTY = "529901000000"


def second_admin(world) -> User:
    return User.objects.get(username="admin2")


def roles_of(user: User) -> set[str]:
    return {g.role for g in access.grants(User.objects.get(pk=user.pk))}


def test_nobody_grants_a_role_to_themselves(world):
    admin = world.user("sysadmin")
    c = world.client("sysadmin")
    r = c.post(
        f"/api/v1/users/{admin.pk}/roles",
        {"role": "finance_bureau", "division_code": COUNTY},
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["code"] == "self_grant"
    for role in ("finance_bureau", "auditor"):  # a money role or not
        with pytest.raises(NotPermitted):
            role_assign(acting_user=admin, user=admin, role=role, division_code=COUNTY)
    page = c.post(f"/users/{admin.pk}/roles/", {"role": "finance_bureau", "division": COUNTY}, follow=True)
    assert "不能给自己授予角色" in page.content.decode()
    assert roles_of(admin) == {"sysadmin"} and not RoleRequest.objects.exists()


def test_a_money_role_needs_a_second_administrator(world):
    admin, admin2 = world.user("sysadmin"), second_admin(world)
    clerk = user_create(acting_user=None, username="clerk", password="x", check_password=False)
    role_assign(acting_user=None, user=clerk, role="auditor", division_code=COUNTY)
    assert "finance_bureau" in MONEY_ROLES and "auditor" not in MONEY_ROLES
    r = world.client("sysadmin").post(
        f"/api/v1/users/{clerk.pk}/roles",
        {"role": "finance_bureau", "division_code": COUNTY},
        content_type="application/json",
    )
    assert r.status_code == 200
    assert [p["role"] for p in r.json()["pending_roles"]] == ["finance_bureau"]
    assert [x["role"] for x in r.json()["roles"]] == ["auditor"]
    assert roles_of(clerk) == {"auditor"}  # asked for, not given: it grants nothing yet
    asked = RoleRequest.objects.get()
    # the one who asked cannot approve, nor can the user it is for
    r = world.client("sysadmin").post(
        f"/api/v1/role-requests/{asked.pk}/decision", {"approve": True}, content_type="application/json"
    )
    assert r.status_code == 403 and r.json()["code"] == "maker_checker"
    assert roles_of(clerk) == {"auditor"}
    # the second administrator sees it waiting and approves it
    c2 = Client()
    c2.force_login(admin2)
    waiting = c2.get("/api/v1/role-requests").json()
    assert [(w["user"], w["role"]["role"], w["requested_by"]) for w in waiting] == [
        ("clerk", "finance_bureau", "admin")
    ]
    assert waiting[0]["requested_by_name"] == User.objects.get(username="admin").get_full_name()
    page = c2.get(f"/users/{clerk.pk}/").content.decode()
    assert "待审批的角色" in page and "批准" in page
    c2.post(f"/role-requests/{asked.pk}/decision/", {"approve": "1"})
    assert roles_of(clerk) == {"auditor", "finance_bureau"}
    given = AuditEntry.objects.get(
        action="role.assign",
        object_type="accounts.RoleAssignment",
        object_id=str(RoleAssignment.objects.get(user=clerk, role="finance_bureau").pk),
    )
    assert (
        given.actor == admin2
        and given.after["requested_by"] == "admin"
        and given.after["approved_by"] == "admin2"
    )
    assert AuditEntry.objects.filter(action="role.request", actor=admin).count() == 1
    # decided once
    r = c2.post(
        f"/api/v1/role-requests/{asked.pk}/decision", {"approve": True}, content_type="application/json"
    )
    assert r.status_code == 404


def test_an_administrator_cannot_make_themselves_a_finance_bureau_through_a_colleague_either(world):
    """admin asks for admin2 to become finance bureau; admin2 cannot approve their own grant."""
    admin, admin2 = world.user("sysadmin"), second_admin(world)
    asked = role_assign(acting_user=admin, user=admin2, role="finance_bureau", division_code=COUNTY)
    assert isinstance(asked, RoleRequest)
    with pytest.raises(NotPermitted):
        role_request_decide(acting_user=admin2, request=asked, approve=True)
    assert "finance_bureau" not in roles_of(admin2)


def test_a_refusal_needs_a_reason_and_grants_nothing(world):
    admin, admin2 = world.user("sysadmin"), second_admin(world)
    clerk = user_create(acting_user=None, username="clerk2", password="x", check_password=False)
    asked = role_assign(acting_user=admin, user=clerk, role="poverty_office", division_code=COUNTY)
    c2 = Client()
    c2.force_login(admin2)
    r = c2.post(
        f"/api/v1/role-requests/{asked.pk}/decision", {"approve": False}, content_type="application/json"
    )
    assert r.status_code == 422
    r = c2.post(
        f"/api/v1/role-requests/{asked.pk}/decision",
        {"approve": False, "reason": "该同志不在财政局工作"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["approved"] is False
    assert roles_of(clerk) == set()


def test_a_role_without_money_steps_is_given_at_once(world):
    clerk = user_create(acting_user=None, username="clerk3", password="x", check_password=False)
    given = role_assign(acting_user=world.user("sysadmin"), user=clerk, role="auditor", division_code=COUNTY)
    assert isinstance(given, RoleAssignment) and roles_of(clerk) == {"auditor"}


def test_a_token_is_only_for_oneself_or_a_service_account(world):
    admin = world.user("sysadmin")
    c = world.client("sysadmin")
    r = c.post("/api/v1/tokens", {"username": "caizheng", "name": "代办"}, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "token_other_user"
    with pytest.raises(NotPermitted):
        token_issue(acting_user=admin, user=world.user("finance_bureau"), name="代办")
    page = c.post("/tokens/issue/", {"username": "caizheng", "name": "代办"}, follow=True).content.decode()
    assert "不能以他人名义签发" in page
    # for oneself
    r = c.post("/api/v1/tokens", {"username": "admin", "name": "自用"}, content_type="application/json")
    assert r.status_code == 201
    # a service account, made with its own role (a second administrator approves a money role)
    r = c.post(
        "/api/v1/users",
        {"username": "county-platform", "service_account": True, "role": "auditor", "division_code": COUNTY},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["is_service_account"] is True
    bot = User.objects.get(username="county-platform")
    assert not bot.has_usable_password()
    signed = Client().post("/login/", {"username": "county-platform", "password": ""})
    assert signed.status_code != 302  # never signs in to the pages
    r = c.post(
        "/api/v1/tokens",
        {"username": "county-platform", "name": "县数据平台"},
        content_type="application/json",
    )
    assert r.status_code == 201
    secret = r.json()["token"]
    # what the token does is credited to the service account, never to a person
    api = Client()
    before = AuditEntry.objects.count()
    out = api.post(
        "/api/v1/tokens",
        {"username": "county-platform", "name": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert out.status_code == 403  # the platform is an auditor: it may not issue tokens
    assert AuditEntry.objects.count() == before
    assert (
        api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").json()["username"] == "county-platform"
    )


def test_the_first_roles_of_a_new_deployment_come_from_the_command_line(world):
    """The server's operator, as the system itself (no second administrator exists yet)."""
    from django.core.management import call_command

    clerk = user_create(acting_user=None, username="first-finance", password="x", check_password=False)
    call_command("grant-role", "first-finance", "finance_bureau", COUNTY)
    assert roles_of(clerk) == {"finance_bureau"}
    entry = AuditEntry.objects.get(action="role.assign", after__user="first-finance")
    assert entry.actor is None  # the system: no person is credited
    with pytest.raises(SystemExit):
        call_command("grant-role", "nobody", "finance_bureau", COUNTY)

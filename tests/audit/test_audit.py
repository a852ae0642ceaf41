"""The audit log: written with every change, readable by auditors in scope, never editable."""

import pytest
from django.db import DatabaseError, transaction

from fupin.accounts.services import role_assign, user_create
from fupin.audit.models import AuditEntry
from fupin.audit.selectors import audit_entries
from fupin.audit.services import audit_record
from fupin.core.errors import NotPermitted
from fupin.divisions.services import division_create

pytestmark = pytest.mark.sqlite  # the audit log's immutability triggers differ by database


def test_service_write_leaves_audit_row_with_before_after(world):
    admin = world.user("sysadmin")
    n = AuditEntry.objects.count()
    u = user_create(acting_user=admin, username="audited", password="Abcdefgh12!x", display_name="测试")
    role_assign(acting_user=admin, user=u, role="village_cadre", division_code=world.village)
    entries = list(AuditEntry.objects.order_by("id")[n:])
    assert [e.action for e in entries] == ["user.create", "role.assign"]
    assert entries[0].actor == admin and entries[0].actor_name == admin.get_full_name()
    assert entries[0].after == {"username": "audited", "display_name": "测试", "service_account": False}
    assert entries[1].division_code == world.village
    assert entries[1].after["role"] == "village_cadre"


def test_failed_write_leaves_no_audit_row(world):
    n = AuditEntry.objects.count()
    with pytest.raises(Exception):  # noqa: B017 - any domain error
        division_create(acting_user=None, code=world.village, name="重复", parent_code=world.township)
    assert AuditEntry.objects.count() == n


@pytest.mark.django_db(transaction=True)
def test_audit_record_outside_transaction_is_refused():
    with pytest.raises(RuntimeError):
        audit_record(actor=None, action="x", object_type="t", object_id="1")


def test_entries_cannot_be_updated_or_deleted_in_the_database(world):
    entry = AuditEntry.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.action != "tampered"


def test_only_auditors_read_and_only_in_scope(world):
    with pytest.raises(NotPermitted):
        audit_entries(world.user("poverty_office"))
    seen = audit_entries(world.user("auditor"))
    assert seen.filter(division_code=world.village).exists()
    assert not seen.filter(division_code__startswith="529902").exists()


def test_filters(world):
    auditor = world.user("auditor")
    assert set(audit_entries(auditor, action="role.").values_list("action", flat=True)) == {"role.assign"}
    # the credit union's offices, the three banks' head offices and one bank office (issue 25)
    assert audit_entries(auditor, object_type="divisions.Branch").count() == len(world.demo.townships) + 5
    assert audit_entries(auditor, actor="系统").count() == audit_entries(auditor).count()
    assert audit_entries(auditor, actor="nobody").count() == 0


def test_audit_page_lists_and_filters(world):
    c = world.client("auditor")
    r = c.get("/audit/", {"action": "branch.create"})
    html = r.content.decode()
    assert r.status_code == 200
    assert "branch.create" in html and "role.assign" not in html
    assert "日志只读" in html
    # in Chinese, the code beside (issue 27 (2)): the action, the object's kind, the changed fields
    assert "新建网点" in html and "网点 #" in html and "{&#x27;" not in html and "{'" not in html
    roles = c.get("/audit/", {"action": "role.assign"}).content.decode()
    assert "授予角色" in roles and "角色：" in roles


def test_audit_page_query_count_is_bounded(world, django_assert_max_num_queries):
    c = world.client("auditor")
    c.get("/audit/")
    with django_assert_max_num_queries(12):
        r = c.get("/audit/")
    assert r.status_code == 200


def test_audit_api(world):
    r = world.client("auditor").get("/api/v1/audit", {"action": "role", "limit": 5})
    body = r.json()
    assert r.status_code == 200 and body["count"] == len(world.demo.users) and len(body["items"]) == 5
    assert all(i["action"] == "role.assign" for i in body["items"])
    # actors as everywhere in the API (issue 26 (5)): the username, and the name beside it
    assert all(i["actor"] is None and i["actor_name"] == "系统" for i in body["items"])  # the demo's setup
    world.client("sysadmin").post(
        "/api/v1/users",
        {
            "username": "auditme",
            "password": "Audit#2026pass!",
            "role": "village_cadre",
            "division_code": world.village,
        },
        content_type="application/json",
    )
    made = (
        world.client("auditor").get("/api/v1/audit", {"action": "user.create", "limit": 1}).json()["items"][0]
    )
    admin = world.user("sysadmin")
    assert (made["actor"], made["actor_name"]) == (admin.username, admin.get_full_name())
    assert world.client("loan_officer").get("/api/v1/audit").status_code == 403

"""The registry over JSON (issue 26 (3)): a household created, changed field by field, members
in, changed and out — through the import's checks, with every problem listed and nothing
written when there is one; the history and the audit log say who did what."""

from __future__ import annotations

import json

import pytest

from fupin.audit.models import AuditEntry
from fupin.households.models import Household, HouseholdEvent, Person
from tests.guarantors import id_number

pytestmark = pytest.mark.sqlite


def send(client, method, url, body=None):
    return getattr(client, method)(
        url, json.dumps(body) if body is not None else None, content_type="application/json"
    )


def family(world, registry_no="JS0001"):
    return {
        "village_code": world.village,
        "registry_no": registry_no,
        "status": "poor",
        "status_year": 2016,
        "income_per_capita": "2300.00",
        "tags": ["重点村"],
        "members": [
            {
                "name": "王大山",
                "id_number": id_number(),
                "relationship": "户主",
                "labour": "full",
                "phone": "13800001234",
            },
            {"name": "李小梅", "id_number": id_number(), "relationship": "配偶", "labour": "weak"},
        ],
    }


def test_create_update_and_members_over_json(world):
    c = world.client("village_cadre")
    body = family(world)
    r = send(c, "post", "/api/v1/households", body)
    assert r.status_code == 201, r.content
    out = r.json()
    hh = Household.objects.get(pk=out["id"])
    assert (hh.village_id, hh.status, hh.status_year, str(hh.income_per_capita), hh.tags) == (
        world.village,
        "poor",
        2016,
        "2300.00",
        ["重点村"],
    )
    assert out["member_count"] == 2 and out["head_name"] == "王大山"
    head = next(m for m in out["members"] if m["is_head"])
    assert head["phone_masked"] == "138****1234" and body["members"][0]["id_number"] not in r.content.decode()
    assert HouseholdEvent.objects.filter(household=hh, kind="created").count() == 1

    # PATCH one field: only it changes, and the history says from what to what
    r = send(c, "patch", f"/api/v1/households/{hh.pk}", {"income_per_capita": "2600.50"})
    assert r.status_code == 200, r.content
    hh.refresh_from_db()
    assert str(hh.income_per_capita) == "2600.50" and hh.status_year == 2016 and hh.tags == ["重点村"]
    ev = HouseholdEvent.objects.get(household=hh, kind="changed")
    assert (ev.field, ev.before, ev.after) == ("人均纯收入（元）", "2300.00", "2600.50")

    # a member moves in, is changed, and moves out; the head cannot leave
    r = send(
        c,
        "post",
        f"/api/v1/households/{hh.pk}/members",
        {"name": "王小虎", "id_number": id_number(), "relationship": "之子"},
    )
    assert r.status_code == 201 and len(r.json()["members"]) == 3
    son = Person.objects.get(household=hh, name="王小虎")
    r = send(
        c, "patch", f"/api/v1/households/{hh.pk}/members/{son.pk}", {"education": "初中", "labour": "full"}
    )
    assert r.status_code == 200
    son.refresh_from_db()
    assert (son.education, son.labour) == ("初中", "full")
    wife = Person.objects.get(household=hh, name="李小梅")
    assert wife.labour == "weak"  # untouched by the son's change
    r = send(c, "delete", f"/api/v1/households/{hh.pk}/members/{son.pk}")
    assert r.status_code == 200 and len(r.json()["members"]) == 2
    son.refresh_from_db()
    assert son.left_on is not None
    head = Person.objects.get(household=hh, is_head=True)
    r = send(c, "delete", f"/api/v1/households/{hh.pk}/members/{head.pk}")
    assert r.status_code == 422 and "没有户主" in r.json()["details"][0]["message"]
    kinds = sorted(HouseholdEvent.objects.filter(household=hh).values_list("kind", flat=True))
    assert kinds == ["changed", "changed", "changed", "created", "member_in", "member_out"]
    assert AuditEntry.objects.filter(action="household.create", object_id=str(hh.pk)).count() == 1
    assert AuditEntry.objects.filter(action="household.save", object_id=str(hh.pk)).count() == 4

    # PUT: the whole household; a member not listed has left
    body["members"] = body["members"][:1]
    body["income_per_capita"] = "2700.00"
    r = send(c, "put", f"/api/v1/households/{hh.pk}", body)
    assert r.status_code == 200 and [m["name"] for m in r.json()["members"]] == ["王大山"]
    hh.refresh_from_db()
    assert str(hh.income_per_capita) == "2700.00" and hh.member_count == 2  # as stated before


def test_every_problem_listed_and_nothing_written(world):
    c = world.client("village_cadre")
    body = family(world, "JS0002")
    body["income_per_capita"] = "2300.00"
    body["status_year"] = 1979 + 200  # out of range: the schema refuses it
    assert send(c, "post", "/api/v1/households", body).status_code == 400
    body = family(world, "JS0002")
    body["members"][0]["id_number"] = "522601199001011230"  # a wrong check character
    body["members"][1]["relationship"] = "户主"  # two heads: found once the rows are right
    body["members"][1]["phone"] = "12ab"
    r = send(c, "post", "/api/v1/households", body)
    assert r.status_code == 422
    problems = r.json()["details"]
    assert [(p.get("row"), p["field"]) for p in problems] == [(1, "id_number"), (2, "phone")]
    body["members"][0]["id_number"] = id_number()
    body["members"][1]["phone"] = "13900001111"
    r = send(c, "post", "/api/v1/households", body)  # the rows are right; the household has two heads
    assert r.status_code == 422 and "有 2 个户主" in r.json()["details"][0]["message"]
    assert not Household.objects.filter(registry_no="JS0002").exists()


def test_conflicts_and_jurisdiction(world):
    c = world.client("village_cadre")
    body = family(world, "JS0003")
    assert send(c, "post", "/api/v1/households", body).status_code == 201
    again = send(c, "post", "/api/v1/households", body)
    assert again.status_code == 409 and again.json()["code"] == "household_exists"
    other = family(world, "JS0004")
    other["members"][0]["id_number"] = body["members"][0]["id_number"]  # the same head
    r = send(c, "post", "/api/v1/households", other)
    assert r.status_code == 409 and "户主的证件号码已登记" in r.json()["message"]
    elsewhere = family(world, "JS0005")
    elsewhere["village_code"] = world.sibling_village  # not the cadre's village
    r = send(c, "post", "/api/v1/households", elsewhere)
    assert r.status_code == 422 and "不在您的辖区内" in r.json()["details"][0]["message"]
    hh = Household.objects.get(registry_no="JS0003")
    assert send(
        world.client("loan_officer"), "patch", f"/api/v1/households/{hh.pk}", {"status": "lifted"}
    ).status_code in (403, 404)
    assert (
        send(
            world.client("village_cadre"),
            "patch",
            f"/api/v1/households/{hh.pk}",
            {"registry_no": "JS0004"},
        ).status_code
        == 200
    )
    assert Household.objects.filter(registry_no="JS0004").count() == 1

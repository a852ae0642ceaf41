"""One error body for every 4xx, in Chinese; no 5xx for client input."""

import pytest
from django.test import Client


def assert_error_body(r, status: int, code: str | None = None):
    assert r.status_code == status, r.content
    body = r.json()
    assert set(body) == {"code", "message", "details"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body["message"]
    if code:
        assert body["code"] == code


def test_401_without_auth(db):
    assert_error_body(Client().get("/api/v1/me"), 401, "unauthenticated")


def test_404_unknown_endpoint(db):
    assert_error_body(Client().get("/api/v1/no/such/thing"), 404, "not_found")
    assert_error_body(Client().get("/api/v2/"), 404, "not_found")


def test_400_bad_query(world):
    r = world.client("poverty_office").get("/api/v1/divisions", {"level": "nine"})
    assert_error_body(r, 400, "invalid_input")
    assert r.json()["details"][0]["field"].endswith("level")


def test_400_bad_json_body(world):
    r = world.client("sysadmin").post("/api/v1/tokens", "{not json", content_type="application/json")
    assert_error_body(r, 400)


def test_400_control_characters(world):
    r = world.client("poverty_office").get("/api/v1/divisions", {"q": "a\x00b"})
    assert_error_body(r, 400, "invalid_input")


def test_403_wrong_role(world):
    assert_error_body(world.client("village_cadre").get("/api/v1/audit"), 403, "forbidden")


def test_404_out_of_scope_is_indistinguishable_from_missing(world):
    c = world.client("village_cadre")
    a = c.get(f"/api/v1/divisions/{world.sibling_village}")
    b = c.get("/api/v1/divisions/529999999999")
    assert_error_body(a, 404)
    assert a.json() == b.json()


def test_405_wrong_method(world):
    r = world.client("poverty_office").put("/api/v1/me")
    assert r.status_code == 405


def test_session_writes_need_csrf(world):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.user("sysadmin"))
    r = c.post("/api/v1/tokens", {"username": "xindai", "name": "x"}, content_type="application/json")
    assert r.status_code == 403


def test_openapi_is_served_with_chinese_summaries(db):
    r = Client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    schema = r.json()
    summaries = [op["summary"] for item in schema["paths"].values() for op in item.values()]
    assert summaries and all(any("\u4e00" <= ch <= "\u9fff" for ch in s) for s in summaries)


@pytest.mark.parametrize("limit", [1, 3])
def test_divisions_are_paginated(world, limit):
    r = world.client("poverty_office").get("/api/v1/divisions", {"limit": limit})
    body = r.json()
    assert len(body["items"]) == limit and body["count"] > limit


def test_repeated_query_parameter_is_refused(world):
    r = world.client("poverty_office").get("/api/v1/divisions?q=a&q=b")
    assert_error_body(r, 400, "invalid_input")
    assert "q" in r.json()["message"]

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
    assert_error_body(r, 405)


def test_session_writes_need_csrf(world):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.user("sysadmin"))
    r = c.post("/api/v1/tokens", {"username": "admin", "name": "x"}, content_type="application/json")
    assert_error_body(r, 403, "csrf_failed")
    assert "X-CSRFToken" in r.json()["message"]


def test_413_a_body_over_the_limit_is_json(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    r = world.client("poverty_office").post(
        "/api/v1/households/imports",
        {"file_name": "a.xlsx", "content_base64": "A" * 5000},
        content_type="application/json",
    )
    assert_error_body(r, 413, "too_large")


def test_500_is_json_and_says_whom_to_ask(world, monkeypatch):
    from fupin.accounts import api as accounts_api

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(accounts_api, "_role_out", broken)
    c = world.client("poverty_office")
    c.raise_request_exception = False
    r = c.get("/api/v1/me")
    assert_error_body(r, 500, "internal_error")
    assert "编号" in r.json()["message"] and "a bug" not in r.content.decode()  # no internals to the client


@pytest.mark.parametrize(
    "amount",
    ["1e100", "1E+30", "9223372036854775807", "90000000000000000", "1,5", "1_000", "+5", "-5", "NaN", "0x10"],
)
def test_amounts_that_are_not_plain_decimals_are_422_never_500(world, amount):
    """Repayments, fund contributions, quotas: an amount is plain digits with at most two decimals."""
    from fupin.riskfund.services import fund_create

    fund = fund_create(acting_user=world.user("poverty_office"), county_code="529901000000", name="")
    c = world.client("finance_bureau")
    r = c.post(
        f"/api/v1/risk-funds/{fund.pk}/contributions",
        {"source": "县财政", "amount": amount},
        content_type="application/json",
    )
    assert_error_body(r, 422 if r.status_code == 422 else 400)
    page = c.post(
        f"/riskfund/funds/{fund.pk}/contributions/", {"source": "县财政", "amount": amount}, follow=True
    )
    assert page.status_code == 200 and "金额" in page.content.decode()
    office = world.client("poverty_office")
    r = office.post(
        "/api/v1/quotas",
        {"township_code": world.township, "year": 2026, "amount": amount},
        content_type="application/json",
    )
    assert_error_body(r, 422 if r.status_code == 422 else 400)


def test_pages_and_files_with_absurd_parameters_answer_without_500(world):
    c = world.client("poverty_office")
    assert c.get("/loans/quotas/", {"year": "10000"}).status_code == 200
    assert c.get("/loans/quotas/", {"year": "99999999999999999999999"}).status_code == 200
    assert c.get("/subsidies/register/", {"policy": "9" * 25}).status_code == 200
    assert c.get("/subsidies/register/", {"policy": "١٢"}).status_code == 200


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

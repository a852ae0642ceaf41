"""Capabilities the pages had that the API now has too (issue 11): the registry import (all or
nothing, the same file twice changes nothing), quotas, notices, the chart of accounts."""

from __future__ import annotations

import base64

from fupin.households.models import Household
from fupin.ledger.models import Account
from fupin.loans.models import Quota
from tests.registry_files import TEMPLATE, template_rows, write_xlsx


def b64(path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


def test_the_registry_import_through_the_api(world, tmp_path):
    c = world.client("poverty_office")
    rows = template_rows(world.village, 5, seed=21)
    good = write_xlsx(tmp_path / "g.xlsx", TEMPLATE, rows)
    bad_rows = [r[:] for r in rows]
    bad_rows[0][3] = "110101199001011235"  # a wrong check digit
    bad = write_xlsx(tmp_path / "b.xlsx", TEMPLATE, bad_rows)
    r = c.post(
        "/api/v1/households/imports",
        {"file_name": "b.xlsx", "content_base64": b64(bad)},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["details"] and Household.objects.count() == 0
    dry = c.post(
        "/api/v1/households/imports",
        {"file_name": "g.xlsx", "content_base64": b64(good), "dry_run": True},
        content_type="application/json",
    )
    assert dry.status_code == 201 and dry.json()["dry_run"] and Household.objects.count() == 0
    r = c.post(
        "/api/v1/households/imports",
        {"file_name": "g.xlsx", "content_base64": b64(good)},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["state"] == "imported" and Household.objects.count() == 5
    again = c.post(
        "/api/v1/households/imports",
        {"file_name": "g.xlsx", "content_base64": b64(good)},
        content_type="application/json",
    )
    assert again.status_code == 201 and Household.objects.count() == 5
    assert c.get(f"/api/v1/households/imports/{r.json()['id']}").json()["rows"] == r.json()["rows"]
    assert (
        world.client("loan_officer")
        .post(
            "/api/v1/households/imports",
            {"file_name": "g.xlsx", "content_base64": b64(good)},
            content_type="application/json",
        )
        .status_code
        == 403
    )


def test_quotas_notices_and_accounts_through_the_api(world):
    office = world.client("poverty_office")
    r = office.post(
        "/api/v1/quotas",
        {
            "township_code": world.township,
            "year": 2026,
            "amount": "2000000",
            "households": 300,
            "lead_amount": "400000",
        },
        content_type="application/json",
    )
    assert (
        r.status_code == 200
        and Quota.objects.get(township_id=world.township, year=2026).amount == 200_000_000
    )
    too_much = office.post(
        "/api/v1/quotas",
        {"township_code": world.township, "year": 2026, "amount": "100", "lead_amount": "100"},
        content_type="application/json",
    )
    assert too_much.status_code == 422  # the lead quota is at most 25 % of the township's
    assert office.get("/api/v1/quotas", {"year": 2026}).json()[0]["households"] == 300
    assert (
        world.client("village_cadre")
        .post("/api/v1/notices", {"application_ids": [1]}, content_type="application/json")
        .status_code
        == 422
    )
    head = world.client("head_office")
    r = head.post(
        "/api/v1/ledger/accounts",
        {"code": "6998", "name": "其他支出", "kind": "expense"},
        content_type="application/json",
    )
    assert r.status_code == 200 and Account.objects.get(code="6998").name == "其他支出"
    assert any(a["code"] == "1311" for a in head.get("/api/v1/ledger/accounts").json())

"""Subsidies and the fund through /api/v1: a new policy version (every problem listed at once),
a claim batch taken through every step with a struck line, a fund with its own parties."""

from __future__ import annotations

import datetime as dt

import pytest

from fupin.subsidies.models import Batch, Line, Policy
from fupin.subsidies.services import policy_for
from tests.subsidies.test_subsidies import _paid_off, today

pytestmark = pytest.mark.clock  # business dates from today: run on other days too


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_a_new_policy_version_applies_to_loans_made_from_its_date(rt, hh):
    office = rt.world.client("poverty_office")
    body = {
        "code": "S-CAPPED",
        "version": "2027.1",
        "kind": "capped",
        "name": "脱贫人口小额信贷贴息（2027）",
        "effective": "2027-01-01",
        "products": ["subsidy"],
        "rate": "0.04",
        "cap": "3000.00",
        "benchmark_only": True,
    }
    r = post(office, "/api/v1/subsidies/policies", body)
    assert r.status_code == 201 and r.json()["rate"] == "0.040000" and r.json()["cap"] == "3000.00"
    assert (
        post(office, "/api/v1/subsidies/policies", body).status_code == 409
    )  # versions are added, never changed
    bad = post(
        office,
        "/api/v1/subsidies/policies",
        {**body, "version": "x", "kind": "rate", "products": ["tractor"]},
    )
    assert bad.status_code == 422
    fields = {d["field"] for d in bad.json()["details"]}
    assert {"products", "window"} <= fields  # both problems at once
    assert policy_for("subsidy", dt.date(2026, 6, 1)).version == "2021.1"
    assert policy_for("subsidy", dt.date(2027, 3, 1)).version == "2027.1"
    assert post(rt.world.client("loan_officer"), "/api/v1/subsidies/policies", body).status_code == 403


def test_a_batch_through_every_step_by_api(rt, hh):
    _paid_off(rt, rt.households[:2])
    w = rt.world
    policy = Policy.objects.get(code="S-CAPPED")
    r = post(
        w.client("loan_officer"),
        "/api/v1/subsidies/batches",
        {"policy_id": policy.pk, "division_code": w.township, "cutoff": today().isoformat()},
    )
    assert r.status_code == 201, r.content
    batch = r.json()
    lines = post(
        w.client("poverty_office"),
        f"/api/v1/subsidies/batches/{batch['id']}/review",
        {
            "approve": True,
            "strike": [
                {"line_id": Line.objects.filter(batch_id=batch["id"]).first().pk, "reason": "用途与合同不符"}
            ],
        },
    )
    assert lines.status_code == 200
    reviewed = lines.json()
    assert reviewed["state"] == "reviewed" and reviewed["approved"] < reviewed["claimed"]
    assert (
        post(w.client("finance_bureau"), f"/api/v1/subsidies/batches/{batch['id']}/confirm", {}).status_code
        == 200
    )
    from django.test import Client

    second = Client()
    from fupin.accounts.models import User

    second.force_login(User.objects.get(username="caizheng2"))
    paid = post(second, f"/api/v1/subsidies/batches/{batch['id']}/payment", {"payment_ref": "财拨 9"})
    assert paid.status_code == 200 and paid.json()["paid"] == reviewed["approved"]
    done = post(w.client("branch_director"), f"/api/v1/subsidies/batches/{batch['id']}/credit", {})
    assert done.status_code == 200 and done.json()["credited"] == reviewed["approved"]
    assert Batch.objects.get(pk=batch["id"]).state == Batch.State.CREDITED
    listed = w.client("township_cadre").get(f"/api/v1/subsidies/lines?batch={batch['id']}").json()
    assert listed["count"] == 2 and sum(1 for x in listed["items"] if x["struck"]) == 1
    aging = w.client("finance_bureau").get("/api/v1/subsidies/receivable").json()
    assert aging["total"] == "0.00"


def test_a_fund_with_its_own_parties(rt):
    r = post(
        rt.world.client("finance_bureau"),
        "/api/v1/risk-funds",
        {
            "county_code": "529901000000",
            "parties": [
                {"name": "县政府风险补偿金", "kind": "fund", "weight": 4},
                {"name": "省农担公司", "kind": "guarantor", "weight": 3},
                {"name": "反担保集团", "kind": "guarantor", "weight": 1},
                {"name": "贷款银行", "kind": "bank", "weight": 2},
            ],
        },
    )
    assert r.status_code == 201 and [p[2] for p in r.json()["parties"]] == [4, 3, 1, 2]
    listed = (
        rt.world.client("township_cadre").get("/api/v1/risk-funds").json()
    )  # a county fund, seen by its townships
    assert listed[0]["balance"] == "0.00" and listed[0]["leverage"] is None

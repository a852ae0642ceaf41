"""Loans as complete API resources (issue 26 (2)): the list with its filters and paging, a loan's
schedule and standing, its events; applications name the loan they became and review steps who
took them. A bank's staff list their own bank's loans only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from fupin.accounts.models import User
from fupin.core import servicing as servicing_core
from fupin.loans.events import event_request
from fupin.loans.models import Installment
from fupin.loans.standing import arrears
from tests.cob.conftest import close_days, past_loan, today
from tests.loans.conftest import hh  # noqa: F401
from tests.ratings.conftest import rt  # noqa: F401

pytestmark = pytest.mark.clock  # business dates from today: run on other days too

DAY = dt.timedelta(days=1)


def test_the_loan_list_filters_pages_and_a_loans_schedule(rt, hh):  # noqa: F811
    late = past_loan(rt, hh, today() - 100 * DAY)  # a three-month seasonal loan, unpaid: 10 days late
    current = past_loan(rt, rt.households[1], today() - 5 * DAY, product="annual", term=12)
    close_days(late.start, today() - DAY)
    api = rt.world.client("loan_officer")

    def listed(**params) -> list[str]:
        r = api.get("/api/v1/loans", params)
        assert r.status_code == 200, r.content
        return [x["contract_no"] for x in r.json()["items"]]

    everything = api.get("/api/v1/loans").json()
    assert everything["count"] == 2 and {x["contract_no"] for x in everything["items"]} == {
        late.contract_no,
        current.contract_no,
    }
    row = next(x for x in everything["items"] if x["contract_no"] == late.contract_no)
    standing = arrears(late, today())
    assert row["days_past_due"] == standing["dpd"] > 0
    assert row["classification"] == servicing_core.category(standing["dpd"]) == "special"
    assert row["classification_label"] == "关注" and row["officer"] == "xindai"
    unpaid = sum(i.principal - i.principal_paid for i in Installment.objects.filter(loan=late))
    assert row["outstanding"] == f"{unpaid / 100:.2f}" and row["principal"] == "10000.00"

    assert listed(classification="special") == [late.contract_no]
    assert listed(classification="normal") == [current.contract_no]
    assert listed(dpd_min=1) == [late.contract_no] and listed(dpd_max=0) == [current.contract_no]
    assert listed(dpd_min=standing["dpd"] + 1) == []
    assert listed(product="annual") == [current.contract_no]
    assert listed(q=late.contract_no) == [late.contract_no]
    assert listed(disbursed_from=str(today() - 10 * DAY)) == [current.contract_no]
    assert listed(disbursed_to=str(today() - 10 * DAY)) == [late.contract_no]
    assert listed(officer="zhuren") == [] and len(listed(officer="xindai")) == 2
    assert listed(institution="FM000", order="start") == [late.contract_no, current.contract_no]
    assert listed(division=rt.world.other_township) == []
    assert api.get("/api/v1/loans", {"limit": 1}).json()["count"] == 2
    assert len(api.get("/api/v1/loans", {"limit": 1}).json()["items"]) == 1
    assert api.get("/api/v1/loans", {"classification": "bad"}).status_code in (400, 422)
    assert api.get("/api/v1/loans", {"order": "household"}).status_code in (400, 422)
    # another bank's officer lists none of the credit union's loans
    other = Client()
    other.force_login(User.objects.get(username="nh_xindai"))
    assert other.get("/api/v1/loans").json()["count"] == 0

    s = api.get(f"/api/v1/loans/{late.pk}/schedule").json()
    rows = list(Installment.objects.filter(loan=late).order_by("seq"))
    assert [x["seq"] for x in s["instalments"]] == [i.seq for i in rows]
    assert s["outstanding"] == f"{unpaid / 100:.2f}" and s["days_past_due"] == standing["dpd"]
    due = [i for i in rows if i.due_date < today()]
    assert s["arrears_principal"] == f"{sum(i.principal - i.principal_paid for i in due) / 100:.2f}"
    assert s["classification"] == "special" and s["par_bucket"] == standing["bucket"]
    assert s["penalty"] == f"{standing['penalty'] / 100:.2f}"
    assert api.get(f"/api/v1/loans/{late.pk}/events").json() == []
    asked = event_request(
        acting_user=rt.world.user("loan_officer"),
        loan=current,
        kind="extension",
        reason="受灾，推迟一个月",
        new_maturity=current.maturity + 30 * DAY,
    )
    [event] = api.get(f"/api/v1/loans/{current.pk}/events").json()
    assert (event["id"], event["kind"], event["kind_label"], event["state"]) == (
        asked.pk,
        "extension",
        "展期",
        "requested",
    )
    assert (event["requested_by"], event["requested_by_name"], event["decided_by"]) == (
        "xindai",
        "陈信贷",
        None,
    )
    assert event["new_maturity"] == str(current.maturity + 30 * DAY)
    assert other.get(f"/api/v1/loans/{late.pk}/schedule").status_code == 404

    # the application names its loan; each step who took it
    app = api.get(f"/api/v1/applications/{late.application_id}").json()
    assert app["loan_id"] == late.pk
    assert app["steps"] and all(st["actor"] and st["actor_name"] for st in app["steps"])
    listed_apps = {a["id"]: a for a in api.get("/api/v1/applications", {"limit": 500}).json()["items"]}
    assert listed_apps[late.application_id]["loan_id"] == late.pk

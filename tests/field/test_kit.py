"""The village kit (issue 27 (8)): what the phone takes to the village, the visits it sends back
once per key, the sheets it resends, and the app's service worker and manifest."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone

from fupin.audit.models import AuditEntry
from fupin.households.models import Visit
from fupin.ratings import services as ratings
from tests.ratings.conftest import GOOD, rt  # noqa: F401


def kit_of(client) -> dict:
    r = client.get("/api/v1/field/kit")
    assert r.status_code == 200, r.content
    return r.json()


def test_the_kit_holds_the_households_i_have_left_to_score_with_their_heads_names(rt):  # noqa: F811
    w = rt.world
    rnd = rt.start()
    cadre = kit_of(w.client("village_cadre"))
    [mine] = cadre["rounds"]
    assert mine["id"] == rnd.pk and mine["year"] == 2026
    assert [h["rating"] for h in mine["households"]] == list(
        rnd.ratings.order_by("pk").values_list("pk", flat=True)
    )
    heads = {h.pk: h.members.get(is_head=True, left_on__isnull=True).name for h in rt.households}
    assert {h["household"]: h["name"] for h in mine["households"]} == heads
    codes = [i["code"] for i in mine["items"]]
    assert codes == [i.code for i in rnd.scorecard.card.items]
    ability = next(i for i in mine["items"] if i["code"] == "ability")
    assert ability["options"] == [["强", "15"], ["一般", "8"], ["弱", "3"]]  # 篇2: ability 15 / 8 / 3
    # the facts the registry knows are filled in, as on the page's sheet
    first = rnd.ratings.order_by("pk").first()
    prefilled = mine["households"][0]["prefill"]
    assert prefilled and all(
        str(first.facts[i.source]) == prefilled[i.code]
        for i in rnd.scorecard.card.items
        if i.code in prefilled
    )

    ratings.sheet_submit(
        acting_user=w.user("village_cadre"),
        rating=first,
        values={**GOOD, "labour": str(first.facts.get("labour_count", 2))},
    )
    assert first.pk not in [h["rating"] for h in kit_of(w.client("village_cadre"))["rounds"][0]["households"]]
    # the poverty office sits on no panel: nothing to score; a household has no kit at all
    assert (
        w.client("township_cadre").get("/api/v1/field/kit").json()["rounds"][0]["id"] == rnd.pk
    )  # a panel seat
    assert w.client("household").get("/api/v1/field/kit").status_code == 403
    assert w.client("poverty_office").get("/api/v1/field/kit").status_code == 403


def test_the_kit_lists_the_households_i_may_visit_and_no_others(rt):  # noqa: F811
    w = rt.world
    kit = kit_of(w.client("village_cadre"))
    ids = {h["id"] for h in kit["households"]}
    assert {h.pk for h in rt.households} <= ids and rt.stranger_household.pk not in ids
    assert ["after_loan", "贷后回访"] in kit["visit_kinds"]
    assert kit["user"]["username"] == w.user("village_cadre").username
    assert kit["today"] == timezone.localdate().isoformat()


def visit(client, household_id: int, key: str, **changes):
    body = {
        "visited_on": timezone.localdate().isoformat(),
        "kind": "after_loan",
        "note": "养的两头牛长势良好，按期还款没有困难",
        "idempotency_key": key,
        **changes,
    }
    return client.post(f"/api/v1/households/{household_id}/visits", body, content_type="application/json")


def test_a_visit_sent_twice_is_recorded_once_and_a_different_one_under_its_key_is_refused(rt):  # noqa: F811
    w = rt.world
    hh = rt.households[0]
    cadre = w.client("village_cadre")
    first = visit(cadre, hh.pk, "v-0001-phone")
    assert first.status_code == 201
    again = visit(cadre, hh.pk, "v-0001-phone")  # the phone never got the answer and sends it again
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Visit.objects.count() == 1
    assert AuditEntry.objects.filter(action="visit.record").count() == 1
    other = visit(cadre, hh.pk, "v-0001-phone", note="另一件事")
    assert other.status_code == 409 and other.json()["code"] == "idempotency_mismatch"
    assert "走访记录" in other.json()["message"]
    v = Visit.objects.get()
    assert (v.household_id, v.kind, v.by_id, v.village_code) == (
        hh.pk,
        "after_loan",
        w.user("village_cadre").pk,
        hh.village_id,
    )
    listed = cadre.get(f"/api/v1/households/{hh.pk}/visits").json()
    assert [(x["kind_label"], x["by"]) for x in listed] == [("贷后回访", w.user("village_cadre").username)]
    page = cadre.get(f"/households/{hh.pk}/").content.decode()  # on the household's page
    assert "走访记录" in page and "养的两头牛长势良好" in page


def test_a_visit_is_refused_with_its_reason_and_nothing_is_recorded(rt):  # noqa: F811
    w = rt.world
    cadre = w.client("village_cadre")
    later = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    r = visit(cadre, rt.households[0].pk, "v-0002-phone", visited_on=later)
    assert r.status_code == 422 and r.json()["message"] == "走访日期不能晚于今天"
    r = visit(cadre, rt.households[0].pk, "v-0003-phone", note="   ")
    assert r.status_code == 422 and r.json()["message"] == "请填写走访情况"
    r = visit(cadre, rt.stranger_household.pk, "v-0004-phone")  # another village's household
    assert r.status_code == 404
    r = visit(w.client("poverty_office"), rt.households[0].pk, "v-0005-phone")  # sees, does not visit
    assert r.status_code in (403, 404)
    assert not Visit.objects.exists()


def test_the_app_its_service_worker_and_manifest(rt):  # noqa: F811
    w = rt.world
    page = w.client("village_cadre").get("/field/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'rel="manifest"' in html and "fupin/field.js" in html and 'data-sw="/field/sw.js"' in html
    assert w.client("household").get("/field/").status_code == 403
    sw = w.client(None).get("/field/sw.js")
    assert sw.status_code == 200 and sw["Content-Type"].startswith("text/javascript")
    body = sw.content.decode()
    assert 'const SHELL = "/field/";' in body and "/static/fupin/field.js" in body and "/api/" not in body
    manifest = json.loads(w.client(None).get("/field/manifest.webmanifest").content)
    assert manifest["start_url"] == "/field/" and manifest["display"] == "standalone"
    assert manifest["icons"][0]["src"].endswith("favicon.svg")

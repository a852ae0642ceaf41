"""Scorecards are versioned data (R-RAT-1): the poverty office edits a draft, previews its effect
on households holding a line, publishes it — and past ratings keep their version."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from fupin.core.errors import Conflict, NotPermitted, ValidationFailed
from fupin.ratings import services
from fupin.ratings.models import CreditLine, Rating, Scorecard
from tests.ratings.test_rounds import score_all

pytestmark = pytest.mark.clock  # business dates from today: run on other days too


def rated(rt):
    """Audit a round of the three households, all scored GOOD (89 → AA, 10 000)."""
    rnd = rt.start()
    score_all(rt, rnd)
    services.round_sign(acting_user=rt.members[0], rnd=rnd)
    services.round_decide(acting_user=rt.world.user("township_cadre"), rnd=rnd, approve=True)
    services.round_decide(acting_user=rt.world.user("poverty_office"), rnd=rnd, approve=True)
    return rnd


def raised(definition: dict) -> dict:
    """AA's line raised from 10 000 to 12 000."""
    d = copy.deepcopy(definition)
    next(g for g in d["grades"] if g["code"] == "AA")["base_line"] = "12000"
    return d


def test_a_scorecard_edit_never_changes_past_ratings(rt):
    rnd = rated(rt)
    office = rt.world.user("poverty_office")
    draft = services.scorecard_draft(acting_user=office, scorecard=rt.p2)
    assert (draft.version, draft.state) == (2, Scorecard.State.DRAFT)
    services.scorecard_update(
        acting_user=office, scorecard=draft, definition=raised(draft.definition), note="提高一级额度"
    )
    preview = services.scorecard_preview(acting_user=office, scorecard=draft)
    assert (preview["households"], preview["up"], preview["down"], preview["same"]) == (3, 3, 0, 0)
    assert preview["total_before"] == Decimal(30000) and preview["total_after"] == Decimal(36000)
    assert not CreditLine.objects.filter(amount=12000).exists()  # a preview changes nothing
    services.scorecard_publish(acting_user=office, scorecard=draft)
    rt.p2.refresh_from_db()
    assert rt.p2.state == Scorecard.State.RETIRED
    # the past ratings and lines keep version 1 and its amounts
    assert set(Rating.objects.filter(round=rnd).values_list("scorecard__version", "credit_line")) == {
        (1, Decimal(10000))
    }
    assert set(CreditLine.objects.values_list("amount", flat=True)) == {Decimal(10000)}
    # a new round uses version 2
    draft.refresh_from_db()
    rnd2 = rt.start(scorecard=draft)
    score_all(rt, rnd2)
    assert set(rnd2.ratings.values_list("credit_line", flat=True)) == {Decimal(12000)}


def test_published_versions_cannot_be_edited(rt):
    office = rt.world.user("poverty_office")
    with pytest.raises(Conflict):
        services.scorecard_update(acting_user=office, scorecard=rt.p2, definition=rt.p2.definition)
    r = rt.world.client("poverty_office").put(
        f"/api/v1/scorecards/{rt.p2.pk}", {"definition": rt.p2.definition}, content_type="application/json"
    )
    assert r.status_code == 409


def test_a_bad_definition_is_refused_with_every_problem_and_the_draft_is_unchanged(rt):
    office = rt.world.user("poverty_office")
    draft = services.scorecard_draft(acting_user=office, scorecard=rt.p2)
    before = draft.definition
    bad = copy.deepcopy(before)
    bad["items"][0]["options"] = [  # 真实 above the item's 10 points
        [k, "99" if k == "真实" else v] for k, v in bad["items"][0]["options"]
    ]
    assert any(k == "真实" for k, _ in bad["items"][0]["options"])
    bad["grades"] = []
    bad["cap"] = "abc"
    r = rt.world.client("poverty_office").put(
        f"/api/v1/scorecards/{draft.pk}", {"definition": bad}, content_type="application/json"
    )
    assert r.status_code == 422
    assert len(r.json()["details"]) == 3
    draft.refresh_from_db()
    assert draft.definition == before


def test_only_the_poverty_office_edits_scorecards(rt):
    with pytest.raises(NotPermitted):
        services.scorecard_draft(acting_user=rt.world.user("village_cadre"), scorecard=rt.p2)
    assert (
        rt.world.client("loan_officer")
        .put(f"/api/v1/scorecards/{rt.p2.pk}", {"definition": {}}, content_type="application/json")
        .status_code
        == 403
    )


def test_the_page_flow_draft_edit_preview_publish(rt):
    rated(rt)
    c = rt.world.client("poverty_office")
    r = c.post(f"/ratings/scorecards/{rt.p2.pk}/draft/")
    draft = Scorecard.objects.get(state="draft")
    assert r.status_code == 302 and r["Location"] == f"/ratings/scorecards/{draft.pk}/"
    import json

    c.post(
        f"/ratings/scorecards/{draft.pk}/edit/",
        {"definition": json.dumps(raised(draft.definition)), "note": "提高"},
    )
    page = c.get(f"/ratings/scorecards/{draft.pk}/?preview=1").content.decode()
    assert "36000" in page and "30000" in page
    bad = c.post(
        f"/ratings/scorecards/{draft.pk}/edit/", {"definition": "{not json"}, follow=True
    ).content.decode()
    assert "不是有效的 JSON" in bad
    c.post(f"/ratings/scorecards/{draft.pk}/publish/")
    draft.refresh_from_db()
    assert draft.state == "published"


def test_presets_are_installed_once_per_county(rt):
    assert (
        services.scorecard_install_presets(
            acting_user=rt.world.user("poverty_office"), county_code="529901000000"
        )
        == []
    )
    assert set(Scorecard.objects.values_list("code", flat=True)) == {"p2", "p8", "lead"}
    with pytest.raises(ValidationFailed):
        services.scorecard_update(
            acting_user=rt.world.user("poverty_office"),
            scorecard=services.scorecard_draft(acting_user=rt.world.user("poverty_office"), scorecard=rt.p2),
            definition=[1, 2],
        )


def test_preview_compares_with_the_rating_not_with_later_dynamic_steps(rt):
    import datetime as dt

    rated(rt)
    services.grade_event(
        household_id=rt.households[0].pk, event="repaid_on_time", on=dt.date.today(), reason="按时还清"
    )
    office = rt.world.user("poverty_office")
    draft = services.scorecard_draft(acting_user=office, scorecard=rt.p2)  # unchanged copy
    preview = services.scorecard_preview(acting_user=office, scorecard=draft)
    assert (preview["same"], preview["up"], preview["down"]) == (3, 0, 0)
    assert preview["distribution"][:2] == [("AAA", 0, 0), ("AA", 3, 3)]


@pytest.mark.sqlite
def test_options_keep_the_order_they_were_given_in(rt):
    """Issue 24 (10): PostgreSQL's jsonb keeps no order of an object's keys (it gave back 差, 一般,
    非常好 — shortest first); options are stored as pairs, so a sheet lists them as written,
    whichever database, and a stored object from before is put best first where its order was lost."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    office = rt.world.user("poverty_office")
    draft = services.scorecard_draft(acting_user=office, scorecard=rt.p2)
    definition = copy.deepcopy(draft.definition)
    item = next(i for i in definition["items"] if i["method"] == "option")
    item["options"] = {"一般": "5", "非常好": str(item["max_points"]), "差": "0"}  # as a person types it
    services.scorecard_update(acting_user=office, scorecard=draft, definition=definition)
    stored = Scorecard.objects.get(pk=draft.pk)
    card_item = next(i for i in stored.card.items if i.code == item["code"])
    assert list(card_item.options) == ["一般", "非常好", "差"]

    # a definition stored as an object before the change, brought over by the migration
    old = copy.deepcopy(stored.definition)
    next(i for i in old["items"] if i["code"] == item["code"])["options"] = {
        "差": "0",
        "一般": "5",
        "非常好": "10",
    }
    Scorecard.objects.filter(pk=draft.pk).update(definition=old)
    migration = importlib.import_module("fupin.ratings.migrations.0002_option_order")
    migration.forward(apps, SimpleNamespace(connection=connection))
    pairs = next(
        i for i in Scorecard.objects.get(pk=draft.pk).definition["items"] if i["code"] == item["code"]
    )
    expected = (
        [["非常好", "10"], ["一般", "5"], ["差", "0"]]  # the order was lost: best first
        if connection.vendor == "postgresql"
        else [["差", "0"], ["一般", "5"], ["非常好", "10"]]  # SQLite kept it as written
    )
    assert pairs["options"] == expected

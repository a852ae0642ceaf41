"""整村评级授信 through the API (issue 11): a panel made, a round started, every member scoring
back to back, the panel signing, the township reviewing and the county approving — the credit
lines then in force."""

from __future__ import annotations

from fupin.ratings.models import CreditLine
from tests.ratings.conftest import GOOD, rt  # noqa: F401


def client_of(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def test_a_round_from_panel_to_credit_lines_through_the_api(rt):  # noqa: F811
    cadre = rt.world.client("village_cadre")
    members = [
        {"user_id": u.pk, "seat": s}
        for u, s in zip(
            rt.members,
            ["committee", "representative", "representative", "representative", "township"],
            strict=True,
        )
    ]
    panel = cadre.post(
        "/api/v1/panels",
        {"village_code": rt.world.village, "name": "第二评议小组", "members": members},
        content_type="application/json",
    )
    assert panel.status_code == 201 and len(panel.json()["members"]) == 5
    r = cadre.post(
        "/api/v1/rating-rounds",
        {
            "village_code": rt.world.village,
            "panel_id": panel.json()["id"],
            "scorecard_id": rt.p2.pk,
            "year": 2026,
            "household_ids": [h.pk for h in rt.households],
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["total"] == 3
    round_id = r.json()["id"]
    early = cadre.post(f"/api/v1/rating-rounds/{round_id}/signature")
    assert early.status_code in (409, 422)  # not every household scored by every member yet
    from fupin.ratings.models import RatingRound

    rnd = RatingRound.objects.get(pk=round_id)
    first = rt.members[0]
    listed = client_of(first).get(f"/api/v1/rating-rounds/{round_id}/ratings").json()
    assert {x["household_id"] for x in listed} == {h.pk for h in rt.households}
    assert all(x["state"] == "scoring" and x["mine"] is False and x["score"] is None for x in listed)
    assert all(x["head_name"] and x["registry_no"] and x["year"] == 2026 for x in listed)
    for user in rt.members:
        c = client_of(user)
        for rating in rnd.ratings.all():
            facts = rating.facts
            s = c.post(
                f"/api/v1/ratings/{rating.pk}/sheets",
                {"values": {**GOOD, "labour": str(facts.get("labour_count", 2))}},
                content_type="application/json",
            )
            assert s.status_code == 201, s.json()
    signed = cadre.post(f"/api/v1/rating-rounds/{round_id}/signature")
    assert signed.status_code == 200 and signed.json()["state"] == "signed"
    assert (
        rt.world.client("loan_officer")
        .post(
            f"/api/v1/rating-rounds/{round_id}/decision", {"approve": True}, content_type="application/json"
        )
        .status_code
        == 403
    )
    for role in ("township_cadre", "poverty_office"):
        d = rt.world.client(role).post(
            f"/api/v1/rating-rounds/{round_id}/decision", {"approve": True}, content_type="application/json"
        )
        assert d.status_code == 200, d.json()
    assert d.json()["state"] == "audited"
    assert CreditLine.objects.filter(household__in=rt.households).count() == 3

    # the list after the round, and each household's ratings with its line in force (issue 26 (4))
    listed = client_of(first).get(f"/api/v1/rating-rounds/{round_id}/ratings").json()
    assert all(x["mine"] and x["grade_code"] and x["score"] is not None for x in listed)
    hh = rt.households[0]
    line = CreditLine.objects.get(household=hh)
    mine = rt.world.client("loan_officer").get(f"/api/v1/households/{hh.pk}/ratings").json()
    assert mine["credit"]["amount"] == str(line.amount) and mine["credit"]["grade_code"] == line.grade_code
    assert [x["round_id"] for x in mine["ratings"]][0] == round_id
    assert mine["ratings"][0]["credit_line"] == str(line.amount)
    assert rt.world.client("household").get(f"/api/v1/households/{hh.pk}/ratings").status_code == 403

"""The rating procedure (R-RAT-3, R-RAT-1b): a village panel scores back to back, signs only when
it keeps the 2/5 rule and has scored everyone, the township reviews, the county audits, and the
grades and lines take effect — with every refusal the issue lists."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fupin.audit.models import AuditEntry
from fupin.core.errors import Conflict, NotPermitted, ValidationFailed
from fupin.ratings import selectors, services
from fupin.ratings.models import CreditLine, GradeChange, Rating, RatingRound, ScoreSheet
from tests.ratings.conftest import FAIR, GOOD, panel_user, values


def score_all(rt, rnd, sheets=None):
    """Every member scores every household; ``sheets`` maps a household index to the five values."""
    for i, rating in enumerate(rnd.ratings.order_by("household_id")):
        for m, member in enumerate(rt.members):
            v = (sheets or {}).get(i, [GOOD] * 5)[m]
            services.sheet_submit(acting_user=member, rating=rating, values=v)


def test_whole_village_round_to_effective_lines(rt):
    rnd = rt.start()
    assert rnd.total == 3 and rnd.ratings.count() == 3 and rnd.progress == 0
    # household 1: two members see it as FAIR: mean of 89, 89, 89, 63, 63 = 78.60 → A, 6 000
    score_all(rt, rnd, {1: [GOOD, GOOD, GOOD, FAIR, FAIR], 2: [FAIR] * 5})
    rnd.refresh_from_db()
    assert rnd.scored == 3 and rnd.progress == 100
    r0, r1, r2 = rnd.ratings.order_by("household_id")
    assert (r0.score, r0.grade_code, r0.credit_line) == (Decimal("89.00"), "AA", Decimal(10000))
    assert (r1.score, r1.grade_code, r1.credit_line, r1.spread) == (
        Decimal("78.60"),
        "A",
        Decimal(6000),
        Decimal(26),
    )
    assert (r2.score, r2.grade_code, r2.credit_line) == (Decimal("63.00"), "B", Decimal(4000))
    # each FAIR (63) is 26 from the others' median (89): both members are flagged to be questioned
    assert r1.outliers == [rt.members[3].username, rt.members[4].username]
    services.round_sign(acting_user=rt.members[0], rnd=rnd)
    decide = f"/ratings/rounds/{rnd.pk}/decide/"
    said = rt.world.client("township_cadre").post(decide, {"decision": "approve"}, follow=True)
    assert "下一步：县扶贫办审定" in said.content.decode()  # each success says what comes next
    assert not CreditLine.objects.exists()  # nothing takes effect before the county audit
    said = rt.world.client("poverty_office").post(decide, {"decision": "approve"}, follow=True)
    assert "授信额度已生效" in said.content.decode()
    rnd.refresh_from_db()
    assert rnd.state == RatingRound.State.AUDITED
    lines = {c.household_id: c for c in CreditLine.objects.all()}
    assert [lines[h.pk].amount for h in rt.households] == [Decimal(10000), Decimal(6000), Decimal(4000)]
    assert all(c.term_months == 12 and c.valid_until > c.granted_on for c in lines.values())
    assert GradeChange.objects.filter(event="rating").count() == 3
    assert set(Rating.objects.values_list("state", flat=True)) == {"effective"}
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "rating.round_start",
        "rating.score",
        "rating.sign",
        "rating.review",
        "rating.audit",
        "panel.create",
    } <= actions


def test_outlier_flagged_and_median_aggregation(rt):
    """A member 26 points away from four others is flagged by name."""
    rnd = rt.start(households=[rt.households[0].pk])
    score_all(rt, rnd, {0: [GOOD, GOOD, GOOD, GOOD, FAIR]})
    r = rnd.ratings.get()
    assert r.score == Decimal("83.80") and r.outliers == [rt.members[4].username]


def test_back_to_back_each_member_sees_only_their_own_sheet_until_all_have_scored(rt):
    rnd = rt.start(households=[rt.households[0].pk])
    rating = rnd.ratings.get()
    for member in rt.members[:4]:
        services.sheet_submit(acting_user=member, rating=rating, values=GOOD)
    rating.refresh_from_db()
    for member in rt.members[:4]:
        shown = selectors.sheets_shown(member, rating)
        assert [s.member.user_id for s in shown] == [member.pk]
    assert selectors.sheets_shown(rt.world.user("poverty_office"), rating) == []
    assert rating.score is None and rating.state == Rating.State.SCORING
    services.sheet_submit(acting_user=rt.members[4], rating=rating, values=GOOD)
    rating.refresh_from_db()
    assert len(selectors.sheets_shown(rt.members[0], rating)) == 5


def test_back_to_back_on_the_page_and_the_api(rt):
    rnd = rt.start(households=[rt.households[0].pk])
    rating = rnd.ratings.get()
    services.sheet_submit(acting_user=rt.members[1], rating=rating, values=FAIR)
    c = rt.world.client("village_cadre")  # members[0], has not scored yet
    page = c.get(f"/ratings/{rating.pk}/").content.decode()
    assert "提交评分" in page and "63.00" not in page
    body = c.get(f"/api/v1/ratings/{rating.pk}").json()
    assert body["sheets"] == [] and body["sheets_count"] == 1 and body["score"] is None
    r = c.post(f"/api/v1/ratings/{rating.pk}/sheets", {"values": GOOD}, content_type="application/json")
    assert r.status_code == 201 and [s["member"] for s in r.json()["sheets"]] == [rt.members[0].username]


def test_a_round_for_the_unrated_only_takes_those_without_a_line_and_not_in_a_round(rt):
    """补评: a household registered since the village was rated is rated alone; one with a line
    and one in an open round are left out; with none left the page says so."""
    h0, h1, h2 = rt.households
    done = rt.start(households=[h0.pk])
    score_all(rt, done)
    services.round_sign(acting_user=rt.members[0], rnd=done)
    services.round_decide(acting_user=rt.world.user("township_cadre"), rnd=done, approve=True)
    services.round_decide(acting_user=rt.world.user("poverty_office"), rnd=done, approve=True)
    rt.start(households=[h1.pk])  # still being scored
    c = rt.world.client("village_cadre")
    form = {
        "village": rt.world.village,
        "panel": rt.panel.pk,
        "scorecard": rt.p2.pk,
        "year": 2026,
        "scope": "unrated",
    }
    r = c.post("/ratings/rounds/new/", form, follow=True)
    rnd = RatingRound.objects.latest("pk")
    assert [x.household_id for x in rnd.ratings.all()] == [h2.pk] and rnd.total == 1
    assert (
        r.redirect_chain[-1][0] == f"/ratings/rounds/{rnd.pk}/" and "评级已开始（1 户）" in r.content.decode()
    )
    r = c.post("/ratings/rounds/new/", form, follow=True)
    assert "没有需要补评的未授信农户" in r.content.decode() and RatingRound.objects.count() == 3
    whole = c.post("/ratings/rounds/new/", {**form, "scope": "village"}, follow=True)  # h1, h2 are busy
    assert "2 户已在进行中的评级里" in whole.content.decode()


def test_a_reviewer_outside_the_village_cannot_score_or_join(rt):
    outsider = panel_user("outsider", rt.world.sibling_village)
    with pytest.raises(ValidationFailed) as e:
        services.panel_create(
            acting_user=rt.world.user("village_cadre"),
            village_code=rt.world.village,
            name="x",
            members=[(outsider, "representative")],
        )
    assert "不在本村辖区" in e.value.details[0]["message"]
    rnd = rt.start(households=[rt.households[0].pk])
    with pytest.raises(NotPermitted):
        services.sheet_submit(acting_user=outsider, rating=rnd.ratings.get(), values=GOOD)
    resp = rt.world.client("village_cadre")  # the page and API of someone outside answer 404
    assert resp.get("/ratings/rounds/999999/").status_code == 404


def test_a_village_user_who_is_not_on_the_panel_cannot_score(rt):
    neighbour = panel_user("neighbour", rt.world.village)
    rnd = rt.start(households=[rt.households[0].pk])
    with pytest.raises(NotPermitted) as e:
        services.sheet_submit(acting_user=neighbour, rating=rnd.ratings.get(), values=GOOD)
    assert e.value.code == "not_panel_member"
    assert not ScoreSheet.objects.exists()


def test_a_member_cannot_score_twice_or_change_a_sheet(rt):
    rnd = rt.start(households=[rt.households[0].pk])
    rating = rnd.ratings.get()
    services.sheet_submit(acting_user=rt.members[0], rating=rating, values=GOOD)
    with pytest.raises(Conflict) as e:
        services.sheet_submit(acting_user=rt.members[0], rating=rating, values=FAIR)
    assert e.value.code == "sheet_submitted"
    sheet = ScoreSheet.objects.get()
    assert sheet.total == Decimal(89) and sheet.values["ability"] == "强"
    r = rt.world.client("village_cadre").post(
        f"/api/v1/ratings/{rating.pk}/sheets", {"values": FAIR}, content_type="application/json"
    )
    assert r.status_code == 409 and ScoreSheet.objects.count() == 1


def test_the_same_sheet_sent_again_is_recorded_once_even_after_the_rating_closed(rt):
    """The village kit (issue 27 (8)) resends a sheet whose answer it never got: the first sheet
    comes back, nothing is recorded twice, even when that sheet was the last and closed the rating."""
    rnd = rt.start(households=[rt.households[0].pk])
    rating = rnd.ratings.get()
    for m in rt.members:
        services.sheet_submit(acting_user=m, rating=rating, values=GOOD)
    rating.refresh_from_db()
    assert rating.state == Rating.State.SCORED
    audited = AuditEntry.objects.filter(action="rating.score").count()
    first = ScoreSheet.objects.get(rating=rating, member__user=rt.members[-1])
    again = services.sheet_submit(acting_user=rt.members[-1], rating=rating, values=dict(GOOD))
    assert again.pk == first.pk
    assert ScoreSheet.objects.filter(rating=rating).count() == len(rt.members)
    assert AuditEntry.objects.filter(action="rating.score").count() == audited
    with pytest.raises(Conflict) as e:  # a different sheet is still refused
        services.sheet_submit(acting_user=rt.members[-1], rating=rating, values=FAIR)
    assert e.value.code == "sheet_submitted"


def test_scores_outside_an_items_bounds_are_refused_and_nothing_is_saved(rt):
    rnd = rt.start(households=[rt.households[0].pk])
    rating = rnd.ratings.get()
    bad = values(GOOD, income="-100", ability="极强", labour="两个")
    r = rt.world.client("village_cadre").post(
        f"/api/v1/ratings/{rating.pk}/sheets", {"values": bad}, content_type="application/json"
    )
    assert r.status_code == 422
    fields = sorted(p["field"] for p in r.json()["details"])
    assert fields == ["ability", "income", "labour"]
    assert not ScoreSheet.objects.exists()


def test_a_panel_breaking_the_two_fifths_rule_cannot_sign(rt):
    weak = services.panel_create(
        acting_user=rt.world.user("village_cadre"),
        village_code=rt.world.village,
        name="少代表",
        members=[
            (rt.members[0], "committee"),
            (rt.members[1], "representative"),
            (rt.members[4], "township"),
        ],
    )
    assert weak.problems()  # 1 of 3 representatives
    rnd = rt.start(panel=weak, households=[rt.households[0].pk])
    for m in (rt.members[0], rt.members[1], rt.members[4]):
        services.sheet_submit(acting_user=m, rating=rnd.ratings.get(), values=GOOD)
    with pytest.raises(Conflict) as e:
        services.round_sign(acting_user=rt.members[0], rnd=rnd)
    assert e.value.code == "panel_composition" and "2/5" in e.value.message
    rnd.refresh_from_db()
    assert rnd.state == RatingRound.State.SCORING


def test_no_signing_before_every_household_is_scored_and_no_skipping_steps(rt):
    rnd = rt.start()
    with pytest.raises(Conflict) as e:
        services.round_sign(acting_user=rt.members[0], rnd=rnd)
    assert "3 户没有评完" in e.value.message
    with pytest.raises(Conflict):  # the township cannot review an unsigned round
        services.round_decide(acting_user=rt.world.user("township_cadre"), rnd=rnd, approve=True)
    score_all(rt, rnd)
    services.round_sign(acting_user=rt.members[0], rnd=rnd)
    with pytest.raises(NotPermitted):  # the county cannot audit before the township has reviewed
        services.round_decide(acting_user=rt.world.user("poverty_office"), rnd=rnd, approve=True)


def test_a_returned_round_needs_a_reason_and_grants_nothing(rt):
    rnd = rt.start()
    score_all(rt, rnd)
    services.round_sign(acting_user=rt.members[0], rnd=rnd)
    with pytest.raises(ValidationFailed):
        services.round_decide(acting_user=rt.world.user("township_cadre"), rnd=rnd, approve=False, reason=" ")
    services.round_decide(
        acting_user=rt.world.user("township_cadre"), rnd=rnd, approve=False, reason="评分依据不足"
    )
    rnd.refresh_from_db()
    assert rnd.state == RatingRound.State.RETURNED and rnd.returned_reason == "评分依据不足"
    assert not CreditLine.objects.exists()
    rt.start()  # the households may be rated again in a new round


def test_a_household_cannot_be_in_two_open_rounds(rt):
    rt.start()
    with pytest.raises(Conflict) as e:
        rt.start(households=[rt.households[0].pk])
    assert e.value.code == "round_busy"


def test_the_rating_form_prints_three_copies(rt, tmp_path):
    import shutil
    import subprocess

    from fupin.ratings.exports import rating_form_pdf

    rnd = rt.start(households=[rt.households[0].pk])
    score_all(rt, rnd)
    pdf = rating_form_pdf(rnd.ratings.get())
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is needed to read the PDF")
    (tmp_path / "f.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "f.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert text.count("农户信用评级授信表") == 3
    for copy in ("第一联 农户留存", "第二联 银行留存", "第三联 扶贫办留存"):
        assert copy in text
    assert rt.households[0].registry_no in text and "一级信用户" in text and "10000" in text
    r = rt.world.client("poverty_office").get(f"/ratings/{rnd.ratings.get().pk}/form.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"

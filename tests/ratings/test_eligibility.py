"""Eligibility (R-ELG-1 … 5), exclusions as recorded facts, 应贷未贷 (R-ELG-2c), dynamic grades
(R-RAT-4), credit villages (R-RAT-5) and reputation lists (R-RAT-6)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from fupin.audit.models import AuditEntry
from fupin.core.errors import Conflict, NotPermitted, ValidationFailed
from fupin.households.models import Person
from fupin.ratings import selectors, services
from fupin.ratings.models import CreditLine, Designation, GradeChange, Reputation
from tests.ratings.conftest import GOOD
from tests.ratings.test_scorecards import rated

pytestmark = pytest.mark.clock  # business dates from today: run on other days too

TODAY = dt.date.today()


def test_every_failing_rule_is_listed_with_its_id(rt):
    hh = rt.households[0]
    head = Person.objects.get(household=hh, is_head=True, left_on__isnull=True)
    head.birth_date = dt.date(TODAY.year - 62, 1, 1)
    head.save()
    hh.income_per_capita = Decimal(3000)
    hh.save()
    body = rt.world.client("loan_officer").get(f"/api/v1/households/{hh.pk}/eligibility").json()
    assert body["eligible"] is False and body["credit"] is None
    messages = [f["message"] for f in body["failures"]]
    assert {f["rule"] for f in body["failures"]} == {"R-ELG-1"}
    assert any("62 岁" in m for m in messages) and any("不低于本项目收入线 2500" in m for m in messages)
    assert any("尚未评级授信" in m for m in messages) and len(messages) == 3


def test_rating_makes_a_household_eligible_and_an_exclusion_fact_removes_it(rt):
    rated(rt)
    hh = rt.households[1]
    hh.income_per_capita = Decimal(2000)
    hh.save()
    assert selectors.eligibility(hh, TODAY).eligible
    cadre = rt.world.user("village_cadre")
    e = services.exclusion_record(
        acting_user=cadre, household=hh, code="gambling_drugs", reason="村委会调查核实有赌博行为"
    )
    v = selectors.eligibility(hh, TODAY)
    assert [f.rule for f in v.failures] == ["R-ELG-2a"]
    assert cadre.username in v.failures[0].message or str(cadre) in v.failures[0].message
    assert "村委会调查核实有赌博行为" in v.failures[0].message
    with pytest.raises(ValidationFailed):
        services.exclusion_withdraw(acting_user=cadre, exclusion=e, reason="")
    services.exclusion_withdraw(acting_user=cadre, exclusion=e, reason="经复核系误报")
    assert selectors.eligibility(hh, TODAY).eligible
    assert AuditEntry.objects.filter(action__in=["exclusion.record", "exclusion.withdraw"]).count() == 2


def test_exclusions_must_name_a_listed_case_and_a_reason(rt):
    with pytest.raises(ValidationFailed) as e:
        services.exclusion_record(
            acting_user=rt.world.user("village_cadre"), household=rt.households[0], code="lazy", reason=""
        )
    assert len(e.value.details) == 2
    with pytest.raises(NotPermitted):  # out of the cadre's village
        services.exclusion_record(
            acting_user=rt.world.user("village_cadre"),
            household=rt.stranger_household,
            code="idle",
            reason="好逸恶劳，多次核实",
        )


def test_the_archive_page_shows_the_rating_and_every_reason(rt):
    rated(rt)
    hh = rt.households[0]
    services.exclusion_record(
        acting_user=rt.world.user("village_cadre"),
        household=hh,
        code="court_enforcement",
        reason="法院执行通知书（2026）001 号",
    )
    page = rt.world.client("loan_officer").get(f"/households/{hh.pk}/").content.decode()
    assert "一级信用户" in page and "10000" in page
    assert "被法院列为被执行人" in page and "法院执行通知书" in page
    assert "R-ELG-2a" not in page  # the rule's id is the auditor's (issue 27 (2)) …
    assert "R-ELG-2a" in rt.world.client("auditor").get(f"/households/{hh.pk}/").content.decode()  # … here


def test_unborrowed_lists_eligible_rated_households_and_exports(rt):
    rated(rt)
    hh0, hh1, hh2 = rt.households
    for h in (hh0, hh1, hh2):
        h.income_per_capita = Decimal(2000)
        h.save()
    services.exclusion_record(
        acting_user=rt.world.user("village_cadre"),
        household=hh2,
        code="idle",
        reason="好逸恶劳，村评议小组核实",
    )
    rows = selectors.unborrowed(rt.world.user("village_cadre"), on=TODAY)
    assert [h.pk for h, _ in rows] == [hh0.pk, hh1.pk]
    r = rt.world.client("village_cadre").get("/ratings/unborrowed.xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert ws.max_row == 3 and ws.cell(2, 3).value == hh0.registry_no and ws.cell(2, 9).value == 10000
    # another village's cadre sees none of them
    assert (
        selectors.unborrowed(rt.world.user("township_cadre"), village=rt.world.sibling_village, on=TODAY)
        == []
    )


def test_dynamic_grades_up_down_default_recorded_once_a_day(rt):
    rated(rt)
    hh = rt.households[0].pk
    up = services.grade_event(household_id=hh, event="repaid_on_time", on=TODAY, reason="按时还清")
    assert (up.before_grade, up.after_grade, up.after_amount) == ("AA", "AAA", Decimal(30000))
    assert services.grade_event(household_id=hh, event="repaid_on_time", on=TODAY, reason="again") is None
    down = services.grade_event(
        household_id=hh, event="overdue", on=TODAY + dt.timedelta(days=1), reason="第 3 期逾期"
    )
    assert (down.after_grade, down.after_amount) == ("AA", Decimal(10000))
    services.grade_event(
        household_id=hh, event="default", on=TODAY + dt.timedelta(days=2), reason="逾期 90 天"
    )
    line = CreditLine.objects.get(household_id=hh)
    assert (line.grade_code, line.amount, line.subsidy_barred_from) == (
        "C",
        Decimal(1000),
        (TODAY + dt.timedelta(days=2)).year + 1,
    )
    assert list(
        GradeChange.objects.filter(household_id=hh).exclude(event="rating").values_list("reason", flat=True)
    ) == ["逾期 90 天", "第 3 期逾期", "按时还清"]
    assert (
        services.grade_event(household_id=rt.stranger_household.pk, event="overdue", on=TODAY, reason="x")
        is None
    )


def test_credit_village_needs_the_thresholds_and_expires(rt):
    rated(rt)
    office = rt.world.user("poverty_office")
    rows = {r["code"]: r for r in selectors.village_stats(office)}
    mine = rows[rt.world.village]
    assert (mine["households"], mine["rated"], mine["problems"]) == (3, 3, [])
    assert rows[rt.world.sibling_village]["problems"]  # its household is not rated
    _, t = selectors.rules_for("529901000000", TODAY)
    d = services.designation_publish(
        acting_user=office, division_code=rt.world.village, year=TODAY.year, stats=mine["stats"], thresholds=t
    )
    assert d.expires_on.year == TODAY.year + 2
    with pytest.raises(Conflict):
        services.designation_publish(
            acting_user=office,
            division_code=rt.world.sibling_village,
            year=TODAY.year,
            stats=rows[rt.world.sibling_village]["stats"],
            thresholds=t,
        )
    r = rt.world.client("poverty_office").post(f"/ratings/villages/{rt.world.village}/publish/", follow=True)
    assert "已有有效的信用村" in r.content.decode()
    services.designation_withdraw(acting_user=office, designation=d)
    assert Designation.objects.get().withdrawn_on == TODAY


def test_reputation_lists_need_a_recorded_decision_and_are_reversible(rt):
    office = rt.world.user("poverty_office")
    hh = rt.households[0]
    with pytest.raises(ValidationFailed) as e:
        services.reputation_publish(
            acting_user=office, household=hh, kind="defaulter", reason="逾期不还经多次催收", decision=""
        )
    assert e.value.details[0]["field"] == "decision"
    entry = services.reputation_publish(
        acting_user=office,
        household=hh,
        kind="defaulter",
        reason="逾期不还经多次催收",
        decision="县信用办 2026 年第 3 次会议纪要",
    )
    assert not selectors.eligibility(hh, TODAY).eligible  # a bad credit record (R-ELG-1)
    assert any("不良信用记录" in f.message for f in selectors.eligibility(hh, TODAY).failures)
    page = rt.world.client("village_cadre").get("/ratings/reputation/").content.decode()
    assert "失信典型" in page and "2026 年第 3 次会议纪要" in page
    with pytest.raises(NotPermitted):
        services.reputation_withdraw(
            acting_user=rt.world.user("village_cadre"), entry=entry, reason="已经还清"
        )
    services.reputation_withdraw(acting_user=office, entry=entry, reason="已全部还清并经会议决定撤回")
    assert Reputation.objects.get().withdrawn_on == TODAY
    assert not any("不良信用记录" in f.message for f in selectors.eligibility(hh, TODAY).failures)


def test_rules_are_versioned_and_judged_by_the_version_in_force(rt):
    """R-ELG-5: a new version (age limit 65, as some counties set) applies from its date only."""
    rated(rt)
    hh = rt.households[0]
    hh.income_per_capita = Decimal(2000)
    hh.save()
    head = Person.objects.get(household=hh, is_head=True, left_on__isnull=True)
    head.birth_date = dt.date(TODAY.year - 63, 1, 1)
    head.save()
    office = rt.world.user("poverty_office")
    later = TODAY + dt.timedelta(days=30)
    services.ruleset_create(
        acting_user=office, county_code="529901000000", definition={"max_age": 65}, effective=later
    )
    assert any("应在 18–60 岁之间" in f.message for f in selectors.eligibility(hh, TODAY).failures)
    assert selectors.eligibility(hh, later).eligible
    with pytest.raises(ValidationFailed) as e:
        services.ruleset_create(
            acting_user=office,
            county_code="529901000000",
            definition={"max_age": 200, "statuses": ["rich"], "credit_village": {}},
            effective=later,
        )
    assert {p["field"] for p in e.value.details} == {"max_age", "statuses", "credit_village"}
    with pytest.raises(ValidationFailed):  # a version may not take effect before the last one
        services.ruleset_create(
            acting_user=office, county_code="529901000000", definition={}, effective=TODAY
        )
    with pytest.raises(NotPermitted):
        services.ruleset_create(
            acting_user=rt.world.user("village_cadre"),
            county_code="529901000000",
            definition={},
            effective=later + dt.timedelta(days=1),
        )
    r = rt.world.client("poverty_office").post(
        "/ratings/rules/", {"definition": "{", "effective": "x"}, follow=True
    )
    assert "有效的 JSON" in r.content.decode()


def test_a_credit_township_from_its_villages_totals(rt):
    rated(rt)
    office = rt.world.user("poverty_office")
    towns = {r["code"]: r for r in selectors.township_stats(office)}
    first = towns[rt.world.township]
    assert (first["households"], first["rated"]) == (4, 3)  # the sibling village's household is not rated
    assert first["problems"] and "75.00%" in first["problems"][0]
    # rate the sibling village's household too
    from tests.ratings.conftest import panel_user

    rep = panel_user("rep_s", rt.world.sibling_village)
    officer = rt.world.user("loan_officer")
    panel = services.panel_create(
        acting_user=officer,
        village_code=rt.world.sibling_village,
        name="p",
        members=[(rep, "representative")],
    )
    rnd = services.round_start(
        acting_user=officer,
        village_code=rt.world.sibling_village,
        panel=panel,
        scorecard=rt.p2,
        year=TODAY.year,
        household_ids=[rt.stranger_household.pk],
    )
    services.sheet_submit(acting_user=rep, rating=rnd.ratings.get(), values=GOOD)
    services.round_sign(acting_user=rep, rnd=rnd)
    services.round_decide(acting_user=rt.world.user("township_cadre"), rnd=rnd, approve=True)
    services.round_decide(acting_user=office, rnd=rnd, approve=True)
    r = rt.world.client("poverty_office").post(f"/ratings/villages/{rt.world.township}/publish/", follow=True)
    assert "已评定为信用乡镇" in r.content.decode()
    assert Designation.objects.get().division_id == rt.world.township


def test_lead_households_are_rated_with_their_own_scorecard(rt):
    """R-CRD-3: a lead household (新型农业经营主体) is rated on the lead scorecard."""
    from fupin.ratings.models import Scorecard

    lead = Scorecard.objects.get(code="lead", state="published")
    rnd = rt.start(scorecard=lead, households=[rt.households[0].pk])
    sheet = {"years": "6", "driven": "25", "revenue": "60", "debt_ratio": "20", "record": "良好"}
    for m in rt.members:
        services.sheet_submit(acting_user=m, rating=rnd.ratings.get(), values=sheet)
    r = rnd.ratings.get()
    # 20 + 30 + min(10 + (60 − 20)/10 × 2, 20) = 18 + 15 + 15 = 98 → AAA, 500 000
    assert (r.score, r.grade_code, r.credit_line) == (Decimal("98.00"), "AAA", Decimal(500000))

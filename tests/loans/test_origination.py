"""The path from an application to a bank approval (R-APP-1 … R-APP-4): every refusal the
issue lists, and the happy path through joint review, township, notice, county and bank."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fupin.audit.models import AuditEntry
from fupin.core.errors import Conflict, NotPermitted, ValidationFailed
from fupin.loans import services
from fupin.loans.models import Application, ReviewStep
from fupin.ratings.models import CreditLine
from tests.clock import on

pytestmark = pytest.mark.clock  # business dates from today: run on other days too

TODAY = dt.date.today()


def apply(rt, hh, amount=800_000, by="loan_officer", **kw):
    return services.application_create(
        acting_user=rt.world.user(by),
        household=hh,
        product=kw.pop("product", "subsidy"),
        purpose=kw.pop("purpose", "livestock"),
        project=kw.pop("project", "养牛两头"),
        amount=amount,
        term=kw.pop("term", 36),
    )


def to_notice(rt, app, start=None):
    w = rt.world
    services.application_review(acting_user=w.user("village_cadre"), application=app, approve=True)
    services.application_review(acting_user=w.user("loan_officer"), application=app, approve=True)
    services.application_review(acting_user=w.user("township_cadre"), application=app, approve=True)
    with on(
        start or services.today() - dt.timedelta(days=8)
    ):  # published then: nobody can date a notice back
        return services.notice_publish(
            acting_user=w.user("village_cadre"), village_code=app.village_code, applications=[app]
        )


def test_the_whole_chain_to_a_bank_approval(rt, hh):
    w = rt.world
    app = apply(rt, hh)
    services.application_review(acting_user=w.user("village_cadre"), application=app, approve=True)
    app.refresh_from_db()
    assert app.state == "submitted"  # the bank's half of the joint review is missing
    with pytest.raises(Conflict):
        services.application_review(acting_user=w.user("village_cadre"), application=app, approve=True)
    services.application_review(acting_user=w.user("loan_officer"), application=app, approve=True)
    app.refresh_from_db()
    assert app.state == "village_reviewed"
    services.application_review(acting_user=w.user("township_cadre"), application=app, approve=True)
    notice = services.notice_publish(
        acting_user=w.user("village_cadre"), village_code=app.village_code, applications=[app]
    )
    assert (notice.start, notice.end) == (TODAY, TODAY + dt.timedelta(days=6))
    with on(TODAY + dt.timedelta(days=7)):  # the day after the notice
        services.application_review(acting_user=w.user("poverty_office"), application=app, approve=True)
        services.application_review(acting_user=w.user("branch_director"), application=app, approve=True)
    app.refresh_from_db()
    assert app.state == "approved"
    assert [s.action for s in ReviewStep.objects.filter(application=app)] == [
        "village_review",
        "village_review",
        "township_review",
        "notice",
        "county_approve",
        "bank_approve",
    ]
    assert AuditEntry.objects.filter(action__startswith="application.", object_id=str(app.pk)).count() == 7


def test_every_reason_of_a_refused_application_and_nothing_saved(rt, hh):
    with pytest.raises(ValidationFailed) as e:
        apply(rt, hh, amount=6_000_000, term=40, purpose="lottery", project="")
    rules = [p["rule"] for p in e.value.details]
    assert rules == ["R-APP-1", "R-APP-1", "R-RAT-2", "R-PRD-5", "R-PRD-5"]
    assert not Application.objects.exists()
    r = rt.world.client("loan_officer").post(
        "/api/v1/applications",
        {
            "household_id": hh.pk,
            "product": "subsidy",
            "purpose": "livestock",
            "project": "养牛两头",
            "amount": "20000.00",
            "term": 36,
        },
        content_type="application/json",
    )
    assert r.status_code == 422 and "超过授信额度 10000.00 元" in r.json()["details"][0]["message"]


def test_an_eligibility_enquiry_answers_every_reason_an_application_would_meet(rt, hh):
    """GET /households/{id}/eligibility with product, amount and term (issue 26 (3)): the same
    reasons an application would get, with the field each concerns; nothing is written."""
    c = rt.world.client("loan_officer")
    url = f"/api/v1/households/{hh.pk}/eligibility"
    plain = c.get(url).json()
    assert plain["eligible"] and not plain["checked"] and plain["credit"]["amount"] == "10000.00"
    ok = c.get(url, {"product": "subsidy", "amount": "8000.00", "term": 36}).json()
    assert ok["eligible"] and ok["checked"] and ok["failures"] == []
    assert ok["institution"] and ok["product_version"]
    bad = c.get(url, {"product": "subsidy", "amount": "60000.00", "term": 40, "purpose": "livestock"}).json()
    assert not bad["eligible"]
    assert [(f["rule"], f["field"]) for f in bad["failures"]] == [
        ("R-RAT-2", "amount"),
        ("R-PRD-5", "amount"),
        ("R-PRD-5", "term"),
    ]
    assert "超过授信额度 10000.00 元" in bad["failures"][0]["message"]
    apply(rt, hh)  # an application in progress is a reason too
    busy = c.get(url, {"product": "subsidy", "amount": "8000.00", "term": 36}).json()
    assert [f["message"] for f in busy["failures"]] == ["该户已有一笔在办的贷款申请"]
    assert Application.objects.count() == 1
    r = c.get(url, {"product": "subsidy", "amount": "8000.00"})
    assert r.status_code == 422 and r.json()["code"] == "incomplete_enquiry"


def test_an_ineligible_household_gets_its_eligibility_reasons(rt, hh):
    hh.income_per_capita = Decimal(3000)
    hh.save()
    with pytest.raises(ValidationFailed) as e:
        apply(rt, hh)
    assert [p["rule"] for p in e.value.details] == ["R-ELG-1"]


def test_no_step_can_be_skipped(rt, hh):
    app = apply(rt, hh)
    with pytest.raises(NotPermitted):  # the county cannot act on a submitted application
        services.application_review(
            acting_user=rt.world.user("poverty_office"), application=app, approve=True
        )
    with pytest.raises(Conflict):
        services.notice_publish(
            acting_user=rt.world.user("village_cadre"), village_code=app.village_code, applications=[app]
        )
    services.application_review(acting_user=rt.world.user("village_cadre"), application=app, approve=True)
    services.application_review(acting_user=rt.world.user("loan_officer"), application=app, approve=True)
    services.application_review(acting_user=rt.world.user("township_cadre"), application=app, approve=True)
    with pytest.raises(Conflict) as e:
        services.application_review(
            acting_user=rt.world.user("township_cadre"), application=app, approve=True
        )
    assert "公示" in e.value.message


def test_no_approval_during_the_notice_or_with_an_open_objection(rt, hh):
    app = apply(rt, hh)
    to_notice(rt, app, start=TODAY)
    office = rt.world.user("poverty_office")
    with pytest.raises(Conflict) as e:
        services.application_review(acting_user=office, application=app, approve=True)
    assert e.value.code == "notice_running"
    app2 = apply(rt, rt.households[1])
    to_notice(rt, app2)
    o = services.objection_file(
        acting_user=rt.world.user("township_cadre"), application=app2, text="该户实际已外出务工"
    )
    with pytest.raises(Conflict) as e:
        services.application_review(acting_user=office, application=app2, approve=True)
    assert e.value.code == "objection_open"
    with pytest.raises(NotPermitted):
        services.objection_resolve(
            acting_user=rt.world.user("village_cadre"), objection=o, upheld=False, decision="经核实"
        )
    services.objection_resolve(
        acting_user=office, objection=o, upheld=False, decision="经核实仍在家养殖，异议不成立"
    )
    services.application_review(acting_user=office, application=app2, approve=True)
    app2.refresh_from_db()
    assert app2.state == "county_approved"


def test_an_upheld_objection_rejects_the_application_with_its_reason(rt, hh):
    app = apply(rt, hh)
    to_notice(rt, app)
    o = services.objection_file(
        acting_user=rt.world.user("village_cadre"), application=app, text="贷款实为他人使用"
    )
    services.objection_resolve(
        acting_user=rt.world.user("poverty_office"),
        objection=o,
        upheld=True,
        decision="经核实属实，违反户借户用户还",
    )
    app.refresh_from_db()
    assert app.state == "rejected" and "户借户用户还" in app.rejected_reason
    with pytest.raises(Conflict):
        services.application_review(
            acting_user=rt.world.user("poverty_office"), application=app, approve=True
        )


def test_authority_by_amount_and_no_approving_ones_own_work(rt, hh):
    CreditLine.objects.filter(household=hh).update(amount=Decimal(50000))
    app = apply(rt, hh, amount=3_500_000, by="village_cadre")
    to_notice(rt, app)
    services.application_review(acting_user=rt.world.user("poverty_office"), application=app, approve=True)
    with pytest.raises(NotPermitted) as e:  # 35 000 is above the loan officer's authority
        services.application_review(acting_user=rt.world.user("loan_officer"), application=app, approve=True)
    assert e.value.code == "wrong_role"
    small = apply(rt, rt.households[1], amount=500_000)  # prepared by the loan officer
    to_notice(rt, small)
    services.application_review(acting_user=rt.world.user("poverty_office"), application=small, approve=True)
    with pytest.raises(NotPermitted) as e:
        services.application_review(
            acting_user=rt.world.user("loan_officer"), application=small, approve=True
        )
    assert e.value.code == "maker_checker"
    services.application_review(acting_user=rt.world.user("branch_director"), application=app, approve=True)


def test_the_quota_stops_an_approval(rt, hh):
    services.quota_set(
        acting_user=rt.world.user("poverty_office"),
        township_code=rt.world.township,
        year=TODAY.year,
        amount=1_000_000,
        households=None,
        deadline=None,
    )
    a = apply(rt, hh, amount=800_000)
    b = apply(rt, rt.households[1], amount=300_000)
    for app in (a, b):
        to_notice(rt, app)
        services.application_review(
            acting_user=rt.world.user("poverty_office"), application=app, approve=True
        )
    services.application_review(acting_user=rt.world.user("branch_director"), application=a, approve=True)
    with pytest.raises(Conflict) as e:
        services.application_review(acting_user=rt.world.user("branch_director"), application=b, approve=True)
    assert e.value.code == "quota_exceeded" and "已用 8000.00 元" in e.value.message
    assert services.quota_usage(rt.world.township, TODAY.year)["amount"] == 800_000


def test_a_rejection_needs_reasons_and_ends_the_application(rt, hh):
    app = apply(rt, hh)
    with pytest.raises(ValidationFailed):
        services.application_review(
            acting_user=rt.world.user("village_cadre"), application=app, approve=False
        )
    services.application_review(
        acting_user=rt.world.user("village_cadre"), application=app, approve=False, reason="项目不具备条件"
    )
    app.refresh_from_db()
    assert app.state == "rejected" and app.rejected_reason == "项目不具备条件"
    apply(rt, hh)  # a new application may follow


def test_the_pages_from_the_archive_to_the_printed_notice(rt, hh, tmp_path):
    import subprocess

    c = rt.world.client("loan_officer")
    assert "申请贷款" in c.get(f"/households/{hh.pk}/").content.decode()
    refused = c.post(
        f"/households/{hh.pk}/apply/",
        {"product": "subsidy", "purpose": "crops", "project": "种", "amount": "60000", "term": "40"},
    )
    page = refused.content.decode()
    assert refused.status_code == 422 and "超过授信额度" in page and "请填写项目说明" in page
    r = c.post(
        f"/households/{hh.pk}/apply/",
        {
            "product": "subsidy",
            "purpose": "crops",
            "project": "种植烤烟 5 亩",
            "amount": "8000.00",
            "term": "36",
        },
    )
    app = Application.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/loans/applications/{app.pk}/"
    assert app.amount == 800_000
    rt.world.client("village_cadre").post(f"/loans/applications/{app.pk}/review/", {"decision": "approve"})
    c.post(f"/loans/applications/{app.pk}/review/", {"decision": "approve"})
    rt.world.client("township_cadre").post(f"/loans/applications/{app.pk}/review/", {"decision": "approve"})
    app.refresh_from_db()
    assert app.state == "township_reviewed"
    inbox = rt.world.client("village_cadre").get("/loans/notices/").content.decode()
    assert f'value="{app.pk}"' in inbox
    assert f"公示自今天（{TODAY:%Y-%m-%d}）起 7 天" in inbox
    rt.world.client("village_cadre").post("/loans/notices/publish/", {"application": [app.pk]})
    app.refresh_from_db()
    end = TODAY + dt.timedelta(days=6)
    assert app.state == "in_notice" and app.notice.end == end
    pdf = c.get(f"/loans/notices/{app.notice_id}/notice.pdf").content
    (tmp_path / "n.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "n.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert (
        "扶贫小额信贷申请公示" in text
        and f"{end.year}年{end.month}月{end.day}日" in text
        and "8000.00" in text
    )
    detail = rt.world.client("poverty_office").get(f"/loans/applications/{app.pk}/").content.decode()
    assert "公示中" in detail and "提出异议" in detail


def test_the_lead_quota_is_at_most_a_quarter_of_the_townships(rt):
    office = rt.world.user("poverty_office")
    with pytest.raises(ValidationFailed) as e:
        services.quota_set(
            acting_user=office,
            township_code=rt.world.township,
            year=TODAY.year,
            amount=1_000_000,
            households=None,
            deadline=None,
            lead_amount=300_000,
        )
    assert e.value.code == "quota_lead"
    q = services.quota_set(
        acting_user=office,
        township_code=rt.world.township,
        year=TODAY.year,
        amount=1_000_000,
        households=None,
        deadline=None,
        lead_amount=200_000,
    )
    assert q.lead_amount == 200_000
    page = rt.world.client("township_cadre").get("/loans/quotas/").content.decode()
    assert "2,000.00" in page and "10,000.00" in page  # progress visible to the township


def test_the_county_approves_a_whole_roster_after_the_notice(rt, hh):
    a = apply(rt, hh)
    b = apply(rt, rt.households[1])
    w = rt.world
    for app in (a, b):
        services.application_review(acting_user=w.user("village_cadre"), application=app, approve=True)
        services.application_review(acting_user=w.user("loan_officer"), application=app, approve=True)
        services.application_review(acting_user=w.user("township_cadre"), application=app, approve=True)
    with on(TODAY - dt.timedelta(days=8)):
        notice = services.notice_publish(
            acting_user=w.user("village_cadre"), village_code=a.village_code, applications=[a, b]
        )
    o = services.objection_file(acting_user=w.user("township_cadre"), application=b, text="项目与实际不符")
    office = w.client("poverty_office")
    page = office.post(f"/loans/notices/{notice.pk}/approve/", follow=True).content.decode()
    assert f"申请 #{b.pk} 有尚未处理的异议" in page  # the whole roster waits for the objection (R-APP-2)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.state, b.state) == ("in_notice", "in_notice")
    api = office.post(f"/api/v1/notices/{notice.pk}/approval")
    assert api.status_code == 409 and api.json()["code"] == "objection_open"
    services.objection_resolve(
        acting_user=w.user("poverty_office"), objection=o, upheld=True, decision="经核实属实"
    )
    page = office.post(f"/loans/notices/{notice.pk}/approve/", follow=True).content.decode()
    assert "名单已审批：1 笔" in page
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.state, b.state) == ("county_approved", "rejected")


def test_a_notice_starts_the_day_it_is_published_and_runs_its_configured_length(rt, hh):
    """R-APP-2: nobody can date a notice back or shorten it, so the county can never approve
    the minute it is published; the length is the programme's (7 days unless configured)."""
    w = rt.world
    apps = [apply(rt, h) for h in rt.households[:2]]
    for app in apps:
        services.application_review(acting_user=w.user("village_cadre"), application=app, approve=True)
        services.application_review(acting_user=w.user("loan_officer"), application=app, approve=True)
        services.application_review(acting_user=w.user("township_cadre"), application=app, approve=True)
    cadre = w.client("village_cadre")
    for body in ({"start": f"{TODAY - dt.timedelta(days=30):%Y-%m-%d}"}, {"days": 5}, {"days": 1}):
        r = cadre.post(
            "/api/v1/notices", {"application_ids": [apps[0].pk], **body}, content_type="application/json"
        )
        assert r.status_code in (400, 422), (body, r.status_code)
    # the page offers no dates: what it posts beyond the applications is not read
    cadre.post("/loans/notices/publish/", {"application": [apps[0].pk], "start": "2020-01-01", "days": "1"})
    r = cadre.post(
        "/api/v1/notices",
        {"application_ids": [apps[1].pk], "start": f"{TODAY:%Y-%m-%d}", "days": 7},
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    for app in apps:
        app.refresh_from_db()
        assert (app.notice.start, app.notice.end, app.notice.days) == (TODAY, TODAY + dt.timedelta(days=6), 7)
    office = w.user("poverty_office")
    for day in (TODAY, TODAY + dt.timedelta(days=6)):  # the same minute, and the notice's last day
        with on(day), pytest.raises(Conflict) as e:
            services.roster_approve(acting_user=office, notice=apps[0].notice)
        assert e.value.code == "notice_running"
    with on(TODAY + dt.timedelta(days=7)):
        assert [a.pk for a in services.roster_approve(acting_user=office, notice=apps[0].notice)] == [
            apps[0].pk
        ]


def test_a_programme_may_set_a_longer_notice(rt, hh):
    from fupin.ratings import rules
    from fupin.ratings.services import ruleset_create

    ruleset_create(
        acting_user=rt.world.user("poverty_office"),
        county_code=hh.village_id[:6] + "000000",
        definition={**rules.PRESET, "notice_days": 10},
        effective=TODAY - dt.timedelta(days=1),
    )
    with pytest.raises(ValidationFailed) as bad:
        rules.check({**rules.PRESET, "notice_days": 2})
    assert "notice_days" in str(bad.value.details)
    app = apply(rt, hh)
    notice = to_notice(rt, app, start=TODAY)
    assert (notice.days, notice.end) == (10, TODAY + dt.timedelta(days=9))


def test_who_signed_the_bank_half_of_the_joint_review_does_not_also_approve(rt, hh):
    """Maker ≠ checker covers every step of one application (R-APP-3): the loan officer who
    signed the bank half of the joint review may not then approve the loan, even within their
    own authority and though another person prepared it."""
    from fupin.accounts.services import role_assign, user_create

    w = rt.world
    app = apply(rt, hh, amount=500_000, by="village_cadre")  # prepared by the village cadre
    to_notice(rt, app)  # the loan officer signs the bank half of the joint review
    services.application_review(acting_user=w.user("poverty_office"), application=app, approve=True)
    r = w.client("loan_officer").post(
        f"/api/v1/applications/{app.pk}/review", {"approve": True}, content_type="application/json"
    )
    assert r.status_code == 403 and r.json()["code"] == "maker_checker"
    app.refresh_from_db()
    assert app.state == "county_approved"
    second = user_create(acting_user=None, username="xindai2", password="x", check_password=False)
    role_assign(
        acting_user=None, user=second, role="loan_officer", division_code=w.township, branch_code="FM001"
    )
    services.application_review(acting_user=second, application=app, approve=True)
    app.refresh_from_db()
    assert app.state == "approved"

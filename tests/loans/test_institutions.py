"""Several lending institutions in one county (issue 25): an application goes to a lender; a bank's
staff see and act on their own institution's applications, loans and books only — in pages, the
API and exports — while county, township and village roles see every institution's; the rules
that guard a household look across the institutions."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from fupin.accounts.services import token_issue
from fupin.cob.models import CollectionItem
from fupin.cob.services import cob_run
from fupin.core import reports as core_reports
from fupin.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from fupin.core.money import fmt
from fupin.divisions.models import Division, Institution
from fupin.ledger import selectors as ledger
from fupin.loans import disbursement, services
from fupin.loans.models import Loan
from fupin.loans.selectors import lenders_overview
from fupin.reports.tables import build
from tests.clock import on
from tests.loans.test_disbursement import approved

pytestmark = [pytest.mark.clock, pytest.mark.sqlite]  # the compiled reads fall back to the ORM on SQLite

TODAY = dt.date.today()
FM, ABC, PSBC, VB = "FM000", "ABC000", "PSBC00", "VB0000"  # the demo county's lenders


def lender(code: str) -> Institution:
    return Institution.objects.get(code=code)


def abc_loan(rt, household, amount=600_000) -> Loan:
    """A loan of the agricultural bank, through the whole chain with its own staff: its officer
    prepares and signs the bank's half; its head office decides; its officer contracts and pays."""
    w = rt.world
    officer, head = w.users["nh_xindai"], w.users["nh_hangzhang"]
    app = services.application_create(
        acting_user=officer,
        household=household,
        product="subsidy",
        purpose="livestock",
        project="养牛两头",
        amount=amount,
        term=36,
    )
    assert app.institution.code == ABC  # the officer's own institution
    services.application_review(acting_user=w.user("village_cadre"), application=app, approve=True)
    with pytest.raises(NotPermitted):  # the credit union's officer cannot sign the bank's half
        services.application_review(acting_user=w.user("loan_officer"), application=app, approve=True)
    services.application_review(acting_user=officer, application=app, approve=True)
    services.application_review(acting_user=w.user("township_cadre"), application=app, approve=True)
    with on(services.today() - dt.timedelta(days=8)):
        services.notice_publish(
            acting_user=w.user("village_cadre"), village_code=app.village_code, applications=[app]
        )
    services.application_review(acting_user=w.user("poverty_office"), application=app, approve=True)
    with pytest.raises(NotPermitted):  # nor the credit union's head office decide it
        services.application_review(acting_user=w.user("head_office"), application=app, approve=True)
    services.application_review(acting_user=head, application=app, approve=True)
    app.refresh_from_db()
    return disbursement.loan_disburse(
        acting_user=officer, loan=disbursement.loan_contract(acting_user=officer, application=app)
    )


def fm_loan(rt, household) -> Loan:
    officer = rt.world.user("loan_officer")
    app = approved(rt, household)
    return disbursement.loan_disburse(
        acting_user=officer, loan=disbursement.loan_contract(acting_user=officer, application=app)
    )


def test_an_application_goes_to_the_named_lender_the_officers_own_or_the_villages_nearest(rt, hh):
    w = rt.world
    by_cadre = services.application_create(
        acting_user=w.user("village_cadre"),
        household=rt.households[0],
        product="subsidy",
        purpose="livestock",
        project="养牛两头",
        amount=500_000,
        term=36,
    )
    # the village's nearest lender: the credit union's township office serves the township; the
    # banks serve the whole county (or, the village bank, another township)
    assert by_cadre.institution.code == FM
    named = services.application_create(
        acting_user=w.user("village_cadre"),
        household=rt.households[1],
        product="subsidy",
        purpose="livestock",
        project="养牛两头",
        amount=500_000,
        term=36,
        institution=lender(PSBC).pk,
    )
    assert named.institution.code == PSBC
    with pytest.raises(ValidationFailed) as refused:  # the village bank has no office serving here
        services.lender_for(w.user("village_cadre"), w.village, lender(VB).pk)
    assert refused.value.code == "institution_not_serving"
    with pytest.raises(NotPermitted):  # a bank's officer applies to their own institution only
        services.lender_for(w.users["nh_xindai"], w.village, lender(FM).pk)
    assert services.lender_for(w.users["nh_xindai"], w.village).code == ABC


def test_nothing_of_one_institution_reaches_the_others_staff(rt, hh):
    w = rt.world
    mine, theirs = fm_loan(rt, rt.households[0]), abc_loan(rt, rt.households[1])
    assert (mine.institution.code, theirs.institution.code) == (FM, ABC)
    assert theirs.servicing.institution_id == theirs.institution_id
    cob_run(TODAY)  # tonight's close: the accrual, per village and lender
    listed_on = TODAY + dt.timedelta(days=30)  # a collection day with both loans on its list
    CollectionItem.objects.bulk_create(
        CollectionItem(date=listed_on, village_code=x.village_code, loan=x, due=10_000)
        for x in (mine, theirs)
    )
    union, bank, county = w.user("loan_officer"), w.users["nh_xindai"], w.user("poverty_office")

    def page(user, path, **params):
        c = Client()
        c.force_login(user)
        return c.get(path, params)

    def api(user, path):
        _, secret = token_issue(acting_user=None, user=user, name="t")  # as at setup, from the command line
        return Client().get(path, HTTP_AUTHORIZATION=f"Bearer {secret}")

    for user, own, other in ((union, mine, theirs), (bank, theirs, mine)):
        assert page(user, f"/loans/{own.pk}/").status_code == 200
        assert page(user, f"/loans/{other.pk}/").status_code == 404
        assert page(user, f"/loans/{other.pk}/contract.pdf").status_code == 404
        assert page(user, f"/loans/applications/{other.application_id}/").status_code == 404
        assert api(user, f"/api/v1/loans/{own.pk}").status_code == 200
        assert api(user, f"/api/v1/loans/{other.pk}").status_code == 404
        assert api(user, f"/api/v1/loans/{other.pk}/events").status_code == 404
        listed = page(user, "/loans/applications/").content.decode()
        assert f"/loans/applications/{own.application_id}/" in listed
        assert f"/loans/applications/{other.application_id}/" not in listed
        sheet = page(user, "/cob/collections/", date=str(listed_on), format="xlsx")
        cells = {c.value for row in load_workbook(BytesIO(sheet.content)).active.iter_rows() for c in row}
        assert own.contract_no in cells and other.contract_no not in cells
    # the county sees both, in pages and the API, each with its lender
    for loan, code in ((mine, FM), (theirs, ABC)):
        assert page(county, f"/loans/{loan.pk}/").status_code == 200
        r = api(county, f"/api/v1/loans/{loan.pk}")
        assert r.status_code == 200 and r.json()["institution"] == code

    # each institution's books: its head office's trial balance holds its own loans only
    def principal(user, **kw) -> int:
        tb = ledger.trial_balance(user, on=TODAY, **kw)
        assert tb["balanced"]
        return {x["code"]: x["balance"] for x in tb["lines"]}.get("1301", 0)

    assert principal(w.user("head_office")) == mine.principal
    assert principal(w.users["nh_hangzhang"]) == theirs.principal
    assert principal(w.user("auditor")) == mine.principal + theirs.principal
    assert principal(w.user("auditor"), institution=lender(ABC).pk) == theirs.principal
    assert all(s["equal"] for s in ledger.subledgers(w.users["nh_hangzhang"]))
    assert all(s["equal"] for s in ledger.subledgers(w.user("head_office")))
    # one institution's trial balance asked of the other's head office: refused as unknown
    r = api(w.users["nh_hangzhang"], f"/api/v1/ledger/trial-balance?institution={FM}")
    assert r.status_code == 404
    r = api(w.user("auditor"), f"/api/v1/ledger/trial-balance?institution={ABC}")
    assert r.status_code == 200 and {x["code"]: x["balance"] for x in r.json()["lines"]}["1301"] == fmt(
        theirs.principal
    )


def test_a_household_with_a_loan_at_one_lender_is_refused_a_second_at_another(rt, hh):
    fm_loan(rt, rt.households[0])
    with pytest.raises(ValidationFailed) as refused:
        services.application_create(
            acting_user=rt.world.users["nh_xindai"],
            household=rt.households[0],
            product="subsidy",
            purpose="livestock",
            project="养牛两头",
            amount=300_000,
            term=36,
        )
    assert any(
        p["rule"] == "R-ELG-2a" and "农信社" in p["message"] for p in refused.value.details
    )  # the other lender's loan named


def test_a_lenders_quota_counts_its_own_loans_and_the_townships_counts_every_lenders(rt, hh):
    w = rt.world
    year = services.today().year

    def quota(amount, institution=None):
        return services.quota_set(
            acting_user=w.user("poverty_office"),
            township_code=w.township,
            year=year,
            amount=amount,
            households=None,
            deadline=None,
            institution=institution,
        )

    quota(700_000, lender(ABC).pk)
    fm_loan(rt, rt.households[0])  # 8 000 yuan of the credit union's, in the same township
    asked = services.application_create(
        acting_user=w.users["nh_xindai"],
        household=rt.households[1],
        product="subsidy",
        purpose="livestock",
        project="养牛两头",
        amount=600_000,
        term=36,
    )
    services.quota_check(asked)  # the bank's 7 000 holds its 6 000: the union's loan is not its
    asked.amount = 800_000
    with pytest.raises(Conflict) as over:
        services.quota_check(asked)
    assert over.value.code == "quota_exceeded" and "农业银行" in over.value.message
    asked.amount = 600_000
    quota(1_000_000)  # the township's for every lender: 8 000 used by the union + 6 000 > 10 000
    with pytest.raises(Conflict) as over:
        services.quota_check(asked)
    assert "农业银行" not in over.value.message


def test_the_official_tables_of_one_institution_or_all_and_a_banks_staff_see_their_own(rt, hh):
    w = rt.world
    mine, theirs = fm_loan(rt, rt.households[0]), abc_loan(rt, rt.households[1])
    county = Division.objects.get(code=w.demo.townships[0][:6] + "000000")
    period = core_reports.period(f"{TODAY:%Y-%m}")

    def contracts(t) -> set[str]:
        return {row["contract"] for row in t.rows}

    both = build("fu2", county, period)
    assert contracts(both) == {mine.contract_no, theirs.contract_no}
    lenders = {row["contract"]: row["lender"] for row in both.rows}
    assert lenders == {mine.contract_no: "富民县农村信用联社", theirs.contract_no: "中国农业银行富民县支行"}
    only = build("fu2", county, period, lender(ABC))
    assert contracts(only) == {theirs.contract_no} and only.title.endswith("（中国农业银行富民县支行）")
    fu3_all, fu3_abc = build("fu3", county, period), build("fu3", county, period, lender(ABC))
    assert (fu3_all.total["lent"], fu3_abc.total["lent"]) == (
        mine.principal + theirs.principal,
        theirs.principal,
    )
    assert fu3_abc.total["balance"] == theirs.principal  # from the bank's own books
    assert fu3_abc.total["registered"] == fu3_all.total["registered"]  # the registry is the county's

    def api(user, **params):
        _, secret = token_issue(acting_user=None, user=user, name="t")
        query = "&".join(
            f"{k}={v}" for k, v in {"division": county.code, "period": period.label, **params}.items()
        )
        return Client().get(f"/api/v1/reports/tables/fu2?{query}", HTTP_AUTHORIZATION=f"Bearer {secret}")

    bank = w.users["nh_hangzhang"]
    r = api(bank)  # a bank's head office: its own institution's loans, asked or not
    assert r.status_code == 200 and {row["contract"] for row in r.json()["rows"]} == {theirs.contract_no}
    assert api(bank, institution=FM).status_code == 404
    r = api(w.user("poverty_office"), institution=ABC)
    assert {row["contract"] for row in r.json()["rows"]} == {theirs.contract_no}
    r = api(w.user("poverty_office"))
    assert {row["contract"] for row in r.json()["rows"]} == {mine.contract_no, theirs.contract_no}
    c = Client()
    c.force_login(bank)
    page = c.get(
        "/reports/", {"table": "fu2", "division": county.code, "period": period.label}
    ).content.decode()
    assert theirs.contract_no in page and mine.contract_no not in page
    ranks = c.get("/reports/rankings/", {"division": county.code, "period": period.label}).content.decode()
    assert "农业银行" in ranks and "信用社" not in ranks  # only its own offices are ranked


def test_a_banks_officer_records_a_households_authorisation_for_their_own_bank_only(rt, hh):
    from fupin.creditinfo.services import consent_record

    kw = {
        "household": rt.households[0],
        "document_no": "授权-1",
        "granted_on": TODAY - dt.timedelta(days=1),
        "expires_on": TODAY + dt.timedelta(days=300),
    }
    with pytest.raises(NotPermitted):
        consent_record(acting_user=rt.world.users["nh_xindai"], institution=FM, **kw)
    made = consent_record(acting_user=rt.world.users["nh_xindai"], institution=ABC, **kw)
    assert made.institution_name == "中国农业银行富民县支行"
    # the village cadre records it for whichever lender the household authorised
    assert consent_record(acting_user=rt.world.user("village_cadre"), institution=FM, **kw).institution == FM


def test_an_application_over_the_api_names_its_lender(rt, hh):
    cadre = rt.world.user("village_cadre")
    _, secret = token_issue(acting_user=None, user=cadre, name="t")

    def post(**extra):
        body = {
            "household_id": rt.households[0].pk,
            "product": "subsidy",
            "purpose": "livestock",
            "project": "养牛两头",
            "amount": "5000.00",
            "term": 36,
            **extra,
        }
        return Client().post(
            "/api/v1/applications",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )

    assert post(institution="NOSUCH").status_code == 404
    r = post(institution=VB)  # the village bank serves another township
    assert r.status_code == 422 and r.json()["code"] == "institution_not_serving"
    r = post(institution=PSBC)
    assert r.status_code == 201 and r.json()["institution"] == PSBC


def test_the_lenders_page_shows_each_lenders_book_and_a_bank_its_own(rt, hh):
    w = rt.world
    mine, theirs = fm_loan(rt, rt.households[0]), abc_loan(rt, rt.households[1])

    def rows(user) -> dict[str, dict]:
        return {r["institution"].code: r for r in lenders_overview(user)}

    county = rows(w.user("poverty_office"))
    assert set(county) == {FM, ABC, PSBC, VB}
    assert (county[FM]["loans"], county[FM]["owed"]) == (1, mine.principal)
    assert (county[ABC]["loans"], county[ABC]["owed"]) == (1, theirs.principal)
    total = mine.principal + theirs.principal
    assert county[ABC]["share"] == core_reports.percent(theirs.principal, total) and county[VB]["loans"] == 0
    assert set(rows(w.users["nh_xindai"])) == {ABC}
    c = Client()
    c.force_login(w.users["nh_xindai"])
    page = c.get("/loans/lenders/").content.decode()
    assert "中国农业银行富民县支行" in page and "富民县农村信用联社" not in page


def test_a_banks_staff_see_their_own_banks_risk_fund_agreement_only(rt, hh):
    from fupin.riskfund import selectors as fund_selectors
    from fupin.riskfund.services import fund_create, fund_for

    w = rt.world
    county = w.demo.townships[0][:6] + "000000"
    union = fund_create(acting_user=w.user("poverty_office"), county_code=county, name="")
    bank = fund_create(
        acting_user=w.user("poverty_office"), county_code=county, name="农行", institution=lender(ABC).pk
    )
    assert union.institution.code == FM  # by default the county's own lender
    theirs = abc_loan(rt, rt.households[1])
    assert fund_for(theirs) == bank
    assert [f for f, _ in fund_selectors.funds(w.users["nh_hangzhang"])] == [bank]
    assert {f for f, _ in fund_selectors.funds(w.user("poverty_office"))} == {union, bank}
    with pytest.raises(NotFound):
        fund_selectors.fund_get(w.users["nh_hangzhang"], union.pk)


def test_a_lender_takes_applications_for_the_products_it_offers_only(rt, hh):
    w = rt.world
    postal = lender(PSBC)  # the demo county's postal bank: 脱贫人口小额信贷 and one-year loans
    assert postal.products == ["subsidy", "annual"] and not postal.offers("seasonal")
    assert lender(ABC).offers("seasonal")  # the agricultural bank: every product
    with pytest.raises(ValidationFailed) as refused:
        services.application_create(
            acting_user=w.user("village_cadre"),
            household=rt.households[0],
            product="seasonal",
            purpose="crops",
            project="种植",
            amount=300_000,
            term=10,
            institution=postal.pk,
        )
    assert any("不开办" in p["message"] and p["field"] == "product" for p in refused.value.details)

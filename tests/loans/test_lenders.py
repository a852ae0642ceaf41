"""The county's lenders (issue 25): the county registers one with its head office and coverage; the
county or the lender's own head office sets the products it offers and its own approval authority by
amount (R-APP-3), which then decides who approves its loans."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from django.test import Client

from fupin.audit.models import AuditEntry
from fupin.core.errors import Conflict, NotPermitted, ValidationFailed
from fupin.core.origination import deciders
from fupin.divisions.models import Institution
from fupin.divisions.selectors import lenders_of
from fupin.households.models import Household
from fupin.loans import disbursement, lenders, services
from fupin.loans.models import Application
from tests.bankfiles import construction_bank
from tests.loans.test_disbursement import approved

pytestmark = [pytest.mark.sqlite]


def test_the_county_registers_a_lender_for_some_townships(world):
    office = world.user("poverty_office")
    ccb = lenders.institution_register(
        acting_user=office,
        code="CCB000",
        name="中国建设银行富民县支行",
        short_name="建设银行",
        kind="other",
        county_code="529901000000",
        coverage_codes=[world.other_township],
        products=["annual", "subsidy", "annual"],
    )
    assert (ccb.short_name, ccb.products) == (
        "建设银行",
        ["subsidy", "annual"],
    )  # the catalogue's order, once
    assert ccb in lenders_of(world.other_village) and ccb not in lenders_of(world.village)
    assert AuditEntry.objects.filter(action="branch.create", object_id=str(ccb.branches.get().pk)).exists()
    with pytest.raises(ValidationFailed) as taken:
        lenders.institution_register(
            acting_user=office,
            code="CCB000",
            name="又一家",
            short_name="",
            kind="other",
            county_code="529901000000",
            coverage_codes=["529901000000"],
            products=[],
        )
    assert taken.value.code == "institution_code_taken"
    with pytest.raises(NotPermitted):  # a township cannot register the county's lenders
        lenders.institution_register(
            acting_user=world.user("township_cadre"),
            code="X1",
            name="某银行",
            short_name="",
            kind="other",
            county_code="529901000000",
            coverage_codes=["529901000000"],
            products=[],
        )


def test_a_lenders_own_authority_decides_who_approves_its_loans(world):
    abc, union = Institution.objects.get(code="ABC000"), Institution.objects.get(code="FM000")
    bank_head = world.users["nh_hangzhang"]
    amount = 2_000_000  # 20 000.00 yuan: the county's rules let a loan officer approve it
    assert deciders(amount, services.bands_for(world.village, abc))[0] == "loan_officer"
    lenders.institution_configure(
        acting_user=bank_head,
        institution=abc,
        products=[],
        approval_bands=[["0", "10000", "loan_officer"], ["10000", "", "head_office"], ["", "", ""]],
    )
    abc.refresh_from_db()
    assert abc.approval_bands == [[0, 10000, "loan_officer"], [10000, None, "head_office"]]
    assert deciders(amount, services.bands_for(world.village, abc)) == ("head_office",)
    assert deciders(amount, services.bands_for(world.village, union))[0] == "loan_officer"  # others unchanged
    entry = AuditEntry.objects.get(action="institution.configure")
    assert entry.before["approval_bands"] == [] and entry.after["approval_bands"][1][2] == "head_office"
    with pytest.raises(ValidationFailed) as gap:  # bands must run on from zero without a gap
        lenders.institution_configure(
            acting_user=bank_head,
            institution=abc,
            products=[],
            approval_bands=[["0", "10000", "loan_officer"], ["20000", "", "head_office"]],
        )
    assert gap.value.code == "approval_bands_invalid"
    with pytest.raises(NotPermitted):  # nor may a bank set another bank's
        lenders.institution_configure(
            acting_user=bank_head, institution=union, products=[], approval_bands=[]
        )


def test_the_pages(world):
    office = Client()
    office.force_login(world.user("poverty_office"))
    assert "登记贷款机构" in office.get("/loans/lenders/").content.decode()
    made = office.post(
        "/loans/lenders/new/",
        {
            "code": "RCB001",
            "name": "富民农商银行第二支行",
            "short_name": "农商二行",
            "kind": "rural_credit",
            "county": "529901000000",
            "serves": "townships",
            "townships": [world.township],
            "products": ["subsidy"],
            "own_core": "0",
        },
    )
    rcb = Institution.objects.get(code="RCB001")
    assert not rcb.own_core
    assert made.status_code == 302 and made["Location"] == f"/loans/lenders/{rcb.pk}/"
    assert rcb.products == ["subsidy"] and rcb in lenders_of(world.village)
    office.post(  # a bank keeping its own core system, which sends its months instead
        "/loans/lenders/new/",
        {"code": "CCB000", "name": "中国建设银行富民县支行", "short_name": "建行", "kind": "other",
         "county": "529901000000", "serves": "county", "own_core": "1"},
    )  # fmt: skip
    assert Institution.objects.get(code="CCB000").own_core
    saved = office.post(
        f"/loans/lenders/{rcb.pk}/",
        {"products": ["subsidy", "annual"], "bands": "own", "low": ["0", "5000"], "high": ["5000", ""],
         "role": ["branch_director", "head_office"], "rate_subsidy": "3.2"},
    )  # fmt: skip
    assert saved.status_code == 302
    rcb.refresh_from_db()
    assert rcb.products == ["subsidy", "annual"] and rcb.approval_bands[0] == [0, 5000, "branch_director"]
    assert (
        rcb.product_rates == {"subsidy": "0.032"}
        and 'value="3.2"' in office.get(f"/loans/lenders/{rcb.pk}/").content.decode()
    )
    bank = Client()
    bank.force_login(world.users["nh_hangzhang"])
    assert bank.get(f"/loans/lenders/{rcb.pk}/").status_code == 404  # another bank's settings
    abc = Institution.objects.get(code="ABC000")
    page = bank.get(f"/loans/lenders/{abc.pk}/").content.decode()
    assert "贷款审批权限" in page and 'value="30000"' in page  # the county's bands, shown to start from


def test_a_lenders_own_rate_is_its_version_of_the_product(rt, hh):
    """A bank lends 脱贫人口小额信贷 at 3.10 % where the county's product has the 5-year LPR (3.5 %):
    its contract carries its rate and says whose version it is; the credit union's does not change."""
    w = rt.world
    abc = Institution.objects.get(code="ABC000")
    lenders.institution_configure(
        acting_user=w.users["nh_hangzhang"],
        institution=abc,
        products=[],
        approval_bands=[],
        rates={"subsidy": "3.10"},
    )
    abc.refresh_from_db()
    assert abc.product_rates == {"subsidy": "0.031"} and abc.rate_of("subsidy") == Fraction(31, 1000)
    theirs = approved(rt, hh)
    Application.objects.filter(pk=theirs.pk).update(institution=abc)  # as if the bank had taken it
    theirs.refresh_from_db()
    loan = disbursement.loan_contract(acting_user=w.users["nh_xindai"], application=theirs)
    assert loan.nominal_rate == Decimal("0.031000") and loan.product_version.endswith("/ABC000")
    assert loan.terms["annual_rate"] in ("31/1000", "0.031")
    with pytest.raises(ValidationFailed) as bad:
        lenders.institution_configure(
            acting_user=w.users["nh_hangzhang"],
            institution=abc,
            products=[],
            approval_bands=[],
            rates={"annual": "abc"},
        )
    assert bad.value.code == "rate_invalid"


def test_a_bank_in_its_own_core_system_takes_no_application_here(world, tmp_path):
    """Issue 25 (3): such a bank lends in its own system — its officer is told so, and it is nobody's
    default lender; its head office still claims the subsidy on its loans (the lender it acts for)."""
    ccb, (head, officer), county = construction_bank(world, tmp_path)
    household = Household.objects.filter(village_id=world.village).first()
    with pytest.raises(Conflict) as refused:
        services.application_create(
            acting_user=officer, household=household, product="subsidy", purpose="crops", project="养羊",
            amount=1_000_000, term=12,
        )  # fmt: skip
    assert refused.value.code == "lender_books_elsewhere" and "自有核心系统" in refused.value.message
    assert ccb in lenders_of(world.village)  # it serves the county …
    assert services.lender_for(world.user("village_cadre"), world.village) != ccb  # … but is no default
    assert services.lender_for(head, county) == ccb  # what its head office acts for

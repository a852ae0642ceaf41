"""Cooperatives (R-COOP-1, 2): capital, members, loans and repayments on balanced books of
their own (apart from the bank's), the fee to the fen, every refusal listed, a repayment
recorded once per key, the two rates computed from the registry; pages, Excel and API."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from fupin.coops import selectors, services
from fupin.coops.models import CoopLoan
from fupin.core.errors import Conflict, NotPermitted, ValidationFailed
from fupin.households.models import Household
from fupin.ledger import selectors as ledger
from fupin.ledger.models import Posting
from tests.registry_files import TEMPLATE, template_rows, write_xlsx

pytestmark = pytest.mark.clock  # business dates from today: run on other days too


@pytest.fixture
def village(world, tmp_path):
    from fupin.households.importer import registry_import

    rows = template_rows(world.village, 6, seed=61, used=set())
    registry_import(
        acting_user=None, path=write_xlsx(tmp_path / "c.xlsx", TEMPLATE, rows), file_name="c.xlsx"
    )
    hhs = list(Household.objects.filter(village_id=world.village).order_by("pk"))
    Household.objects.filter(pk__in=[h.pk for h in hhs[:5]]).update(status="poor")
    Household.objects.filter(pk=hhs[5].pk).update(status="lifted")
    return hhs


def coop_books(village_code: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in Posting.objects.filter(entry__book="coop", entry__division_code=village_code):
        out[p.account_id] = out.get(p.account_id, 0) + p.debit - p.credit
    assert sum(out.values()) == 0  # balanced
    return out


def test_a_cooperative_lends_its_capital_to_members_on_books_of_its_own(world, village):
    cadre, office = world.user("village_cadre"), world.user("poverty_office")
    coop = services.coop_create(
        acting_user=cadre,
        village_code=world.village,
        name="",
        max_amount=500_000,
        max_term=12,
        fee_rate="0.06",
    )
    with pytest.raises(Conflict):
        services.coop_create(
            acting_user=cadre, village_code=world.village, name="", max_amount=1, max_term=1, fee_rate="0"
        )
    members = [services.member_join(acting_user=cadre, coop=coop, household=h) for h in village[:3]]
    with pytest.raises(NotPermitted):  # the village does not record the county's matching capital
        services.capital_post(acting_user=cadre, coop=coop, kind="government", amount=15_000_000)
    services.capital_post(acting_user=office, coop=coop, kind="government", amount=15_000_000)
    services.capital_post(acting_user=cadre, coop=coop, kind="member", amount=20_000, member=members[0])
    loan = services.coop_loan_make(
        acting_user=cadre,
        coop=coop,
        household=village[0],
        amount=500_000,
        term=6,
        purpose="养猪",
        decision="理事会纪要 1 号",
    )
    assert loan.fee == 15_000  # 5 000 × 6 % × 6 / 12
    with pytest.raises(ValidationFailed) as e:  # every reason at once
        services.coop_loan_make(
            acting_user=cadre,
            coop=coop,
            household=village[0],
            amount=600_000,
            term=13,
            purpose="再借",
            decision="纪要 2 号",
        )
    assert len(e.value.details) == 3
    with pytest.raises(ValidationFailed):  # not a member
        services.coop_loan_make(
            acting_user=cadre,
            coop=coop,
            household=village[4],
            amount=1_000,
            term=1,
            purpose="x",
            decision="y",
        )
    r1, new = services.coop_repayment_post(acting_user=cadre, loan=loan, amount=20_000, key="coop-repay-0001")
    again, new2 = services.coop_repayment_post(
        acting_user=cadre, loan=loan, amount=20_000, key="coop-repay-0001"
    )
    assert (
        new and not new2 and again.pk == r1.pk and (r1.fee, r1.principal) == (15_000, 5_000)
    )  # the fee first
    with pytest.raises(Conflict):
        services.coop_repayment_post(acting_user=cadre, loan=loan, amount=20_001, key="coop-repay-0001")
    with pytest.raises(ValidationFailed):  # more than owed
        services.coop_repayment_post(acting_user=cadre, loan=loan, amount=495_001, key="coop-repay-0002")
    services.coop_repayment_post(acting_user=cadre, loan=loan, amount=495_000, key="coop-repay-0003")
    loan.refresh_from_db()
    assert loan.state == CoopLoan.State.CLOSED and loan.principal_paid == 500_000 and loan.fee_paid == 15_000
    b = coop_books(world.village)
    assert b == {
        "1011": 15_000_000 + 20_000 + 15_000,
        "1311": 0,
        "4001": -15_000_000,
        "4002": -20_000,
        "6021": -15_000,
    }
    assert services.available(coop) == b["1011"]
    # the bank's books know nothing of it
    tb = ledger.trial_balance(world.user("head_office"), on=__import__("datetime").date(2100, 1, 1))
    assert tb["balanced"] and not any(x["code"] in ("1311", "4001", "4002", "6021") for x in tb["lines"])


def test_rates_come_from_the_registry_and_the_loans(world, village):
    cadre, office = world.user("village_cadre"), world.user("poverty_office")
    coop = services.coop_create(
        acting_user=cadre,
        village_code=world.village,
        name="甲村互助社",
        max_amount=500_000,
        max_term=12,
        fee_rate="0.05",
    )
    poor = list(
        Household.objects.filter(village_id=world.village, status__in=["poor", "low_income", "monitored"])
    )
    for h in poor[:3] + [village[5]]:  # three low-income households and one lifted out of poverty
        services.member_join(acting_user=cadre, coop=coop, household=h)
    services.capital_post(acting_user=office, coop=coop, kind="government", amount=1_000_000)
    for h in poor[:2]:
        services.coop_loan_make(
            acting_user=cadre, coop=coop, household=h, amount=100_000, term=3, purpose="种菜", decision="纪要"
        )
    r = selectors.report([coop], __import__("datetime").date.today())[0]
    assert (r["membership"].part, r["membership"].whole) == (3, len(poor))
    assert (r["borrowing"].part, r["borrowing"].whole, r["borrowing"].percent()) == (2, 4, "50.00%")
    assert not r["borrowing"].met and r["outstanding"] == 200_000 and r["cash"] == 800_000


def test_pages_excel_and_api(world, village):
    cadre = world.client("village_cadre")
    r = cadre.post(
        "/coops/new/", {"village": world.village, "max_amount": "5000", "max_term": "12", "fee_rate": "6"}
    )
    assert r.status_code == 302
    coop_id = int(r["Location"].rstrip("/").split("/")[-1])
    assert cadre.post(f"/coops/{coop_id}/members/", {"household": village[0].pk}).status_code == 302
    office = world.client("poverty_office")
    api = office.post(
        f"/api/v1/coops/{coop_id}/capital",
        {"kind": "government", "amount": "150000.00"},
        content_type="application/json",
    )
    assert api.status_code == 201 and Decimal(api.json()["amount"]) == Decimal("150000.00")
    member_id = selectors.coops(world.user("village_cadre"))[0].members.get().pk
    loan = cadre.post(
        f"/api/v1/coops/{coop_id}/loans",
        {"member_id": member_id, "amount": "3000", "term": 6, "purpose": "养羊", "decision": "纪要 3 号"},
        content_type="application/json",
    )
    assert loan.status_code == 201 and Decimal(loan.json()["fee"]) == Decimal("90.00")
    body = {"amount": "100", "idempotency_key": "coop-api-000001"}
    first = cadre.post(
        f"/api/v1/coop-loans/{loan.json()['id']}/repayments", body, content_type="application/json"
    )
    second = cadre.post(
        f"/api/v1/coop-loans/{loan.json()['id']}/repayments", body, content_type="application/json"
    )
    assert (first.status_code, second.status_code) == (201, 200) and first.json()["id"] == second.json()["id"]
    assert Decimal(first.json()["fee"]) == Decimal("90.00") and Decimal(first.json()["principal"]) == Decimal(
        "10.00"
    )
    page = cadre.get(f"/coops/{coop_id}/").content.decode()
    assert "互助社账簿" in page and "政府配套互助资金" in page
    listing = world.client("township_cadre").get("/coops/")
    assert listing.status_code == 200 and "入社率" in listing.content.decode()
    ws = load_workbook(io.BytesIO(world.client("poverty_office").get("/coops/export.xlsx").content)).active
    assert ws["A1"].value == "互助社" and ws["I1"].value == "入社率" and ws["C2"].value == 150000
    rows = world.client("poverty_office").get("/api/v1/coops").json()
    assert rows[0]["members"] == 1 and rows[0]["membership"]["whole"] >= 1
    assert (
        world.client("loan_officer").get("/coops/").status_code == 403
    )  # the bank keeps out of the village's books

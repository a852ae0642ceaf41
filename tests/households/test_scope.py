"""The registry import matches people only inside the importer's jurisdiction (R-REG-1, R-REG-3):
a village cadre's one-row file carrying the ID number of a head registered in another township
is a row problem and writes nothing; a household moved inside the jurisdiction takes its members
and its credit line with it."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal

import pytest

from fupin.households.importer import registry_import
from fupin.households.models import Household, HouseholdEvent, ImportBatch, Person
from fupin.ratings import services as ratings
from fupin.ratings.models import CreditLine, Scorecard
from tests.registry_files import col, template_rows

TODAY = dt.date.today()  # the pinned day (tests/clock.py)
COUNTY = "529901000000"

pytestmark = pytest.mark.sqlite


def imported(world, xlsx, rows, role="poverty_office", name="a.xlsx") -> ImportBatch:
    return registry_import(
        acting_user=world.user(role), path=xlsx(rows, name=name), file_name=name, today=TODAY
    )


def state(registry_no: str) -> tuple:
    hh = Household.objects.get(registry_no=registry_no)
    members = sorted(Person.objects.filter(household=hh).values_list("id_index", "village_code", "left_on"))
    return hh.village_id, members, HouseholdEvent.objects.filter(household=hh).count()


def test_a_village_cadre_cannot_take_a_household_of_another_township(world, xlsx):
    theirs = template_rows(world.other_village, 1, seed=5)  # a household of the second township
    assert imported(world, xlsx, theirs).state == ImportBatch.State.IMPORTED
    no = theirs[0][col("户编号")]
    before = state(no)
    assert len(before[1]) > 1  # members who would be marked as left
    head = [r for r in theirs if r[col("与户主关系")] == "户主"][0]
    mine = template_rows(world.village, 1, seed=6)[:1]  # one row for the cadre's own village …
    mine[0][col("证件号码")], mine[0][col("与户主关系")] = (
        head[col("证件号码")],
        "户主",
    )  # … with their head's ID
    batch = imported(world, xlsx, mine, role="village_cadre", name="mine.xlsx")
    assert batch.state == ImportBatch.State.FAILED
    assert [(p["row"], p["field"]) for p in batch.problems] == [(2, "证件号码")]
    assert "不在您的辖区内" in batch.problems[0]["message"]
    assert head[col("证件号码")] not in str(batch.problems)  # the ID number masked in the report
    assert state(no) == before and Household.objects.count() == 1  # nothing moved, left or written

    # the same through the API: 422 with the row, not 201
    path = xlsx(mine, name="api.xlsx")
    r = world.client("village_cadre").post(
        "/api/v1/households/imports",
        {"file_name": "api.xlsx", "content_base64": base64.b64encode(path.read_bytes()).decode()},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["details"][0]["row"] == 2
    assert "不在您的辖区内" in r.json()["details"][0]["message"]
    assert state(no) == before


def test_a_registry_number_of_a_household_outside_is_refused_too(world, xlsx):
    theirs = template_rows(world.other_village, 1, seed=7)
    imported(world, xlsx, theirs)
    mine = template_rows(world.village, 1, seed=8)
    for r in mine:  # new people, but the 户编号 of the other township's household (one county, one numbering)
        r[col("户编号")] = theirs[0][col("户编号")]
    batch = imported(world, xlsx, mine, role="village_cadre", name="mine.xlsx")
    assert batch.state == ImportBatch.State.FAILED
    assert any(p["field"] == "户编号" and "不在您的辖区内" in p["message"] for p in batch.problems)
    assert Household.objects.count() == 1


def test_a_household_moved_inside_the_jurisdiction_takes_members_and_credit_line(world, xlsx):
    rows = template_rows(world.village, 2, seed=9)
    imported(world, xlsx, rows)
    no = rows[0][col("户编号")]
    hh = Household.objects.get(registry_no=no)
    ratings.scorecard_install_presets(acting_user=None, county_code=COUNTY)
    CreditLine.objects.create(
        household=hh,
        village_code=hh.village_id,
        scorecard=Scorecard.objects.first(),
        grade_code="AA",
        grade_label="一级信用户",
        amount=Decimal("10000"),
        granted_on=TODAY,
        valid_until=TODAY + dt.timedelta(days=365),
    )
    moved = [r[:] for r in rows if r[col("户编号")] == no]
    for r in moved:
        r[col("村代码")] = (
            world.sibling_village
        )  # the township cadre moves it to another village of the township
    moved.append(template_rows(world.sibling_village, 1, seed=10)[1][:])  # and a new member joins
    moved[-1][col("户编号")], moved[-1][col("与户主关系")] = no, "其他"
    batch = imported(world, xlsx, moved, role="township_cadre", name="moved.xlsx")
    assert batch.state == ImportBatch.State.IMPORTED, batch.problems
    hh.refresh_from_db()
    assert hh.village_id == world.sibling_village
    villages = set(Person.objects.filter(household=hh).values_list("village_code", flat=True))
    assert villages == {world.sibling_village}
    assert Person.objects.filter(household=hh).count() == len(moved)
    assert CreditLine.objects.get(household=hh).village_code == world.sibling_village
    # and the other household of the file stays where it was, with its members
    other = Household.objects.exclude(pk=hh.pk).get()
    assert set(Person.objects.filter(household=other).values_list("village_code", flat=True)) == {
        world.village
    }

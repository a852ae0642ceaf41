"""Ordering by whitelisted names only (issue 11): a known name sorts, anything else — SQL included
— is refused (400, the API's validation error) before a query is made."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "bad",
    ["id", "registry_no; DROP TABLE households_household", "-", "village_id", "(select 1)", "registry_no,id"],
)
def test_an_unknown_order_is_refused(world, bad):
    r = world.client("poverty_office").get("/api/v1/households", {"order": bad})
    assert r.status_code == 400 and r.json()["code"]
    assert world.client("poverty_office").get("/api/v1/applications", {"order": bad}).status_code == 400


def test_a_whitelisted_order_sorts(world, tmp_path):
    from fupin.households.importer import registry_import
    from tests.registry_files import TEMPLATE, template_rows, write_xlsx

    registry_import(
        acting_user=None,
        path=write_xlsx(tmp_path / "r.xlsx", TEMPLATE, template_rows(world.village, 6, seed=5)),
        file_name="r.xlsx",
    )
    c = world.client("poverty_office")
    up = [x["registry_no"] for x in c.get("/api/v1/households", {"order": "registry_no"}).json()["items"]]
    down = [x["registry_no"] for x in c.get("/api/v1/households", {"order": "-registry_no"}).json()["items"]]
    assert len(up) == 6 and up == sorted(up) and down == up[::-1]
    assert c.get("/api/v1/applications", {"order": "-amount"}).status_code == 200

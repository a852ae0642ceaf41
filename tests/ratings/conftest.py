from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from fupin.accounts.models import User
from fupin.accounts.services import role_assign, user_create
from fupin.households.importer import registry_import
from fupin.households.models import Household
from fupin.ratings import services
from fupin.ratings.models import Panel, Scorecard
from tests.registry_files import TEMPLATE, template_rows, write_xlsx

COUNTY = "529901000000"
# values of the 篇2 questionnaire that every member of a panel may give; with 2 labourers and a
# per-capita income of 3 000: 10 + 5 + 15 + 15 + 14 + 10 + 10 + 10 = 89 points → AA, 10 000 yuan
GOOD = {
    "truthful": "真实",
    "resident": "12",
    "ability": "强",
    "project": "好",
    "income": "3000",
    "labour": "2",
    "neighbours": "和睦",
    "reputation": "好",
}
# 10 + 3 + 8 + 8 + 14 + 10 + 5 + 5 = 63 points → B, 4 000 yuan
FAIR = {
    **GOOD,
    "resident": "5",
    "ability": "一般",
    "project": "一般",
    "neighbours": "一般",
    "reputation": "一般",
}


def values(base: dict, **changes) -> dict:
    return {**base, **changes}


@dataclass
class Ratings:
    world: object
    households: list[Household]  # three in the first village
    stranger_household: Household  # one in a sibling village
    members: list[User]  # five panel members of the first village: 3 representatives, 2 others
    panel: Panel
    p2: Scorecard

    def start(self, **kw):
        return services.round_start(
            acting_user=self.world.user("village_cadre"),
            village_code=self.world.village,
            panel=kw.pop("panel", self.panel),
            scorecard=kw.pop("scorecard", self.p2),
            year=2026,
            household_ids=kw.pop("households", [h.pk for h in self.households]),
            **kw,
        )


def panel_user(name: str, village: str, role: str = "village_cadre") -> User:
    u = user_create(acting_user=None, username=name, password="x", check_password=False)
    role_assign(acting_user=None, user=u, role=role, division_code=village)
    return User.objects.get(pk=u.pk)


@pytest.fixture
def rt(world, tmp_path) -> Ratings:
    used: set[str] = set()
    rows = template_rows(world.village, 3, seed=3, used=used) + template_rows(
        world.sibling_village, 1, seed=4, used=used
    )
    registry_import(
        acting_user=None, path=write_xlsx(tmp_path / "r.xlsx", TEMPLATE, rows), file_name="r.xlsx"
    )
    services.scorecard_install_presets(acting_user=world.user("poverty_office"), county_code=COUNTY)
    hhs = list(Household.objects.filter(village_id=world.village).order_by("pk"))
    for h in hhs:  # the facts GOOD assumes: two labourers, 3 000 per capita
        h.income_per_capita = Decimal(3000)
        h.save()
    members = [world.user("village_cadre")] + [panel_user(f"rep{i}", world.village) for i in range(3)]
    members.append(User.objects.get(pk=world.user("township_cadre").pk))
    seats = ["committee", "representative", "representative", "representative", "township"]
    panel = services.panel_create(
        acting_user=world.user("village_cadre"),
        village_code=world.village,
        name="评议小组",
        members=list(zip(members, seats, strict=True)),
    )
    return Ratings(
        world=world,
        households=hhs,
        stranger_household=Household.objects.get(village_id=world.sibling_village),
        members=members,
        panel=panel,
        p2=Scorecard.objects.get(division_id=COUNTY, code="p2", state=Scorecard.State.PUBLISHED),
    )

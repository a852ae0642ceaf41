from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from fupin.accounts.models import User
from fupin.demo import county
from fupin.divisions.services import divisions_bulk_create
from tests.registry_files import xlsx  # noqa: F401 — the fixture, for every test

# CI runs the same examples every time (a red CI must mean a regression); developers'
# runs explore new ones.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
hypothesis_settings.register_profile("dev", deadline=None, print_blob=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")

OTHER_COUNTY = "529902000000"
OTHER_TOWNSHIP = "529902001000"
OTHER_VILLAGE = "529902001001"


@dataclass
class World:
    """The demo county plus a neighbouring county that no demo user may see."""

    demo: county.DemoResult
    users: dict[str, User]

    @property
    def township(self) -> str:
        return self.demo.townships[0]

    @property
    def other_township(self) -> str:
        return self.demo.townships[1]

    @property
    def village(self) -> str:
        return self.demo.villages[0]

    @property
    def sibling_village(self) -> str:
        """Another village in the first township (out of a village cadre's scope)."""
        return next(v for v in self.demo.villages[1:] if v.startswith(self.township[:9]))

    @property
    def other_village(self) -> str:
        """A village of the second township (out of a township's and its branch's scope)."""
        return next(v for v in self.demo.villages if v.startswith(self.other_township[:9]))

    def user(self, role: str) -> User:
        username = next(u.username for u in self.demo.users if u.role == role)
        return self.users[username]

    def client(self, role: str | None) -> Client:
        c = Client()
        if role is not None:
            c.force_login(self.user(role))
        return c


@pytest.fixture
def world(db) -> World:
    demo = county.build(households=3000, seed=7, with_registry=False)
    divisions_bulk_create(
        acting_user=None,
        rows=[
            (OTHER_COUNTY, "邻县", "529900000000"),
            (OTHER_TOWNSHIP, "邻镇", OTHER_COUNTY),
            (OTHER_VILLAGE, "邻村", OTHER_TOWNSHIP),
        ],
    )
    users = {u.username: u for u in User.objects.all()}
    return World(demo=demo, users=users)


ROLES_UNDER_TEST = [
    "village_cadre",
    "township_cadre",
    "poverty_office",
    "finance_bureau",
    "loan_officer",
    "branch_director",
    "head_office",
    "auditor",
    "household",
    "sysadmin",
]


@pytest.fixture
def databases(tmp_path):
    """Throw-away databases for a system run in processes of its own (tests/databases.py)."""
    from tests.databases import Databases

    d = Databases(tmp_path)
    yield d
    d.drop()


@pytest.fixture(autouse=True)
def _webhook_subscriptions_read_afresh():
    """Each test reads the webhook subscriptions of its own database (a process keeps them for a
    minute: fupin.webhooks.outbox)."""
    from fupin.webhooks import outbox

    outbox.forget()
    yield
    outbox.forget()

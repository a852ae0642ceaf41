"""Run by tests/test_replica.py in processes of its own (``python -m tests.replica_script``):
``setup`` builds a small county; ``rename`` renames its county in this database only (the
primary moving on after the replica was copied); ``read`` prints, as JSON, the county's name as
the 附表3 page and API show it and as the division page (not a report) shows it."""

from __future__ import annotations

import json
import sys

import django

django.setup()

COUNTY = "529901000000"


def setup() -> None:
    from django.core.management import call_command

    from fupin.demo import county

    call_command("migrate", verbosity=0)
    county.build(households=120, seed=4, loan_book=False)


def rename() -> None:
    from fupin.divisions.models import Division

    Division.objects.filter(code=COUNTY).update(name="主库新县名")


def read() -> None:
    from django.test import Client
    from django.utils import timezone

    from fupin.accounts.models import User
    from fupin.accounts.services import token_issue

    office = User.objects.get(username="fupinban")
    c = Client()
    c.force_login(office)
    page = c.get(f"/reports/?table=fu3&division={COUNTY}").content.decode()
    _, secret = token_issue(acting_user=None, user=office, name="replica-test")
    month = timezone.localdate().strftime("%Y-%m")
    api = c.get(
        f"/api/v1/reports/tables/fu3?division={COUNTY}&period={month}", HTTP_AUTHORIZATION=f"Bearer {secret}"
    ).json()
    division = c.get(f"/api/v1/divisions/{COUNTY}", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    print(
        json.dumps(
            {"page_new": "主库新县名" in page, "api": api["division_name"], "division": division["name"]},
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    {"setup": setup, "rename": rename, "read": read}[sys.argv[1]]()

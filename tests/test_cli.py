"""The ``fupin`` console script and ``fupin demo``."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fupin.accounts.models import RoleAssignment, User
from fupin.accounts.roles import ROLES
from fupin.demo import county
from fupin.divisions.models import Branch, Division

FUPIN = str(Path(sys.executable).with_name("fupin"))


def run(*args, env=None):
    env = env or {**os.environ, "DJANGO_SETTINGS_MODULE": "fupin.settings"}
    return subprocess.run([FUPIN, *args], capture_output=True, text=True, timeout=120, env=env)


def test_help_lists_commands_with_chinese_and_english_lines():
    r = run("--help")
    assert r.returncode == 0, r.stderr
    lines = {line.split()[0]: line for line in r.stdout.splitlines() if line.startswith("  ")}
    for name in ["runserver", "migrate", "createsuperuser", "demo"]:
        assert name in lines
    for line in lines.values():
        assert " / " in line and any("\u4e00" <= ch <= "\u9fff" for ch in line), line


def test_passes_through_to_django():
    r = run("check")
    assert r.returncode == 0, r.stderr
    assert "no issues" in r.stdout


def test_demo_builds_every_role_and_is_deterministic(db):
    a = county.build(households=5000, seed=11)
    names_a = list(Division.objects.order_by("code").values_list("code", "name"))
    assert {u.role for u in a.users} == set(ROLES)
    assert RoleAssignment.objects.count() == len(ROLES)
    assert Branch.objects.count() == len(a.townships) + 1
    assert len(a.villages) == 20
    from fupin.households.models import Household, Person

    assert Household.objects.count() == 5000
    assert Person.objects.filter(is_head=True).count() == 5000
    assert Household.objects.filter(status__in=["poor", "low_income"]).count() > 2500  # DOMAIN §15: most
    Person.objects.all().delete()
    from fupin.households.models import HouseholdEvent

    HouseholdEvent.objects.all().delete()
    Household.objects.all().delete()
    User.objects.all().delete()
    Branch.objects.filter(parent__isnull=False).delete()
    Branch.objects.all().delete()
    for level in range(5, 0, -1):  # children before parents
        Division.objects.filter(level=level).delete()
    b = county.build(households=5000, seed=11)
    assert list(Division.objects.order_by("code").values_list("code", "name")) == names_a
    assert a.villages == b.villages


def test_demo_command_refuses_non_empty_database(world, capsys):
    with pytest.raises(CommandError):
        call_command("demo", households=10)
    call_command("demo", households=10, if_empty=True)
    assert "跳过" in capsys.readouterr().out


@pytest.mark.pgonly
def test_demo_100k_households_in_under_a_minute(db):
    """Issue 2: N = 100 000 in under one minute (a generous bound, the build takes seconds)."""
    start = time.perf_counter()
    result = county.build(households=100_000, seed=1)
    assert len(result.villages) == 400
    assert time.perf_counter() - start < 60

"""The ``fupin`` console script and ``fupin demo``."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from fupin.accounts.models import RoleAssignment
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


class _Undo(Exception):
    pass


def _fingerprint(households: int, seed: int) -> tuple:
    """Build the demo inside a savepoint, read what it made, and undo it."""
    from fupin.households.models import Household, Person
    from fupin.ratings.models import CreditLine, GradeChange, ScoreSheet

    out: tuple = ()
    try:
        with transaction.atomic():
            a = county.build(households=households, seed=seed)
            assert {u.role for u in a.users} == set(ROLES)
            assert RoleAssignment.objects.filter(user__username__in=county.DEMO_USERNAMES).count() == len(
                county.ACCOUNTS
            )
            assert Branch.objects.count() == len(a.townships) + 1
            assert Household.objects.count() == households
            assert Person.objects.filter(is_head=True).count() == households
            out = (
                a.villages,
                list(Division.objects.order_by("code").values_list("code", "name")),
                Household.objects.filter(status__in=["poor", "low_income"]).count(),
                list(
                    Household.objects.order_by("registry_no").values_list(
                        "registry_no", "status", "income_per_capita"
                    )
                ),
                list(
                    CreditLine.objects.order_by("household__registry_no").values_list(
                        "household__registry_no", "grade_code", "amount"
                    )
                ),
                ScoreSheet.objects.count(),
                list(
                    GradeChange.objects.exclude(event="rating")
                    .order_by("household__registry_no", "event")
                    .values_list("household__registry_no", "event", "after_grade")
                ),
            )
            raise _Undo
    except _Undo:
        pass
    return out


def test_demo_builds_every_role(db):
    """The demo's shape; that the same seed builds the same county — twice, and on PostgreSQL and
    SQLite alike — is tests/demo/test_deterministic.py."""
    n = 2000
    villages, _, poor, _, lines, sheets, changes = _fingerprint(n, 11)
    assert len(villages) == n // county.HOUSEHOLDS_PER_VILLAGE
    assert poor > n // 2  # DOMAIN §15: most households registered poor or low-income
    assert 0.55 < len(lines) / n < 0.75  # ≈ 2/3 rated (篇5)
    assert sheets >= 5 * len(lines) and changes


def test_demo_command_refuses_non_empty_database(world, capsys):
    with pytest.raises(CommandError):
        call_command("demo", households=10)
    call_command("demo", households=10, if_empty=True)
    assert "跳过" in capsys.readouterr().out


def test_a_schedule_beyond_the_calendar_is_a_chinese_error_not_a_traceback():
    """Issue 24 (6): ``fupin schedule --start 9999-06-01`` ran past year 9999 into a traceback."""
    r = run("schedule", "--product", "group", "--principal", "10000", "--start", "9999-06-01")
    assert r.returncode != 0
    assert "超出可用日期" in r.stderr and "Traceback" not in r.stderr, r.stderr
    ok = run("schedule", "--product", "group", "--principal", "10000", "--start", "2026-06-01", "--json")
    assert ok.returncode == 0, ok.stderr

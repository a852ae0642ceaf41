"""The ``fupin`` console script and ``fupin demo`` (the county it builds: tests/demo/)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

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

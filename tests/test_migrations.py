"""Migrations carry their data as literals; these tests hold what they install against the core's
presets, so the two never drift apart (a change of a preset needs a migration of its own)."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest

from fupin.core import subsidy
from fupin.core.ledger import CHART

pytestmark = pytest.mark.django_db

MIGRATIONS = sorted(Path(__file__).resolve().parents[1].glob("src/fupin/*/migrations/0*.py"))


def test_the_migrated_chart_is_the_cores_chart():
    from fupin.ledger.models import Account

    assert sorted(Account.objects.values_list("code", "name", "kind")) == sorted(
        (a.code, a.name, a.kind) for a in CHART
    )


def test_the_migrated_subsidy_presets_are_the_cores():
    from fupin.subsidies.models import Policy

    stored = {(p.code, p.version): p for p in Policy.objects.all()}
    for p in subsidy.PRESETS.values():
        row = stored[(p.code, p.version)]
        assert (
            row.kind,
            row.name,
            row.effective,
            row.products,
            row.cap,
            row.benchmark_only,
            row.max_days,
        ) == (p.kind, p.name, p.effective, list(p.products), p.cap, p.benchmark_only, p.max_days)
        assert row.to_domain() == p
    assert len(stored) == len(subsidy.PRESETS)


def test_no_migration_imports_live_code():
    """A migration that imports fupin replays today's code on yesterday's schema. (Django itself
    refers to a field's callable default by its models path: that one is allowed.)"""
    assert MIGRATIONS
    for path in MIGRATIONS:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("fupin"), f"{path.name} imports {node.module}"
            elif isinstance(node, ast.Import):
                assert all(
                    not a.name.startswith("fupin") or a.name.endswith(".models") for a in node.names
                ), path.name


def test_the_penalty_rate_of_the_servicing_migration_is_the_cores():
    from importlib import import_module

    from fupin.core.cob import penalty_rate

    migration = import_module("fupin.loans.migrations.0002_servicing")
    for rate in ("0.0435", "0.05", "0.061234567", "0"):
        assert migration._penalty_rate(Decimal(rate)) == penalty_rate(Decimal(rate), Decimal("0.5"))

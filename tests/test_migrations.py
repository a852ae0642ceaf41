"""Migrations carry their data as literals; these tests hold what they install against the core's
presets, so the two never drift apart (a change of a preset needs a migration of its own)."""

from __future__ import annotations

import ast
import datetime as dt
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

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


@pytest.mark.sqlite
def test_a_county_with_one_lender_finds_its_rows_and_books_that_lenders_after_the_upgrade(world):
    """Issue 25's migrations, run on rows made before the county had institutions (the institution
    left empty): where there is one institution, every application, loan, servicing row, subsidy
    batch, fund and bank entry becomes its — posted entries included, the one update the
    immutability trigger is set aside for — and the trigger guards them again afterwards."""
    from importlib import import_module

    from django.apps import apps
    from django.db import DatabaseError, connection, transaction

    from fupin.accounts.models import RoleAssignment
    from fupin.core.ledger import Posting as P
    from fupin.divisions.models import Branch, Institution
    from fupin.ledger.models import JournalEntry
    from fupin.ledger.services import entry_post

    # the county as it stood before: the credit union alone (the demo's banks, their offices and staff gone)
    banks = Branch.objects.exclude(institution__code="FM000")
    RoleAssignment.objects.filter(branch__in=banks).delete()
    banks.exclude(parent=None).delete()  # the offices before their head offices
    banks.delete()
    Institution.objects.exclude(code="FM000").delete()
    entry = entry_post(
        acting_user=None,
        date=dt.date(2026, 11, 1),
        memo="放款",
        division_code=world.village,
        postings=[P("1301", debit=100_000), P("1011", credit=100_000)],
    )
    coop = entry_post(
        acting_user=None,
        date=dt.date(2026, 11, 1),
        memo="互助金",
        division_code=world.village,
        postings=[P("1011", debit=100), P("2011", credit=100)],
        book="coop",
    )
    assert entry.institution_id is None
    # the migration's step on this database; of the schema editor it uses the connection and
    # execute(), which SQLite's editor will not offer inside the test's transaction
    editor = SimpleNamespace(connection=connection, execute=lambda sql: connection.cursor().execute(sql))
    import_module("fupin.ledger.migrations.0008_entry_institution").the_only_lender(apps, editor)
    union = Institution.objects.get(code="FM000")
    assert JournalEntry.objects.get(pk=entry.pk).institution_id == union.pk
    assert JournalEntry.objects.get(pk=coop.pk).institution_id is None  # a cooperative's own book
    with pytest.raises(DatabaseError), transaction.atomic():  # immutable again
        JournalEntry.objects.filter(pk=entry.pk).update(memo="改")

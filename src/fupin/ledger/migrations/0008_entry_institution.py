"""Each lending institution keeps its own books (issue 25): an entry names the institution it is
posted in. Where the county had one institution, every earlier bank entry was that institution's:
the one update ever made to posted entries, with the immutability trigger set aside for it."""

import django.db.models.deletion
from django.db import migrations, models


SQLITE_TRIGGER = (
    "CREATE TRIGGER ledger_journalentry_no_update BEFORE UPDATE ON ledger_journalentry "
    "BEGIN SELECT RAISE(ABORT, '已记账的分录不可修改或删除 / posted entries are immutable'); END;"
)


def the_only_lender(apps, schema_editor):
    Institution = apps.get_model("divisions", "Institution")
    JournalEntry = apps.get_model("ledger", "JournalEntry")
    lenders = list(Institution.objects.values_list("pk", flat=True)[:2])
    if len(lenders) != 1 or not JournalEntry.objects.filter(book="bank").exists():
        return
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # the new key checked at once, so that no check is pending when the trigger is set back
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("ALTER TABLE ledger_journalentry DISABLE TRIGGER ledger_entry_immutable")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS ledger_journalentry_no_update")
    JournalEntry.objects.filter(book="bank").update(institution_id=lenders[0])
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE ledger_journalentry ENABLE TRIGGER ledger_entry_immutable")
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [
        ("divisions", "0003_branch_institution_required"),
        ("ledger", "0007_off_balance"),
    ]

    operations = [
        migrations.AddField(
            model_name="journalentry",
            name="institution",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="divisions.institution",
                verbose_name="贷款机构",
            ),
        ),
        migrations.RunPython(the_only_lender, migrations.RunPython.noop),
    ]

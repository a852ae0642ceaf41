"""The account on the other side of a migrated loan book's opening balances (issue 25 (2)):
4101 存量贷款迁入过渡."""

from django.db import migrations


ACCOUNTS = (("4101", "存量贷款迁入过渡", "equity"),)  # as the chart stood then (code, name, kind)


def forward(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    Account.objects.bulk_create([Account(code=c, name=n, kind=k) for c, n, k in ACCOUNTS], ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0008_entry_institution")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

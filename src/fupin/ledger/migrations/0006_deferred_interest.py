"""Interest taken upfront is deferred income (issue 24 (7)): 2401 递延收益（预收利息）."""

from django.db import migrations

ACCOUNTS = (("2401", "递延收益（预收利息）", "liability"),)  # as the chart stood then (code, name, kind)


def forward(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    Account.objects.bulk_create([Account(code=c, name=n, kind=k) for c, n, k in ACCOUNTS], ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_provision_accounts")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

"""Accounts of loan-loss provisioning (issue 24 (12)): 1304 贷款损失准备, 6702 资产减值损失."""

from django.db import migrations

ACCOUNTS = (  # as the chart stood when this migration was written (code, name, kind)
    ("1304", "贷款损失准备", "asset"),
    ("6702", "资产减值损失", "expense"),
)


def forward(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    Account.objects.bulk_create([Account(code=c, name=n, kind=k) for c, n, k in ACCOUNTS], ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_coop_accounts")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

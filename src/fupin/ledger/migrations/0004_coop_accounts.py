"""Accounts of the cooperatives' own books (R-COOP-1): 1311 互助社社员借款, 4001 政府配套互助资金,
4002 社员入社互助金, 6021 资金占用费收入."""

from django.db import migrations


ACCOUNTS = (  # as the chart stood when this migration was written (code, name, kind)
    ("1311", "互助社社员借款", "asset"),
    ("4001", "政府配套互助资金", "equity"),
    ("4002", "社员入社互助金", "equity"),
    ("6021", "资金占用费收入", "income"),
)


def forward(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    Account.objects.bulk_create([Account(code=c, name=n, kind=k) for c, n, k in ACCOUNTS], ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_more_accounts")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

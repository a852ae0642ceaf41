"""Accounts for subsidies and the risk fund: 2261 应付农户贴息, 2262 应付风险分担方."""

from django.db import migrations


ACCOUNTS = (  # as the chart stood when this migration was written (code, name, kind)
    ("2261", "应付农户贴息", "liability"),
    ("2262", "应付风险分担方", "liability"),
)


def forward(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    Account.objects.bulk_create([Account(code=c, name=n, kind=k) for c, n, k in ACCOUNTS], ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_chart_and_guards")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

"""Accounts for subsidies and the risk fund: 2261 应付农户贴息, 2262 应付风险分担方."""

from django.db import migrations


def forward(apps, schema_editor):
    from fupin.core.ledger import CHART

    Account = apps.get_model("ledger", "Account")
    Account.objects.bulk_create([Account(code=a.code, name=a.name, kind=a.kind) for a in CHART], ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_chart_and_guards")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

"""Memorandum (表外) accounts for the interest of non-accrual loans (issue 24 (13)): 7011 表外应收未收利息
and its contra 7012, so that every entry still balances."""

from django.db import migrations, models

KINDS = [
    ("asset", "资产"),
    ("liability", "负债"),
    ("income", "收入"),
    ("expense", "支出"),
    ("equity", "所有者权益"),
    ("off_asset", "表外"),
    ("off_contra", "表外对应"),
]
ACCOUNTS = (  # as the chart stood when this migration was written (code, name, kind)
    ("7011", "表外应收未收利息", "off_asset"),
    ("7012", "表外应收未收利息对应", "off_contra"),
)


def forward(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    Account.objects.bulk_create([Account(code=c, name=n, kind=k) for c, n, k in ACCOUNTS], ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0006_deferred_interest")]
    operations = [
        migrations.AlterField(
            model_name="account",
            name="kind",
            field=models.CharField(choices=KINDS, max_length=12, verbose_name="类别"),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]

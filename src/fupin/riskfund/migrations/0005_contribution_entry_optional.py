"""A contribution to a fund held at a bank that keeps its own core system is in that bank's books, not
Fupin's ledger (issue 25 (3)): its entry is optional."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0009_migration_account'),
        ('riskfund', '0004_claim_lender'),
    ]

    operations = [
        migrations.AlterField(
            model_name='contribution',
            name='entry',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='ledger.journalentry'),
        ),
    ]

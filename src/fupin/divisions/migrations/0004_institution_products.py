"""The loan products each lending institution offers (issue 25); empty: every product."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('divisions', '0003_branch_institution_required'),
    ]

    operations = [
        migrations.AddField(
            model_name='institution',
            name='products',
            field=models.JSONField(blank=True, default=list, verbose_name='开办的贷款产品'),
        ),
    ]

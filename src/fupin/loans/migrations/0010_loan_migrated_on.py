"""The cut-over at which a loan was brought in from its lender's own books (issue 25 (2)); null for a
loan made in Fupin."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('loans', '0009_quota_per_institution'),
    ]

    operations = [
        migrations.AddField(
            model_name='loan',
            name='migrated_on',
            field=models.DateField(blank=True, null=True, verbose_name='存量迁入截至日'),
        ),
    ]

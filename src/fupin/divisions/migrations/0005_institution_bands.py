"""A lending institution's own approval authority by amount (issue 25; R-APP-3): empty, the county's
rules."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('divisions', '0004_institution_products'),
    ]

    operations = [
        migrations.AddField(
            model_name='institution',
            name='approval_bands',
            field=models.JSONField(blank=True, default=list, verbose_name='贷款审批权限'),
        ),
    ]

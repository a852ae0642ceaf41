"""A lending institution's own version of a product: the annual rate it lends at (issue 25); none,
the county's preset."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('divisions', '0005_institution_bands'),
    ]

    operations = [
        migrations.AddField(
            model_name='institution',
            name='product_rates',
            field=models.JSONField(blank=True, default=dict, verbose_name='本机构执行利率'),
        ),
    ]

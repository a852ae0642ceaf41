"""A subsidy claim is one institution's (issue 25); where the county had one, every earlier batch
was its."""

import django.db.models.deletion
from django.db import migrations, models


def the_only_lender(apps, schema_editor):
    lenders = list(apps.get_model("divisions", "Institution").objects.values_list("pk", flat=True)[:2])
    if len(lenders) == 1:
        apps.get_model("subsidies", "Batch").objects.update(institution_id=lenders[0])


class Migration(migrations.Migration):

    dependencies = [
        ('divisions', '0003_branch_institution_required'),
        ('subsidies', '0002_presets'),
    ]

    operations = [
        migrations.AddField(
            model_name='batch',
            name='institution',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='divisions.institution', verbose_name='贷款机构'),
        ),
        migrations.RunPython(the_only_lender, migrations.RunPython.noop),
    ]

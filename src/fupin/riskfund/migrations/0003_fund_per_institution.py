"""Risk-fund agreements per cooperating bank (issue 25): a county may keep a fund with each lender.
Where the county had one institution, its fund was under the agreement with that institution."""

import django.db.models.deletion
from django.db import migrations, models


def the_only_lender(apps, schema_editor):
    lenders = list(apps.get_model("divisions", "Institution").objects.values_list("pk", flat=True)[:2])
    if len(lenders) == 1:
        apps.get_model("riskfund", "Fund").objects.update(institution_id=lenders[0])


class Migration(migrations.Migration):

    dependencies = [
        ('divisions', '0003_branch_institution_required'),
        ('riskfund', '0002_claim_overdue_days'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='fund',
            options={'ordering': ['county_code', 'institution_id']},
        ),
        migrations.AddField(
            model_name='fund',
            name='institution',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='divisions.institution', verbose_name='贷款机构'),
        ),
        migrations.AlterField(
            model_name='fund',
            name='county_code',
            field=models.CharField(max_length=12, verbose_name='县区划代码'),
        ),
        migrations.AddConstraint(
            model_name='fund',
            constraint=models.UniqueConstraint(fields=('county_code', 'institution'), name='fund_once_a_bank'),
        ),
        migrations.AddConstraint(
            model_name='fund',
            constraint=models.UniqueConstraint(condition=models.Q(('institution', None)), fields=('county_code',), name='fund_once_for_all'),
        ),
        migrations.RunPython(the_only_lender, migrations.RunPython.noop),
    ]

"""A dashboard snapshot of one lending institution's figures, or of all (issue 25)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('divisions', '0003_branch_institution_required'),
        ('reports', '0001_initial'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='snapshot',
            name='snapshot_once',
        ),
        migrations.AddField(
            model_name='snapshot',
            name='institution',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='divisions.institution', verbose_name='贷款机构'),
        ),
        migrations.AddConstraint(
            model_name='snapshot',
            constraint=models.UniqueConstraint(fields=('division_code', 'period', 'closed', 'institution'), name='snapshot_once'),
        ),
        migrations.AddConstraint(
            model_name='snapshot',
            constraint=models.UniqueConstraint(condition=models.Q(('institution', None)), fields=('division_code', 'period', 'closed'), name='snapshot_once_for_all'),
        ),
    ]

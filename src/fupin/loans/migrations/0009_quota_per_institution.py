"""Quotas per lending institution and township (issue 25): a township's quota for one lender, or,
with no institution, for all of them together — as every quota set before was."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('divisions', '0003_branch_institution_required'),
        ('loans', '0008_servicing_institution'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='quota',
            name='quota_once_a_year',
        ),
        migrations.AddField(
            model_name='quota',
            name='institution',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='divisions.institution', verbose_name='贷款机构'),
        ),
        migrations.AddConstraint(
            model_name='quota',
            constraint=models.UniqueConstraint(fields=('township', 'year', 'institution'), name='quota_once_a_year'),
        ),
        migrations.AddConstraint(
            model_name='quota',
            constraint=models.UniqueConstraint(condition=models.Q(('institution', None)), fields=('township', 'year'), name='quota_once_for_all'),
        ),
    ]

"""Officer-pay rules per lending institution (issue 25); the versions set before stay the rules of
every lender without its own."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('divisions', '0003_branch_institution_required'),
        ('pay', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='payrules',
            name='institution',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='divisions.institution', verbose_name='贷款机构'),
        ),
        migrations.AlterField(
            model_name='payrules',
            name='valid_from',
            field=models.DateField(verbose_name='生效日期'),
        ),
        migrations.AddConstraint(
            model_name='payrules',
            constraint=models.UniqueConstraint(fields=('valid_from', 'institution'), name='pay_rules_once_a_day'),
        ),
        migrations.AddConstraint(
            model_name='payrules',
            constraint=models.UniqueConstraint(condition=models.Q(('institution', None)), fields=('valid_from',), name='pay_rules_once_for_all'),
        ),
    ]

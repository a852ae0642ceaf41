"""Visits to households (走访), taken on a phone with no signal and sent later (issue 27 (8))."""


import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('households', '0002_import_heartbeat'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Visit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('village_code', models.CharField(max_length=12, verbose_name='行政村代码')),
                ('visited_on', models.DateField(verbose_name='走访日期')),
                ('kind', models.CharField(choices=[('after_loan', '贷后回访'), ('verify', '入户核实'), ('arrears', '逾期催收'), ('policy', '政策宣传')], max_length=16, verbose_name='走访类型')),
                ('note', models.CharField(max_length=300, verbose_name='走访情况')),
                ('key', models.CharField(max_length=64, unique=True, verbose_name='幂等键')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='记录时间')),
                ('by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('household', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='households.household')),
            ],
            options={
                'ordering': ['-visited_on', '-id'],
                'indexes': [models.Index(fields=['household', 'visited_on'], name='visit_household_day')],
            },
        ),
    ]

"""Text messages (issue 26 (7)): the message log and the opt-outs."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('households', '0002_import_heartbeat'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='OptOut',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('phone_index', models.CharField(max_length=32, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('reason', models.CharField(blank=True, max_length=100)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('household', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='households.household')),
            ],
            options={
                'verbose_name': '短信退订',
                'verbose_name_plural': '短信退订',
            },
        ),
        migrations.CreateModel(
            name='Message',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=24, verbose_name='类别')),
                ('key', models.CharField(max_length=100, unique=True)),
                ('village_code', models.CharField(db_index=True, max_length=12)),
                ('name', models.CharField(max_length=64, verbose_name='收信人')),
                ('phone_cipher', models.BinaryField(blank=True, null=True)),
                ('phone_masked', models.CharField(blank=True, max_length=20, verbose_name='手机号')),
                ('params', models.JSONField(default=dict)),
                ('text', models.CharField(max_length=400, verbose_name='内容')),
                ('state', models.CharField(choices=[('queued', '待发送'), ('sent', '已发送'), ('failed', '发送失败'), ('opted_out', '已退订，未发送'), ('no_phone', '没有手机号，未发送')], default='queued', max_length=12)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('send_after', models.DateTimeField()),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('provider_ref', models.CharField(blank=True, max_length=64)),
                ('error', models.CharField(blank=True, max_length=200)),
                ('household', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='households.household')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '短信',
                'verbose_name_plural': '短信',
                'indexes': [models.Index(fields=['state', 'send_after'], name='sms_message_state_ca9b50_idx')],
            },
        ),
    ]

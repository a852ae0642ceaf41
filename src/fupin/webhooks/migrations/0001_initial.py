"""Webhooks (issue 26 (6)): subscriptions, the outbox and the delivery log."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('divisions', '0007_institution_own_core'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Outbox',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event', models.CharField(max_length=40)),
                ('key', models.CharField(max_length=100)),
                ('payload', models.JSONField()),
                ('state', models.CharField(choices=[('pending', '待发送'), ('delivered', '已送达'), ('failed', '多次失败，已放弃')], default='pending', max_length=12)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('next_attempt_at', models.DateTimeField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('delivered_at', models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.CreateModel(
            name='Attempt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField()),
                ('status', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('ms', models.PositiveIntegerField(default=0)),
                ('error', models.CharField(blank=True, max_length=200)),
                ('outbox', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tries', to='webhooks.outbox')),
            ],
            options={
                'ordering': ['-at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Subscription',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=64, verbose_name='名称')),
                ('url', models.URLField(max_length=500, verbose_name='接收地址')),
                ('secret', models.CharField(max_length=64, verbose_name='签名密钥')),
                ('events', models.JSONField(default=list, verbose_name='订阅的事件')),
                ('division_code', models.CharField(max_length=12, verbose_name='区划范围')),
                ('prefix', models.CharField(max_length=12)),
                ('active', models.BooleanField(default=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('institution', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='divisions.institution')),
            ],
            options={
                'verbose_name': '事件订阅',
                'verbose_name_plural': '事件订阅',
            },
        ),
        migrations.AddField(
            model_name='outbox',
            name='subscription',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='outbox', to='webhooks.subscription'),
        ),
        migrations.AddIndex(
            model_name='outbox',
            index=models.Index(fields=['state', 'next_attempt_at'], name='webhooks_ou_state_e76211_idx'),
        ),
        migrations.AddConstraint(
            model_name='outbox',
            constraint=models.UniqueConstraint(fields=('subscription', 'key'), name='outbox_event_once'),
        ),
    ]

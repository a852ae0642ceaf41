"""The banks' monthly data (issue 25 (3)): a month's 借据 file and repayments per institution."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('divisions', '0006_institution_rates'),
        ('households', '0002_import_heartbeat'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Feed',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(verbose_name='月份')),
                ('division_code', models.CharField(max_length=12, verbose_name='所在县')),
                ('version', models.PositiveIntegerField(default=1, verbose_name='版本')),
                ('loans_file', models.CharField(max_length=200, verbose_name='借据文件')),
                ('repayments_file', models.CharField(blank=True, max_length=200, verbose_name='还款文件')),
                ('digest', models.CharField(max_length=64, verbose_name='数据摘要')),
                ('imported_at', models.DateTimeField(auto_now=True, verbose_name='导入时间')),
                ('summary', models.JSONField(default=dict, verbose_name='汇总')),
                ('diff', models.JSONField(default=dict, verbose_name='本版改动')),
                ('imported_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('institution', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='divisions.institution', verbose_name='贷款机构')),
            ],
            options={
                'verbose_name': '银行月度数据',
                'ordering': ['-month', 'institution_id'],
            },
        ),
        migrations.CreateModel(
            name='FeedLoan',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('contract_no', models.CharField(max_length=40, verbose_name='借据号')),
                ('name', models.CharField(max_length=64, verbose_name='借款人姓名')),
                ('id_index', models.CharField(db_index=True, max_length=32, verbose_name='证件号码索引')),
                ('id_masked', models.CharField(max_length=18, verbose_name='身份证号')),
                ('village_code', models.CharField(blank=True, max_length=12, verbose_name='行政村')),
                ('product', models.CharField(blank=True, max_length=40, verbose_name='贷款品种')),
                ('start', models.DateField(verbose_name='发放日期')),
                ('maturity', models.DateField(verbose_name='到期日期')),
                ('amount', models.BigIntegerField(verbose_name='发放金额（分）')),
                ('rate', models.DecimalField(blank=True, decimal_places=4, max_digits=9, null=True, verbose_name='执行年利率（%）')),
                ('balance', models.BigIntegerField(verbose_name='贷款余额（分）')),
                ('overdue_principal', models.BigIntegerField(default=0, verbose_name='逾期本金（分）')),
                ('overdue_interest', models.BigIntegerField(default=0, verbose_name='欠息（分）')),
                ('status', models.CharField(choices=[('normal', '正常'), ('overdue', '逾期'), ('settled', '结清'), ('written_off', '核销')], max_length=12, verbose_name='贷款状态')),
                ('days_overdue', models.PositiveIntegerField(default=0, verbose_name='逾期天数')),
                ('feed', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='loans', to='feeds.feed')),
                ('household', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='households.household')),
            ],
            options={
                'ordering': ['feed_id', 'contract_no'],
            },
        ),
        migrations.CreateModel(
            name='FeedRepayment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('contract_no', models.CharField(max_length=40, verbose_name='借据号')),
                ('village_code', models.CharField(blank=True, max_length=12, verbose_name='行政村')),
                ('paid_on', models.DateField(verbose_name='还款日期')),
                ('principal', models.BigIntegerField(verbose_name='还款本金（分）')),
                ('interest', models.BigIntegerField(default=0, verbose_name='还款利息（分）')),
                ('penalty', models.BigIntegerField(default=0, verbose_name='罚息（分）')),
                ('feed', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='repayments', to='feeds.feed')),
            ],
            options={
                'ordering': ['feed_id', 'paid_on', 'id'],
            },
        ),
        migrations.AddConstraint(
            model_name='feed',
            constraint=models.UniqueConstraint(fields=('institution', 'month'), name='feed_month_unique'),
        ),
        migrations.AddConstraint(
            model_name='feedloan',
            constraint=models.UniqueConstraint(fields=('feed', 'contract_no'), name='feed_loan_unique'),
        ),
    ]

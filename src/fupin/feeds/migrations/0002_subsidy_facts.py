"""What a bank's files say for the interest subsidy (issue 25 (3)): a loan's purpose and the interest
paid since disbursement, and the subsidy deducted at a repayment."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('feeds', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='feedloan',
            name='interest_paid',
            field=models.BigIntegerField(blank=True, null=True, verbose_name='累计已还利息（分）'),
        ),
        migrations.AddField(
            model_name='feedloan',
            name='purpose',
            field=models.CharField(blank=True, max_length=20, verbose_name='贷款用途'),
        ),
        migrations.AddField(
            model_name='feedrepayment',
            name='subsidy',
            field=models.BigIntegerField(default=0, verbose_name='贴息扣减（分）'),
        ),
    ]

"""A subsidy line names its lender, contract number and the amount lent itself (issue 25 (3)): a loan
of a bank that keeps its own core system has no loan here. Earlier lines take them from their loan."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def from_the_loans(apps, schema_editor):
    loan = apps.get_model("loans", "Loan").objects.filter(pk=OuterRef("loan_id"))
    apps.get_model("subsidies", "Line").objects.update(
        institution_id=Subquery(loan.values("institution_id")[:1]),
        contract_no=Subquery(loan.values("contract_no")[:1]),
        lent=Subquery(loan.values("principal")[:1]),
    )


class Migration(migrations.Migration):

    dependencies = [
        ('divisions', '0006_institution_rates'),
        ('households', '0002_import_heartbeat'),
        ('loans', '0010_loan_migrated_on'),
        ('subsidies', '0003_batch_institution'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='line',
            options={'ordering': ['village_code', 'contract_no', 'seq']},
        ),
        migrations.AddField(
            model_name='line',
            name='contract_no',
            field=models.CharField(blank=True, max_length=40, verbose_name='合同编号'),
        ),
        migrations.AddField(
            model_name='line',
            name='institution',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='divisions.institution', verbose_name='贷款机构'),
        ),
        migrations.AddField(
            model_name='line',
            name='lent',
            field=models.BigIntegerField(default=0, verbose_name='贷款金额（分）'),
        ),
        migrations.AlterField(
            model_name='line',
            name='loan',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='subsidy_lines', to='loans.loan'),
        ),
        migrations.AddConstraint(
            model_name='line',
            constraint=models.UniqueConstraint(condition=models.Q(('loan__isnull', True)), fields=('policy', 'institution', 'contract_no', 'seq'), name='subsidy_bank_line_once'),
        ),
        migrations.RunPython(from_the_loans, migrations.RunPython.noop),
    ]

"""A fund claim names its lender and contract number itself (issue 25 (3)): a loan of a bank that
keeps its own core system has no loan here. Earlier claims take them from their loan."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def from_the_loans(apps, schema_editor):
    loan = apps.get_model("loans", "Loan").objects.filter(pk=OuterRef("loan_id"))
    apps.get_model("riskfund", "Claim").objects.update(
        institution_id=Subquery(loan.values("institution_id")[:1]),
        contract_no=Subquery(loan.values("contract_no")[:1]),
    )


class Migration(migrations.Migration):

    dependencies = [
        ('divisions', '0006_institution_rates'),
        ('loans', '0010_loan_migrated_on'),
        ('riskfund', '0003_fund_per_institution'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='claim',
            name='contract_no',
            field=models.CharField(blank=True, max_length=40, verbose_name='合同编号'),
        ),
        migrations.AddField(
            model_name='claim',
            name='institution',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='divisions.institution', verbose_name='贷款机构'),
        ),
        migrations.AlterField(
            model_name='claim',
            name='loan',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='fund_claims', to='loans.loan'),
        ),
        migrations.AddConstraint(
            model_name='claim',
            constraint=models.UniqueConstraint(condition=models.Q(models.Q(('state', 'rejected'), _negated=True), ('loan__isnull', True)), fields=('institution', 'contract_no'), name='one_live_claim_per_bank_loan'),
        ),
        migrations.RunPython(from_the_loans, migrations.RunPython.noop),
    ]

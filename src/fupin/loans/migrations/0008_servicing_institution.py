"""A loan's running state names its lender, as it names its village (issue 25)."""

import django.db.models.deletion
from django.db import migrations, models


def from_the_loan(apps, schema_editor):
    Servicing = apps.get_model("loans", "Servicing")
    Loan = apps.get_model("loans", "Loan")
    for institution in (
        Loan.objects.exclude(institution=None).values_list("institution", flat=True).distinct()
    ):
        Servicing.objects.filter(loan__institution=institution).update(institution=institution)


class Migration(migrations.Migration):
    dependencies = [
        ("divisions", "0003_branch_institution_required"),
        ("loans", "0007_institution"),
    ]

    operations = [
        migrations.AddField(
            model_name="servicing",
            name="institution",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="divisions.institution",
                verbose_name="贷款机构",
            ),
        ),
        migrations.RunPython(from_the_loan, migrations.RunPython.noop),
    ]

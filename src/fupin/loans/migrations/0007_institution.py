"""Applications and loans name their lender (issue 25). Where the county had one institution,
every earlier application and loan was that institution's."""

import django.db.models.deletion
from django.db import migrations, models


def the_only_lender(apps, schema_editor):
    Institution = apps.get_model("divisions", "Institution")
    lenders = list(Institution.objects.values_list("pk", flat=True)[:2])
    if len(lenders) == 1:
        for name in ("Application", "Loan"):
            apps.get_model("loans", name).objects.update(institution_id=lenders[0])


class Migration(migrations.Migration):
    dependencies = [
        ("divisions", "0003_branch_institution_required"),
        ("loans", "0006_guarantors"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
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
        migrations.AddField(
            model_name="loan",
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
        migrations.RunPython(the_only_lender, migrations.RunPython.noop),
    ]

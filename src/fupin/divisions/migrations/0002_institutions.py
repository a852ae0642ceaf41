"""Lending institutions (issue 25): each head office (a branch with no parent) becomes an
institution of its own, and every branch under it belongs to it."""

from django.db import migrations, models
import django.db.models.deletion


def institutions_from_head_offices(apps, schema_editor):
    Branch = apps.get_model("divisions", "Branch")
    Institution = apps.get_model("divisions", "Institution")
    for head in Branch.objects.filter(parent__isnull=True).order_by("code"):
        institution = Institution.objects.create(
            code=head.code, name=head.name, short_name=head.name[:16], county_id=head.county_id
        )
        tree, frontier = {head.pk}, {head.pk}
        while frontier:
            frontier = set(Branch.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - tree
            tree |= frontier
        Branch.objects.filter(pk__in=tree).update(institution=institution)


class Migration(migrations.Migration):
    dependencies = [("divisions", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="Institution",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=20, unique=True, verbose_name="机构代码")),
                ("name", models.CharField(max_length=64, verbose_name="机构名称")),
                ("short_name", models.CharField(max_length=16, verbose_name="简称")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("rural_credit", "农村信用社/农商银行"),
                            ("agricultural", "中国农业银行"),
                            ("postal", "中国邮政储蓄银行"),
                            ("village_bank", "村镇银行"),
                            ("other", "其他银行"),
                        ],
                        default="rural_credit",
                        max_length=16,
                        verbose_name="机构类型",
                    ),
                ),
                (
                    "county",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="institutions",
                        to="divisions.division",
                        verbose_name="所在县",
                    ),
                ),
            ],
            options={"verbose_name": "贷款机构", "verbose_name_plural": "贷款机构", "ordering": ["code"]},
        ),
        migrations.AddField(
            model_name="branch",
            name="institution",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="branches",
                to="divisions.institution",
                verbose_name="所属机构",
            ),
        ),
        migrations.RunPython(institutions_from_head_offices, migrations.RunPython.noop),
    ]

"""Every branch belongs to a lending institution (issue 25); apart from 0002 because PostgreSQL
alters no table with the foreign-key checks of 0002's updates still pending in its transaction."""

from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [("divisions", "0002_institutions")]

    operations = [
        migrations.AlterField(
            model_name="branch",
            name="institution",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="branches",
                to="divisions.institution",
                verbose_name="所属机构",
            ),
        ),
    ]

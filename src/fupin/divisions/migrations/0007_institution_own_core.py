"""Whether a lending institution books its loans in its own core system and sends monthly files
(issue 25 (3)); the institutions that have sent files are marked by the feeds' next migration."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('divisions', '0006_institution_rates'),
    ]

    operations = [
        migrations.AddField(
            model_name='institution',
            name='own_core',
            field=models.BooleanField(default=False, verbose_name='自有核心系统记账，按月报送借据'),
        ),
    ]

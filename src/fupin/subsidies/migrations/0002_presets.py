"""The preset subsidy policies S-RATE, S-HALF, S-CAPPED (DOMAIN §7) as programme data."""

from django.db import migrations


def forward(apps, schema_editor):
    from fupin.subsidies.services import presets_install

    presets_install(apps.get_model("subsidies", "Policy"))


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

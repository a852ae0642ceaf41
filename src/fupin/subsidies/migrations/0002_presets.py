"""The preset subsidy policies S-RATE, S-HALF, S-CAPPED (DOMAIN §7) as programme data."""

from decimal import Decimal

from django.db import migrations


def forward(apps, schema_editor):
    from fupin.core.subsidy import PRESETS

    Policy = apps.get_model("subsidies", "Policy")
    for p in PRESETS.values():
        Policy.objects.get_or_create(code=p.code, version=p.version, defaults=dict(
            kind=p.kind, name=p.name, effective=p.effective, products=list(p.products),
            rate=Decimal(p.rate.numerator) / Decimal(p.rate.denominator),
            share=Decimal(p.share.numerator) / Decimal(p.share.denominator),
            window_start=p.window[0] if p.window else None, window_end=p.window[1] if p.window else None,
            max_days=p.max_days, cap=p.cap, benchmark_only=p.benchmark_only, settle=[list(s) for s in p.settle],
            purposes=sorted(p.purposes), bars_next_year=p.bars_next_year))


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

"""The preset subsidy policies S-RATE, S-HALF, S-CAPPED (DOMAIN §7) as programme data, written out
as they stood when this migration was made (a later change of a preset is a migration of its own)."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

PURPOSES = ["crops", "ecommerce", "livestock", "processing", "pv", "small_business", "tourism", "transport"]
QUARTERS = [[3, 31], [6, 30], [9, 30], [12, 31]]
COMMON = {"rate": Decimal("0.050000"), "share": Decimal("0.500000"), "purposes": PURPOSES, "bars_next_year": True}
POLICIES = [
    {**COMMON, "code": "S-RATE", "version": "2005.1", "kind": "rate", "name": "2005—2006 年扶贫贴息贷款（按 5% 贴息率）",
     "effective": dt.date(2005, 1, 1), "products": ["annual"], "window_start": dt.date(2005, 1, 1),
     "window_end": dt.date(2006, 9, 30), "max_days": 365, "cap": None, "benchmark_only": False,
     "settle": [[6, 30], [12, 31]]},
    {**COMMON, "code": "S-HALF", "version": "2016.1", "kind": "half", "name": "按时还款贴息 50%（篇3）",
     "effective": dt.date(2016, 1, 1), "products": ["annual"], "window_start": None, "window_end": None,
     "max_days": None, "cap": None, "benchmark_only": False, "settle": QUARTERS},
    {**COMMON, "code": "S-CAPPED", "version": "2021.1", "kind": "capped",
     "name": "脱贫人口小额信贷贴息（5%，每户最高 3 000 元）", "effective": dt.date(2021, 1, 1), "products": ["subsidy"],
     "window_start": None, "window_end": None, "max_days": None, "cap": 300000, "benchmark_only": True,
     "settle": QUARTERS},
]


def forward(apps, schema_editor):
    Policy = apps.get_model("subsidies", "Policy")
    for p in POLICIES:
        fields = dict(p)
        Policy.objects.get_or_create(code=fields.pop("code"), version=fields.pop("version"), defaults=fields)


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

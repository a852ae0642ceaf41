"""Scorecard options stored as [[option, points], …] in their order of display: PostgreSQL's
jsonb keeps no order of an object's keys, so {option: points} came back shortest key first — the
rating sheets listed options out of order, and the demo (which scores by that order) rated
differently on PostgreSQL and SQLite. On PostgreSQL the order is already lost: options are put
best first (most points first, then by their text); SQLite kept it as written."""

from decimal import Decimal

from django.db import migrations


def forward(apps, schema_editor):
    Scorecard = apps.get_model("ratings", "Scorecard")
    order_lost = schema_editor.connection.vendor == "postgresql"
    for sc in Scorecard.objects.all():
        changed = False
        for item in (sc.definition or {}).get("items", []):
            options = item.get("options")
            if isinstance(options, dict):
                pairs = [[k, v] for k, v in options.items()]
                if order_lost:
                    pairs.sort(key=lambda p: (-Decimal(str(p[1])), str(p[0])))
                item["options"] = pairs
                changed = True
        if changed:
            sc.save(update_fields=["definition"])


class Migration(migrations.Migration):
    dependencies = [("ratings", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

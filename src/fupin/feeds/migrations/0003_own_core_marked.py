"""An institution that has sent monthly files and books no loan here keeps its own core system
(issue 25 (3)): marked so, as registration now asks."""

from django.db import migrations


def marked(apps, schema_editor):
    sent = set(apps.get_model("feeds", "Feed").objects.values_list("institution_id", flat=True))
    booked = set(apps.get_model("loans", "Loan").objects.values_list("institution_id", flat=True).distinct())
    apps.get_model("divisions", "Institution").objects.filter(pk__in=sent - booked).update(own_core=True)


class Migration(migrations.Migration):
    dependencies = [
        ("divisions", "0007_institution_own_core"),
        ("feeds", "0002_subsidy_facts"),
        ("loans", "0010_loan_migrated_on"),
    ]

    operations = [migrations.RunPython(marked, migrations.RunPython.noop)]

from django.db import migrations

# The defaults documented in the README ("Retencja"); the manager sets the club's own.
DEFAULTS = [
    ("participation", 10, "Dokumentacja uczestnika KIS (kategoria archiwalna wg JRWA operatora)"),
    ("application", 5, "Zgłoszenia nieprzyjęte (kategoria archiwalna wg JRWA operatora)"),
]


def create(apps, schema_editor):
    RetentionRule = apps.get_model("retention", "RetentionRule")
    for kind, years, basis in DEFAULTS:
        RetentionRule.objects.get_or_create(
            kind=kind, defaults={"years": years, "basis": basis, "archive_consent_required": True}
        )


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]

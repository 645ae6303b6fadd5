from django.db import migrations, models
from django.db.models import Max


def fill_signed_on(apps, schema_editor):
    """Every version already signed by everyone gets the date of its last signature (the date
    written on the paper or the day of signing in the app), not the day it was recorded."""
    DocumentRevision = apps.get_model("kis_site", "DocumentRevision")
    revisions = DocumentRevision.objects.filter(locked_at__isnull=False, signed_on__isnull=True)
    for revision in revisions.annotate(
        last=Max("signatures__signed_on", filter=models.Q(signatures__cleared_at__isnull=True))
    ).iterator():
        if revision.last is not None:
            DocumentRevision.objects.filter(pk=revision.pk).update(signed_on=revision.last)


class Migration(migrations.Migration):
    dependencies = [
        ("kis_site", "0004_revision_awaits_scan"),
    ]

    operations = [
        migrations.AddField(
            model_name="documentrevision",
            name="signed_on",
            field=models.DateField(blank=True, null=True, verbose_name="signed by everyone on"),
        ),
        migrations.AlterField(
            model_name="documentrevision",
            name="locked_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="last signature recorded"
            ),
        ),
        migrations.RunPython(fill_signed_on, migrations.RunPython.noop),
    ]

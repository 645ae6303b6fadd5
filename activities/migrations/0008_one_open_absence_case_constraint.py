from django.db import migrations, models


class Migration(migrations.Migration):
    """Apart from 0007, whose data migration must be committed first (PostgreSQL)."""

    dependencies = [
        ("activities", "0007_one_open_absence_case"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="absencecase",
            constraint=models.UniqueConstraint(
                condition=models.Q(("closed_on__isnull", True)),
                fields=("enrolment",),
                name="one_open_absence_case_per_enrolment",
            ),
        ),
    ]

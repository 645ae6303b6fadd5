from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Change reports, start pages and reporting; also the demo data that spans every app."""

    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from kis_site.access import register_participant_data
        from kis_site.vocabulary import Role, Section
        from participants.access import sphere_writers
        from reports import contributions
        from reports.models import ChangeReport, ChangeSphere, ExitAssessment, ReferrerLetter

        chief = {Role.CASE_MANAGER, Role.MANAGER}
        register_participant_data(
            ChangeReport, path="participant", writers=chief, audit_exclude=("version",)
        )
        # Each sphere's specialists describe the change in it (where they see its section).
        register_participant_data(
            ChangeSphere,
            path="report__participant",
            section_field="section",
            sections={"legal_notes": Section.LEGAL},
            writers=lambda part: sphere_writers(part.sphere),
            audit_exclude=("updated_at", "updated_by", "version", "section"),
        )
        register_participant_data(
            ExitAssessment, path="participant", writers=chief, audit_exclude=("version",)
        )
        # The ratings a letter passes on may include the health spheres: masked in audit diffs.
        register_participant_data(
            ReferrerLetter,
            path="participant",
            writers=chief,
            masked=("ratings",),
            audit_exclude=("version", "attendance"),
        )
        contributions.register()

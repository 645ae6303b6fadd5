from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    """The programme and its hours, sessions, rosters and attendance."""

    name = "activities"
    verbose_name = _("Activities")

    def ready(self):
        from activities import contributions, reference
        from activities.models import (
            AbsenceAction,
            AbsenceCase,
            AbsenceCaseEntry,
            Attendance,
            Consultation,
            Placement,
            PlacementHours,
            Programme,
            ProgrammeModule,
            PsuRates,
            RosterEntry,
            Session,
        )
        from kis_site.access import register_participant_data
        from kis_site.audit import register_audited

        post_migrate.connect(reference.ensure_default_programme, sender=self)
        post_migrate.connect(reference.ensure_psu_rates, sender=self)
        register_participant_data(RosterEntry, path="participant")
        register_participant_data(
            Attendance, path="participant", audit_exclude=("recorded_at", "recorded_by")
        )
        register_participant_data(AbsenceCase, path="participant")
        register_participant_data(Placement, path="participant")
        register_participant_data(PlacementHours, path="placement__participant")
        register_participant_data(
            Consultation, path="participant", section_field="section", audit_exclude=("section",)
        )
        register_participant_data(AbsenceAction, path="case__participant")
        register_participant_data(AbsenceCaseEntry, path="case__participant")
        for model in (Programme, ProgrammeModule, Session):
            register_audited(model)
        register_audited(PsuRates, exclude=("updated_at", "updated_by"))
        contributions.register()

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IpdConfig(AppConfig):
    """The Individual Action Plan (IPD): goals per sphere, actions, the participant's part."""

    name = "ipd"
    verbose_name = _("Individual action plans")

    def ready(self):
        from ipd import contributions, reference
        from ipd.models import ActionPlan, Goal, PlanAction
        from kis_site.access import register_participant_data
        from kis_site.vocabulary import Role
        from participants.access import sphere_writers

        post_migrate.connect(reference.ensure_default_catalogue, sender=self)
        # The case manager draws the plan up with the person; each sphere's specialists add
        # goals and actions in it (the sensitive ones only where they see those sections).
        chief = {Role.CASE_MANAGER, Role.MANAGER}
        bookkeeping = ("updated_at", "updated_by", "version", "section")
        register_participant_data(
            ActionPlan, path="participant", writers=chief, audit_exclude=("version",)
        )
        register_participant_data(
            Goal,
            path="plan__participant",
            section_field="section",
            writers=lambda goal: sphere_writers(goal.sphere),
            audit_exclude=bookkeeping,
        )
        register_participant_data(
            PlanAction,
            path="goal__plan__participant",
            section_field="section",
            masked=("title",),
            writers=lambda action: sphere_writers(action.goal.sphere),
            audit_exclude=bookkeeping,
        )
        contributions.register()

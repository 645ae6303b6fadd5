from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubjectAccessConfig(AppConfig):
    """The person's copy of their data (GDPR art. 15): prepared from every app's part, reviewed
    for other people's data, released by the manager as one ZIP."""

    name = "subject_access"
    verbose_name = _("Copies of a person's data (GDPR art. 15)")

    def ready(self):
        from kis_site.access import register_participant_data
        from subject_access import contributions
        from subject_access.models import AccessRequest

        # Who prepared and released it, and when, are the fields and the audit entries' actors.
        register_participant_data(AccessRequest, path="participant", audit_exclude=("reviewed",))
        contributions.register()

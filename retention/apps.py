from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    """Retention of the files and their anonymisation when every retention period has passed."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "retention"
    verbose_name = _("Retention and anonymisation")

    def ready(self):
        from kis_site.access import register_participant_data
        from kis_site.audit import register_audited
        from retention.models import (
            Anonymisation,
            DestructionRecord,
            ProjectRetention,
            RetentionRule,
        )

        register_participant_data(Anonymisation, path="participant")
        register_audited(RetentionRule)
        register_audited(ProjectRetention)
        register_audited(DestructionRecord)

        from retention import contributions

        contributions.register()

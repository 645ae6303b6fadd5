from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class KisSiteConfig(AppConfig):
    name = "kis_site"
    verbose_name = _("Club settings and staff")

    def ready(self):
        from django.contrib.auth import get_user_model

        import kis_site.checks  # noqa: F401 - registers the start-up checks
        from kis_site import reference
        from kis_site.audit import register_audited
        from kis_site.models import FundingSource, KisSettings, StaffMember, TwoFactorRolePolicy

        post_migrate.connect(reference.ensure_reference_data, sender=self)
        from auditlog.models import LogEntry
        from django.db.models.signals import pre_save

        from kis_site.audit import record_actor_roles

        pre_save.connect(record_actor_roles, sender=LogEntry, dispatch_uid="kis-actor-roles")
        from kis_site import contributions

        contributions.register()
        register_audited(KisSettings)
        register_audited(StaffMember)
        register_audited(FundingSource)
        # Who changed it and when are the entry's actor and time.
        register_audited(TwoFactorRolePolicy, exclude=("changed_by", "changed_at"))
        from kis_site import two_factor  # noqa: F401 - decides at each login whether a code is due

        register_audited(get_user_model(), exclude=("password", "last_login"), mask=())

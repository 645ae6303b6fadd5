from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners and the local network")

    def ready(self):
        from kis_site.audit import register_audited
        from partners import contributions
        from partners.models import (
            Agreement,
            ContactPerson,
            Institution,
            Meeting,
            MeetingTask,
            Service,
        )

        register_audited(Institution, exclude=("search_text",))
        register_audited(ContactPerson)
        register_audited(Agreement)
        register_audited(Service)
        register_audited(Meeting)
        register_audited(MeetingTask)
        contributions.register()

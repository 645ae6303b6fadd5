from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners and the local network")

    def ready(self):
        from kis_site.audit import register_audited
        from partners.models import ContactPerson, Institution

        register_audited(Institution, exclude=("search_text",))
        register_audited(ContactPerson)

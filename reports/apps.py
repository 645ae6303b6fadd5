from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Change reports, start pages and reporting; also the demo data that spans every app."""

    name = "reports"
    verbose_name = _("Reports")

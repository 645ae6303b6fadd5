from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiagnosisConfig(AppConfig):
    """The diagnostic report (five spheres, Holland RIASEC): built by the diagnosis issue."""

    name = "diagnosis"
    verbose_name = _("Diagnosis")

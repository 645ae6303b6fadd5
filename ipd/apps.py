from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IpdConfig(AppConfig):
    """The Individual Action Plan (IPD): built by the IPD issue."""

    name = "ipd"
    verbose_name = _("Individual action plans")

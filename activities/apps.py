from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    """Programme modules, sessions, attendance and placements: built by the activities issue."""

    name = "activities"
    verbose_name = _("Activities")

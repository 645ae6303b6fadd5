"""What several pages of the activities share: the breadcrumbs under the timetable and who
may plan."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _

from kis_site.access import Action, policy


def _crumbs(*items):
    return [(_("Timetable"), reverse("activities:week")), *items]


def _may_schedule(user) -> bool:
    return policy().can(user, Action.ENROL)


def _schedule_gate(user):
    if not _may_schedule(user):
        raise PermissionDenied

"""What the activities add to the shared pages: navigation and the trainers' roster scope."""

from django.utils.translation import gettext_lazy

from kis_site.access import Action, policy
from kis_site.registries import NavItem, RosterScope, nav_items, roster_scopes
from kis_site.roles import user_staff_id


def _rostered_with_me(user):
    """People on the rosters of the sessions the user leads (what a trainer may see)."""
    from activities.models import RosterEntry

    return RosterEntry.objects.filter(session__leader_id=user_staff_id(user)).values(
        "participant_id"
    )


def register():
    nav_items.register(
        NavItem(
            "timetable",
            gettext_lazy("Timetable"),
            "activities:week",
            lambda user: policy().can(user, Action.ATTENDANCE),
            25,
        )
    )
    roster_scopes.register(RosterScope("sessions", _rostered_with_me))

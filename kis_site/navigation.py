"""The menu: one explicit list, in the order it shows. Each item says who sees it by asking the
access policy (``kis_site.access``); its key marks it active on the pages of the URL namespace
(or the URL name) of the same name."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy, pgettext_lazy

from kis_site.access import Action, policy
from kis_site.roles import user_roles


@dataclass(frozen=True)
class NavItem:
    key: str
    title: str
    url_name: str
    visible: Callable[[Any], bool]


def _can(action: Action) -> Callable[[Any], bool]:
    return lambda user: policy().can(user, action)


MENU = [
    NavItem("home", gettext_lazy("Start"), "home", lambda user: True),
    NavItem("participants", gettext_lazy("Participants"), "participants:list", _can(Action.VIEW)),
    NavItem("recruitment", gettext_lazy("Recruitment"), "recruitment:list", _can(Action.RECRUIT)),
    NavItem("timetable", gettext_lazy("Timetable"), "activities:week", _can(Action.ATTENDANCE)),
    NavItem("cohorts", gettext_lazy("Cohorts"), "cohorts:list", _can(Action.VIEW)),
    NavItem("partners", gettext_lazy("Partners"), "partners:list", _can(Action.VIEW)),
    NavItem("reports", gettext_lazy("Reports"), "reports:outcomes", _can(Action.EXPORT)),
    NavItem(
        "club-documents",
        pgettext_lazy("navigation", "Club documents"),
        "club-documents",
        lambda user: bool(user_roles(user)),
    ),
    NavItem(
        "audit-log",
        pgettext_lazy("navigation", "Audit log"),
        "audit-log",
        _can(Action.VIEW_AUDIT),
    ),
    NavItem("admin", gettext_lazy("Administration"), "admin:index", lambda user: user.is_staff),
]

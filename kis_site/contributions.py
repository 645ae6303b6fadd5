"""What kis_site itself adds to the shared pages: club documents, documents missing a scan."""

from django.urls import reverse
from django.utils.translation import gettext_lazy, pgettext_lazy

from kis_site.access import Action, policy
from kis_site.registries import NavItem, TodoCount, TodoItem, nav_items, todo_items
from kis_site.roles import user_roles


def _missing_scans(user):
    if not policy().can(user, Action.SIGN):
        return None
    from kis_site.documents import count_documents_without_scan

    return TodoCount(
        count_documents_without_scan(user), reverse("documents:missing-scans"), "warning"
    )


def register():
    nav_items.register(
        NavItem(
            "club-documents",
            pgettext_lazy("navigation", "Club documents"),
            "club-documents",
            lambda user: bool(user_roles(user)),
            80,
        )
    )
    todo_items.register(
        TodoItem(
            "missing-scans", gettext_lazy("Signed documents without a scan"), _missing_scans, 60
        )
    )

"""What kis_site itself adds to the shared pages: club documents, documents missing a scan, and
for the manager and the administrator the changes of roles and the locked logins."""

from django.urls import reverse
from django.utils.translation import gettext_lazy

from kis_site.access import Action, policy
from kis_site.registries import (
    Panel,
    TodoCount,
    TodoItem,
    home_panels,
    todo_items,
)
from kis_site.vocabulary import Role


def _missing_scans(user):
    if not policy().can(user, Action.SIGN):
        return None
    from kis_site.documents import revisions_without_scan

    revisions = revisions_without_scan(user)  # counted with the other tiles, in one query
    return TodoCount(
        0 if revisions is None else revisions, reverse("documents:missing-scans"), "warning"
    )


def _role_changes(request, user):
    """The latest grants and revokes of roles: for whoever grants them (who gave whom what)."""
    from kis_site.accounts import grants_all_roles

    if not grants_all_roles(user):
        return None
    from django.contrib.auth import get_user_model

    from kis_site.audit import role_changes

    entries = list(role_changes(limit=10))
    people = get_user_model()._default_manager.in_bulk(
        [int(entry.object_pk) for entry in entries if entry.object_pk.isdigit()]
    )
    rows = []
    for entry in entries:
        data = entry.additional_data or {}
        role = Role.from_group_name(data.get("group", ""))
        person = people.get(int(entry.object_pk)) if entry.object_pk.isdigit() else None
        rows.append(
            {
                "when": entry.timestamp,
                "by": _person(entry.actor) if entry.actor else gettext_lazy("system"),
                "person": _person(person) if person else entry.object_repr,
                "role": role.group_name if role else data.get("group", ""),
                "granted": data.get("role_change") == "granted",
            }
        )
    return {"rows": rows}


def _locked_logins(request, user):
    """Accounts whose login is locked, for those who may unlock them (not their own)."""
    from kis_site.accounts import unlock_error, unlocks_logins

    if not unlocks_logins(user):
        return None
    from kis_site.lockout import locked_logins

    locks = locked_logins()
    if not locks:
        return None
    return {
        "locks": [
            {
                "lock": lock,
                "person": _person(lock.user),
                "unlock_url": (
                    None
                    if unlock_error(actor=user, target=lock.user)
                    else reverse("admin:auth_user_unlock", args=[lock.user.pk])
                ),
            }
            for lock in locks
        ],
        "next": request.get_full_path(),
    }


def _person(user) -> str:
    name = user.get_full_name()
    return f"{name} ({user.get_username()})" if name else user.get_username()


def register():
    home_panels.register(
        Panel(
            key="locked-logins",
            title=gettext_lazy("Locked logins"),
            template="kis_site/_locked_logins.html",
            context=_locked_logins,
        )
    )
    home_panels.register(
        Panel(
            key="role-changes",
            title=gettext_lazy("Changes of roles"),
            template="kis_site/_role_changes.html",
            context=_role_changes,
        )
    )
    todo_items.register(
        TodoItem(
            "missing-scans", gettext_lazy("Signed documents without a scan"), _missing_scans, 60
        )
    )

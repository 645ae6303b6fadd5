"""Separation of duties for accounts: who may grant which role to whom, set whose password, and
unlock whose login.

The technical administrator runs accounts (creates them, deactivates them, resets passwords of
accounts without access to case data, keeps staff records) but never grants or takes away a role
that reaches case data, and never any role of his own. Only the KIS manager grants and revokes
those roles. Nobody changes their own roles. Superuser status and single permissions are not
given through the web at all (the admin has no field for them).
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.utils.translation import gettext as _

from kis_site.roles import user_roles
from kis_site.vocabulary import Role

# Roles that do not reach participants' data: the technical administrator may grant them.
TECHNICAL_ROLES = frozenset({Role.ADMINISTRATOR})


def reaches_case_data(group: Group) -> bool:
    """Every group but a technical role's (an unknown group counts as reaching case data)."""
    return Role.from_group_name(group.name) not in TECHNICAL_ROLES


def grants_all_roles(actor) -> bool:
    return actor.is_superuser or Role.MANAGER in user_roles(actor)


def role_change_error(*, actor, target, granted, revoked) -> str | None:
    """Why ``actor`` may not grant ``granted`` and revoke ``revoked`` (groups) on ``target`` (None
    for an account being created), or None when the change is allowed."""
    changed = set(granted) | set(revoked)
    if not changed:
        return None
    if target is not None and target.pk is not None and target.pk == actor.pk:
        return _(
            "You cannot change your own roles. Another person who grants roles does it (the KIS "
            "manager)."
        )
    if grants_all_roles(actor):
        return None
    if Role.ADMINISTRATOR in user_roles(actor):
        forbidden = sorted(group.name for group in changed if reaches_case_data(group))
        if not forbidden:
            return None
        return _(
            "Only the KIS manager grants and revokes roles that give access to participants' "
            "data (%(roles)s). The administrator may grant or take away only the Administrator "
            "role."
        ) % {"roles": ", ".join(forbidden)}
    return _("You may not grant or revoke roles.")


def roles_help_text(*, actor, target) -> str:
    """What the roles field lets ``actor`` do on ``target``, said next to the field."""
    if target is not None and target.pk is not None and target.pk == actor.pk:
        return _("You cannot change your own roles.")
    if grants_all_roles(actor):
        return _("The roles decide what the person may see and do. Every change is recorded.")
    if Role.ADMINISTRATOR in user_roles(actor):
        return _(
            "The roles decide what the person may see and do. You may grant or take away only "
            "the Administrator role; the KIS manager grants the other roles."
        )
    return _("The roles decide what the person may see and do.")


def password_set_error(*, actor, target) -> str | None:
    """Why ``actor`` may not set ``target``'s password, or None.

    Whoever sets a password can log in with it: the technical administrator may not do it for an
    account that reaches case data (he would get that access). The manager does it for those.
    """
    if target.pk == actor.pk or grants_all_roles(actor):
        return None
    if Role.ADMINISTRATOR in user_roles(actor) and not any(
        reaches_case_data(group) for group in target.groups.all()
    ):
        return None
    return _(
        "Only the KIS manager sets the password of an account with a role that gives access to "
        "participants' data."
    )


def unlocks_logins(actor) -> bool:
    """The manager and the technical administrator unlock locked logins."""
    return actor.is_superuser or bool(user_roles(actor) & {Role.MANAGER, Role.ADMINISTRATOR})


def unlock_error(*, actor, target) -> str | None:
    """Why ``actor`` may not unlock ``target``'s login, or None: the manager and the technical
    administrator unlock accounts, nobody their own (the manager's is unlocked by the
    administrator)."""
    if target.pk == actor.pk:
        return _("You cannot unlock your own account; the administrator does it.")
    if unlocks_logins(actor):
        return None
    return _("Only the KIS manager and the administrator unlock logins.")

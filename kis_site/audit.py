"""The audit trail: who changed what (django-auditlog) and who read what (access events).

Changes are logged by django-auditlog for every registered model; the actor comes from its
middleware. Reads of a participant's file, PDFs and exports are access events, logged by
``kis_site.access.log_access`` (access decides what belongs to a participant).
PESEL and the contents of sensitive fields are masked whole: the entry says that the field
changed, never to what.
"""

from __future__ import annotations

from auditlog.models import LogEntry
from auditlog.registry import auditlog

MASK = "***"


def record_actor_roles(sender, instance, **kwargs) -> None:
    """Every entry keeps the roles its actor had at that moment (``additional_data["roles"]``):
    a person's copy of their data (GDPR art. 15) says by which role the file was read or
    changed, and a role given or taken later does not rewrite the past. Connected to the
    entry's pre_save in ``kis_site.apps`` (before the actor of a change is attached by
    auditlog's middleware, so it is looked up in the same context here)."""
    from auditlog.context import auditlog_value

    from kis_site.roles import user_roles
    from kis_site.vocabulary import Role

    actor = instance.actor
    if actor is None:
        try:
            actor = auditlog_value.get().get("actor")
        except LookupError:
            actor = None
    if actor is None or not getattr(actor, "is_authenticated", False):
        return
    data = instance.additional_data if isinstance(instance.additional_data, dict) else {}
    if "roles" not in data:
        held = user_roles(actor)
        instance.additional_data = {**data, "roles": [r.value for r in Role if r in held]}


def mask_value(value) -> str:
    """AUDITLOG_MASK_CALLABLE: hide the whole value (the default hides only half)."""
    return MASK if value not in (None, "", "None") else ""


def register_audited(model, *, mask=(), exclude=()) -> None:
    """Register ``model`` with django-auditlog, masking ``mask`` and skipping ``exclude``."""
    if auditlog.contains(model):
        auditlog.unregister(model)
    # Reverse relations are not data of the record (and would only add noise to create entries).
    reverse = [f.name for f in model._meta.get_fields() if f.auto_created and not f.concrete]
    auditlog.register(
        model,
        mask_fields=list(mask),
        exclude_fields=["version", *exclude, *reverse],
        serialize_data=False,
    )


def log_bulk_change(*, user, instance, what: str, count: int, participant_id=None) -> LogEntry:
    """Record a bulk write (bulk_create / update) that django-auditlog does not see."""
    data = {"bulk": what, "count": count}
    if participant_id is not None:
        data["participant_id"] = participant_id
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        actor=user if getattr(user, "is_authenticated", False) else None,
        changes={"bulk": [what, str(count)]},
        additional_data=data,
    )


def log_role_change(*, by, user, group, granted: bool) -> LogEntry:
    """Record that ``by`` granted (or revoked) the role of ``group`` to ``user``."""
    from kis_site.vocabulary import Role

    role = Role.from_group_name(group.name)
    return LogEntry.objects.log_create(
        user,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        actor=by if getattr(by, "is_authenticated", False) else None,
        changes={
            "groups": {
                "type": "m2m",
                "operation": "add" if granted else "delete",
                "objects": [group.name],
            }
        },
        additional_data={
            "role_change": "granted" if granted else "revoked",
            "role": role.value if role else "",
            "group": group.name,
        },
    )


def role_changes(*, limit: int = 10):
    """The latest grants and revokes of roles, newest first (with their actors)."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType

    return (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(get_user_model()),
            additional_data__has_key="role_change",
        )
        .select_related("actor")
        .order_by("-timestamp")[:limit]
    )


def log_unlock(*, by, user, addresses) -> LogEntry:
    """Record that ``by`` unlocked the login of ``user`` (locked from ``addresses``)."""
    return LogEntry.objects.log_create(
        user,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        actor=by if getattr(by, "is_authenticated", False) else None,
        changes={"login": ["locked", "unlocked"]},
        additional_data={"unlocked": user.get_username(), "addresses": sorted(addresses)},
    )


def log_two_factor(*, by, user, before: str, after: str, event: str) -> LogEntry:
    """Record a change of ``user``'s two-factor login (``event``: "enrolled", "recovery_codes",
    "reset"), done by ``by`` (the person themselves, or the manager or administrator who reset
    it). ``before`` and ``after`` are the states shown in the audit log."""
    return LogEntry.objects.log_create(
        user,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        actor=by if getattr(by, "is_authenticated", False) else None,
        changes={"two_factor": [before, after]},
        additional_data={"two_factor": event, "username": user.get_username()},
    )

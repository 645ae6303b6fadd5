"""Roles of the logged-in person, and what each role may do in the admin."""

from __future__ import annotations

from kis_site.vocabulary import Role


def _load_identity(user) -> None:
    """Roles and staff record of ``user`` in one query, kept on the user object."""
    from django.contrib.auth import get_user_model

    rows = list(
        get_user_model().objects.filter(pk=user.pk).values_list("groups__name", "staff__id")
    )
    user._kis_roles = frozenset(
        role for name, _staff in rows if name and (role := Role.from_group_name(name))
    )
    user._kis_staff_id = rows[0][1] if rows else None


def user_roles(user) -> frozenset[Role]:
    """The roles of ``user`` (their groups), computed once per request object."""
    if user is None or not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_kis_roles"):
        _load_identity(user)
    return user._kis_roles


def user_staff_id(user) -> int | None:
    """The id of the user's staff record (StaffMember), once per request object."""
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(user, "_kis_staff_id"):
        _load_identity(user)
    return user._kis_staff_id


def role_labels(user) -> list[str]:
    return [str(role.label) for role in Role if role in user_roles(user)]


_REFERENCE = ("view", "add", "change")
# Admin permissions per role ("app_label.codename"). Participant records are view-only in the admin.
ADMIN_PERMISSIONS: dict[Role, list[str]] = {
    Role.MANAGER: [
        "kis_site.view_kissettings",
        "kis_site.change_kissettings",
        *[f"kis_site.{verb}_staffmember" for verb in _REFERENCE],
        *[f"kis_site.{verb}_fundingsource" for verb in (*_REFERENCE, "delete")],
        *[f"auth.{verb}_user" for verb in _REFERENCE],
        "auth.view_group",
        "kis_site.view_rolegroup",
        *[f"partners.{verb}_institution" for verb in _REFERENCE],
        *[f"partners.{verb}_contactperson" for verb in (*_REFERENCE, "delete")],
        "partners.delete_institution",
        *[f"partners.{verb}_service" for verb in _REFERENCE],
        "partners.view_agreement",
        *[f"participants.{verb}_cohort" for verb in _REFERENCE],
        "participants.view_participant",
        "participants.view_familymember",
        "participants.view_application",
        "participants.view_enrolment",
        "participants.view_enrolmentstatuschange",
        "participants.view_followup",
        "participants.view_casenote",
        "participants.view_socialcontract",
        "participants.view_certificate",
        "diagnosis.view_diagnosticreport",
        *[f"activities.{verb}_programmetemplate" for verb in _REFERENCE],
        *[f"activities.{verb}_templatemodule" for verb in (*_REFERENCE, "delete")],
        *[f"activities.{verb}_psurates" for verb in _REFERENCE],
        *[f"kis_site.{verb}_clubdocument" for verb in _REFERENCE],
        *[f"ipd.{verb}_catalogueentry" for verb in (*_REFERENCE, "delete")],
        "ipd.view_actionplan",
        "auditlog.view_logentry",
        *[f"retention.{verb}_retentionrule" for verb in _REFERENCE],
        *[f"retention.{verb}_projectretention" for verb in _REFERENCE],
    ],
    Role.ADMINISTRATOR: [
        "kis_site.view_kissettings",
        *[f"kis_site.{verb}_staffmember" for verb in _REFERENCE],
        *[f"auth.{verb}_user" for verb in _REFERENCE],
        "auth.view_group",
        "kis_site.view_rolegroup",
    ],
}

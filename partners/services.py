"""Writes about the network: institutions' warnings, agreements, services, meetings and tasks."""

from difflib import SequenceMatcher

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kis_site.documents import document_changed, document_created, ensure_editable
from kis_site.locking import save_versioned
from kis_site.search import normalise
from partners.models import (
    Agreement,
    Institution,
    Meeting,
    MeetingTask,
    Service,
    ServiceSphere,
    TaskStatus,
)

SIMILAR_NAMES = 0.88


def institution_warnings(institution: Institution) -> list[str]:
    """What deserves a second look before saving: the same NIP or a very similar name."""
    warnings = []
    others = Institution.objects.exclude(pk=institution.pk)
    if institution.nip:
        same = list(others.filter(nip=institution.nip).values_list("name", flat=True)[:3])
        if same:
            warnings.append(
                _(
                    "The same NIP is already used by: %(names)s. Departments of one body share a "
                    "NIP; make sure this is not the same institution twice."
                )
                % {"names": "; ".join(same)}
            )
    name = normalise(institution.name)
    if name:
        similar = [
            other.name
            for other in others.only("name", "search_text")
            if SequenceMatcher(None, name, normalise(other.name)).ratio() >= SIMILAR_NAMES
        ][:3]
        if similar:
            warnings.append(
                _("A similar institution is already in the directory: %(names)s.")
                % {"names": "; ".join(similar)}
            )
    return warnings


def institution_archive(*, institution: Institution, archived: bool) -> Institution:
    institution.is_archived = archived
    institution.save(update_fields=["is_archived", "version"])
    return institution


def ensure_active_institution(institution: Institution | None, field: str = "institution"):
    if institution is not None and institution.is_archived:
        raise ValidationError(
            {
                field: _("%(name)s is archived: choose an institution the KIS works with now.")
                % {"name": institution.name}
            }
        )


def service_set_spheres(*, service: Service, spheres) -> None:
    wanted = set(spheres)
    ServiceSphere.objects.filter(service=service).exclude(sphere__in=wanted).delete()
    existing = set(service.sphere_rows.values_list("sphere", flat=True))
    ServiceSphere.objects.bulk_create(
        [ServiceSphere(service=service, sphere=sphere) for sphere in wanted - existing]
    )


def _check_agreement(agreement: Agreement) -> None:
    ensure_active_institution(agreement.institution)
    if agreement.valid_until and agreement.valid_until < agreement.valid_from:
        raise ValidationError({"valid_until": _("The agreement cannot end before it starts.")})
    if agreement.concluded_on and agreement.concluded_on > timezone.localdate():
        raise ValidationError({"concluded_on": _("The date cannot be in the future.")})


def agreement_create(*, agreement: Agreement, by) -> Agreement:
    _check_agreement(agreement)
    with transaction.atomic():
        agreement.full_clean()
        agreement.save()
        document_created(document=agreement, by=by)
    return agreement


def agreement_update(*, agreement: Agreement, expected_version: int | None, by) -> Agreement:
    ensure_editable(agreement)
    _check_agreement(agreement)
    with transaction.atomic():
        save_versioned(agreement, expected_version=expected_version)
        document_changed(document=agreement, by=by)
    return agreement


def meeting_save(*, meeting: Meeting, expected_version: int | None, relations: dict) -> Meeting:
    """Save a meeting with who was there (institutions, their people, KIS staff)."""
    with transaction.atomic():
        save_versioned(meeting, expected_version=expected_version)
        for name, values in relations.items():
            getattr(meeting, name).set(values)
    return meeting


def task_save(*, task: MeetingTask, expected_version: int | None) -> MeetingTask:
    errors = {}
    if task.owner_staff_id and task.owner_contact_id:
        errors["owner_contact"] = _("Give one owner: a staff member or a contact person.")
    if task.status == TaskStatus.DONE and not task.done_on:
        task.done_on = timezone.localdate()
    if task.status != TaskStatus.DONE:
        task.done_on = None
    if errors:
        raise ValidationError(errors)
    return save_versioned(task, expected_version=expected_version)

"""Writes of the diagnosis: start a report, save a sphere, the tools, the Holland result."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from diagnosis.models import (
    SPHERE_MODELS,
    DiagnosisKind,
    DiagnosticReport,
    HollandResult,
    IncomeSource,
    Job,
    ToolUse,
)
from kis_site.documents import document_changed, document_created, ensure_editable
from kis_site.locking import save_versioned
from participants.models import Enrolment


def report_start(*, enrolment: Enrolment, kind: str, started_on, by) -> DiagnosticReport:
    """Open a diagnosis with its five (empty) spheres."""
    errors = {}
    if started_on and enrolment.ended_on and started_on > enrolment.ended_on:
        # A closed participation may still get the diagnosis made on paper while it ran.
        errors["started_on"] = _("The participation ended before this date.")
    if started_on and started_on > timezone.localdate():
        errors["started_on"] = _("The date cannot be in the future.")
    if started_on and started_on < enrolment.starts_on - timedelta(days=60):
        errors["started_on"] = _("The date is long before the participation started.")
    if (
        kind == DiagnosisKind.FINAL
        and not enrolment.diagnoses.filter(kind=DiagnosisKind.INITIAL).exists()
    ):
        errors["kind"] = _("Make the initial diagnosis first: the final one is compared with it.")
    if kind != DiagnosisKind.OTHER and enrolment.diagnoses.filter(kind=kind).exists():
        errors["kind"] = (
            _("This participation already has an initial diagnosis.")
            if kind == DiagnosisKind.INITIAL
            else _("This participation already has a final diagnosis.")
        )
    if errors:
        raise ValidationError(errors)
    report = DiagnosticReport(
        participant=enrolment.participant,
        enrolment=enrolment,
        kind=kind,
        started_on=started_on,
        created_by=by,
    )
    try:
        with transaction.atomic():
            report.full_clean()
            report.save()
            for model in SPHERE_MODELS.values():
                model.objects.create(report=report)
            document_created(document=report, by=by)
    except IntegrityError as error:
        raise ValidationError(
            {"kind": _("This participation already has such a diagnosis.")}
        ) from error
    return report


def _changed(report, by):
    ensure_editable(report)
    document_changed(document=report, by=by)


def sphere_save(*, part, expected_version: int | None, by, incomes=None, jobs=None):
    """Save one sphere (its own version: the other spheres are not touched)."""
    report = part.report
    ensure_editable(report)
    with transaction.atomic():
        part.updated_at = timezone.now()
        part.updated_by = by
        save_versioned(part, expected_version=expected_version)
        if incomes is not None:
            _replace_rows(part.incomes, IncomeSource, incomes, sphere=part)
        if jobs is not None:
            _replace_rows(part.jobs, Job, jobs, sphere=part)
        document_changed(document=report, by=by)
    return part


def _replace_rows(manager, model, rows, **parent):
    """Rows no longer on the form are marked removed (kept for the record), new ones added."""
    manager.filter(removed=False).update(removed=True)
    for row in rows:
        item = model(**parent, **row)
        item.full_clean()
        item.save()


def recommendations_save(*, report: DiagnosticReport, expected_version: int | None, by):
    with transaction.atomic():
        _changed(report, by)
        save_versioned(report, expected_version=expected_version)
    return report


def tool_add(*, tool: ToolUse, by) -> ToolUse:
    with transaction.atomic():
        _changed(tool.report, by)
        tool.full_clean()
        tool.save()
    return tool


def tool_remove(*, tool: ToolUse, by) -> ToolUse:
    with transaction.atomic():
        _changed(tool.report, by)
        tool.removed = True
        tool.save()
    return tool


def holland_save(*, result: HollandResult, expected_version: int | None, by) -> HollandResult:
    with transaction.atomic():
        _changed(result.report, by)
        save_versioned(result, expected_version=expected_version)
    return result

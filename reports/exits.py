"""The exit assessment: which reintegration effects the participant achieved, recorded by the case
manager at the exit with the evidence beside it (the ratings from the initial to the final
diagnosis, the effects the change reports saw)."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kis_site.locking import save_versioned
from kis_site.models import DocumentState
from kis_site.vocabulary import Sphere
from participants.models import Enrolment, EnrolmentStatus
from reports.models import ChangeReport, Effect, ExitAssessment
from reports.selectors import trajectory


def reported_effects(enrolment: Enrolment) -> dict[str, int]:
    """How many signed change reports of the participation saw each effect."""
    counts: dict[str, int] = {}
    for effects in ChangeReport.objects.filter(
        enrolment=enrolment, state=DocumentState.LOCKED
    ).values_list("effects", flat=True):
        for key in effects or ():
            counts[key] = counts.get(key, 0) + 1
    return counts


def exit_evidence(enrolment: Enrolment, sections) -> dict:
    """The ratings per sphere the user may see: initial diagnosis → final diagnosis (or the last
    change report when there is no final diagnosis), and what the change reports saw."""
    points, spheres = trajectory([enrolment.pk], sections)
    rows = []
    first = points[0] if points and points[0].rank == 0 else None
    last = points[-1] if points and points[-1] is not first else None
    for sphere in spheres:
        start = first.ratings.get(sphere) if first else None
        end = last.ratings.get(sphere) if last else None
        rows.append(
            {
                "sphere": sphere,
                "label": Sphere(sphere).label,
                "first": start,
                "last": end,
                "change": end - start if start is not None and end is not None else None,
            }
        )
    labels = dict(Effect.choices)
    return {
        "rows": rows,
        "first": first,
        "last": last,
        "points": points,
        "spheres": spheres,
        "reported": [
            (labels[key], count)
            for key, count in reported_effects(enrolment).items()
            if key in labels
        ],
    }


def assessment_for(enrolment: Enrolment, by) -> ExitAssessment:
    """The recorded assessment, or a new one pre-filled with the effects the signed change
    reports saw."""
    assessment = ExitAssessment.objects.filter(enrolment=enrolment).first()
    if assessment is None:
        reported = reported_effects(enrolment)
        assessment = ExitAssessment(
            participant=enrolment.participant,
            enrolment=enrolment,
            effects=[effect for effect in Effect.values if effect in reported],
            assessed_on=timezone.localdate(),
            assessed_by=by,
        )
    return assessment


def assessment_save(*, assessment: ExitAssessment, expected_version: int | None, by):
    enrolment = assessment.enrolment
    if enrolment.status not in EnrolmentStatus.closed():
        raise ValidationError(
            _("The effects are assessed at the exit: end the participation first.")
        )
    if assessment.assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": _("The date cannot be in the future.")})
    if assessment.assessed_on < enrolment.starts_on:
        raise ValidationError(
            {"assessed_on": _("The date cannot be before the participation began.")}
        )
    assessment.effects = [effect for effect in Effect.values if effect in assessment.effects]
    assessment.assessed_by = by
    with transaction.atomic():
        save_versioned(assessment, expected_version=expected_version)
    return assessment


# Exits older than this are not asked for any more (the records before the KIS used the app).
ASSESS_WINDOW_DAYS = 365


def exits_to_assess(participants, today=None):
    """Ended participations of ``participants`` (within a year) without the assessment."""
    from participants.access import records_of

    today = today or timezone.localdate()
    return (
        Enrolment.objects.filter(
            records_of(participants),
            status__in=EnrolmentStatus.closed(),
            ended_on__gte=today - timedelta(days=ASSESS_WINDOW_DAYS),
            exit_assessment__isnull=True,
        )
        .select_related("participant", "participant__case_manager", "cohort")
        .order_by("ended_on", "pk")
    )

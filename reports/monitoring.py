"""Nobody drops out of monitoring: every open participation, counted from its enrolment date,
is flagged when it still lacks what the cycle needs by then — a signed initial diagnosis after the
KIS's N days, a signed individual action plan after M days, and (for someone enrolled outside any
group) a programme. One rule, used by the list and the start-page tile alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from activities.models import Programme
from diagnosis.models import DiagnosisKind, DiagnosticReport
from ipd.models import ActionPlan
from kis_site.models import DocumentState, KisSettings
from participants.models import Enrolment, EnrolmentStatus

NO_DIAGNOSIS = "diagnosis"
NO_PLAN = "plan"
NO_PROGRAMME = "programme"
LABELS = {
    NO_DIAGNOSIS: _("no signed initial diagnosis"),
    NO_PLAN: _("no signed individual action plan"),
    NO_PROGRAMME: _("no programme (enrolled individually)"),
}


# Signed once at least: locked now, or a later version of a signed one.
SIGNED = Q(state=DocumentState.LOCKED) | Q(revision__gt=1)


@dataclass
class Gap:
    enrolment: Enrolment
    days: int  # since the enrolment began
    missing: list[str] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return [str(LABELS[key]) for key in self.missing]


def gaps_queryset(participants, today: date):
    """Open participations of ``participants`` missing something they should have by ``today``."""
    settings = KisSettings.load()
    diagnosis_by = today - timedelta(days=settings.diagnosis_due_days)
    plan_by = today - timedelta(days=settings.plan_due_days)
    diagnosed = DiagnosticReport.objects.filter(
        SIGNED, enrolment=OuterRef("pk"), kind=DiagnosisKind.INITIAL
    )
    planned = ActionPlan.objects.filter(SIGNED, enrolment=OuterRef("pk"))
    programme = Programme.objects.filter(enrolment=OuterRef("pk"))
    return (
        (
            Enrolment.objects.filter(
                participant__in=participants,
                status__in=[EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED],
                starts_on__lte=max(diagnosis_by, plan_by),
            )
            .annotate(
                diagnosed=Exists(diagnosed),
                planned=Exists(planned),
                has_programme=Exists(programme),
            )
            .filter(
                Q(starts_on__lte=diagnosis_by, diagnosed=False)
                | Q(starts_on__lte=plan_by, planned=False)
                | Q(starts_on__lte=diagnosis_by, cohort__isnull=True, has_programme=False)
            )
        ),
        diagnosis_by,
        plan_by,
    )


def monitoring_gaps(participants, today: date) -> list[Gap]:
    queryset, diagnosis_by, plan_by = gaps_queryset(participants, today)
    gaps = []
    for enrolment in queryset.select_related("participant__case_manager", "cohort").order_by(
        "starts_on", "pk"
    ):
        gap = Gap(enrolment, (today - enrolment.starts_on).days)
        if enrolment.starts_on <= diagnosis_by and not enrolment.diagnosed:
            gap.missing.append(NO_DIAGNOSIS)
        if enrolment.starts_on <= plan_by and not enrolment.planned:
            gap.missing.append(NO_PLAN)
        if (
            enrolment.starts_on <= diagnosis_by
            and enrolment.cohort_id is None
            and not enrolment.has_programme
        ):
            gap.missing.append(NO_PROGRAMME)
        gaps.append(gap)
    return gaps


def count_gaps(participants, today: date) -> int:
    return gaps_queryset(participants, today)[0].count()

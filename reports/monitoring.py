"""Nobody drops out of monitoring: every open participation, counted from its enrolment date,
is flagged when it still lacks what the cycle needs by then — a signed initial diagnosis after the
KIS's N days, a signed individual action plan after M days, (for someone enrolled outside any
group) a programme, and a change report for last month from someone enrolled all of it whose
diagnosis is not signed (the due rule of change reports starts from the signed diagnosis, so
without this nobody would ask for their reports). One rule, used by the list and the start-page
tile alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.paginator import Paginator
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from activities.models import Programme
from diagnosis.models import DiagnosisKind, DiagnosticReport
from ipd.models import ActionPlan
from kis_site.models import DocumentState, KisSettings
from participants.models import Enrolment, EnrolmentStatus
from reports.models import ChangeReport
from reports.months import add_months, first_day

NO_DIAGNOSIS = "diagnosis"
NO_PLAN = "plan"
NO_PROGRAMME = "programme"
NO_REPORT = "report"
LABELS = {
    NO_DIAGNOSIS: _("no signed initial diagnosis"),
    NO_PLAN: _("no signed individual action plan"),
    NO_PROGRAMME: _("no programme (enrolled individually)"),
    NO_REPORT: _("no change report for last month"),
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


def _thresholds(today: date) -> dict[str, date]:
    """Enrolled on or before these dates, a participation must have the thing by ``today``."""
    settings = KisSettings.load()
    return {
        NO_DIAGNOSIS: today - timedelta(days=settings.diagnosis_due_days),
        NO_PLAN: today - timedelta(days=settings.plan_due_days),
        NO_PROGRAMME: today - timedelta(days=settings.diagnosis_due_days),
        NO_REPORT: add_months(first_day(today), -1),  # enrolled for all of last month
    }


def gaps_queryset(participants, today: date):
    """Open participations of ``participants`` missing something they should have by ``today``,
    each annotated with what it misses (``lacks_<key>``)."""
    by = _thresholds(today)
    last_month = by[NO_REPORT]  # the month that must be reported: the enrolment's threshold too
    diagnosed = DiagnosticReport.objects.filter(
        SIGNED, enrolment=OuterRef("pk"), kind=DiagnosisKind.INITIAL
    )
    planned = ActionPlan.objects.filter(SIGNED, enrolment=OuterRef("pk"))
    programme = Programme.objects.filter(enrolment=OuterRef("pk"))
    reported = ChangeReport.objects.filter(
        enrolment=OuterRef("pk"), period_start__lte=last_month, period_end__gte=last_month
    )
    lacks = {
        NO_DIAGNOSIS: Q(starts_on__lte=by[NO_DIAGNOSIS], diagnosed=False),
        NO_PLAN: Q(starts_on__lte=by[NO_PLAN], planned=False),
        NO_PROGRAMME: Q(starts_on__lte=by[NO_PROGRAMME], cohort__isnull=True, has_programme=False),
        NO_REPORT: Q(starts_on__lte=by[NO_REPORT], diagnosed=False, reported=False),
    }
    from participants.access import records_of

    queryset = Enrolment.objects.filter(
        records_of(participants),
        status__in=[EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED],
        starts_on__lte=max(by.values()),
    ).annotate(
        diagnosed=Exists(diagnosed),
        planned=Exists(planned),
        has_programme=Exists(programme),
        reported=Exists(reported),
    )
    queryset = queryset.annotate(
        **{
            f"lacks_{key}": ExpressionWrapper(condition, output_field=BooleanField())
            for key, condition in lacks.items()
        }
    )
    any_lack = Q()
    for condition in lacks.values():
        any_lack |= condition
    return queryset.filter(any_lack)


def _ordered_gaps(participants, today: date):
    return (
        gaps_queryset(participants, today)
        .select_related("participant__case_manager", "cohort")
        .order_by("starts_on", "pk")
    )


def monitoring_gaps(participants, today: date) -> list[Gap]:
    """The gaps, longest open first."""
    return [_gap(enrolment, today) for enrolment in _ordered_gaps(participants, today)]


def monitoring_page(participants, today: date, number, per_page: int = 50):
    """One page of ``monitoring_gaps``: only its rows loaded, their number counted by the
    database."""
    page = Paginator(_ordered_gaps(participants, today), per_page).get_page(number)
    page.object_list = [_gap(enrolment, today) for enrolment in page.object_list]
    return page


def _gap(enrolment, today: date) -> Gap:
    missing = [key for key in LABELS if getattr(enrolment, f"lacks_{key}")]
    return Gap(enrolment, (today - enrolment.starts_on).days, missing)

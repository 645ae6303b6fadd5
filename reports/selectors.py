"""Reads of change reports: what is due and overdue (exactly, by calendar months), the pre-fill a
report page shows, and the trajectory of ratings from the initial to the final diagnosis."""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from activities.ledger import module_rows
from activities.models import AbsenceCase
from diagnosis.models import SPHERE_RELATED, DiagnosisKind, DiagnosticReport
from kis_site.documents import first_signed_on
from kis_site.models import DocumentState, KisSettings
from kis_site.vocabulary import Sphere, sphere_visible
from participants.models import Enrolment, EnrolmentStatus
from reports.models import ChangeReport, ChangeSphere
from reports.months import add_months, first_day, months_between, period_label


@dataclass
class DueState:
    """Where one participation stands with its change reports on ``today``."""

    enrolment: Enrolment
    due: list[date] = field(default_factory=list)  # months due so far (first days)
    missing: list[date] = field(default_factory=list)  # ... not covered by any report
    last_signed_end: date | None = None
    overdue: bool = False
    due_this_month: bool = False


def months_due(diagnosis_signed_on: date | None, end: date, today: date) -> tuple[date, date]:
    """The first and the last month (first days) for which a change report is due by ``today``:
    each calendar month of the participation from the month after the initial diagnosis was
    signed, up to this month or the month the participation ends (first > last: none yet)."""
    if diagnosis_signed_on is None:
        return date.max, date.min
    first = first_day(add_months(first_day(diagnosis_signed_on), 1))
    return first, min(first_day(today), first_day(end))


@dataclass(frozen=True)
class Standing:
    overdue: bool = False
    due_this_month: bool = False


def report_standing(
    *,
    diagnosis_signed_on: date | None,
    end: date,
    last_signed_end: date | None,
    this_month_covered: bool,
    today: date,
    overdue_months: int,
) -> Standing:
    """The change reports' one rule, for the list and the tiles alike. Of an active
    participation ending on ``end``: overdue when some month is due and the last month covered by
    a signed report (or, before any, the month of the diagnosis) ended more than
    ``overdue_months`` months ago; due this month when this month is due and no report (signed
    or not) covers it."""
    first, last = months_due(diagnosis_signed_on, end, today)
    if first > last:
        return Standing()
    month = first_day(today)
    reference = last_signed_end or diagnosis_signed_on
    return Standing(
        overdue=first_day(reference) < add_months(month, -overdue_months),
        due_this_month=last == month and not this_month_covered,
    )


def due_state(
    enrolment: Enrolment,
    *,
    diagnosis_signed_on: date | None,
    reports: list[tuple[date, date, str]],
    today: date,
    overdue_months: int,
) -> DueState:
    """Where a participation stands (``report_standing``), with the months due and those no
    report covers yet, from its reports' periods and states."""
    state = DueState(enrolment)
    if enrolment.status != EnrolmentStatus.ACTIVE or diagnosis_signed_on is None:
        return state
    end = enrolment.ended_on or enrolment.planned_end_on
    first, last = months_due(diagnosis_signed_on, end, today)
    state.due = months_between(first, last) if first <= last else []
    covered = set()
    for start, report_end, _state in reports:
        covered.update(months_between(start, report_end))
    state.missing = [month for month in state.due if month not in covered]
    signed = [end for _start, end, report_state in reports if report_state == DocumentState.LOCKED]
    state.last_signed_end = max(signed) if signed else None
    standing = report_standing(
        diagnosis_signed_on=diagnosis_signed_on,
        end=end,
        last_signed_end=state.last_signed_end,
        this_month_covered=first_day(today) in covered,
        today=today,
        overdue_months=overdue_months,
    )
    state.overdue, state.due_this_month = standing.overdue, standing.due_this_month
    return state


def initial_diagnosis_signed_on():
    """For annotating enrolments: the date their signed initial diagnosis was signed by everyone
    (the date on the signatures, not when they were recorded; its first signed version), from
    which change reports fall due."""
    return first_signed_on(
        DiagnosticReport,
        DiagnosticReport.objects.filter(
            enrolment=OuterRef(OuterRef("pk")),
            kind=DiagnosisKind.INITIAL,
            state=DocumentState.LOCKED,
        ),
    )


@dataclass(frozen=True)
class _Participation:
    """What ``due_state`` reads of a participation, without loading the model."""

    pk: int
    status: str
    ended_on: date | None
    planned_end_on: date | None


def due_states(participants, today=None, *, load: bool = True) -> list[DueState]:
    """The states of the active participations of ``participants`` (two queries), in the order
    of the people's names. With ``load=False`` each state's ``enrolment`` holds only what the
    rule reads; ``load_enrolments`` then loads the ones a page shows (a case manager's list
    is thousands of participations, a page fifty)."""
    today = today or timezone.localdate()
    overdue_months = KisSettings.load().change_report_overdue_months
    rows = list(
        Enrolment.objects.filter(participant__in=participants, status=EnrolmentStatus.ACTIVE)
        .annotate(diagnosis_signed_on=initial_diagnosis_signed_on())
        .order_by("participant__sort_name", "pk")
        .values_list("pk", "status", "ended_on", "planned_end_on", "diagnosis_signed_on")
    )
    reports: dict[int, list] = {}
    for row in ChangeReport.objects.filter(enrolment__in=[row[0] for row in rows]).values_list(
        "enrolment_id", "period_start", "period_end", "state"
    ):
        reports.setdefault(row[0], []).append(row[1:])
    states = [
        due_state(
            _Participation(*row[:4]),
            diagnosis_signed_on=row[4],
            reports=reports.get(row[0], []),
            today=today,
            overdue_months=overdue_months,
        )
        for row in rows
    ]
    return load_enrolments(states) if load else states


def load_enrolments(states: list[DueState]) -> list[DueState]:
    """Give ``states`` their participations with the people and case managers (one query)."""
    loaded = Enrolment.objects.select_related("participant", "participant__case_manager").in_bulk(
        [state.enrolment.pk for state in states]
    )
    for state in states:
        state.enrolment = loaded[state.enrolment.pk]
    return states


def due_counts(participants, today=None) -> tuple[int, int]:
    """(due this month and not overdue, overdue) for the start-page tiles: ``report_standing``,
    from one query that brings per participation only the diagnosis date, the end of the last
    signed report and whether a report covers this month."""
    from participants.access import records_of

    today = today or timezone.localdate()
    overdue_months = KisSettings.load().change_report_overdue_months
    month = first_day(today)
    last_signed = (
        ChangeReport.objects.filter(enrolment=OuterRef("pk"), state=DocumentState.LOCKED)
        .order_by("-period_end")
        .values("period_end")[:1]
    )
    covering = ChangeReport.objects.filter(
        enrolment=OuterRef("pk"), period_start__lte=month, period_end__gte=month
    )
    rows = (
        Enrolment.objects.filter(records_of(participants), status=EnrolmentStatus.ACTIVE)
        .annotate(
            signed_on=initial_diagnosis_signed_on(),
            last_signed_end=Subquery(last_signed),
            covered=Exists(covering),
        )
        .values_list("planned_end_on", "ended_on", "signed_on", "last_signed_end", "covered")
        .order_by()
    )
    due = overdue = 0
    for planned_end, ended, signed, last_signed_end, covered in rows:
        standing = report_standing(
            diagnosis_signed_on=signed,
            end=ended or planned_end,
            last_signed_end=last_signed_end,
            this_month_covered=covered,
            today=today,
            overdue_months=overdue_months,
        )
        if standing.overdue:
            overdue += 1
        elif standing.due_this_month:
            due += 1
    return due, overdue


# --- What a report page shows besides its own fields -------------------------------------------


def period_attendance(participant_id: int, start: date, end: date) -> dict:
    """The modules with sessions in the period (their hours planned and done) and the absences."""
    rows = module_rows(participant_id, start=start, end=end)
    return {
        "modules": [row for row in rows if row.sessions],
        "absent": sum(row.absent for row in rows),
        "excused": sum(row.excused for row in rows),
    }


def period_facts(report: ChangeReport) -> dict:
    """Hours attended per module in the period, absences and the absence-rule cases."""
    participant_id = report.participant_id
    start, end = report.period_start, report.period_end
    return {
        **period_attendance(participant_id, start, end),
        "cases": list(
            AbsenceCase.objects.filter(participant_id=participant_id, opened_at__date__lte=end)
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
            .order_by("opened_at")
        ),
    }


def visible_parts(report: ChangeReport, sections) -> tuple[list[ChangeSphere], int]:
    """The spheres ``sections`` allow, in the order of the form; and how many were left out."""
    order = list(Sphere.values)
    parts = sorted(report.spheres.all(), key=lambda part: order.index(part.sphere))
    shown = [p for p in parts if not p.section or p.section in sections]
    return shown, len(parts) - len(shown)


# --- The trajectory ------------------------------------------------------------------------------


@dataclass
class Point:
    label: str
    day: date
    ratings: dict  # sphere -> rating or None
    rank: int = 1  # the initial diagnosis first, the final last on the same day


def trajectory(enrolment_ids, sections) -> tuple[list[Point], list[str]]:
    """Each sphere's rating from the initial diagnosis through every change report to the final
    diagnosis (two queries); the spheres ``sections`` allow."""
    spheres = [sphere for sphere in Sphere.values if sphere_visible(sphere, sections)]
    points = []
    diagnoses = (
        DiagnosticReport.objects.filter(enrolment_id__in=enrolment_ids)
        .exclude(kind=DiagnosisKind.OTHER)
        .select_related(*SPHERE_RELATED.values())
        .only(
            "pk",
            "kind",
            "started_on",
            *[f"{related}__rating" for related in SPHERE_RELATED.values()],
        )
    )
    for report in diagnoses:
        points.append(
            Point(
                report.get_kind_display(),
                report.started_on,
                {s: getattr(report, SPHERE_RELATED[s]).rating for s in spheres},
                0 if report.kind == DiagnosisKind.INITIAL else 2,
            )
        )
    reports: dict[int, Point] = {}
    for report, sphere, rating, start, end in ChangeSphere.objects.filter(
        report__enrolment_id__in=enrolment_ids
    ).values_list("report_id", "sphere", "rating", "report__period_start", "report__period_end"):
        point = reports.get(report)
        if point is None:
            point = reports[report] = Point(period_label(start, end), end, {})
        if sphere in spheres:
            point.ratings[sphere] = rating
    points.extend(reports.values())
    points.sort(key=lambda p: (p.rank == 2, p.day, p.rank))
    return points, spheres


# --- Waiting for a co-signer ---------------------------------------------------------------------


def cosigner_keys(user) -> list[str]:
    """The co-signer slots of a change report ``user`` signs in (their roles)."""
    from kis_site.access import policy
    from kis_site.vocabulary import Cosigner

    roles = {role.value for role in policy().roles(user)}
    return [key for key in Cosigner.values if key in roles]


def reports_to_sign(user):
    """Drafts of change reports naming a co-signer slot of ``user``'s roles not signed yet in the
    current version, among the participants the user sees. The slots are each report's own list
    (JSON, read here for the drafts only: ``contains`` on JSON is not portable to SQLite)."""
    from kis_site.models import Signature
    from participants.access import participants_visible_to, records_of

    keys = cosigner_keys(user)
    if not keys:
        return ChangeReport.objects.none()
    drafts = ChangeReport.objects.filter(
        records_of(participants_visible_to(user)), state=DocumentState.DRAFT
    )
    wanted: dict[str, list[int]] = {}
    for pk, cosigners in drafts.exclude(cosigners=[]).values_list("pk", "cosigners"):
        for key in keys:
            if key in (cosigners or []):
                wanted.setdefault(key, []).append(pk)
    if not wanted:
        return ChangeReport.objects.none()
    content_type = ContentType.objects.get_for_model(ChangeReport)
    condition = Q()
    for key, pks in wanted.items():
        signed = Signature.objects.filter(
            revision__content_type=content_type,
            revision__object_id=OuterRef("pk"),
            revision__number=OuterRef("revision"),
            slot=key,
            cleared_at__isnull=True,
        )
        condition |= Q(pk__in=pks) & ~Exists(signed)
    return drafts.filter(condition)

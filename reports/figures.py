"""The club's figures: the cohort / funding-source / period report (who took part, how they left,
the employment-or-education rate with its numerator and denominator, the follow-ups, hours, the
change of the sphere ratings) and the yearly report to the voivode (art. 18a ust. 6).

Every figure is a constant number of aggregate queries, whatever the number of people."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from activities.hours import hours_done, planned_and_done
from activities.models import Category, Consultation, Session
from diagnosis.models import SPHERE_RELATED, DiagnosisKind, DiagnosticReport
from kis_site.models import EmploymentBasis, StaffMember
from kis_site.vocabulary import RiskGroup, Sphere
from participants.models import (
    EducationLevel,
    Enrolment,
    EnrolmentStatus,
    ExitOutcome,
    FollowUp,
    FollowUpResult,
    Participant,
    Sex,
)
from reports.models import Effect, ExitAssessment, GrantSettlement

AGE_BANDS = [(0, 24, "18–24"), (25, 34, "25–34"), (35, 44, "35–44"), (45, 54, "45–54")]
WORKING = {FollowUpResult.EMPLOYED, FollowUpResult.OWN_BUSINESS}
EMPLOYED = {ExitOutcome.EMPLOYMENT, ExitOutcome.SOCIAL_COOPERATIVE, ExitOutcome.SELF_EMPLOYMENT}


@dataclass
class Rate:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        if not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator, 1)


def age_band(birth_date, on: date) -> str:
    if birth_date is None:
        return "—"
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    for low, high, label in AGE_BANDS:
        if low <= age <= high:
            return label
    return "55+"


def _labelled(counter: Counter, choices, *, missing="—") -> list[tuple[str, int]]:
    labels = dict(choices)
    rows = [(str(label), counter[value]) for value, label in labels.items() if counter[value]]
    rest = sum(count for value, count in counter.items() if value not in labels)
    if rest:
        rows.append((missing, rest))
    return rows


def enrolments_in(start: date, end: date, *, cohort=None, funding_source=None):
    """Participations that ran at some time between ``start`` and ``end`` (candidates aside)."""
    enrolments = Enrolment.objects.exclude(status=EnrolmentStatus.CANDIDATE).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start), starts_on__lte=end
    )
    if cohort is not None:
        enrolments = enrolments.filter(cohort=cohort)
    if funding_source is not None:
        enrolments = enrolments.filter(
            Q(funding_source=funding_source)
            | Q(funding_source__isnull=True, cohort__funding_source=funding_source)
        )
    return enrolments


# --- The cohort / funding-source / period report ----------------------------------------------


@dataclass
class Outcomes:
    start: date
    end: date
    people: int = 0
    by_group: list = field(default_factory=list)
    by_sex: list = field(default_factory=list)
    by_age: list = field(default_factory=list)
    by_education: list = field(default_factory=list)
    starts: int = 0
    completions: int = 0
    dropouts: int = 0
    dropout_reasons: list = field(default_factory=list)
    exit_outcomes: list = field(default_factory=list)
    rate: Rate = field(default_factory=lambda: Rate(0, 0))
    follow_ups: list = field(default_factory=list)
    hours: list | None = None  # None: not counted (the page loads them on their own)
    spheres: list = field(default_factory=list)
    enrolments: Any = field(default=None, repr=False)

    def participations(self) -> list[Enrolment]:
        """The participations with their people and cohorts, for the list of people."""
        return list(
            self.enrolments.select_related("participant", "cohort").order_by(
                "participant__sort_name", "starts_on", "pk"
            )
        )


def outcomes(enrolments, start: date, end: date, *, today=None, hours: bool = True) -> Outcomes:
    """The figures of the participations ``enrolments`` (``enrolments_in``) in the period, each
    an aggregate or a list of plain values (no model objects: a year of a large club is
    thousands of participations); ``hours=False`` leaves the hours per activity out."""
    today = today or timezone.localdate()
    result = Outcomes(start, end, enrolments=enrolments)
    rows = list(
        enrolments.values_list(
            "pk", "participant_id", "starts_on", "ended_on", "status", "exit_outcome"
        ).order_by()
    )
    people = list(
        Participant.objects.filter(pk__in=enrolments.values("participant_id")).values_list(
            "primary_risk_group", "sex", "birth_date", "education_level"
        )
    )
    result.people = len(people)
    result.by_group = _labelled(Counter(p[0] for p in people), RiskGroup.choices)
    result.by_sex = _labelled(Counter(p[1] for p in people), Sex.choices)
    bands = Counter(age_band(p[2], end) for p in people)
    result.by_age = [
        (label, bands[label]) for label in [b[2] for b in AGE_BANDS] + ["55+", "—"] if bands[label]
    ]
    result.by_education = _labelled(Counter(p[3] for p in people), EducationLevel.choices)
    ended = [row for row in rows if row[3] and start <= row[3] <= end]
    result.starts = sum(1 for row in rows if start <= row[2] <= end)
    completed = [row for row in ended if row[4] == EnrolmentStatus.COMPLETED]
    dropped = [row for row in ended if row[4] != EnrolmentStatus.COMPLETED]
    result.completions, result.dropouts = len(completed), len(dropped)
    result.dropout_reasons = _labelled(Counter(row[5] for row in dropped), ExitOutcome.choices)
    result.exit_outcomes = _labelled(Counter(row[5] for row in ended), ExitOutcome.choices)
    effective = set(ExitOutcome.employment_or_education())
    effective_count = sum(1 for row in completed if row[5] in effective)
    result.rate = Rate(effective_count, len(completed))
    result.follow_ups = follow_up_rows([row[0] for row in ended], today)
    if hours:
        result.hours = hour_rows(sorted({row[1] for row in rows}), start, end)
    result.spheres = sphere_changes([row[0] for row in ended])
    return result


def outcome_hours(enrolments, start: date, end: date) -> list[dict]:
    """The hours per activity of ``outcomes`` alone (the page's section loaded on its own)."""
    people = enrolments.values_list("participant_id", flat=True).order_by().distinct()
    return hour_rows(sorted(people), start, end)


def follow_up_rows(enrolment_ids, today: date) -> list[dict]:
    """Per follow-up (3/6/12 months): how many were due, checked, working, in education — and
    the share of those checked who are working or learning (one query)."""
    counts = {
        row["months"]: row
        for row in FollowUp.objects.filter(enrolment_id__in=enrolment_ids)
        .values("months")
        .annotate(
            planned=Count("id"),
            due=Count("id", filter=Q(due_on__lte=today)),
            checked=Count("id", filter=Q(checked_on__isnull=False)),
            working=Count("id", filter=Q(result__in=WORKING)),
            learning=Count("id", filter=Q(result=FollowUpResult.IN_EDUCATION)),
        )
        .order_by()
    }
    rows = []
    for months in (3, 6, 12):
        row = counts.get(months, {})
        working, learning = row.get("working", 0), row.get("learning", 0)
        rows.append(
            {
                "months": months,
                "planned": row.get("planned", 0),
                "due": row.get("due", 0),
                "checked": row.get("checked", 0),
                "working": working,
                "learning": learning,
                "rate": Rate(working + learning, row.get("checked", 0)),
            }
        )
    return rows


def hour_rows(participant_ids, start: date, end: date) -> list[dict]:
    """Per module name: hours planned for the people and done (``activities.hours``) in the
    period; three aggregate queries."""
    rows: dict[str, dict] = {}

    def row(name, category):
        return rows.setdefault(
            name, {"name": name, "category": category, "planned": Decimal(0), "done": Decimal(0)}
        )

    planned, done = planned_and_done(
        ("module__name", "module__category"), participants=participant_ids, since=start, until=end
    )
    for (name, category), hours in planned.items():
        row(name, category)["planned"] += hours.hours
    for (name, category), hours in done.items():
        row(name, category)["done"] += hours.hours
    result = sorted(rows.values(), key=lambda r: (r["category"], r["name"]))
    labels = dict(Category.choices)
    for entry in result:
        entry["category_label"] = labels.get(entry["category"], "")
        entry["rate"] = round(100 * entry["done"] / entry["planned"]) if entry["planned"] else None
    return result


def sphere_changes(enrolment_ids) -> list[dict]:
    """Per sphere: the average rating at the initial and at the final diagnosis and the average
    change, over the participations that have both ratings (one query)."""
    ratings: dict[int, dict] = {}
    for enrolment_id, kind, *values in DiagnosticReport.objects.filter(
        enrolment_id__in=enrolment_ids, kind__in=[DiagnosisKind.INITIAL, DiagnosisKind.FINAL]
    ).values_list(
        "enrolment_id", "kind", *[f"{related}__rating" for related in SPHERE_RELATED.values()]
    ):
        ratings.setdefault(enrolment_id, {})[kind] = dict(zip(SPHERE_RELATED, values, strict=True))
    rows = []
    for sphere in Sphere.values:
        pairs = [
            (per[DiagnosisKind.INITIAL][sphere], per[DiagnosisKind.FINAL][sphere])
            for per in ratings.values()
            if DiagnosisKind.INITIAL in per
            and DiagnosisKind.FINAL in per
            and per[DiagnosisKind.INITIAL][sphere] is not None
            and per[DiagnosisKind.FINAL][sphere] is not None
        ]
        count = len(pairs)
        rows.append(
            {
                "sphere": sphere,
                "label": Sphere(sphere).label,
                "count": count,
                "initial": round(sum(a for a, _b in pairs) / count, 2) if count else None,
                "final": round(sum(b for _a, b in pairs) / count, 2) if count else None,
                "change": round(sum(b - a for a, b in pairs) / count, 2) if count else None,
            }
        )
    return rows


# --- The yearly report to the voivode ----------------------------------------------------------


@dataclass
class Yearly:
    year: int
    until: date | None = None  # the last day counted: 31 December, or today in the year itself
    staff: list = field(default_factory=list)
    staff_total: dict = field(default_factory=dict)
    groups: list = field(default_factory=list)
    groups_total: dict = field(default_factory=dict)
    activities: list = field(default_factory=list)
    exit_outcomes: list = field(default_factory=list)
    effects: list = field(default_factory=list)
    grants: list = field(default_factory=list)
    grants_total: dict = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.groups_total.get("people") or self.activities or self.grants)

    @property
    def partial(self) -> bool:
        """The year is not over: the figures stop at today."""
        return self.until is not None and self.until < date(self.year, 12, 31)


def yearly(year: int, *, today: date | None = None) -> Yearly:
    """The figures of the year as they happened: up to 31 December, or up to today while the year
    runs. A session counts when it was held (on or before that day, not cancelled), a person's
    hours when attendance was recorded for it, an exit when it took place."""
    today = today or timezone.localdate()
    start, end = date(year, 1, 1), min(date(year, 12, 31), today)
    result = Yearly(year, until=end)
    if end < start:  # a year still to come: nothing has happened
        return result

    # Employees: who worked in the club at any time of the year, by the basis of employment.
    staff = StaffMember.objects.filter(
        Q(employed_from__isnull=True) | Q(employed_from__lte=end),
        Q(employed_to__isnull=True) | Q(employed_to__gte=start),
    ).only("position", "employment_basis", "fte", "hours_per_month")
    by_basis: dict[str, dict] = {}
    for member in staff:
        row = by_basis.setdefault(
            member.employment_basis,
            {"people": 0, "fte": Decimal(0), "hours": Decimal(0), "positions": Counter()},
        )
        row["people"] += 1
        row["fte"] += member.fte or 0
        row["hours"] += member.hours_per_month or 0
        if member.position:
            row["positions"][member.position] += 1
    labels = dict(EmploymentBasis.choices)
    result.staff = [
        {
            "basis": labels.get(basis, basis),
            "people": row["people"],
            "fte": row["fte"],
            "hours": row["hours"],
            "positions": ", ".join(
                f"{name} ({count})" if count > 1 else name
                for name, count in sorted(row["positions"].items())
            ),
        }
        for basis, row in sorted(by_basis.items(), key=lambda item: list(labels).index(item[0]))
    ]
    result.staff_total = {
        "people": sum(r["people"] for r in result.staff),
        "fte": sum((r["fte"] for r in result.staff), Decimal(0)),
        "hours": sum((r["hours"] for r in result.staff), Decimal(0)),
    }

    # Participants by the primary group of art. 1 ust. 2, with the effects of those who left.
    enrolments = list(
        enrolments_in(start, end)
        .select_related("participant")
        .only(
            "participant__primary_risk_group",
            "participant_id",
            "status",
            "ended_on",
            "exit_outcome",
        )
    )
    assessed = {
        row["enrolment_id"]: row
        for row in ExitAssessment.objects.filter(
            enrolment_id__in=[e.pk for e in enrolments]
        ).values("enrolment_id", "social_effect", "vocational_effect", "effects")
    }
    groups: dict[str, dict] = {}
    seen: dict[str, set] = {}
    for enrolment in enrolments:
        group = enrolment.participant.primary_risk_group or ""
        row = groups.setdefault(
            group,
            {
                "people": 0,
                "left": 0,
                "completed": 0,
                "social": 0,
                "vocational": 0,
                "employed": 0,
            },
        )
        if enrolment.participant_id not in seen.setdefault(group, set()):
            seen[group].add(enrolment.participant_id)
            row["people"] += 1
        if not (enrolment.ended_on and start <= enrolment.ended_on <= end):
            continue
        row["left"] += 1
        assessment = assessed.get(enrolment.pk)
        if assessment and assessment["social_effect"]:
            row["social"] += 1
        if assessment and assessment["vocational_effect"]:
            row["vocational"] += 1
        if enrolment.status == EnrolmentStatus.COMPLETED:
            row["completed"] += 1
            if enrolment.exit_outcome in EMPLOYED:
                row["employed"] += 1
    group_labels = dict(RiskGroup.choices)
    result.groups = [
        {"group": str(group_labels.get(key, "—")), **groups[key]}
        for key in [*group_labels, ""]
        if key in groups
    ]
    keys = ("people", "left", "completed", "social", "vocational", "employed")
    result.groups_total = {key: sum(row[key] for row in result.groups) for key in keys}
    ended = [e for e in enrolments if e.ended_on and start <= e.ended_on <= end]
    result.exit_outcomes = _labelled(Counter(e.exit_outcome for e in ended), ExitOutcome.choices)
    effect_counts = Counter(
        key
        for row in assessed.values()
        if row["enrolment_id"] in {e.pk for e in ended}
        for key in row["effects"]
    )
    result.effects = [
        (str(label), effect_counts[value])
        for value, label in Effect.choices
        if effect_counts[value]
    ]

    # The reintegration activities run in the year: group sessions held (not cancelled, not
    # still to come: ``end`` is today at the latest), individual consultations, and the people's
    # hours done in them (``activities.hours``).
    held = Session.objects.filter(cancelled=False, date__gte=start, date__lte=end)
    consultations = Consultation.objects.filter(date__gte=start, date__lte=end)
    activities: dict[tuple, dict] = {}

    def activity(category, name) -> dict:
        return activities.setdefault(
            (category, name),
            {
                "name": name,
                "category": category,
                "sessions": 0,
                "hours": Decimal(0),
                "people": 0,
                "person_hours": Decimal(0),
            },
        )

    for item in (
        held.values("module__name", "module__category")
        .annotate(sessions=Count("id"), hours=Sum("planned_hours"))
        .order_by()
    ):
        entry = activity(item["module__category"], item["module__name"])
        entry["sessions"] += item["sessions"]
        entry["hours"] += item["hours"] or 0
    for item in (
        consultations.values("module__name", "module__category")
        .annotate(sessions=Count("id"), hours=Sum("duration"))
        .order_by()
    ):
        entry = activity(item["module__category"], item["module__name"])
        entry["sessions"] += item["sessions"]
        entry["hours"] += item["hours"] or 0
    # The people's hours done and how many took part (``activities.hours``), per activity.
    scope = {"since": start, "until": end}
    keys = ("module__category", "module__name")
    for (category, name), hours in hours_done(keys, count_people=True, **scope).items():
        entry = activity(category, name)
        entry["person_hours"] += hours.hours
        entry["people"] += hours.people
    result.activities = [activities[key] for key in sorted(activities)]
    labels = dict(Category.choices)
    for entry in result.activities:
        entry["category_label"] = labels.get(entry["category"], "")

    # Grants received in the year and their settlement, as the manager entered them.
    result.grants = list(GrantSettlement.objects.filter(year=year).select_related("funding_source"))
    result.grants_total = {
        name: sum((getattr(g, name) for g in result.grants), Decimal(0))
        for name in ("granted", "received", "spent", "returned")
    }
    return result

"""The whole club at a glance, for the manager's start page: active participants per cohort, the
attendance rate and hours of this month, the weeks below the 2/3 share, caseloads, the waiting
list. A constant number of aggregate queries."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from activities.ledger import SHARE, WINDOW, Week, window_share
from activities.models import Attendance, Consultation, Mark, RosterEntry
from kis_site.models import StaffMember
from participants.models import Application, Decision, Enrolment, EnrolmentStatus

SIX_DAYS = timedelta(days=6)


@dataclass
class ClubFigures:
    month: date
    computed_at: object = None
    cohorts: list = field(default_factory=list)
    active: int = 0
    marked: int = 0
    attended: int = 0
    planned_hours: Decimal = Decimal(0)
    done_hours: Decimal = Decimal(0)
    weeks_below: int = 0
    people_below: int = 0
    weeks_checked: int = 0
    caseloads: list = field(default_factory=list)
    waiting: int = 0
    reserve: int = 0

    @property
    def attendance_rate(self) -> int | None:
        return round(100 * self.attended / self.marked) if self.marked else None

    @property
    def hours_rate(self) -> int | None:
        return round(100 * self.done_hours / self.planned_hours) if self.planned_hours else None


CACHE_SECONDS = 300


def cached_club_figures(today: date) -> ClubFigures:
    """The figures sum the month's attendance of the whole club: computed at most every five
    minutes (the panel says when), so the manager's start page stays quick."""
    key = f"club-figures-{today.isoformat()}"
    figures = cache.get(key)
    if figures is None:
        figures = club_figures(today)
        cache.set(key, figures, CACHE_SECONDS)
    return figures


def club_figures(today: date) -> ClubFigures:
    month = today.replace(day=1)
    figures = ClubFigures(month, timezone.localtime())
    open_statuses = [EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED]

    for row in (
        Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE)
        .values("cohort_id", "cohort__name")
        .annotate(people=Count("id"))
        .order_by("cohort__name")
    ):
        figures.cohorts.append(
            {"id": row["cohort_id"], "name": row["cohort__name"], "people": row["people"]}
        )
    figures.active = sum(row["people"] for row in figures.cohorts)

    marks = Attendance.objects.filter(session__date__gte=month, session__date__lte=today).aggregate(
        marked=Count("id"),
        attended=Count("id", filter=Q(mark__in=[Mark.PRESENT, Mark.LATE])),
        hours=Sum("hours"),
    )
    figures.marked, figures.attended = marks["marked"], marks["attended"]
    figures.done_hours = marks["hours"] or Decimal(0)
    figures.planned_hours = RosterEntry.objects.filter(
        session__date__gte=month, session__date__lte=today, session__cancelled=False
    ).aggregate(hours=Sum("session__planned_hours"))["hours"] or Decimal(0)

    _weeks_below(figures, today)

    managers = _caseloads(open_statuses)
    names = {
        member.pk: member.full_name
        for member in StaffMember.objects.filter(pk__in=[k for k in managers if k])
    }
    figures.caseloads = sorted(
        (
            {"name": names.get(key, "—") if key else None, "people": count}
            for key, count in managers.items()
        ),
        key=lambda row: (row["name"] is None, -row["people"], row["name"] or ""),
    )
    pending = Application.objects.filter(
        decision__in=[Decision.PENDING, Decision.RESERVE]
    ).aggregate(
        waiting=Count("id", filter=Q(decision=Decision.PENDING)),
        reserve=Count("id", filter=Q(decision=Decision.RESERVE)),
    )
    figures.waiting, figures.reserve = pending["waiting"], pending["reserve"]
    return figures


def _caseloads(open_statuses) -> dict:
    return {
        row["participant__case_manager_id"]: row["people"]
        for row in Enrolment.objects.filter(status__in=open_statuses)
        .values("participant__case_manager_id")
        .annotate(people=Count("participant_id", distinct=True))
        .order_by()
    }


def _weeks_below(figures: ClubFigures, today: date) -> None:
    """Weeks of this month (up to last week) in which an active participant's social share of
    the hours done over the rolling window fell below 2/3 — the KSR rule checked week by week."""
    this_monday = today - timedelta(days=today.weekday())
    first_monday = figures.month - timedelta(days=figures.month.weekday())
    if first_monday < figures.month:
        first_monday += timedelta(weeks=1)
    mondays = []
    monday = first_monday
    while monday < this_monday:
        mondays.append(monday)
        monday += timedelta(weeks=1)
    if not mondays:
        return
    since = mondays[0] - timedelta(weeks=WINDOW - 1)
    until = mondays[-1] + timedelta(days=6)
    active = Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE).values("participant_id")
    weeks_needed = []
    monday = since
    while monday <= mondays[-1]:
        weeks_needed.append(monday)
        monday += timedelta(weeks=1)
    done: dict[int, dict[date, Week]] = defaultdict(dict)

    def sums(field_name, date_field):
        # One conditional sum per week: the database groups by person and category only.
        return {
            f"w{index}": Sum(
                field_name,
                filter=Q(**{f"{date_field}__gte": week, f"{date_field}__lte": week + SIX_DAYS}),
            )
            for index, week in enumerate(weeks_needed)
        }

    sources = (
        Attendance.objects.filter(
            participant_id__in=active, session__date__gte=since, session__date__lte=until
        )
        .values("participant_id", category=F("session__module__category"))
        .annotate(**sums("hours", "session__date")),
        Consultation.objects.filter(participant_id__in=active, date__gte=since, date__lte=until)
        .values("participant_id", category=F("module__category"))
        .annotate(**sums("duration", "date")),
    )
    for rows in sources:
        for row in rows.order_by():
            for index, monday in enumerate(weeks_needed):
                if row[f"w{index}"]:
                    week = done[row["participant_id"]].setdefault(monday, Week(monday))
                    week.done[row["category"]] += row[f"w{index}"]
    people = set()
    for person, weeks in done.items():
        for monday in mondays:
            if monday not in weeks:
                continue
            window = [
                weeks[m] for m in (monday - timedelta(weeks=b) for b in range(WINDOW)) if m in weeks
            ]
            share = window_share(window, "done")
            if share is None:
                continue
            figures.weeks_checked += 1
            if share < SHARE:
                figures.weeks_below += 1
                people.add(person)
    figures.people_below = len(people)

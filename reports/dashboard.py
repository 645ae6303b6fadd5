"""The whole club at a glance, for the manager's start page: active participants per cohort, the
attendance rate and hours of this month, the weeks below the 2/3 share, caseloads, the waiting
list. A constant number of aggregate queries."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from activities import ledger
from activities.hours import Done, Planned, planned_and_done
from kis_site.models import StaffMember
from participants.models import Application, Decision, Enrolment, EnrolmentStatus


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
    below: dict = field(default_factory=dict)  # participant id: the Mondays of weeks below 2/3
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

    # The month's hours planned and done (``activities.hours``), with the marks behind them.
    planned, done = planned_and_done((), since=month, until=today)
    this_month = done.get(()) or Done()
    figures.marked, figures.attended = this_month.marked, this_month.present
    figures.done_hours = this_month.hours
    figures.planned_hours = (planned.get(()) or Planned()).hours

    _two_thirds(figures, today)

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


def _two_thirds(figures: ClubFigures, today: date) -> None:
    """The 2/3 rule over the weeks of this month so far, for the active participants: the weeks
    the hour card flags "below 2/3" (``ledger.below_two_thirds``, the one definition), and the
    person-weeks checked (those with hours done in their window). Two aggregated queries."""
    active = Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE).values("participant_id")
    checked = ledger.window_weeks(active, mondays=ledger.month_mondays(today))
    # The same as ledger.below_two_thirds(active, mondays=...), without querying twice.
    below = ledger.only_below(checked)
    figures.weeks_checked = sum(len(weeks) for weeks in checked.values())
    figures.below = {person: [week.monday for week in weeks] for person, weeks in below.items()}
    figures.weeks_below = sum(len(weeks) for weeks in below.values())
    figures.people_below = len(below)

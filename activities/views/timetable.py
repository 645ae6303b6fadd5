"""The timetable: a week and a month of sessions, and a person's own timetable."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from activities import services, statements
from activities.models import Attendance, Mark, Programme, RosterEntry, Session
from activities.views._common import _crumbs, _may_schedule
from kis_site.access import Action, policy
from kis_site.counts import count_of
from kis_site.roles import user_staff_id
from participants.access import get_participant_for_user
from participants.models import Cohort


def _monday(value: str | None) -> date:
    try:
        day = date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    return day - timedelta(days=day.weekday())


@require_safe
def week(request):
    """A week of sessions: one group's, or the ones I lead (a trainer's default)."""
    user = request.user
    if not policy().can(user, Action.ATTENDANCE) and not policy().can(user, Action.VIEW):
        raise PermissionDenied
    monday = _monday(request.GET.get("week"))
    cohorts = list(Cohort.objects.filter(ends_on__gte=monday - timedelta(days=60)))
    cohort_id = request.GET.get("cohort")
    sessions = Session.objects.filter(date__range=(monday, monday + timedelta(days=6)))
    mine = not policy().can(user, Action.VIEW) or request.GET.get("mine") == "1"
    if mine:
        sessions = sessions.filter(leader_id=user_staff_id(user))
    elif cohort_id and cohort_id.isdigit():
        sessions = sessions.filter(module__programme__cohort_id=int(cohort_id))
    sessions = list(
        sessions.select_related("module", "module__programme__cohort", "leader").annotate(
            expected=count_of(RosterEntry.objects.filter(session=OuterRef("pk"))),
            marked=count_of(Attendance.objects.filter(session=OuterRef("pk"))),
        )
    )
    days = [
        {
            "date": monday + timedelta(days=offset),
            "sessions": [s for s in sessions if s.date == monday + timedelta(days=offset)],
        }
        for offset in range(7)
    ]
    days = [day for day in days if day["sessions"] or day["date"].weekday() < 5]
    holidays = services.polish_holidays(monday, monday + timedelta(days=6))
    for day in days:
        day["holiday"] = holidays.get(day["date"], "")
    programmes = {
        p.cohort_id: p for p in Programme.objects.filter(cohort__in=cohorts).only("cohort_id")
    }
    chosen = next((c for c in cohorts if str(c.pk) == cohort_id), None)
    return render(
        request,
        "activities/week.html",
        {
            "days": days,
            "monday": monday,
            "previous": (monday - timedelta(weeks=1)).isoformat(),
            "next": (monday + timedelta(weeks=1)).isoformat(),
            "cohorts": cohorts,
            "chosen": chosen,
            "chosen_programme": programmes.get(chosen.pk) if chosen else None,
            "mine": mine,
            "can_manage": _may_schedule(user),
            "title": _("Timetable: week of %(date)s")
            % {"date": date_format(monday, "SHORT_DATE_FORMAT")},
        },
    )


@require_safe
def participant_timetable(request, pk):
    """A person's individual timetable: the sessions they are on the roster of."""
    participant = get_participant_for_user(request.user, pk, Action.VIEW)
    monday = _monday(request.GET.get("week"))
    until = monday + timedelta(weeks=4)
    entries = (
        RosterEntry.objects.filter(
            participant=participant, session__date__range=(monday, until - timedelta(days=1))
        )
        .select_related("session__module", "session__leader")
        .order_by("session__date", "session__starts_at")
    )
    marks = dict(
        Attendance.objects.filter(
            participant=participant, session__date__range=(monday, until)
        ).values_list("session_id", "mark")
    )
    labels = dict(Mark.choices)
    rows = [
        {"session": entry.session, "mark": labels.get(marks.get(entry.session_id), "")}
        for entry in entries
    ]
    return render(
        request,
        "activities/timetable.html",
        {
            "participant": participant,
            "rows": rows,
            "monday": monday,
            "previous": (monday - timedelta(weeks=4)).isoformat(),
            "next": until.isoformat(),
            "title": _("Timetable: %(name)s") % {"name": participant.full_name},
            "breadcrumbs": [
                (_("Participants"), reverse("participants:list")),
                (participant.full_name, reverse("participants:detail", args=[participant.pk])),
            ],
        },
    )


@require_safe
def month(request):
    """A month of sessions as a calendar: one group's, or the ones I lead."""
    user = request.user
    if not policy().can(user, Action.ATTENDANCE) and not policy().can(user, Action.VIEW):
        raise PermissionDenied
    try:
        first = date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        first = timezone.localdate().replace(day=1)
    first, last = statements.month_bounds(first)
    sessions = Session.objects.filter(date__range=(first, last))
    mine = not policy().can(user, Action.VIEW) or request.GET.get("mine") == "1"
    cohort_id = request.GET.get("cohort", "")
    chosen = None
    if mine:
        sessions = sessions.filter(leader_id=user_staff_id(user))
    elif cohort_id.isdigit():
        chosen = Cohort.objects.filter(pk=int(cohort_id)).first()
        sessions = sessions.filter(module__programme__cohort_id=int(cohort_id))
    by_day = {}
    for session in sessions.select_related("module", "module__programme__cohort"):
        by_day.setdefault(session.date, []).append(session)
    holidays = services.polish_holidays(first, last)
    start = first - timedelta(days=first.weekday())
    weeks = []
    day = start
    while day <= last:
        weeks.append(
            [
                {
                    "date": day + timedelta(days=offset),
                    "in_month": (day + timedelta(days=offset)).month == first.month,
                    "sessions": by_day.get(day + timedelta(days=offset), []),
                    "holiday": holidays.get(day + timedelta(days=offset), ""),
                }
                for offset in range(7)
            ]
        )
        day += timedelta(weeks=1)
    query = f"&cohort={chosen.pk}" if chosen else ("&mine=1" if mine else "")
    return render(
        request,
        "activities/month.html",
        {
            "weeks": weeks,
            "first": first,
            "query": query,
            "previous": (first - timedelta(days=1)).strftime("%Y-%m"),
            "next": (last + timedelta(days=1)).strftime("%Y-%m"),
            "chosen": chosen,
            "mine": mine,
            "title": _("Timetable: %(month)s") % {"month": date_format(first, "F Y")},
            "breadcrumbs": _crumbs(),
        },
    )

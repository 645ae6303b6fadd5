"""What the activities add to the shared pages: navigation and the trainers' roster scope."""

from django.utils.translation import gettext_lazy

from kis_site.access import Action, policy
from kis_site.registries import (
    Panel,
    ParticipationSummary,
    RosterScope,
    TodoCount,
    TodoItem,
    enrolment_panels,
    home_panels,
    participant_panels,
    participation_summaries,
    roster_scopes,
    todo_items,
)
from kis_site.roles import user_staff_id


def _rostered_with_me(user):
    """People on the rosters of the sessions the user leads (what a trainer may see)."""
    from activities.models import RosterEntry

    return RosterEntry.objects.filter(session__leader_id=user_staff_id(user)).values(
        "participant_id"
    )


def register():
    roster_scopes.register(RosterScope("sessions", _rostered_with_me))
    home_panels.register(
        Panel(
            key="my-sessions",
            title=gettext_lazy("My sessions"),
            template="activities/_my_sessions.html",
            context=_my_sessions,
        )
    )
    todo_items.register(
        TodoItem(
            "attendance-missing",
            gettext_lazy("My sessions without attendance taken"),
            _attendance_missing,
            2,
        )
    )
    participation_summaries.register(ParticipationSummary("hours", _certificate_lines))
    todo_items.register(
        TodoItem("absence-cases", gettext_lazy("Absence rule: open cases"), _absence_cases, 41)
    )
    enrolment_panels.register(
        Panel(
            key="absence-cases",
            title=gettext_lazy("Absence rule"),
            template="activities/_enrolment_absences.html",
            context=_absence_panel,
        )
    )
    participant_panels.register(
        Panel(
            key="hours",
            title=gettext_lazy("Hours and attendance"),
            template="activities/_file_panel.html",
            context=_hours_panel,
        )
    )


def _hours_panel(request, participant):
    """Links to the person's hours, timetable and consultations: no query of its own (the file
    page is the busiest page; the numbers are one click away on the hour card)."""
    if not policy().can(request.user, Action.VIEW, participant):
        return None
    individual = next(
        (
            enrolment
            for enrolment in participant.enrolments.all()
            if enrolment.cohort_id is None and enrolment.ended_on is None
        ),
        None,
    )
    return {"participant": participant, "individual": individual}


def _absence_panel(request, enrolment):
    """The participation's absences counted now and its absence cases, where the decision is
    taken (two queries)."""
    if not policy().can(request.user, Action.CHANGE_STATUS, enrolment):
        return None
    from activities import absences
    from kis_site.models import KisSettings

    rules = KisSettings.load()
    justified, unjustified = absences.absence_counts(enrolment)
    cases = list(enrolment.absence_cases.order_by("closed_on", "-opened_at"))
    if not cases and not justified and not unjustified:
        return None
    return {
        "enrolment": enrolment,
        "open_cases": [case for case in cases if case.is_open],
        "closed_cases": [case for case in cases if not case.is_open],
        "counts": absences.counts_text(justified, unjustified, rules.justified_absence_limit),
        "rule_sentences": absences.rule_sentences(rules),
    }


def _absence_cases(user):
    if not policy().can(user, Action.CHANGE_STATUS):
        return None
    from django.urls import reverse

    from activities.absences import cases_in_scope

    count = cases_in_scope(user).filter(closed_on__isnull=True).count()
    return TodoCount(count, reverse("activities:absence-cases"), "danger")


def _certificate_lines(enrolment) -> list[dict]:
    """The certificate lists the modules the person took part in, with the hours done."""
    from django.utils.formats import number_format

    from activities.ledger import module_rows

    return [
        {"label": row.name, "hours": number_format(row.done.normalize(), use_l10n=True)}
        for row in module_rows(
            enrolment.participant_id, start=enrolment.starts_on, end=enrolment.ended_on
        )
        if row.done > 0
    ]


MISSING_SINCE_DAYS = 30


def _my_session_lists(user):
    """Today's sessions the user leads, and their past sessions (the last 30 days) with people
    on the roster and no attendance taken: two queries, once per request."""
    cached = getattr(user, "_kis_my_sessions", None)
    if cached is not None:
        return cached
    from datetime import timedelta

    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from activities.models import Attendance, RosterEntry, Session

    staff_id = user_staff_id(user)
    if staff_id is None or not policy().can(user, Action.ATTENDANCE):
        user._kis_my_sessions = None
        return None
    today = timezone.localdate()
    mine = (
        Session.objects.filter(leader_id=staff_id, cancelled=False)
        .select_related("module__programme__cohort", "module__programme__enrolment__participant")
        .annotate(
            taken=Exists(Attendance.objects.filter(session=OuterRef("pk"))),
            rostered=Exists(RosterEntry.objects.filter(session=OuterRef("pk"))),
        )
    )
    today_sessions = list(mine.filter(date=today).order_by("starts_at"))
    missing = list(
        mine.filter(
            date__lt=today,
            date__gte=today - timedelta(days=MISSING_SINCE_DAYS),
            taken=False,
            rostered=True,
        ).order_by("-date", "-starts_at")
    )
    user._kis_my_sessions = (today_sessions, missing)
    return user._kis_my_sessions


def _my_sessions(request, user):
    lists = _my_session_lists(user)
    if lists is None:
        return None
    today_sessions, missing = lists
    if not (today_sessions or missing or _leads_sessions(user)):
        return None
    return {"today_sessions": today_sessions, "missing": missing}


def _leads_sessions(user) -> bool:
    """The trainer's start page always says what today holds, even when it holds nothing."""
    return policy().works_from_rosters(user)


def _attendance_missing(user):
    lists = _my_session_lists(user)
    if lists is None:
        return None
    from django.urls import reverse

    if not lists[1] and not _leads_sessions(user):
        return None
    return TodoCount(len(lists[1]), reverse("home") + "#panel-my-sessions", "warning")

"""What the activities add to the shared pages: navigation and the trainers' roster scope."""

from django.utils.translation import gettext_lazy

from activities.ledger import certificate_lines
from activities.selectors import my_session_lists
from kis_site import hooks
from kis_site.access import Action, policy
from kis_site.registries import (
    Panel,
    TodoCount,
    TodoItem,
    enrolment_panels,
    home_panels,
    participant_panels,
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
    hooks.rostered_participant_ids.provide(_rostered_with_me)
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
    hooks.certificate_lines.provide(certificate_lines)
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

    count = cases_in_scope(user).filter(closed_on__isnull=True)
    return TodoCount(count, reverse("activities:absence-cases"), "danger")


def _my_sessions(request, user):
    lists = my_session_lists(user)
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
    lists = my_session_lists(user)
    if lists is None:
        return None
    from django.urls import reverse

    if not lists[1] and not _leads_sessions(user):
        return None
    return TodoCount(len(lists[1]), reverse("home") + "#panel-my-sessions", "warning")

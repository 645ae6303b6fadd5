"""Hours done have one definition (``activities.hours``): on generated data — two groups, a
person enrolled individually, marks of every kind, corrections, a session cancelled after its
marks, sessions still to come, consultations and interviews — the hour card, the week table, the
group's ledger, the plan's actions, the certificate, the change report's period, the outcomes
report, the yearly report, the OPS statement and the manager's month give the same hours for the
same people and periods, and each equals the hours computed a second way, straight from the marks
and the consultations."""

import random
from collections import defaultdict
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.formats import number_format

from activities import ledger, statements
from activities import services as activity_services
from activities.models import (
    Attendance,
    Consultation,
    ConsultationKind,
    Mark,
    ProgrammeTemplate,
    Session,
)
from activities.services import MarkInput
from ipd import selectors as ipd_selectors
from ipd import services as ipd_services
from ipd.models import ActionKind, Goal, PlanAction
from kis_site.vocabulary import Sphere
from participants import services as participant_services
from participants.models import Enrolment, EnrolmentStatus, ExitOutcome, Participant
from reports import dashboard, figures
from reports import selectors as report_selectors
from tests.factories import CohortFactory, EnrolmentFactory
from tests.records import frozen_on

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 18)  # a Wednesday
GROUP_MODULES = [
    "Psychoedukacja",
    "Badanie preferencji zawodowych",
    "Aktywne postawy na rynku pracy",
]
CONSULTATIONS = "Konsultacje indywidualne (psycholog, pedagog, prawnik, doradca zawodowy)"
INTERVIEW = "Indywidualny wywiad diagnostyczny"

_frozen = frozen_on(TODAY)


# --- The second computation: straight from the rows ------------------------------------------


def by_hand(participant_id, *, start=None, end=None, key=lambda module: module.pk) -> dict:
    """Hours done by ``key`` of the module: each mark's hours recomputed from the mark and the
    session's times (a cancelled session credits nothing), and each consultation's duration."""
    result: dict = defaultdict(Decimal)

    def within(day):
        return (start is None or day >= start) and (end is None or day <= end)

    for mark in Attendance.objects.filter(participant_id=participant_id).select_related(
        "session__module"
    ):
        session = mark.session
        if session.cancelled or not within(session.date):
            continue
        assert mark.hours == mark.credited_hours(session)  # the stored hours follow the mark
        result[key(session.module)] += mark.credited_hours(session)
    for consultation in Consultation.objects.filter(participant_id=participant_id).select_related(
        "module"
    ):
        if within(consultation.date):
            result[key(consultation.module)] += consultation.duration
    return {k: v for k, v in result.items() if v}


def total(hours: dict) -> Decimal:
    return sum(hours.values(), Decimal(0))


def by_name(module):
    return module.name


# --- The generated club ----------------------------------------------------------------------


def _weekdays(rng, first: date, last: date, count: int) -> list[date]:
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return sorted(rng.sample([d for d in days if d.weekday() < 5], count))


@pytest.fixture
def club(case_manager):
    rng = random.Random(18)
    template = ProgrammeTemplate.objects.get()
    spring = CohortFactory(
        name="Edycja wiosenna", starts_on=date(2026, 3, 2), ends_on=date(2026, 12, 18)
    )
    autumn = CohortFactory(
        name="Edycja jesienna", starts_on=date(2026, 9, 7), ends_on=date(2027, 5, 28)
    )
    for cohort in (spring, autumn):
        activity_services.programme_copy(template=template, cohort=cohort)
    enrolments = [
        EnrolmentFactory(cohort=cohort, starts_on=cohort.starts_on, planned_end_on=cohort.ends_on)
        for cohort in (spring, autumn)
        for _ in range(4)
    ]
    # One of the spring group completed in October (their certificate lists their hours).
    completed = enrolments[0]
    individual = EnrolmentFactory(
        cohort=None, starts_on=date(2026, 6, 1), planned_end_on=date(2027, 3, 31)
    )
    activity_services.programme_copy(template=template, enrolment=individual)
    enrolments.append(individual)

    def roster_on(programme, day):
        if programme.enrolment_id:
            return [programme.enrolment.participant_id]
        return [e.participant_id for e in enrolments if e.cohort_id == programme.cohort_id]

    marks = [Mark.PRESENT, Mark.PRESENT, Mark.LATE, Mark.EXCUSED, Mark.ABSENT]
    sessions = []
    owners = [(spring.programme, spring.starts_on), (autumn.programme, autumn.starts_on)]
    owners.append((individual.programme, individual.starts_on))
    for programme, first in owners:
        for name in GROUP_MODULES if programme.cohort_id else GROUP_MODULES[:1]:
            module = programme.modules.get(name=name)
            for day in _weekdays(rng, first, TODAY + timedelta(days=20), 6):
                start = time(rng.choice([8, 9, 10, 12]))
                end = time(start.hour + rng.choice([1, 2, 3]), rng.choice([0, 15, 30, 45]))
                try:
                    session = activity_services.session_create(
                        session=Session(
                            module=module, date=day, starts_at=start, ends_at=end, leader_name="T"
                        ),
                        roster=roster_on(programme, day),
                    )
                except Exception:  # a public holiday
                    continue
                sessions.append(session)
                if day <= TODAY:
                    activity_services.attendance_save(
                        session=session,
                        marks=[
                            MarkInput(pk, mark, rng.randint(5, 50) if mark == Mark.LATE else 0)
                            for pk in roster_on(programme, day)
                            for mark in [rng.choice(marks)]
                        ],
                        by=None,
                    )
    held = [s for s in sessions if s.date <= TODAY]
    assert [s for s in sessions if s.date > TODAY], "sessions still to come"
    for session in rng.sample(held, 4):  # corrections, with a reason
        activity_services.attendance_save(
            session=session,
            marks=[
                MarkInput(a.participant_id, Mark.ABSENT if a.hours else Mark.PRESENT)
                for a in Attendance.objects.filter(session=session)[:2]
            ],
            by=None,
            reason="Pomyłka",
        )
    cancelled = next(s for s in held if Attendance.objects.filter(session=s, hours__gt=0).exists())
    cancelled.cancelled = True  # cancelled after its marks (the admin can): credits nothing
    cancelled.save()
    for enrolment in enrolments:
        programme = enrolment.cohort.programme if enrolment.cohort_id else enrolment.programme
        for name, kind, hours in (
            (CONSULTATIONS, ConsultationKind.VOCATIONAL, Decimal("1.25")),
            (INTERVIEW, ConsultationKind.SOCIAL, Decimal("1.5")),
        ):
            activity_services.consultation_save(
                consultation=Consultation(
                    participant_id=enrolment.participant_id,
                    module=programme.modules.get(name=name),
                    kind=kind,
                    specialist_name="Doradca",
                    date=enrolment.starts_on + timedelta(days=rng.randint(1, 60)),
                    duration=hours,
                ),
                by=None,
            )
    # The completed participation ends after all its hours.
    last_day = max(
        [a.session.date for a in Attendance.objects.filter(participant=completed.participant)]
        + [c.date for c in Consultation.objects.filter(participant=completed.participant)]
    )
    Enrolment.objects.filter(pk=completed.pk).update(
        status=EnrolmentStatus.COMPLETED,
        ended_on=max(last_day, date(2026, 10, 15)),
        exit_outcome=ExitOutcome.EMPLOYMENT,
    )
    completed.refresh_from_db()
    # Plans of the autumn group and of the individual, with actions linked to modules.
    plans = []
    for enrolment in [e for e in enrolments if e.cohort_id == autumn.pk] + [individual]:
        plan = ipd_services.plan_start(
            enrolment=enrolment,
            diagnosis=None,
            no_diagnosis_reason="Diagnoza w toku",
            drawn_up_on=enrolment.starts_on + timedelta(days=10),
            review_on=enrolment.starts_on + timedelta(days=100),
            by=case_manager,
        )
        goal = ipd_services.goal_save(
            goal=Goal(
                plan=plan,
                sphere=Sphere.VOCATIONAL,
                description="Podjęcie pracy",
                indicator="Umowa",
                target_on=enrolment.starts_on + timedelta(days=150),
            ),
            expected_version=None,
            by=case_manager,
        )
        programme = enrolment.cohort.programme if enrolment.cohort_id else enrolment.programme
        for name, kind in [(n, ActionKind.MODULE) for n in GROUP_MODULES] + [
            (CONSULTATIONS, ActionKind.CONSULTATION)
        ]:
            module = programme.modules.filter(name=name).first()
            if module is None:
                continue
            ipd_services.action_save(
                action=PlanAction(
                    goal=goal, title=name, kind=kind, module=module, planned_hours=Decimal(20)
                ),
                expected_version=None,
                by=case_manager,
            )
        plans.append(plan)
    return {
        "cohorts": [spring, autumn],
        "enrolments": enrolments,
        "completed": completed,
        "individual": individual,
        "plans": plans,
    }


# --- The same hours everywhere ---------------------------------------------------------------


def test_the_hour_card_and_the_week_table(club, manager, client_for):
    client = client_for(manager)
    for enrolment in club["enrolments"]:
        person = enrolment.participant_id
        expected = by_hand(person)
        rows = ledger.module_rows(person)
        assert {row.module_id: row.done for row in rows if row.done} == expected
        page = client.get(reverse("activities:hour-card", args=[person]))
        assert page.status_code == 200
        assert page.context["totals"]["done"] == total(expected)
        weeks = ledger.weeks(person)
        assert sum((sum(w.done.values(), Decimal(0)) for w in weeks), Decimal(0)) == total(expected)
        for week in weeks:
            assert sum(week.done.values(), Decimal(0)) == total(
                by_hand(person, start=week.monday, end=week.monday + timedelta(days=6))
            )


def test_the_groups_ledger(club, manager, client_for):
    client = client_for(manager)
    for cohort in club["cohorts"]:
        people = [e.participant for e in club["enrolments"] if e.cohort_id == cohort.pk]
        rows = {row.participant.pk: row for row in ledger.cohort_rows(cohort, people, today=TODAY)}
        page = client.get(reverse("activities:cohort-hours", args=[cohort.pk]))
        on_page = {row.participant.pk: row.done_total for row in page.context["rows"]}
        for person in people:
            expected = total(by_hand(person.pk, end=TODAY))
            assert rows[person.pk].done_total == expected
            assert on_page[person.pk] == expected


def test_the_plans_actions(club):
    for plan in club["plans"]:
        enrolment = plan.enrolment
        goals = list(
            Goal.objects.filter(plan=plan).prefetch_related(
                Prefetch("actions", queryset=ipd_selectors.live_actions(), to_attr="live_actions")
            )
        )
        ipd_selectors.attach_progress(plan, goals)
        individual = enrolment.cohort_id is None
        # Rolling intake: the group's modules of the same name count for the individual.
        expected = by_hand(
            plan.participant_id,
            start=enrolment.starts_on,
            key=by_name if individual else (lambda module: module.pk),
        )
        actions = [a for goal in goals for a in goal.live_actions]
        assert len(actions) >= 2
        for action in actions:
            key = action.module.name if individual else action.module_id
            assert action.progress.done == expected.get(key, Decimal(0)), action.title
        assert ipd_selectors.goal_progress(goals[0]).done == sum(
            (a.progress.done for a in actions), Decimal(0)
        )


def test_the_certificate_and_the_change_reports_period(club, manager):
    completed = club["completed"]
    person = completed.participant_id
    certificate = participant_services.certificate_issue(
        enrolment=completed, issued_on=TODAY, by=manager
    )
    expected = by_hand(person, start=completed.starts_on, end=completed.ended_on, key=by_name)
    assert expected
    lines = {line["label"]: line["hours"] for line in certificate.lines}
    assert lines == {
        name: number_format(hours.normalize(), use_l10n=True) for name, hours in expected.items()
    }
    start, end = date(2026, 9, 1), date(2026, 9, 30)
    for enrolment in club["enrolments"]:
        period = report_selectors.period_attendance(enrolment.participant_id, start, end)
        done = {row.name: row.done for row in period["modules"] if row.done}
        assert done == by_hand(enrolment.participant_id, start=start, end=end, key=by_name)


def test_the_outcomes_and_the_yearly_report(club):
    people = [e.participant_id for e in club["enrolments"]]
    start, end = date(2026, 6, 1), date(2026, 10, 31)
    expected: dict = defaultdict(Decimal)
    year: dict = defaultdict(Decimal)
    for person in people:
        for name, hours in by_hand(person, start=start, end=end, key=by_name).items():
            expected[name] += hours
        for name, hours in by_hand(person, start=date(2026, 1, 1), end=TODAY, key=by_name).items():
            year[name] += hours
    rows = figures.hour_rows(people, start, end)
    assert {row["name"]: row["done"] for row in rows if row["done"]} == dict(expected)
    yearly = figures.yearly(2026, today=TODAY)
    on_report = {
        row["name"]: row["person_hours"] for row in yearly.activities if row["person_hours"]
    }
    assert on_report == dict(year)
    # Who took part, a second way: a set of people per activity from the marks and
    # consultations; someone both present at a session and consulted in it counts once.
    mark = Attendance.objects.filter(
        mark=Mark.PRESENT, session__cancelled=False, session__date__gte=date(2026, 1, 1)
    ).first()
    Consultation.objects.create(
        participant_id=mark.participant_id,
        module=mark.session.module,
        kind=ConsultationKind.SOCIAL,
        specialist_name="Psycholog",
        date=mark.session.date,
        duration=Decimal(1),
    )
    took_part: dict = defaultdict(set)
    for mark in Attendance.objects.select_related("session__module"):
        session = mark.session
        if (
            mark.mark in (Mark.PRESENT, Mark.LATE)
            and not session.cancelled
            and date(2026, 1, 1) <= session.date <= TODAY
        ):
            took_part[session.module.name].add(mark.participant_id)
    for consultation in Consultation.objects.filter(date__range=(date(2026, 1, 1), TODAY)):
        took_part[consultation.module.name].add(consultation.participant_id)
    yearly = figures.yearly(2026, today=TODAY)
    on_report = {row["name"]: row["people"] for row in yearly.activities if row["people"]}
    assert on_report == {name: len(who) for name, who in took_part.items()}


def test_the_ops_statement_and_the_managers_month(club):
    everyone = Participant.objects.all()
    for month in (date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)):
        last = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        statement = statements.ops(month, everyone)
        on_statement = {row[0].pk: row[5] for row in statement.rows}
        expected = {
            e.participant_id: total(by_hand(e.participant_id, start=month, end=last))
            for e in club["enrolments"]
        }
        assert on_statement == {k: v for k, v in expected.items() if v or k in on_statement}
    figures_now = dashboard.club_figures(TODAY)
    assert figures_now.done_hours == sum(
        (
            total(by_hand(e.participant_id, start=date(2026, 11, 1), end=TODAY))
            for e in club["enrolments"]
        ),
        Decimal(0),
    )

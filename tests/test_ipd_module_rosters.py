"""A module in a person's action plan keeps them on that module's sessions created later (a series
or a single session), not only on those that existed when the action was saved; the group's own
rosters stay its members."""

from datetime import date, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities import services as activity_services
from activities.models import ProgrammeTemplate, Session
from ipd import services
from ipd.models import ActionKind, ActionPlan, ActionStatus, Goal, PlanAction
from kis_site import documents
from kis_site.vocabulary import Sphere
from participants.models import EnrolmentStatus, ExitOutcome
from tests.factories import CohortFactory, EnrolmentFactory
from tests.records import frozen_on, paper

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)  # a Monday
WORKSHOP = "Psychoedukacja"
OTHER = "Aktywne postawy na rynku pracy"


_frozen = frozen_on(TODAY)


@pytest.fixture
def cohort():
    group = CohortFactory(starts_on=date(2026, 9, 7), ends_on=date(2027, 5, 28))
    for index in range(2):
        EnrolmentFactory(
            cohort=group, starts_on=group.starts_on, participant__last_name=f"Członek{index}"
        )
    return group


@pytest.fixture
def group_programme(cohort):
    return activity_services.programme_copy(template=ProgrammeTemplate.objects.get(), cohort=cohort)


@pytest.fixture
def members(cohort):
    return set(cohort.enrolments.values_list("participant_id", flat=True))


@pytest.fixture
def individual(participant):
    """Łukasz, enrolled on his own (rolling intake), with his own copy of the programme."""
    enrolment = EnrolmentFactory(
        participant=participant,
        cohort=None,
        starts_on=date(2026, 10, 1),
        planned_end_on=date(2027, 5, 28),
    )
    activity_services.programme_copy(template=ProgrammeTemplate.objects.get(), enrolment=enrolment)
    return enrolment


def open_plan(enrolment, by):
    return services.plan_start(
        enrolment=enrolment,
        diagnosis=None,
        no_diagnosis_reason="Diagnoza w toku, plan na pierwsze tygodnie.",
        drawn_up_on=TODAY,
        review_on=date(2027, 2, 23),
        by=by,
    )


def add_module_action(plan, module, by, **fields):
    goal = services.goal_save(
        goal=Goal(
            plan=ActionPlan.objects.get(pk=plan.pk),
            sphere=Sphere.SOCIAL,
            description="Lepsze radzenie sobie ze stresem",
            indicator="Udział w warsztatach",
            target_on=date(2027, 5, 1),
        ),
        expected_version=None,
        by=by,
    )
    action, _added = services.action_save(
        action=PlanAction(
            goal=goal, title="Warsztaty", kind=ActionKind.MODULE, module=module, **fields
        ),
        expected_version=None,
        by=by,
    )
    return action


def sign(plan, by):
    plan = paper(ActionPlan.objects.get(pk=plan.pk), "participant", by, "Łukasz Żółkiewski")
    return documents.document_sign(document=plan, slot_key="case_manager", user=by)


def one_session(module, day):
    return activity_services.session_create(
        session=Session(
            module=module, date=day, starts_at=time(9), ends_at=time(13), leader_name="Trener"
        )
    )


def series(module, days):
    result = activity_services.series_create(
        template=Session(module=module, starts_at=time(9), ends_at=time(13), leader_name="Trener"),
        dates=days,
    )
    assert [session.date for session in result.created] == days
    return result.created


def roster(session) -> set[int]:
    return set(session.roster.values_list("participant_id", flat=True))


def test_a_module_in_the_plan_puts_the_person_on_its_later_sessions_while_the_action_runs(
    group_programme, members, individual, case_manager
):
    own = individual.programme.modules.get(name=WORKSHOP)
    plan = open_plan(individual, case_manager)
    add_module_action(
        plan, own, case_manager, starts_on=date(2026, 12, 1), ends_on=date(2027, 1, 31)
    )
    assert sign(plan, case_manager).is_locked
    someone_else = EnrolmentFactory(cohort=None, starts_on=date(2026, 10, 1))
    person = individual.participant_id

    # Created after the action was saved: a series of the group's module of that name...
    before, first, second, after = series(
        group_programme.modules.get(name=WORKSHOP),
        [date(2026, 11, 26), date(2026, 12, 3), date(2026, 12, 10), date(2027, 2, 4)],
    )
    assert roster(first) == roster(second) == members | {person}
    # ... not before the action starts nor after it ends.
    assert roster(before) == roster(after) == members
    # A single session too.
    single = one_session(group_programme.modules.get(name=WORKSHOP), date(2026, 12, 15))
    assert roster(single) == members | {person}
    # The group's other modules stay the group's, and nobody else is pulled in.
    other = one_session(group_programme.modules.get(name=OTHER), date(2026, 12, 8))
    assert roster(other) == members
    assert someone_else.participant_id not in roster(single)
    # The person's own programme lists the person alone.
    assert roster(one_session(own, date(2026, 12, 9))) == {person}


def test_a_member_whose_plan_has_the_groups_module_is_listed_once(
    cohort, group_programme, members, case_manager
):
    member = cohort.enrolments.first()
    module = group_programme.modules.get(name=WORKSHOP)
    add_module_action(open_plan(member, case_manager), module, case_manager)
    (session,) = series(module, [date(2026, 12, 3)])
    assert roster(session) == members
    assert session.roster.count() == len(members)


def _remove_action(action, by):
    services.action_remove(action=PlanAction.objects.get(pk=action.pk), by=by)


def _remove_goal(action, by):
    services.goal_remove(goal=Goal.objects.get(pk=action.goal_id), by=by)


def _status(status):
    def change(action, by):
        action = PlanAction.objects.get(pk=action.pk)
        action.status = status
        services.action_progress_save(action=action, expected_version=action.version, by=by)

    return change


@pytest.mark.parametrize(
    "end_it",
    [_remove_action, _remove_goal, _status(ActionStatus.CANCELLED), _status(ActionStatus.DONE)],
    ids=["action removed", "goal removed", "not carried out", "done"],
)
def test_an_action_removed_or_finished_puts_the_person_on_no_later_session(
    end_it, group_programme, members, individual, case_manager
):
    module = group_programme.modules.get(name=WORKSHOP)
    action = add_module_action(
        open_plan(individual, case_manager),
        individual.programme.modules.get(name=WORKSHOP),
        case_manager,
    )
    (kept,) = series(module, [date(2026, 12, 3)])
    assert roster(kept) == members | {individual.participant_id}
    end_it(action, case_manager)
    (later,) = series(module, [date(2026, 12, 10)])
    assert roster(later) == members
    assert roster(one_session(module, date(2026, 12, 15))) == members
    # What was already on the rosters stays (it may have marks).
    assert roster(kept) == members | {individual.participant_id}


def test_a_participation_that_ended_puts_the_person_on_no_later_session(
    group_programme, members, individual, case_manager
):
    module = group_programme.modules.get(name=WORKSHOP)
    add_module_action(
        open_plan(individual, case_manager),
        individual.programme.modules.get(name=WORKSHOP),
        case_manager,
    )
    assert roster(one_session(module, date(2026, 12, 17))) == members | {individual.participant_id}
    individual.ended_on = date(2026, 12, 31)
    individual.status = EnrolmentStatus.COMPLETED
    individual.exit_outcome = ExitOutcome.EMPLOYMENT
    individual.save()
    (session,) = series(module, [date(2027, 1, 7)])
    assert roster(session) == members


def test_the_roster_is_one_query_however_many_plans_link_the_module(
    group_programme, members, case_manager
):
    module = group_programme.modules.get(name=WORKSHOP)
    people = set()
    for _index in range(3):
        enrolment = EnrolmentFactory(cohort=None, starts_on=date(2026, 10, 1))
        activity_services.programme_copy(
            template=ProgrammeTemplate.objects.get(), enrolment=enrolment
        )
        own = enrolment.programme.modules.get(name=WORKSHOP)
        add_module_action(open_plan(enrolment, case_manager), own, case_manager)
        people.add(enrolment.participant_id)
    session = Session(module=module, date=date(2026, 12, 3))
    with CaptureQueriesContext(connection) as queries:
        expected = activity_services.default_roster(session)
    assert set(expected) == members | people
    assert len(queries) == 1

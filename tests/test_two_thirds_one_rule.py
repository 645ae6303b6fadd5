"""The 2/3 rule is one rule in one place: the manager's club-in-the-month figures, the to-do
lists' ``ledger.below_two_thirds`` and the person's hour card flag the same people and weeks —
a week is below 2/3 when the social share of the hours done over the rolling window ending that
week falls below 2/3, whether or not the person has hours of their own that week."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest

from activities import ledger, services
from activities.models import Consultation, Mark, ProgrammeTemplate, Session
from activities.services import MarkInput
from reports.dashboard import club_figures
from tests.factories import CohortFactory, EnrolmentFactory
from tests.records import frozen_on

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)  # a Wednesday; 1 November 2026 is a Sunday
# The weeks of November that began in November and ended before this week.
MONTH = [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)]
# Six weeks with hours: the three before November's (the window of 2 November) and November's.
W1, W2, W3, W4, W5, W6 = (date(2026, 10, 12) + timedelta(weeks=n) for n in range(6))
FUTURE = [date(2026, 11, 30), date(2026, 12, 7)]


_frozen = frozen_on(TODAY)


@pytest.fixture
def cohort():
    return CohortFactory(
        name="Edycja jesienna", starts_on=date(2026, 9, 7), ends_on=date(2027, 5, 28)
    )


@pytest.fixture
def programme(cohort):
    return services.programme_copy(template=ProgrammeTemplate.objects.get(), cohort=cohort)


def enrol(cohort, last_name):
    return EnrolmentFactory(
        cohort=cohort, starts_on=cohort.starts_on, participant__last_name=last_name
    ).participant_id


def session_at(module, day, roster):
    return services.session_create(
        session=Session(
            module=module, date=day, starts_at=time(9), ends_at=time(13), leader_name="Trener"
        ),
        roster=roster,
    )


def consultation(programme, person, day, hours, manager):
    services.consultation_save(
        consultation=Consultation(
            participant_id=person,
            module=programme.modules.get(form="consultation"),
            kind="psychological",
            date=day,
            duration=Decimal(hours),
            specialist_name="Psycholog",
        ),
        by=manager,
    )


@pytest.fixture
def club(cohort, programme, manager):
    """Four people over six weeks of 4 h group sessions, a social one on Tuesday and a vocational
    one on Thursday (P: present, A: absent, -: not on the roster, C: an 8 h consultation):

                social: W1 W2 W3 W4 W5 W6     vocational: W1 W2 W3 W4 W5 W6
        Ala             P  P  P  P  -  P                  P  P  P  P  -  P
        Bartek          P  P  P  P  -  P                  -  -  -  -  -  -
        Celina          -  -  P  PC P  P                  P  P  -  -  -  -
        Darek           P  P  P  P  -  A                  -  -  -  P  P  A

    and sessions planned for everyone in the two weeks after this one, not marked yet."""
    ala, bartek, celina, darek = (
        enrol(cohort, name) for name in ("Ala", "Bartek", "Celina", "Darek")
    )
    social = programme.modules.get(name="Psychoedukacja")
    vocational = programme.modules.get(name="Badanie preferencji zawodowych")
    course = programme.modules.get(name="Kurs: podstawy obsługi komputera i internetu")
    grid = {
        social: {
            ala: "PPPP-P",
            bartek: "PPPP-P",
            celina: "--PPPP",
            darek: "PPPP-A",
        },
        vocational: {ala: "PPPP-P", celina: "PP----", darek: "---PPA"},
    }
    for module, marks in grid.items():
        weekday = 1 if module == social else 3
        for index, monday in enumerate((W1, W2, W3, W4, W5, W6)):
            day = monday + timedelta(days=weekday)
            here = {person: row[index] for person, row in marks.items() if row[index] != "-"}
            if not here:
                continue
            session = session_at(module, day, roster=list(here))
            services.attendance_save(
                session=session,
                marks=[
                    MarkInput(person, Mark.PRESENT if mark == "P" else Mark.ABSENT)
                    for person, mark in here.items()
                ],
                by=manager,
            )
    consultation(programme, celina, W4 + timedelta(days=2), "8", manager)
    everyone = [ala, bartek, celina, darek]
    for monday in FUTURE:
        session_at(social, monday + timedelta(days=1), roster=everyone)
        session_at(course, monday + timedelta(days=3), roster=everyone)
    return {"Ala": ala, "Bartek": bartek, "Celina": celina, "Darek": darek}


def card_flags(person) -> set[date]:
    """The weeks of the month the person's hour card flags "below 2/3" on what was attended."""
    return {week.monday for week in ledger.weeks(person) if week.done_below} & set(MONTH)


def card_shares(person) -> set[date]:
    """The weeks of the month the hour card shows a 4-week share of hours done for."""
    return {
        week.monday for week in ledger.weeks(person) if week.done_window_share is not None
    } & set(MONTH)


def test_the_month_is_its_weeks_begun_in_it_and_ended_before_this_week():
    assert ledger.month_mondays(TODAY) == MONTH
    assert ledger.month_mondays(date(2026, 11, 2)) == []  # the first week is not over yet
    assert ledger.month_mondays(date(2026, 12, 1)) == []  # nor December's
    assert ledger.month_mondays(date(2026, 12, 31)) == [
        date(2026, 12, 7),
        date(2026, 12, 14),
        date(2026, 12, 21),
    ]  # the week of 28 December is not over


def test_the_dashboard_the_two_thirds_list_and_the_hour_card_flag_the_same_weeks(club):
    people = list(club.values())
    card = {(person, monday) for person in people for monday in card_flags(person)}
    # Worked out by hand: Ala is at 1/2 throughout, also in the week she had no hours of her
    # own (9 November); Darek's window falls to 12/20 and 8/16, also in the week he was absent
    # from everything (16 November); Celina's 8 h consultation brings her window of 2 November
    # to 16/24, exactly 2/3: not below; Bartek does only social hours.
    a, d = club["Ala"], club["Darek"]
    assert card == {(a, MONTH[0]), (a, MONTH[1]), (a, MONTH[2]), (d, MONTH[1]), (d, MONTH[2])}

    found = ledger.below_two_thirds(people, mondays=MONTH)
    assert {(person, week.monday) for person, weeks in found.items() for week in weeks} == card

    figures = club_figures(TODAY)
    assert figures.weeks_below == len(card) == 5
    assert figures.people_below == len({person for person, _ in card}) == 2
    # Every person-week the hour card shows a share for is checked: 4 people x 3 weeks.
    assert figures.weeks_checked == sum(len(card_shares(person)) for person in people) == 12
    assert {
        (person, monday) for person, mondays in figures.below.items() for monday in mondays
    } == card


def test_only_the_active_are_counted_on_the_dashboard_by_the_same_rule(club):
    from participants.models import Enrolment, EnrolmentStatus

    Enrolment.objects.filter(participant_id=club["Darek"]).update(status=EnrolmentStatus.SUSPENDED)
    figures = club_figures(TODAY)
    active = [club[name] for name in ("Ala", "Bartek", "Celina")]
    found = ledger.below_two_thirds(active, mondays=MONTH)
    assert {person: [week.monday for week in weeks] for person, weeks in found.items()} == (
        figures.below
    )
    assert (figures.weeks_below, figures.people_below, figures.weeks_checked) == (3, 1, 9)


@pytest.mark.parametrize("extra", [0, 6])
def test_the_dashboard_queries_do_not_grow_with_people(
    extra, club, cohort, programme, manager, django_assert_num_queries
):
    ids = [enrol(cohort, f"Osoba{n}") for n in range(extra)]
    if ids:
        session = session_at(programme.modules.get(name="Psychoedukacja"), W6, roster=ids)
        services.attendance_save(
            session=session, marks=[MarkInput(pk, Mark.PRESENT) for pk in ids], by=manager
        )
    # Cohorts, the month's hours (rosters, marks, consultations: activities.hours counts the
    # consultations in the hours done, which the month's figure used to leave out), the 2/3 rule
    # (marks, consultations), caseloads, waiting list (no case managers here: no query for their
    # names).
    with django_assert_num_queries(8):
        club_figures(TODAY)

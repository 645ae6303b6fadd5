"""Planning a group (issue 17, "What the working week needs"): the group's page links its
programme, timetable, hours and "Nowe zajęcia"; the programme shows its total hours and the share
of social reintegration; scheduling over a module's quota warns and saves only when confirmed; the
2/3 rule's breaches reach the to-do lists by person; the hour card's "Razem" row sums the hours."""

import re
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from activities import ledger, services
from activities.models import Mark, ProgrammeTemplate, Session
from activities.services import MarkInput, Pattern
from tests.factories import CohortFactory, EnrolmentFactory
from tests.records import frozen_on

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)  # a Monday
# The four complete weeks before today's.
LAST_FOUR = [TODAY - timedelta(weeks=n) for n in (4, 3, 2, 1)]


_frozen = frozen_on(TODAY)


@pytest.fixture
def cohort():
    return CohortFactory(
        name="Edycja jesienna", starts_on=date(2026, 9, 7), ends_on=date(2027, 5, 28)
    )


@pytest.fixture
def programme(cohort):
    return services.programme_copy(template=ProgrammeTemplate.objects.get(), cohort=cohort)


def enrol(cohort, case_manager=None, **participant):
    enrolment = EnrolmentFactory(
        cohort=cohort,
        starts_on=cohort.starts_on,
        participant__case_manager=case_manager.staff if case_manager else None,
        **{f"participant__{name}": value for name, value in participant.items()},
    )
    return enrolment.participant


def session_at(module, day, start=time(9), end=time(13), roster=None, **fields):
    fields.setdefault("leader_name", "Trener z partnera")
    return services.session_create(
        session=Session(module=module, date=day, starts_at=start, ends_at=end, **fields),
        roster=roster,
    )


def session_data(module, day, start="09:00", end="13:00", **extra):
    return {
        "module": module.pk,
        "date": day.isoformat(),
        "starts_at": start,
        "ends_at": end,
        "leader_name": "Trener z partnera",
        "place": "Sala 3",
        **extra,
    }


# --- The group's page ------------------------------------------------------------------------


def test_the_cohort_page_links_planning_for_a_scheduler(
    programme, cohort, manager, case_manager, psychologist, client_for
):
    links = [
        reverse("activities:programme", args=[cohort.pk]),
        reverse("activities:week") + f"?cohort={cohort.pk}",
        reverse("activities:month") + f"?cohort={cohort.pk}",
        reverse("activities:cohort-hours", args=[cohort.pk]),
    ]
    new_session = reverse("activities:session-new", args=[programme.pk])
    for scheduler in (manager, case_manager):
        page = client_for(scheduler).get(reverse("cohorts:detail", args=[cohort.pk]))
        html = page.content.decode()
        for link in [*links, new_session]:
            assert f'href="{link}"' in html, link
        assert "Nowe zajęcia" in html
    # A psychologist opens the group's programme, timetable and hours (pages they may see), but
    # plans nothing.
    html = client_for(psychologist).get(reverse("cohorts:detail", args=[cohort.pk])).content
    html = html.decode()
    for link in links:
        assert f'href="{link}"' in html, link
    assert new_session not in html and "Nowe zajęcia" not in html
    assert client_for(psychologist).get(new_session).status_code == 403


def test_a_cohort_without_a_programme_leads_to_copying_it(cohort, manager, client_for):
    html = client_for(manager).get(reverse("cohorts:detail", args=[cohort.pk])).content.decode()
    assert reverse("activities:programme", args=[cohort.pk]) in html
    assert "/sessions/new/" not in html  # nothing to schedule before the programme exists


# --- The programme's total and social share --------------------------------------------------


def test_the_default_programme_totals_439_hours_with_its_social_share(
    programme, manager, client_for
):
    hours = ledger.programme_hours(programme.modules.all())
    assert hours.total == Decimal(439)  # the eleven modules of the Radom programme
    assert hours.social == Decimal(349) and hours.vocational == Decimal(90)
    assert hours.individual == Decimal(3)  # the diagnostic interview, per person on top
    assert hours.share == Decimal(349) / Decimal(439)
    assert hours.share_percent == Decimal("79.5") and hours.meets_rule
    page = client_for(manager).get(reverse("activities:programme", args=[programme.cohort_id]))
    text = " ".join(re.sub(r"<[^>]+>", " ", page.content.decode()).split())
    assert "439 h" in text and "349 h" in text and "90 h" in text
    assert "79,5%" in text


def test_a_retired_module_leaves_the_total_and_the_share_follows_the_categories(programme):
    programme.modules.filter(name="Kurs: prowadzenie działalności gospodarczej").update(
        is_retired=True
    )
    moved = ["Psychoedukacja", "Spotkania wspierające z pracownikiem socjalnym (opiekun grupy)"]
    programme.modules.filter(name__in=moved).update(category="vocational")
    hours = ledger.programme_hours(programme.modules.all())
    assert hours.total == Decimal(424)
    assert hours.social == Decimal(221) and hours.vocational == Decimal(203)
    assert hours.share == Decimal(221) / Decimal(424) and not hours.meets_rule


# --- Over a module's quota -------------------------------------------------------------------


def test_a_session_over_the_quota_warns_and_is_saved_only_when_confirmed(
    programme, cohort, manager, client_for
):
    enrol(cohort)
    module = programme.modules.get(name="Aktywne postawy na rynku pracy")  # 15 h
    for day in (date(2026, 11, 24), date(2026, 11, 26), date(2026, 12, 1)):
        session_at(module, day)  # 12 h planned
    client = client_for(manager)
    url = reverse("activities:session-new", args=[programme.pk])
    data = session_data(module, date(2026, 12, 3))
    page = client.post(url, data)
    assert page.status_code == 200
    assert Session.objects.filter(module=module).count() == 3  # not saved silently
    html = page.content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Aktywne postawy na rynku pracy" in text
    for figure in ("15 h", "12 h", "4 h", "16 h", "1 h"):
        assert figure in text, figure
    assert 'name="confirm_over_quota"' in html and 'type="checkbox"' in html

    confirmed = client.post(url, {**data, "confirm_over_quota": "on"})
    assert confirmed.status_code == 302
    assert Session.objects.filter(module=module).count() == 4
    assert ledger.module_scheduled_hours(module) == Decimal(16)


def test_a_session_within_the_quota_saves_without_a_question(programme, manager, client_for):
    module = programme.modules.get(name="Aktywne postawy na rynku pracy")
    response = client_for(manager).post(
        reverse("activities:session-new", args=[programme.pk]),
        session_data(module, date(2026, 12, 3)),
    )
    assert response.status_code == 302
    assert Session.objects.filter(module=module).count() == 1


def test_a_series_over_the_quota_warns_with_its_hours(programme, manager, client_for):
    module = programme.modules.get(name="Kurs: prowadzenie działalności gospodarczej")  # 15 h
    client = client_for(manager)
    url = reverse("activities:series-new", args=[programme.pk])
    data = {
        **session_data(module, date(2026, 11, 30)),
        "pattern": Pattern.WEEKLY,
        "weekdays": ["0"],
        "week_of_month": "1",
        "until": "2026-12-21",
    }  # four Mondays of 4 h: 16 h
    page = client.post(url, data)
    assert page.status_code == 200 and not Session.objects.filter(module=module).exists()
    text = " ".join(re.sub(r"<[^>]+>", " ", page.content.decode()).split())
    assert "16 h" in text and "15 h" in text
    assert client.post(url, {**data, "confirm_over_quota": "on"}).status_code == 302
    assert Session.objects.filter(module=module).count() == 4


def test_editing_a_session_warns_only_when_it_adds_hours_over_the_quota(
    programme, manager, client_for
):
    module = programme.modules.get(name="Aktywne postawy na rynku pracy")  # 15 h
    for day in (date(2026, 11, 24), date(2026, 11, 26)):
        session_at(module, day)
    last = session_at(module, date(2026, 12, 1), end=time(12))  # 11 h in all
    client = client_for(manager)
    url = reverse("activities:session-edit", args=[last.pk])

    def posted(**changes):
        last.refresh_from_db()
        data = session_data(module, last.date, end="12:00", expected_version=last.version)
        return client.post(url, {**data, **changes})

    assert posted(topic="CV").status_code == 302  # nothing added
    assert posted(ends_at="17:00").status_code == 200  # 4 + 4 + 8 = 16 h > 15 h
    assert ledger.module_scheduled_hours(module) == Decimal(11)
    assert posted(ends_at="17:00", confirm_over_quota="on").status_code == 302
    assert ledger.module_scheduled_hours(module) == Decimal(16)
    # Over the quota already, a change that adds nothing is not asked about again.
    assert posted(ends_at="17:00", topic="List motywacyjny").status_code == 302


# --- The 2/3 rule on the to-do lists ---------------------------------------------------------


@pytest.fixture
def breach(programme, cohort, manager, case_manager, other_case_manager):
    """Four weeks of 4 h social and 4 h vocational (1/2: below 2/3) for Adam (Marek's) and
    Beata (Katarzyna's); Cezary (Marek's) attends only the social sessions."""
    adam = enrol(cohort, case_manager, first_name="Adam", last_name="Breczko")
    beata = enrol(cohort, other_case_manager, first_name="Beata", last_name="Cichocka")
    cezary = enrol(cohort, case_manager, first_name="Cezary", last_name="Dudek")
    social = programme.modules.get(name="Psychoedukacja")
    vocational = programme.modules.get(name="Aktywne postawy na rynku pracy")
    for monday in LAST_FOUR:
        for session in (
            session_at(social, monday + timedelta(days=1), roster=[adam.pk, beata.pk, cezary.pk]),
            session_at(vocational, monday + timedelta(days=3), roster=[adam.pk, beata.pk]),
        ):
            services.attendance_save(
                session=session,
                marks=[
                    MarkInput(entry.participant_id, Mark.PRESENT, 0)
                    for entry in session.roster.all()
                ],
                by=manager,
            )
    return adam, beata, cezary


def test_the_two_thirds_tile_and_list_show_the_person_to_their_case_manager(
    breach, case_manager, manager, client_for
):
    adam, _beata, _cezary = breach
    # Reached from the monitoring list behind the start page's tile (the start page itself does
    # not compute the rule: over every mark of a large club it took over a second).
    list_url = reverse("activities:two-thirds")
    monitoring = client_for(case_manager).get(reverse("reports:monitoring")).content.decode()
    assert list_url in monitoring

    page = client_for(case_manager).get(list_url)
    html = page.content.decode()
    assert "Adam Breczko" in html or "Breczko Adam" in html
    assert reverse("activities:hour-card", args=[adam.pk]) in html
    assert "Cichocka" not in html  # Katarzyna's
    assert "Dudek" not in html  # all social: no breach
    assert "50%" in html  # the share of the worst window

    manager_page = client_for(manager).get(list_url).content.decode()
    assert "Breczko" in manager_page and "Cichocka" in manager_page
    assert "Dudek" not in manager_page


def test_the_two_thirds_list_agrees_with_the_hour_card(breach):
    found = ledger.below_two_thirds([person.pk for person in breach], mondays=LAST_FOUR)
    for person in breach:
        card = {week.monday for week in ledger.weeks(person.pk) if week.done_below}
        assert {week.monday for week in found.get(person.pk, [])} == card & set(LAST_FOUR)
    adam, beata, _cezary = breach
    assert set(found) == {adam.pk, beata.pk}


def test_the_two_thirds_list_is_for_case_managers_and_the_manager(
    breach, psychologist, trainer, client_for
):
    url = reverse("activities:two-thirds")
    assert client_for(psychologist).get(url).status_code == 403
    assert client_for(trainer).get(url).status_code == 403
    home = client_for(psychologist).get(reverse("home")).content.decode()
    assert url not in home


@pytest.mark.parametrize("count", [5, 50])
def test_the_two_thirds_list_queries_do_not_grow_with_people(
    count, programme, cohort, manager, client_for, django_assert_max_num_queries
):
    ids = [enrol(cohort).pk for _ in range(count)]
    monday = LAST_FOUR[-1]
    for name, day in (("Psychoedukacja", 1), ("Aktywne postawy na rynku pracy", 3)):
        session = session_at(
            programme.modules.get(name=name), monday + timedelta(days=day), roster=ids
        )
        services.attendance_save(
            session=session, marks=[MarkInput(pk, Mark.PRESENT, 0) for pk in ids], by=manager
        )
    client = client_for(manager)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("activities:two-thirds"))
    html = page.content.decode()
    assert all(reverse("activities:hour-card", args=[pk]) in html for pk in ids)


# --- The hour card ---------------------------------------------------------------------------


def test_the_hour_card_total_row_sums_the_rows(programme, cohort, manager, client_for):
    person = enrol(cohort)
    social = programme.modules.get(name="Psychoedukacja")
    vocational = programme.modules.get(name="Aktywne postawy na rynku pracy")
    marks = [
        (session_at(social, date(2026, 11, 10)), Mark.PRESENT),
        (session_at(social, date(2026, 11, 17), end=time(12, 30)), Mark.LATE),
        (session_at(vocational, date(2026, 11, 19)), Mark.EXCUSED),
    ]
    session_at(vocational, date(2026, 11, 26))  # planned, not held yet
    for session, mark in marks:
        services.attendance_save(
            session=session, marks=[MarkInput(person.pk, mark, 30)], by=manager
        )
    response = client_for(manager).get(reverse("activities:hour-card", args=[person.pk]))
    rows = response.context["rows"]
    totals = response.context["totals"]
    assert totals["planned"] == sum(row.planned for row in rows) == Decimal("15.50")
    assert totals["done"] == sum(row.done for row in rows) == Decimal("7.00")
    html = response.content.decode()
    total_row = re.search(r"<tr[^>]*>\s*<th[^>]*>\s*Razem\s*</th>(.*?)</tr>", html, re.DOTALL)
    assert total_row, "no Razem row"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", total_row.group(1), re.DOTALL)
    assert cells[:2] == ["15,50", "7"]
    # The tables scroll inside a focusable region, never the page.
    assert html.count('role="region"') >= 2 and 'tabindex="0"' in html

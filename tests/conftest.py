"""Personas with Polish names, one per role, and the records most tests stand on."""

from datetime import date

import pytest
from django.test import Client

from kis_site.vocabulary import RiskGroup, Role, Section
from participants import services
from tests import logcheck
from tests.factories import (
    CaseNoteFactory,
    ParticipantFactory,
    StaffMemberFactory,
    UserFactory,
)
from tests.records import victim  # noqa: F401 - the URL walks' fixture


@pytest.fixture(autouse=True)
def _fresh_cache(django_db_setup, django_db_blocker):
    """Each test starts with an empty cache (a table of the test database: the club figures)."""
    from django.core.cache import cache

    with django_db_blocker.unblock():
        cache.clear()
    yield
    with django_db_blocker.unblock():
        cache.clear()


PERSONAS = {
    # fixture name: (username, first name, last name, role)
    "manager": ("kierownik", "Anna", "Nowak", Role.MANAGER),
    "case_manager": ("case1", "Marek", "Wiśniewski", Role.CASE_MANAGER),
    "other_case_manager": ("case2", "Katarzyna", "Zielińska", Role.CASE_MANAGER),
    "social_worker": ("socjalny", "Joanna", "Kamińska", Role.SOCIAL_WORKER),
    "psychologist": ("psycholog", "Tomasz", "Lewandowski", Role.PSYCHOLOGIST),
    "career_advisor": ("doradca", "Agnieszka", "Wójcik", Role.CAREER_ADVISOR),
    "pedagogue": ("pedagog", "Paweł", "Kaczmarek", Role.PEDAGOGUE),
    "lawyer": ("prawnik", "Ewa", "Mazur", Role.LAWYER),
    "therapist": ("terapeuta", "Piotr", "Krawczyk", Role.THERAPIST),
    "trainer": ("trener", "Michał", "Dąbrowski", Role.TRAINER),
    "administrator": ("admin", "Robert", "Szymański", Role.ADMINISTRATOR),
    "stranger": ("obcy", "Jerzy", "Obcy", None),
}


def make_persona(name):
    username, first, last, role = PERSONAS[name]
    user = UserFactory(
        username=username,
        first_name=first,
        last_name=last,
        role=role,
        is_staff=role in (Role.MANAGER, Role.ADMINISTRATOR),
    )
    StaffMemberFactory(user=user, first_name=first, last_name=last)
    return user


def _persona_fixture(name):
    @pytest.fixture
    def fixture(db):
        return make_persona(name)

    fixture.__name__ = name
    return fixture


for _name in PERSONAS:
    globals()[_name] = _persona_fixture(_name)


@pytest.fixture
def personas(request, db):
    """Every persona, by fixture name (the same users as the single fixtures)."""
    return {name: request.getfixturevalue(name) for name in PERSONAS}


@pytest.fixture
def client_for():
    """A logged-in client for a user (force_login: the lockout tests log in for real)."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def participant(db, case_manager):
    """Łukasz Żółkiewski, managed by Marek Wiśniewski, long-term unemployed and alcohol-dependent,
    with a psychological note and an ordinary one."""
    person = ParticipantFactory(
        first_name="Łukasz",
        last_name="Żółkiewski",
        pesel="44051401359",
        birth_date=date(1944, 5, 14),
        case_manager=case_manager.staff,
        primary_risk_group=RiskGroup.ALCOHOL,
    )
    services.participant_set_risk_groups(
        participant=person, groups=[RiskGroup.ALCOHOL, RiskGroup.LONG_TERM_UNEMPLOYED]
    )
    CaseNoteFactory(
        participant=person,
        author=case_manager.staff,
        text="Sekretna notatka psychologiczna o nawrocie.",
        section=Section.PSYCHOLOGICAL,
    )
    CaseNoteFactory(participant=person, author=case_manager.staff, text="Zwykła notatka z rozmowy.")
    return person


# --- The log check of the whole run (tests/logcheck.py) ----------------------------------------


def pytest_configure(config):
    logcheck.start_recording()


def pytest_sessionfinish(session, exitstatus):
    """On the controller (or a run without xdist), after every test: no PESEL and no password in
    any log the run wrote. A finding fails the run."""
    if hasattr(session.config, "workerinput"):
        return  # an xdist worker: the controller checks once, when all of them are done
    from django.conf import settings

    result = logcheck.check_run()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    write = reporter.write_line if reporter else (lambda text, **_markup: print(text))
    where = settings.TEST_LOG_DIR
    if result.findings:
        count = len(result.findings)
        write(f"log check: {count} finding(s) in the run's logs ({where}):", red=True)
        for finding in result.findings[:50]:
            write(f"  {finding}", red=True)
        if session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        return
    write(
        f"log check: {result.lines} lines in {result.files} log files, no PESEL and no password"
        + (f" ({where})" if settings.TEST_LOG_KEEP else "")
    )
    if not settings.TEST_LOG_KEEP:
        logcheck.remove_run_dir()

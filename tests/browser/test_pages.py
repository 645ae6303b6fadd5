"""The manager's pages with a filled club, and the idle-session warning, in the browser."""

import pytest
from playwright.sync_api import expect

from participants import services
from participants.models import EnrolmentStatus, ExitOutcome
from tests.browser.helpers import log_in
from tests.factories import (
    ApplicationFactory,
    CaseNoteFactory,
    CohortFactory,
    EnrolmentFactory,
    FamilyMemberFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_pages_pass_axe_and_fit_the_screen(checker, manager, case_manager):
    cohort = CohortFactory(name="Edycja 2026/A")
    enrolments = [
        EnrolmentFactory(cohort=cohort, participant__case_manager=case_manager.staff)
        for _ in range(6)
    ]
    finished = enrolments[0]
    services.enrolment_change_status(
        enrolment=finished,
        to_status=EnrolmentStatus.COMPLETED,
        changed_on=finished.starts_on,
        reason="Koniec programu.",
        by=None,
        expected_version=finished.version,
        exit_outcome=ExitOutcome.EMPLOYMENT,
    )
    FamilyMemberFactory(participant=enrolments[1].participant, needs_childcare=True)
    CaseNoteFactory(participant=enrolments[1].participant, author=case_manager.staff)
    ApplicationFactory(decision="pending", decided_on=None, decision_reason="")
    page = checker.page
    log_in(checker, "kierownik")
    checker.check("manager-home")
    pages = {
        "cohorts": "/cohorts/",
        "cohort": f"/cohorts/{cohort.pk}/",
        "cohort-new": "/cohorts/new/",
        "waiting-list": "/recruitment/",
        "enrolment-finished": f"/participants/enrolments/{finished.pk}/",
        "enrolment-active": f"/participants/enrolments/{enrolments[1].pk}/",
        "participant-with-family": f"/participants/{enrolments[1].participant_id}/",
        "follow-ups": "/participants/follow-ups/?all=1",
        "ending": "/participants/ending/",
        "audit-log": "/audit/",
        "participant-audit": f"/participants/{enrolments[1].participant_id}/audit/",
    }
    for name, path in pages.items():
        page.goto(checker.url(path))
        checker.check(name)


def test_idle_warning_keeps_the_session_on_a_click(checker, case_manager, settings):
    settings.SESSION_COOKIE_AGE = 12
    settings.SESSION_WARNING_SECONDS = 9
    page = checker.page
    log_in(checker, "case1")
    warning = page.locator("#session-warning")
    expect(warning).to_be_visible(timeout=8000)
    expect(page.locator("#session-keep")).to_be_focused()
    page.click("#session-keep")
    expect(warning).to_be_hidden()
    # Left alone, the session ends and the page says so.
    expect(page.locator("#session-expired")).to_be_visible(timeout=20000)
    page.goto(checker.url("/participants/"))
    expect(page).to_have_url(checker.url("/login/?next=/participants/"))

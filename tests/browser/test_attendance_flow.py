"""A trainer takes attendance for 30 people with the keyboard alone: everyone is present by
default, the arrow keys change one person's mark, the minutes late are typed, one save."""

from datetime import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from activities import services
from activities.models import AbsenceCase, Attendance, Placement, ProgrammeTemplate, Session
from tests.browser.helpers import log_in, pdf_text
from tests.factories import CohortFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_trainer_takes_attendance_for_30_with_the_keyboard(checker, trainer, manager):
    today = timezone.localdate()
    cohort = CohortFactory(starts_on=today - timezone.timedelta(days=60))
    for index in range(30):
        EnrolmentFactory(
            cohort=cohort, starts_on=cohort.starts_on, participant__last_name=f"Osoba{index:02d}"
        )
    programme = services.programme_copy(template=ProgrammeTemplate.objects.get(), cohort=cohort)
    session = Session.objects.create(
        module=programme.modules.get(name="Psychoedukacja"),
        date=today,
        starts_at=time(9),
        ends_at=time(13),
        leader=trainer.staff,
        place="Sala 1",
        topic="Komunikacja bez przemocy",
    )
    for enrolment in cohort.enrolments.all():
        session.roster.create(participant=enrolment.participant)
    page = checker.page
    log_in(checker, "trener")
    # The start page says what today holds: the session to take attendance at.
    panel = page.locator("#panel-my-sessions")
    expect(panel).to_contain_text("Psychoedukacja")
    checker.check("home-trainer")
    panel.locator(f"a[href='/activities/sessions/{session.pk}/']").click()
    checker.check("attendance")

    rows = page.locator(".kis-attendance tbody tr")
    expect(rows).to_have_count(30)
    # The third person: arrow right twice (present → late → justified absence), by keyboard.
    third = rows.nth(2).locator("input[type=radio][value=present]")
    third.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    # The fifth person is late: arrow right once, then Tab to the minutes.
    fifth = rows.nth(4).locator("input[type=radio][value=present]")
    fifth.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    page.keyboard.type("20")
    page.locator(".kis-attendance button[type=submit]").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_be_visible()
    checker.check("attendance-saved")

    marks = dict(Attendance.objects.values_list("participant__last_name", "mark"))
    assert len(marks) == 30
    assert marks["Osoba02"] == "excused"
    assert marks["Osoba04"] == "late"
    assert list(marks.values()).count("present") == 28
    late = Attendance.objects.get(participant__last_name="Osoba04")
    assert late.minutes_late == 20 and str(late.hours) == "3.67"

    # A correction: the third person came after all, the tenth did not. Saved without a reason,
    # the page asks for it next to its field, with both changed marks kept.
    rows.nth(2).locator("label[for$='-present']").click()
    rows.nth(9).locator("label[for$='-absent']").click()
    page.locator(".kis-attendance button[type=submit]").click()
    reason = page.locator("#reason")
    expect(reason).to_be_visible()
    expect(reason).to_be_focused()
    expect(page.locator("#reason-error")).to_be_visible()
    expect(rows.nth(2).locator("input[value=present]")).to_be_checked()
    expect(rows.nth(9).locator("input[value=absent]")).to_be_checked()
    expect(rows.nth(4).locator("input.kis-late")).to_have_value("20")
    checker.check("attendance-correction-reason")
    reason.fill("Pomyłka przy liście.")
    page.locator(".kis-attendance button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    marks = dict(Attendance.objects.values_list("participant__last_name", "mark"))
    assert marks["Osoba02"] == "present" and marks["Osoba09"] == "absent"

    page.goto(checker.url("/"))
    expect(page.locator("#panel-my-sessions")).to_contain_text("obecność zapisana")
    page.goto(checker.url("/activities/?mine=1"))
    checker.check("timetable-trainer")

    # The trainer prints the list for the signatures in the room.
    printed = page.request.get(checker.url(f"/activities/sessions/{session.pk}/list.pdf"))
    text = " ".join(pdf_text(printed).split())
    assert "LISTA OBECNOŚCI" in text and "Komunikacja bez przemocy" in text
    assert "Osoba29" in text and "spóźniony (20 min)" in text


def test_the_manager_pages_of_the_programme_pass_axe(checker, manager, case_manager):
    today = timezone.localdate()
    cohort = CohortFactory(starts_on=today - timezone.timedelta(days=60))
    enrolment = EnrolmentFactory(
        cohort=cohort, starts_on=cohort.starts_on, participant__case_manager=case_manager.staff
    )
    page = checker.page
    log_in(checker, "kierownik")
    page.goto(checker.url(f"/activities/cohorts/{cohort.pk}/programme/"))
    checker.check("programme-empty")
    page.click("main button[type=submit]")
    expect(page.locator("main table tbody tr")).to_have_count(12)
    checker.check("programme")
    programme = cohort.programme  # copied from the default template by the click above
    page.goto(checker.url(f"/activities/programmes/{programme.pk}/sessions/series/"))
    checker.check("series")
    page.goto(checker.url(f"/activities/?cohort={cohort.pk}"))
    checker.check("timetable-cohort")
    page.goto(checker.url(f"/activities/month/?cohort={cohort.pk}"))
    checker.check("timetable-month")
    page.goto(checker.url(f"/activities/participants/{enrolment.participant_id}/hours/"))
    checker.check("hour-card")
    page.goto(checker.url("/activities/absence-cases/"))
    checker.check("absence-cases")
    page.goto(checker.url(f"/activities/statements/?kind=ops&cohort={cohort.pk}"))
    checker.check("statements")
    page.goto(checker.url(f"/activities/participants/{enrolment.participant_id}/consultations/"))
    checker.check("consultations")
    session = Session.objects.create(
        module=programme.modules.get(name="Grupa samopomocowa"),
        date=today,
        starts_at=time(14),
        ends_at=time(16),
        leader_name="Wolontariuszka",
    )
    session.roster.create(participant_id=enrolment.participant_id)
    page.goto(checker.url(f"/activities/sessions/{session.pk}/edit/"))
    checker.check("session-edit")
    page.goto(checker.url(f"/activities/participants/{enrolment.participant_id}/timetable/"))
    checker.check("timetable-participant")
    mark = Attendance.objects.create(
        session=session, participant_id=enrolment.participant_id, mark="absent"
    )
    case = AbsenceCase.objects.create(
        participant_id=enrolment.participant_id,
        enrolment=enrolment,
        reason="breach",
        attendance=mark,
    )
    page.goto(checker.url(f"/activities/absence-cases/{case.pk}/"))
    checker.check("absence-case")
    page.goto(checker.url(f"/activities/attendance/{mark.pk}/excuse/"))
    checker.check("excuse")
    page.goto(checker.url(f"/activities/cohorts/{cohort.pk}/hours/"))
    checker.check("cohort-hours")
    page.goto(checker.url(f"/activities/participants/{enrolment.participant_id}/placements/new/"))
    checker.check("placement-new")
    placement = Placement.objects.create(
        participant_id=enrolment.participant_id,
        kind="psu",
        employer="ZUK Radom",
        starts_on=today - timezone.timedelta(days=30),
        hours_per_week=10,
    )
    page.goto(checker.url(f"/activities/placements/{placement.pk}/"))
    checker.check("placement")

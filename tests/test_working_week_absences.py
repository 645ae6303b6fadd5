"""The regulations' absence rule (issue 17, defect 8): the limit is the number of justified
absences allowed, the case opens at the next one; one open case per participation, its count
computed now; the case on the participation's page; the warning letter and the decision printed."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from activities import services
from activities.models import AbsenceCase, CaseReason, Mark, ProgrammeTemplate, Session
from activities.services import MarkInput
from kis_site.models import KisSettings
from tests.factories import CohortFactory, EnrolmentFactory
from tests.records import frozen_on, pdf_words

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 2)


_frozen = frozen_on(date(2026, 11, 23))


@pytest.fixture
def rules():
    settings = KisSettings.load()
    settings.justified_absence_limit = 3
    settings.absence_warning_at_limit = False
    settings.save()
    return settings


@pytest.fixture
def group(case_manager):
    cohort = CohortFactory(starts_on=date(2026, 9, 7), ends_on=date(2027, 5, 28))
    person = EnrolmentFactory(
        cohort=cohort,
        starts_on=cohort.starts_on,
        participant__first_name="Zbigniew",
        participant__last_name="Nieobecny",
        participant__case_manager=case_manager.staff,
    )
    EnrolmentFactory(cohort=cohort, starts_on=cohort.starts_on)
    programme = services.programme_copy(template=ProgrammeTemplate.objects.get(), cohort=cohort)
    module = programme.modules.get(name="Psychoedukacja")
    days = [MONDAY + timedelta(days=n) for n in (0, 1, 2, 3, 4, 7, 8)]
    sessions = [
        services.session_create(
            session=Session(
                module=module,
                date=day,
                starts_at="09:00",
                ends_at="13:00",
                leader_name="Trener z partnera",
            )
        )
        for day in days
    ]
    return person, sessions


def mark(session, enrolment, value, by):
    return services.attendance_save(
        session=session, marks=[MarkInput(enrolment.participant_id, value)], by=by
    )


def open_cases(enrolment):
    return AbsenceCase.objects.filter(enrolment=enrolment, closed_on__isnull=True)


def test_with_a_limit_of_three_the_case_opens_at_the_fourth_justified_absence(
    rules, group, manager
):
    enrolment, sessions = group
    for session in sessions[:3]:
        mark(session, enrolment, Mark.EXCUSED, manager)
    assert not AbsenceCase.objects.exists()  # three allowed: the limit is reached, not exceeded
    mark(sessions[3], enrolment, Mark.EXCUSED, manager)
    case = open_cases(enrolment).get()
    assert case.reason == CaseReason.LIMIT


def test_further_absences_add_to_the_one_open_case_whose_count_is_computed_now(
    rules, group, manager, case_manager, client_for
):
    enrolment, sessions = group
    for session in sessions[:5]:
        mark(session, enrolment, Mark.EXCUSED, manager)
    mark(sessions[5], enrolment, Mark.ABSENT, manager)  # an unjustified one joins the same case
    case = open_cases(enrolment).get()
    assert AbsenceCase.objects.count() == 1
    assert case.entries.count() == 3  # the 4th and 5th justified, the unjustified one
    client = client_for(case_manager)
    listing = client.get(reverse("activities:absence-cases")).content.decode()
    assert "5 usprawiedliwionych (dozwolone 3)" in listing
    assert "1 nieusprawiedliwiona" in listing
    page = client.get(reverse("activities:absence-case", args=[case.pk])).content.decode()
    assert "5 usprawiedliwionych (dozwolone 3)" in page
    assert page.count(f"/activities/sessions/{sessions[4].pk}/") >= 1  # its history


def test_a_corrected_unjustified_absence_closes_its_case_when_nothing_else_keeps_it(
    rules, group, manager
):
    enrolment, sessions = group
    mark(sessions[0], enrolment, Mark.ABSENT, manager)
    case = open_cases(enrolment).get()
    assert case.reason == CaseReason.BREACH
    services.attendance_save(
        session=sessions[0],
        marks=[MarkInput(enrolment.participant_id, Mark.PRESENT)],
        by=manager,
        reason="Pomyłka przy zaznaczaniu.",
    )
    case.refresh_from_db()
    assert not case.is_open and case.outcome == "Poprawiono wpis obecności."


def test_the_kis_may_warn_at_the_last_allowed_absence(rules, group, manager):
    rules.absence_warning_at_limit = True
    rules.save()
    enrolment, sessions = group
    for session in sessions[:2]:
        mark(session, enrolment, Mark.EXCUSED, manager)
    assert not AbsenceCase.objects.exists()
    mark(sessions[2], enrolment, Mark.EXCUSED, manager)
    case = open_cases(enrolment).get()
    assert case.reason == CaseReason.WARNING
    mark(sessions[3], enrolment, Mark.EXCUSED, manager)
    assert open_cases(enrolment).get() == case
    assert list(case.entries.values_list("reason", flat=True)) == [
        CaseReason.WARNING,
        CaseReason.LIMIT,
    ]


def test_the_participation_page_lists_the_open_case(
    rules, group, manager, case_manager, client_for
):
    enrolment, sessions = group
    for session in sessions[:4]:
        mark(session, enrolment, Mark.EXCUSED, manager)
    case = open_cases(enrolment).get()
    page = client_for(case_manager).get(reverse("participants:enrolment", args=[enrolment.pk]))
    html = page.content.decode()
    assert reverse("activities:absence-case", args=[case.pk]) in html
    assert "Zasady obecności" in html
    assert "4 usprawiedliwione (dozwolone 3)" in html


def test_the_warning_letter_and_the_decision_print_the_person_the_absences_and_the_rule(
    rules, group, manager, case_manager, client_for
):
    enrolment, sessions = group
    for session in sessions[:4]:
        mark(session, enrolment, Mark.EXCUSED, manager)
    mark(sessions[4], enrolment, Mark.ABSENT, manager)
    case = open_cases(enrolment).get()
    client = client_for(case_manager)
    letter = client.get(reverse("activities:absence-case-warning", args=[case.pk]))
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    text = pdf_words(letter.content, layout=True)
    assert "UPOMNIENIE" in text
    assert "Zbigniew Nieobecny" in text
    assert "02.11.2026" in text and "06.11.2026" in text  # the absences, each with its date
    assert "nieusprawiedliwiona" in text
    assert "dopuszcza 3 nieobecności usprawiedliwione" in text  # the rule
    assert "Strona 1 z 1" in text
    # The warning given, recorded; the decision then refers to it.
    client.post(
        reverse("activities:absence-case", args=[case.pk]),
        {"form": "action", "action-kind": "warning", "action-taken_on": "2026-11-09"},
    )
    decision = client.get(reverse("activities:absence-case-decision", args=[case.pk]))
    text = pdf_words(decision.content, layout=True)
    assert "DECYZJA" in text and "skreśleniu z listy uczestników" in text
    assert "Zbigniew Nieobecny" in text and "03.11.2026" in text
    assert "dopuszcza 3 nieobecności usprawiedliwione" in text
    assert "upomnienia z dnia 09.11.2026" in text
    assert "Kierownik" in text  # who signs


def test_a_case_without_a_case_manager_is_on_the_managers_list_marked(
    rules, group, manager, case_manager, client_for
):
    enrolment, sessions = group
    participant = enrolment.participant
    participant.case_manager = None
    participant.save()
    for session in sessions[:4]:
        mark(session, enrolment, Mark.EXCUSED, manager)
    case = open_cases(enrolment).get()
    listing = client_for(manager).get(reverse("activities:absence-cases")).content.decode()
    assert reverse("activities:absence-case", args=[case.pk]) in listing
    assert "bez case managera" in listing
    theirs = client_for(case_manager).get(reverse("activities:absence-cases")).content.decode()
    assert reverse("activities:absence-case", args=[case.pk]) not in theirs

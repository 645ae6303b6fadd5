"""At the exit: the effects achieved with the ratings as evidence. Reporting back to the referring
institution: what is due to whom (progress letters per period, the notice of the exit), a letter
drawn up from the records, the health spheres only on a recorded basis, signing, PDF, sending."""

from datetime import date, time

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from activities import services as activity_services
from activities.models import Mark, Session
from activities.services import MarkInput
from kis_site import documents
from kis_site.models import KisSettings
from participants import services as participant_services
from participants.models import ApplicationSource, EnrolmentStatus, ExitOutcome, Participant
from reports import exits, referrers
from reports.models import Effect, ExitAssessment, LetterKind, ReferrerLetter
from reports.referrers import letters_due, progress_periods
from tests.cycle import (  # noqa: F401 - fixtures
    _frozen,
    cohort,
    diagnosis,
    enrolment,
    programme,
    rate,
    start,
)
from tests.factories import ContactPersonFactory
from tests.records import pdf_words as pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def referred(enrolment):
    """The participation came from an OPS referral with a named contact person."""
    contact = ContactPersonFactory(
        institution__name="MOPS Radom, Dział Pomocy Środowiskowej", first_name="Beata"
    )
    application = enrolment.application
    application.source = ApplicationSource.REFERRAL
    application.institution = contact.institution
    application.contact_person = contact
    application.save()
    return enrolment


def response_form(response):
    return response.context["form"]


def close(enrolment, by, outcome=ExitOutcome.EMPLOYMENT, day=date(2026, 11, 20)):
    return participant_services.enrolment_change_status(
        enrolment=enrolment,
        to_status=EnrolmentStatus.COMPLETED,
        changed_on=day,
        reason="Zakończył program.",
        by=by,
        expected_version=enrolment.version,
        exit_outcome=outcome,
    )


# --- Exit assessment ---------------------------------------------------------------------------


def test_the_exit_assessment_shows_the_evidence_and_counts_social_and_vocational_effects(
    enrolment, diagnosis, case_manager, client_for, psychologist
):
    report = start(enrolment, case_manager, month=date(2026, 10, 1))
    rate(report, "vocational", 4, case_manager)
    rate(report, "health", 3, case_manager)
    report.effects = [Effect.MOTIVATION, Effect.JOB_SEARCH]
    report.save()
    documents.document_sign(document=report, slot_key="case_manager", user=case_manager)
    client = client_for(case_manager)
    url = reverse("reports:exit-assessment", args=[enrolment.pk])
    # Not before the exit.
    response = client.get(url, follow=True)
    assert "na zakończenie udziału" in response.content.decode()
    enrolment = close(enrolment, case_manager)

    page = client.get(url).content.decode()
    assert "Dowody: oceny sfer" in page
    assert "motywacja" in page and "(1 raport)" in page
    # Pre-ticked with what the signed reports saw.
    form = response_form(client.get(url))
    assert form.initial["effects"] == [Effect.MOTIVATION, Effect.JOB_SEARCH]
    response = client.post(
        url,
        {
            "assessed_on": "2026-11-21",
            "effects": [Effect.MOTIVATION, Effect.JOB_SEARCH, Effect.LABOUR_MARKET],
            "notes": "Podjął pracę w magazynie.",
        },
    )
    assert response.status_code == 302
    assessment = ExitAssessment.objects.get(enrolment=enrolment)
    assert assessment.social_effect and assessment.vocational_effect
    assert assessment.effects == [Effect.MOTIVATION, Effect.JOB_SEARCH, Effect.LABOUR_MARKET]
    page = client.get(reverse("participants:enrolment", args=[enrolment.pk])).content.decode()
    assert "reintegracja społeczna" in page and "reintegracja zawodowa" in page

    # The evidence follows what the user may see: no health rows for a career advisor... and
    # a psychologist may not record the effects at all.
    assert client_for(psychologist).get(url).status_code in (403, 404)

    # A date in the future is refused with a Polish message, nothing lost.
    response = client.post(
        url,
        {
            "assessed_on": "2026-12-30",
            "effects": [Effect.MOTIVATION],
            "notes": "Poprawka",
            "expected_version": assessment.version,
        },
    )
    assert response.status_code == 200
    assert "Data nie może być późniejsza niż dzisiejsza" in response.content.decode()
    assert ExitAssessment.objects.get(pk=assessment.pk).notes == "Podjął pracę w magazynie."


def test_the_start_page_lists_exits_without_an_assessment(enrolment, case_manager, client_for):
    close(enrolment, case_manager)
    assert list(exits.exits_to_assess(Participant.objects.all())) == [enrolment]
    page = client_for(case_manager).get(reverse("home")).content.decode()
    assert "Zakończenia udziału bez oceny efektów" in page
    listing = client_for(case_manager).get(reverse("reports:exits-due")).content.decode()
    assert "Żółkiewski" in listing
    ExitAssessment.objects.create(
        participant=enrolment.participant, enrolment=enrolment, effects=[]
    )
    assert not exits.exits_to_assess(Participant.objects.all()).exists()


# --- What is due to the referrer -----------------------------------------------------------------


def test_progress_periods_are_blocks_of_calendar_months_from_the_start():
    # Started mid-month: the first block begins on that day; only blocks ended before "until".
    assert progress_periods(date(2026, 1, 15), date(2026, 7, 1), 3) == [
        (date(2026, 1, 15), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 6, 30)),
    ]
    assert progress_periods(date(2026, 1, 15), date(2026, 6, 30), 3) == [
        (date(2026, 1, 15), date(2026, 3, 31))
    ]
    # Monthly across a leap February and the new year.
    assert progress_periods(date(2027, 12, 31), date(2028, 3, 1), 1) == [
        (date(2027, 12, 31), date(2027, 12, 31)),
        (date(2028, 1, 1), date(2028, 1, 31)),
        (date(2028, 2, 1), date(2028, 2, 29)),
    ]
    assert progress_periods(date(2026, 1, 1), date(2027, 1, 1), 0) == []


def test_letters_due_to_the_referrer_and_an_own_application_has_none(
    referred, case_manager, client_for
):
    participants = Participant.objects.all()
    due, _to_send = letters_due(participants)  # started 07.09.2026, letters every 3 months
    assert [(d.kind, d.period_start, d.period_end) for d in due] == []
    with time_machine.travel(date(2026, 12, 1), tick=False):
        due, _to_send = letters_due(participants)
        assert [(d.kind, d.period_start, d.period_end) for d in due] == [
            (LetterKind.PROGRESS, date(2026, 9, 7), date(2026, 11, 30))
        ]
        assert due[0].institution.name == "MOPS Radom, Dział Pomocy Środowiskowej"
        page = client_for(case_manager).get(reverse("reports:letters-due")).content.decode()
        assert "MOPS Radom, Dział Pomocy Środowiskowej" in page
        assert "Informacja o przebiegu udziału za 09.2026–11.2026" in page
    # Monthly letters in the KIS settings.
    settings = KisSettings.load()
    settings.referrer_letter_months = 1
    settings.save()
    due, _to_send = letters_due(participants)
    assert [d.period_end for d in due] == [date(2026, 9, 30), date(2026, 10, 31)]
    # At the exit the notice is due instead.
    close(referred, case_manager)
    due, _to_send = letters_due(participants)
    assert [(d.kind, d.period_end) for d in due] == [(LetterKind.EXIT, date(2026, 11, 20))]
    # An own application: nobody to write to.
    application = referred.application
    application.source = ApplicationSource.SELF
    application.save()
    assert letters_due(participants) == ([], [])
    with pytest.raises(ValidationError):
        referrers.letter_start(enrolment=referred, kind=LetterKind.EXIT, by=case_manager)


def test_a_progress_letter_is_drawn_up_from_the_records_signed_printed_and_sent(
    referred, diagnosis, programme, case_manager, client_for, social_worker
):
    session = activity_services.session_create(
        session=Session(
            module=programme.modules.get(name="Psychoedukacja"),
            date=date(2026, 10, 12),
            starts_at=time(9),
            ends_at=time(13),
            leader_name="Trener",
        ),
        roster=[referred.participant_id],
    )
    activity_services.attendance_save(
        session=session, marks=[MarkInput(referred.participant_id, Mark.PRESENT)], by=case_manager
    )
    report = start(referred, case_manager, month=date(2026, 10, 1))
    rate(report, "vocational", 4, case_manager)
    rate(report, "health", 4, case_manager)
    documents.document_sign(document=report, slot_key="case_manager", user=case_manager)

    with time_machine.travel(date(2026, 12, 2), tick=False):
        client = client_for(case_manager)  # a new day, a new session
        response = client.post(
            reverse("reports:letter-start", args=[referred.pk]),
            {"kind": "progress", "period_start": "2026-10-05"},
            follow=True,
        )
        assert response.status_code == 200, response.status_code
        assert not [str(m) for m in response.context["messages"] if m.level_tag == "error"]
        letter = ReferrerLetter.objects.get()
        assert response.redirect_chain[-1][0] == reverse("reports:letter", args=[letter.pk])
        assert (letter.period_start, letter.period_end) == (date(2026, 9, 7), date(2026, 11, 30))
        assert letter.contact_person.first_name == "Beata"
        assert letter.attendance["done"] == 4.0
        assert letter.attendance["modules"][0]["name"] == "Psychoedukacja"
        assert "Diagnoza wstępna podpisana" in letter.stage
        assert "Raporty zmiany podpisane: 1 (ostatni za 10.2026)" in letter.stage
        # No health or psychological sphere without a recorded basis.
        assert {row["sphere"] for row in letter.ratings} == {"socio_living", "social", "vocational"}
        assert next(r for r in letter.ratings if r["sphere"] == "vocational")["now"] == 4
        # ... the due list no longer asks for it.
        assert letters_due(Participant.objects.all())[0] == []

        edit = reverse("reports:letter-edit", args=[letter.pk])
        data = {
            "written_on": "2026-12-02",
            "contact_person": letter.contact_person_id,
            "stage": letter.stage,
            "progress": "Uczestniczy regularnie, aktywnie szuka pracy.",
            "include_health": "on",
            "health_basis": "",
            "expected_version": letter.version,
        }
        response = client.post(edit, data)
        assert response.status_code == 200
        assert "Podaj, co pozwala przekazać informacje" in response.content.decode()
        assert "aktywnie szuka pracy" in response.content.decode()  # nothing lost
        response = client.post(edit, {**data, "health_basis": "Zgoda pisemna z 02.12.2026"})
        assert response.status_code == 302
        letter.refresh_from_db()
        assert "health" in {row["sphere"] for row in letter.ratings}
        # A social worker who may not see the psychological sphere cannot pass it on.
        # (the case manager may; the page of a user without it hides those rows)

        pdf = client.get(reverse("documents:pdf", args=["referrer_letter", letter.pk]))
        text = pdf_text(pdf.content)
        assert "INFORMACJA O PRZEBIEGU UDZIAŁU" in text
        assert "MOPS Radom, Dział Pomocy Środowiskowej" in text
        assert "Łukasz Żółkiewski" in text and "Psychoedukacja" in text
        assert "Zgoda pisemna z 02.12.2026" in text

        letter = documents.document_sign(
            document=letter, slot_key="case_manager", user=case_manager
        )
        assert letter.is_locked
        assert letters_due(Participant.objects.all())[1] == [letter]
        page = client.get(reverse("home")).content.decode()
        assert "Pisma do instytucji kierujących" in page
        response = client.post(
            reverse("reports:letter-sent", args=[letter.pk]),
            {"sent_on": "2026-12-02", "expected_version": letter.version},
        )
        letter.refresh_from_db()
        assert letter.sent_on == date(2026, 12, 2)
        assert letters_due(Participant.objects.all()) == ([], [])


def test_the_exit_notice_tells_the_end_and_the_outcome(
    referred, diagnosis, case_manager, client_for
):
    # An open participation has no exit to notify.
    with pytest.raises(ValidationError):
        referrers.letter_start(enrolment=referred, kind=LetterKind.EXIT, by=case_manager)
    close(referred, case_manager, outcome=ExitOutcome.EMPLOYMENT)
    client = client_for(case_manager)
    page = client.get(reverse("participants:enrolment", args=[referred.pk])).content.decode()
    assert "Zawiadomienie o zakończeniu udziału" in page
    client.post(reverse("reports:letter-start", args=[referred.pk]), {"kind": "exit"})
    letter = ReferrerLetter.objects.get(kind=LetterKind.EXIT)
    assert (letter.period_start, letter.period_end) == (referred.starts_on, date(2026, 11, 20))
    assert (
        "Udział zakończył się 20.11.2026 (status: ukończył). Wynik: zatrudnienie." in letter.stage
    )
    pdf = client.get(reverse("documents:pdf", args=["referrer_letter", letter.pk]))
    assert "ZAWIADOMIENIE O ZAKOŃCZENIU UDZIAŁU" in pdf_text(pdf.content)

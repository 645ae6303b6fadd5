"""Change reports: pre-filled from the diagnosis, the previous report and the plan; the grid; due
and overdue by calendar months (month ends, leap years); signing, the PDF, the plan's new version;
what each role sees."""

from datetime import date, time

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from activities import services as activity_services
from activities.models import Mark, Session
from activities.services import MarkInput
from ipd.models import ActionPlan
from kis_site import documents
from participants.models import EnrolmentStatus
from reports import services
from reports.models import ChangeReport, ChangeSphere, Effect
from reports.selectors import due_counts, due_state, due_states
from tests.cycle import (  # noqa: F401 - fixtures
    NOVEMBER,
    _frozen,
    add_goal,
    cohort,
    diagnosis,
    enrolment,
    plan,
    programme,
    rate,
    sign,
    start,
)
from tests.factories import EnrolmentFactory
from tests.records import file_panel
from tests.records import pdf_words as pdf_raw

pytestmark = pytest.mark.django_db
# --- Pre-fill -------------------------------------------------------------------------------


def test_a_report_is_prefilled_from_the_diagnosis_the_plan_and_the_period(
    plan, programme, case_manager, client_for
):
    add_goal(plan, case_manager, description="Podjęcie zatrudnienia")
    session = activity_services.session_create(
        session=Session(
            module=programme.modules.get(name="Psychoedukacja"),
            date=date(2026, 11, 16),
            starts_at=time(9),
            ends_at=time(13),
            leader_name="Trener",
        ),
        roster=[plan.participant_id],
    )
    activity_services.attendance_save(
        session=session, marks=[MarkInput(plan.participant_id, Mark.PRESENT)], by=case_manager
    )
    report = start(plan.enrolment, case_manager)
    socio = report.spheres.get(sphere="socio_living")
    assert (socio.previous_rating, socio.previous_source) == (2, str(plan.diagnosis))
    vocational = report.spheres.get(sphere="vocational")
    assert "Podjęcie zatrudnienia — nowy" in vocational.goals_progress
    html = client_for(case_manager).get(reverse("reports:change-report", args=[report.pk]))
    text = html.content.decode()
    assert "Psychoedukacja" in text and "4 / 4" in text
    assert (report.period_start, report.period_end) == (date(2026, 11, 1), date(2026, 11, 30))


def test_the_next_report_reads_against_the_previous_one_and_shows_the_direction(
    enrolment, diagnosis, case_manager
):
    october = start(enrolment, case_manager, date(2026, 10, 1))
    rate(october, "socio_living", 3, case_manager)
    november = start(enrolment, case_manager)
    socio = november.spheres.get(sphere="socio_living")
    assert socio.previous_rating == 3 and socio.previous_source == str(october)
    rate(november, "socio_living", 4, case_manager)
    assert ChangeSphere.objects.get(pk=socio.pk).arrow == "↑"
    health = november.spheres.get(sphere="health")
    assert health.previous_rating is None and health.arrow == ""


def test_bad_periods_and_ratings_get_clear_polish_messages(
    enrolment, diagnosis, case_manager, client_for
):
    client = client_for(case_manager)
    url = reverse("reports:change-report-start", args=[enrolment.participant_id])
    for day, message in (
        ("2026-08-01", "Uczestnictwo rozpoczęło się później"),
        ("2026-12-05", "Ten okres jeszcze się nie rozpoczął."),
    ):
        response = client.post(url, {"period_start": day, "months": "1"})
        assert message in response.content.decode(), day
    start(enrolment, case_manager, date(2026, 10, 1), months=2)
    response = client.post(url, {"period_start": "2026-11-10", "months": "1"})
    assert "Istnieje już raport za ten okres" in response.content.decode()
    assert ChangeReport.objects.count() == 1
    report = ChangeReport.objects.get()
    response = client.post(
        reverse("reports:change-report-edit", args=[report.pk]),
        {"social-expected_version": 1, "social-rating": "7", "social-what_changed": "Lepiej."},
    )
    assert "Wybierz poprawną wartość" in response.content.decode()
    assert ChangeSphere.objects.get(report=report, sphere="social").rating is None


def test_no_report_without_a_signed_diagnosis_and_none_after_the_exit(case_manager, client_for):
    enrolment = EnrolmentFactory(starts_on=date(2026, 9, 1), planned_end_on=date(2027, 6, 30))
    with pytest.raises(ValidationError) as error:
        start(enrolment, case_manager)
    assert "diagnozy" in " ".join(error.value.messages)
    enrolment.status, enrolment.ended_on, enrolment.exit_outcome = (
        EnrolmentStatus.COMPLETED,
        date(2026, 9, 30),
        "employment",
    )
    enrolment.save()
    with pytest.raises(ValidationError) as error:
        start(enrolment, case_manager)
    assert "period_start" in error.value.message_dict


# --- Due and overdue, exactly --------------------------------------------------------------


def state(today, signed_on, reports=(), overdue_months=2, **enrolment_fields):
    enrolment = EnrolmentFactory.build(
        status=EnrolmentStatus.ACTIVE,
        starts_on=date(2027, 12, 1),
        planned_end_on=date(2028, 11, 30),
        **enrolment_fields,
    )
    return due_state(
        enrolment,
        diagnosis_signed_on=signed_on,
        reports=list(reports),
        today=today,
        overdue_months=overdue_months,
    )


def test_due_from_the_month_after_the_diagnosis_and_overdue_at_month_ends_in_a_leap_year():
    signed = date(2028, 1, 15)
    first = state(date(2028, 1, 31), signed)
    assert first.due == [] and not first.overdue  # nothing due in the month of the diagnosis
    february = state(date(2028, 2, 29), signed)
    assert february.due == [date(2028, 2, 1)] and february.due_this_month
    assert not february.overdue
    assert not state(date(2028, 3, 31), signed).overdue  # January ended two months ago exactly
    assert state(date(2028, 4, 1), signed).overdue
    covered = [(date(2028, 2, 1), date(2028, 2, 29), "locked")]
    assert not state(date(2028, 4, 30), signed, covered).overdue
    assert state(date(2028, 5, 1), signed, covered).overdue
    draft = [(date(2028, 2, 1), date(2028, 2, 29), "draft")]
    with_draft = state(date(2028, 3, 15), signed, draft)
    assert with_draft.missing == [date(2028, 3, 1)]  # a draft covers its month
    assert with_draft.last_signed_end is None


def test_over_the_new_year_and_two_month_reports():
    signed = date(2026, 10, 3)
    report = [(date(2026, 11, 1), date(2026, 12, 31), "locked")]
    assert not state(date(2027, 2, 28), signed, report).overdue
    assert state(date(2027, 3, 1), signed, report).overdue
    assert state(date(2027, 1, 20), signed, report).missing == [date(2027, 1, 1)]
    ended = state(date(2027, 3, 1), signed, report, ended_on=date(2027, 1, 31))
    assert ended.due[-1] == date(2027, 1, 1)  # not after the participation
    assert not state(date(2027, 3, 1), signed, report, overdue_months=3).overdue


def test_the_case_managers_list_of_reports_due(enrolment, diagnosis, case_manager, client_for):
    with time_machine.travel(date(2027, 1, 5), tick=False):
        states = due_states([enrolment.participant])
        assert states[0].missing == [date(2026, 12, 1), date(2027, 1, 1)]
        assert not states[0].overdue
        assert due_counts([enrolment.participant]) == (1, 0)  # the tiles: due this month
        client = client_for(case_manager)
        page = client.get(reverse("reports:due")).content.decode()
        assert "Łukasz Żółkiewski" in page and "12.2026" in page
        month = client.get(reverse("reports:due") + "?show=month")
        assert [state.enrolment for state in month.context["page"]] == [enrolment]
        overdue = client.get(reverse("reports:due") + "?show=overdue")
        assert list(overdue.context["page"]) == []
    with time_machine.travel(date(2027, 2, 1), tick=False):
        assert due_states([enrolment.participant])[0].overdue
        assert due_counts([enrolment.participant]) == (0, 1)
        page = client_for(case_manager).get(reverse("reports:due") + "?show=overdue")
        assert "zaległy" in page.content.decode()
        assert len(page.context["page"]) == 1
        month = client_for(case_manager).get(reverse("reports:due") + "?show=month")
        assert list(month.context["page"]) == []  # overdue, so not among this month's


def test_the_tiles_count_what_the_list_shows_on_every_kind_of_day(
    enrolment, diagnosis, case_manager
):
    """due_counts (one query, for the tiles) and due_states (the list) agree at month ends, over
    the new year, with signed reports (one of two months) and a draft."""
    with time_machine.travel(date(2027, 2, 3), tick=False):
        october = start(enrolment, case_manager, date(2026, 10, 1))
        rate(october, "socio_living", 3, case_manager)
        documents.document_sign(document=october, slot_key="case_manager", user=case_manager)
        winter = start(enrolment, case_manager, date(2026, 11, 1), months=2)
        rate(winter, "socio_living", 4, case_manager)
        documents.document_sign(document=winter, slot_key="case_manager", user=case_manager)
        start(enrolment, case_manager, date(2027, 2, 1))  # a draft
    days = [
        date(2026, 9, 30),
        date(2026, 10, 1),
        date(2026, 11, 30),
        date(2026, 12, 1),
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2027, 1, 31),
        date(2027, 2, 1),
        date(2027, 2, 28),
        date(2027, 3, 1),
        date(2027, 5, 31),
        date(2027, 6, 1),
    ]
    people = [enrolment.participant]
    seen = set()
    for day in days:
        with time_machine.travel(day, tick=False):
            states = due_states(people)
            expected = (
                sum(1 for s in states if s.due_this_month and not s.overdue),
                sum(1 for s in states if s.overdue),
            )
            assert due_counts(people) == expected, day
            seen.add(expected)
    assert {(0, 0), (1, 0), (0, 1)} <= seen  # every case came up


# --- Signing, the PDF, the plan's new version --------------------------------------------------


def test_signed_printed_and_the_plan_opens_a_new_version_with_the_reason(
    plan, case_manager, client_for
):
    plan = sign(plan, case_manager)
    report = start(plan.enrolment, case_manager)
    rate(
        report,
        "vocational",
        3,
        case_manager,
        resources="Ukończył kurs komputerowy.",
        participation="Zarejestrowany w PUP.",
    )
    report = ChangeReport.objects.get(pk=report.pk)
    report.participant_view = "Czuję, że mam więcej siły do szukania pracy."
    report.effects = [Effect.MOTIVATION, Effect.JOB_SEARCH]
    report.recommendations = "Skierować na staż."
    report.ipd_changes = "Dodać cel: staż w hurtowni."
    services.report_save(report=report, expected_version=report.version, by=case_manager)
    report = documents.document_sign(document=report, slot_key="case_manager", user=case_manager)
    assert report.is_locked
    client = client_for(case_manager)
    response = client.get(reverse("documents:pdf", args=["change_report", report.pk]))
    text = pdf_raw(response.content)
    for expected in (
        "Raport zmiany",
        "Łukasz Żółkiewski",
        "01.11.2026 – 30.11.2026",
        "Sfera zawodowa",
        "Ukończył kurs komputerowy.",
        "Czuję, że mam więcej siły do szukania pracy.",
        "☑ motywacja",
        "Skierować na staż.",
        "Trajektoria ocen",
        "Case manager",
        "Strona 1 z",
    ):
        assert expected in text, expected
    response = client.post(reverse("reports:plan-revision", args=[report.pk]))
    plan = ActionPlan.objects.get(pk=plan.pk)
    assert response.status_code == 302 and plan.revision == 2
    reason = documents.current_revision(plan).reason
    assert reason == "Raport zmiany za 11.2026: Dodać cel: staż w hurtowni."


def test_sensitive_spheres_only_for_those_who_see_them(
    enrolment, diagnosis, case_manager, career_advisor, psychologist, client_for
):
    report = start(enrolment, case_manager)
    rate(report, "health", 3, case_manager, resources="Podjął leczenie odwykowe.")
    url = reverse("reports:change-report", args=[report.pk])
    advisor = client_for(career_advisor).get(url).content.decode()
    assert "leczenie odwykowe" not in advisor and "Sfera zawodowa" in advisor
    assert "Sfera zdrowotna" not in advisor.split("Trajektoria")[0]
    assert client_for(psychologist).get(url).content.decode().count("leczenie odwykowe") == 1
    part = ChangeSphere.objects.get(report=report, sphere="health")
    edit = reverse("reports:change-report-sphere", args=[report.pk, "health"])
    assert client_for(career_advisor).get(edit).status_code == 404
    assert client_for(career_advisor).get(
        reverse("documents:pdf", args=["change_report", report.pk])
    ).status_code in (403, 404)
    assert part.section == "health"


# --- Who signs, and the legal matters ------------------------------------------------------------


def test_cosigners_as_the_kis_configures_them_fixed_when_the_report_opens(
    enrolment, diagnosis, case_manager, psychologist, client_for
):
    from django.core.cache import cache

    from kis_site.admin import KisSettingsForm
    from kis_site.models import KisSettings

    settings = KisSettings.load()
    form = KisSettingsForm(
        instance=settings,
        data={
            **{
                field: getattr(settings, field)
                for field in ("name", "programme_name", "justified_absence_limit")
            },
            "participation_months": 12,
            "change_report_interval_months": 1,
            "change_report_overdue_months": 2,
            "referrer_letter_months": 3,
            "diagnosis_due_days": 30,
            "plan_due_days": 45,
            "unjustified_absence_is_breach": "on",
            "change_report_cosigners": ["psychologist", "participant"],
            "expected_version": settings.version,
        },
    )
    assert form.is_valid(), form.errors
    form.save()
    cache.clear()
    assert KisSettings.load().change_report_cosigners == ["participant", "psychologist"]
    bad = KisSettingsForm(instance=settings, data={"change_report_cosigners": ["lawyer"]})
    assert not bad.is_valid() and "change_report_cosigners" in bad.errors

    report = start(enrolment, case_manager)
    assert [slot.key for slot in documents.slots_of(report)] == [
        "case_manager",
        "participant",
        "psychologist",
    ]
    report = documents.document_sign(document=report, slot_key="case_manager", user=case_manager)

    # The psychologist finds it on their start page and in the list behind the tile.
    client = client_for(psychologist)
    tiles = client.get(reverse("home")).context["tiles"]
    tile = next(t for t in tiles if t["title"] == "Raporty zmiany oczekujące na mój podpis")
    assert tile["count"] == 1 and tile["url"] == reverse("reports:to-sign")
    listed = client.get(reverse("reports:to-sign"))
    assert [r.pk for r in listed.context["page"]] == [report.pk]
    assert client_for(case_manager).get(reverse("reports:to-sign")).status_code == 403

    report = documents.document_sign(document=report, slot_key="psychologist", user=psychologist)
    assert not report.is_locked
    assert list(client.get(reverse("reports:to-sign")).context["page"]) == []
    report = documents.document_record_paper_signature(
        document=report,
        slot_key="participant",
        signer_name=enrolment.participant.full_name,
        signed_on=date(2026, 11, 20),
        by=case_manager,
    )
    assert ChangeReport.objects.get(pk=report.pk).is_locked

    # A later change of the setting leaves the reports already opened as they were.
    settings = KisSettings.objects.get()
    settings.change_report_cosigners = []
    settings.save()
    cache.clear()
    signed = ChangeReport.objects.get(pk=report.pk)
    assert [slot.key for slot in documents.slots_of(signed)] == [
        "case_manager",
        "participant",
        "psychologist",
    ]
    october = start(enrolment, case_manager, date(2026, 10, 1))
    assert [slot.key for slot in documents.slots_of(october)] == ["case_manager"]


def test_legal_matters_only_for_those_who_see_the_legal_section(
    plan, case_manager, other_case_manager, social_worker, career_advisor, psychologist, client_for
):
    from auditlog.models import LogEntry

    from kis_site.vocabulary import Sphere

    add_goal(
        plan,
        case_manager,
        sphere=Sphere.SOCIO_LIVING,
        legal_matter=True,
        description="Ugoda z komornikiem",
    )
    add_goal(plan, case_manager, sphere=Sphere.SOCIO_LIVING, description="Stałe mieszkanie")
    report = start(plan.enrolment, case_manager)
    socio = report.spheres.get(sphere="socio_living")
    assert "Ugoda z komornikiem" in socio.legal_notes
    assert "Ugoda" not in socio.goals_progress and "Stałe mieszkanie" in socio.goals_progress

    url = reverse("reports:change-report", args=[report.pk])
    edit = reverse("reports:change-report-edit", args=[report.pk])
    worker = client_for(social_worker)
    assert "Ugoda z komornikiem" in worker.get(url).content.decode()
    assert 'name="socio_living-legal_notes"' in worker.get(edit).content.decode()
    # The career advisor writes only the vocational sphere; a colleague case manager writes
    # this one without seeing the legal section.
    sphere = reverse("reports:change-report-sphere", args=[report.pk, "socio_living"])
    assert client_for(career_advisor).get(sphere).status_code == 403
    assert 'name="socio_living-rating"' not in client_for(career_advisor).get(edit).content.decode()
    advisor = client_for(other_case_manager)
    page = advisor.get(url).content.decode()
    assert "Ugoda z komornikiem" not in page and "Stałe mieszkanie" in page
    form = advisor.get(edit).content.decode()
    assert "Ugoda" not in form and "legal_notes" not in form

    # The colleague's save of the sphere keeps the legal notes they never saw.
    response = advisor.post(
        edit,
        {
            "socio_living-rating": 3,
            "socio_living-what_changed": "Złożył wniosek o mieszkanie socjalne.",
            "socio_living-goals_progress": socio.goals_progress,
            "socio_living-expected_version": socio.version,
        },
    )
    assert response.status_code == 302
    socio = ChangeSphere.objects.get(pk=socio.pk)
    assert socio.rating == 3 and "Ugoda z komornikiem" in socio.legal_notes

    # The social worker writes them; the audit log masks them.
    response = worker.post(
        edit,
        {
            "socio_living-rating": 3,
            "socio_living-what_changed": socio.what_changed,
            "socio_living-goals_progress": socio.goals_progress,
            "socio_living-legal_notes": "Spłaca raty zgodnie z ugodą z komornikiem.",
            "socio_living-expected_version": socio.version,
        },
    )
    assert response.status_code == 302
    socio = ChangeSphere.objects.get(pk=socio.pk)
    assert socio.legal_notes == "Spłaca raty zgodnie z ugodą z komornikiem."
    entry = LogEntry.objects.get_for_object(socio).filter(changes__icontains="legal_notes").first()
    assert entry is not None and "komornik" not in str(entry.changes)

    # The printed report carries them: only for those who see the legal section too.
    pdf = reverse("documents:pdf", args=["change_report", report.pk])
    text = pdf_raw(client_for(case_manager).get(pdf).content)
    assert "Sprawy prawne" in text and "Spłaca raty zgodnie z ugodą" in text
    assert client_for(psychologist).get(pdf).status_code in (403, 404)


def test_the_file_charts_the_latest_participation_with_reports(
    enrolment, diagnosis, case_manager, client_for
):
    from participants.models import ExitOutcome
    from tests.test_ipd import signed_diagnosis

    earlier = EnrolmentFactory(
        participant=enrolment.participant,
        starts_on=date(2025, 1, 6),
        planned_end_on=date(2025, 11, 28),
        status=EnrolmentStatus.COMPLETED,
        status_changed_on=date(2025, 11, 28),
        ended_on=date(2025, 11, 28),
        exit_outcome=ExitOutcome.EDUCATION,
    )
    signed_diagnosis(earlier, case_manager, started_on=date(2025, 1, 10))
    march = start(earlier, case_manager, date(2025, 3, 1))
    november = start(enrolment, case_manager)
    page = file_panel(client_for(case_manager), enrolment.participant_id, "change_reports")
    panel = page.context["item"]["context"]
    assert [report.pk for report in panel["reports"]] == [november.pk, march.pk]
    labels = [point.label for point in panel["points"]]
    assert november.period_label in labels and march.period_label not in labels
    assert panel["charted"] == enrolment
    assert "Udział od 07.09.2026" in page.content.decode()

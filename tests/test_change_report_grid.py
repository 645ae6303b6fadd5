"""The change report in one screen: the five spheres x three dimensions grid and the report's own
part in one form, saved in one POST; "same as last month" per row; each row written only by those
who may write its sphere; each row's version checked; a signed report read-only."""

from datetime import date

import pytest
from django.urls import reverse

from diagnosis import services as diagnosis_services
from diagnosis.models import DiagnosisKind
from kis_site import documents
from reports import services
from reports.models import ChangeReport, ChangeSphere
from tests.factories import EnrolmentFactory
from tests.records import frozen_on, paper

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)
SPHERES = ("socio_living", "health", "social", "psychological", "vocational")
CONFLICT = "W czasie Twojej edycji ktoś inny zapisał zmiany w tym rekordzie."


_frozen = frozen_on(TODAY)


@pytest.fixture
def enrolment(participant):
    return EnrolmentFactory(
        participant=participant, starts_on=date(2026, 9, 7), planned_end_on=date(2027, 5, 28)
    )


@pytest.fixture
def diagnosis(enrolment, case_manager):
    report = diagnosis_services.report_start(
        enrolment=enrolment,
        kind=DiagnosisKind.INITIAL,
        started_on=date(2026, 9, 10),
        by=case_manager,
    )
    report.vocational.rating = 2
    report.vocational.rating_reason = "Brak aktualnych kwalifikacji."
    report.vocational.save()
    for slot in ("social_worker", "psychologist", "career_advisor"):
        report = paper(report, slot, case_manager, "Specjalista")
    assert report.is_locked
    return report


def open_report(enrolment, by, month=date(2026, 11, 1)):
    return services.report_start(enrolment=enrolment, period_start=month, months=1, by=by)


def grid_url(report):
    return reverse("reports:change-report-edit", args=[report.pk])


def page_data(response) -> dict:
    """What the browser posts back: every field of the grid's forms as the page shows it."""
    data = {}
    for form in response.context["grid_forms"]:
        for field in form:
            value = field.value()
            if isinstance(value, (list, tuple)):
                data[field.html_name] = [str(item) for item in value]
            else:
                data[field.html_name] = "" if value is None else str(value)
    return data


def row(report, sphere) -> ChangeSphere:
    return ChangeSphere.objects.get(report=report, sphere=sphere)


def test_the_case_manager_fills_all_five_spheres_and_the_report_in_one_post(
    diagnosis, enrolment, case_manager, client_for
):
    report = open_report(enrolment, case_manager)
    client = client_for(case_manager)
    page = client.get(grid_url(report))
    assert page.status_code == 200
    html = page.content.decode()
    for sphere in SPHERES:
        assert f'name="{sphere}-rating"' in html and f'id="sphere-{sphere}"' in html
    assert 'name="report-participant_view"' in html
    assert "Jak w poprzednim miesiącu" in html
    data = page_data(page)
    for number, sphere in enumerate(SPHERES, start=1):
        data[f"{sphere}-resources"] = f"Zasoby w sferze {sphere}."
        data[f"{sphere}-resources_rating"] = str(number)
        data[f"{sphere}-rating"] = str(number)
        data[f"{sphere}-what_changed"] = f"Zmiana w sferze {sphere}."
    data["report-participant_view"] = "Czuję się pewniej."
    data["report-recommendations"] = "Kontynuować doradztwo."
    response = client.post(grid_url(report), data)
    assert response.status_code == 302, response.context and [
        form.errors for form in response.context["grid_forms"]
    ]
    assert response["Location"] == reverse("reports:change-report", args=[report.pk])
    for number, sphere in enumerate(SPHERES, start=1):
        part = row(report, sphere)
        assert (part.rating, part.resources_rating, part.version) == (number, number, 2)
        assert part.resources == f"Zasoby w sferze {sphere}." and part.updated_by == case_manager
    report = ChangeReport.objects.get(pk=report.pk)
    assert report.participant_view == "Czuję się pewniej."
    assert report.recommendations == "Kontynuować doradztwo." and report.version == 2
    assert row(report, "vocational").arrow == "↑"  # 2 in the diagnosis, 5 now


def test_a_row_with_errors_keeps_everything_typed_and_saves_nothing(
    diagnosis, enrolment, case_manager, client_for
):
    report = open_report(enrolment, case_manager)
    client = client_for(case_manager)
    data = page_data(client.get(grid_url(report)))
    data["social-rating"] = "3"  # no "what changed"
    data["vocational-resources"] = "Ukończył kurs magazyniera."
    response = client.post(grid_url(report), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Napisz w jednym zdaniu, co się zmieniło" in html
    assert "Ukończył kurs magazyniera." in html
    assert row(report, "vocational").resources == "" and row(report, "social").rating is None


def test_same_as_last_month_fills_the_row_from_the_previous_report_or_the_diagnosis(
    diagnosis, enrolment, case_manager, client_for
):
    october = open_report(enrolment, case_manager, date(2026, 10, 1))
    part = row(october, "social")
    part.resources, part.resources_rating = "Wspiera go siostra.", 3
    part.awareness_rating, part.rating, part.what_changed = 2, 3, "Odnowił kontakt z siostrą."
    services.sphere_save(part=part, expected_version=part.version, by=case_manager)
    november = open_report(enrolment, case_manager)
    client = client_for(case_manager)
    data = page_data(client.get(grid_url(november)))
    data["psychological-resources"] = "Tekst wpisany przed kliknięciem."
    response = client.post(grid_url(november), {**data, "same_as_before": "social"})
    assert response.status_code == 200
    form = next(f for f in response.context["grid_forms"] if f.prefix == "social")
    assert str(form["rating"].value()) == "3"
    assert str(form["resources_rating"].value()) == "3"
    assert str(form["awareness_rating"].value()) == "2"
    assert form["resources"].value() == "Wspiera go siostra."
    assert form["what_changed"].value() == "Bez zmian w porównaniu z poprzednim okresem."
    html = response.content.decode()
    assert "Tekst wpisany przed kliknięciem." in html  # the other rows keep what was typed
    assert row(november, "social").rating is None  # filled, not saved
    # The first report has only the diagnosis to go by: its rating of the sphere.
    data = page_data(response)
    response = client.post(grid_url(november), {**data, "same_as_before": "vocational"})
    vocational = next(f for f in response.context["grid_forms"] if f.prefix == "vocational")
    assert str(vocational["rating"].value()) == "2"
    social = next(f for f in response.context["grid_forms"] if f.prefix == "social")
    assert str(social["rating"].value()) == "3"  # the earlier fill is still there
    # Saving keeps it.
    response = client.post(grid_url(november), page_data(response))
    assert response.status_code == 302
    assert (row(november, "social").rating, row(november, "vocational").rating) == (3, 2)
    assert row(november, "social").arrow == "→"


def test_the_career_advisor_writes_only_the_vocational_row(
    diagnosis, enrolment, case_manager, career_advisor, pedagogue, client_for
):
    report = open_report(enrolment, case_manager)
    client = client_for(career_advisor)
    page = client.get(grid_url(report))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="vocational-rating"' in html
    for sphere in ("socio_living", "social"):
        assert f'name="{sphere}-rating"' not in html and f'id="sphere-{sphere}"' in html
    for sphere in ("health", "psychological"):  # sensitive sections the advisor does not see
        assert f'id="sphere-{sphere}"' not in html
    assert 'name="report-participant_view"' not in html
    data = page_data(page)
    data["vocational-rating"] = "3"
    data["vocational-what_changed"] = "Przygotował CV."
    forged = {
        "social-expected_version": "1",
        "social-rating": "5",
        "social-what_changed": "Wpis spoza uprawnień.",
        "health-expected_version": "1",
        "health-rating": "5",
        "health-what_changed": "Wpis spoza uprawnień.",
        "report-expected_version": "1",
        "report-met_on": "2026-11-20",
        "report-participant_view": "Wpis spoza uprawnień.",
    }
    response = client.post(grid_url(report), {**data, **forged})
    assert response.status_code == 302
    assert row(report, "vocational").rating == 3
    for sphere in ("social", "health"):
        assert row(report, sphere).rating is None and row(report, sphere).version == 1
    assert ChangeReport.objects.get(pk=report.pk).participant_view == ""
    # The pedagogue writes no sphere: the grid is not theirs.
    assert client_for(pedagogue).get(grid_url(report)).status_code == 403


def test_a_stale_row_is_refused_and_what_was_typed_stays(
    diagnosis, enrolment, case_manager, career_advisor, client_for
):
    report = open_report(enrolment, case_manager)
    client = client_for(case_manager)
    data = page_data(client.get(grid_url(report)))
    # Meanwhile the career advisor saves the vocational row.
    part = row(report, "vocational")
    part.rating, part.what_changed = 4, "Podjął staż."
    services.sphere_save(part=part, expected_version=part.version, by=career_advisor)
    data["vocational-rating"] = "3"
    data["vocational-what_changed"] = "Szuka pracy przez PUP."
    data["social-resources"] = "Chodzi na grupę wsparcia."
    response = client.post(grid_url(report), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert CONFLICT in html
    assert "Szuka pracy przez PUP." in html and "Chodzi na grupę wsparcia." in html
    assert "Podjął staż." in html  # what they saved, side by side
    assert (row(report, "vocational").rating, row(report, "social").resources) == (4, "")
    # Saving again replaces their version knowingly.
    response = client.post(grid_url(report), page_data(response))
    assert response.status_code == 302
    vocational = row(report, "vocational")
    assert (vocational.rating, vocational.what_changed) == (3, "Szuka pracy przez PUP.")
    assert row(report, "social").resources == "Chodzi na grupę wsparcia."


def test_saving_a_signed_draft_clears_its_signatures_after_the_warning(
    diagnosis, enrolment, case_manager, client_for
):
    report = open_report(enrolment, case_manager)
    ChangeReport.objects.filter(pk=report.pk).update(cosigners=["psychologist"])
    report = documents.document_sign(
        document=ChangeReport.objects.get(pk=report.pk), slot_key="case_manager", user=case_manager
    )
    assert not report.is_locked and len(documents.active_signatures(report)) == 1
    client = client_for(case_manager)
    page = client.get(grid_url(report))
    html = page.content.decode()
    assert "Zapisanie zmiany go usunie" in html and "data-confirm-save=" in html
    data = page_data(page)
    data["report-recommendations"] = "Skierować na staż."
    assert client.post(grid_url(report), data).status_code == 302
    assert documents.active_signatures(ChangeReport.objects.get(pk=report.pk)) == {}


def test_a_signed_report_is_read_only(diagnosis, enrolment, case_manager, client_for):
    report = open_report(enrolment, case_manager)
    part = row(report, "social")
    part.rating, part.what_changed = 3, "Odnowił kontakt z siostrą."
    services.sphere_save(part=part, expected_version=part.version, by=case_manager)
    report = documents.document_sign(document=report, slot_key="case_manager", user=case_manager)
    assert report.is_locked
    client = client_for(case_manager)
    page = client.get(grid_url(report))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<textarea" not in html and 'name="social-rating"' not in html
    assert "Odnowił kontakt z siostrą." in html
    assert "Raport jest podpisany" in html
    response = client.post(
        grid_url(report),
        {
            "social-expected_version": "2",
            "social-rating": "5",
            "social-what_changed": "Zmiana po podpisie.",
        },
    )
    assert response.status_code == 302
    assert row(report, "social").rating == 3


def test_the_old_sphere_address_leads_to_the_row_of_the_grid(
    diagnosis, enrolment, case_manager, career_advisor, client_for
):
    report = open_report(enrolment, case_manager)
    old = reverse("reports:change-report-sphere", args=[report.pk, "vocational"])
    response = client_for(career_advisor).get(old)
    assert response.status_code == 302
    assert response["Location"] == grid_url(report) + "#sphere-vocational"
    social = reverse("reports:change-report-sphere", args=[report.pk, "social"])
    assert client_for(career_advisor).get(social).status_code == 403
    detail = client_for(career_advisor).get(reverse("reports:change-report", args=[report.pk]))
    assert f'href="{grid_url(report)}#sphere-vocational"' in detail.content.decode()

"""The case manager starts a diagnosis; the social worker, the psychologist and the career advisor
fill their spheres in the browser, the psychologist enters the Holland test, all three sign; the
case manager prints the signed report and checks it."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from diagnosis.models import DiagnosticReport
from tests.browser.helpers import load_lazy_parts, log_in, log_out, pdf_text
from tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def open_sphere(checker, report, sphere):
    page = checker.page
    page.goto(checker.url(f"/diagnosis/{report.pk}/"))
    page.click(f"a[href='/diagnosis/{report.pk}/sphere/{sphere}/']")
    checker.check(f"diagnosis-sphere-{sphere}")


def rate(page, rating, reason, strengths, deficits):
    page.fill("#id_strengths", strengths)
    page.fill("#id_deficits", deficits)
    page.check(f"input[name=rating][value='{rating}']")
    page.fill("#id_rating_reason", reason)
    page.click("main button[type=submit]")
    expect(page.locator(".alert-success")).to_be_visible()


def sign(checker, report, slot):
    page = checker.page
    page.goto(checker.url(f"/diagnosis/{report.pk}/"))
    page.click(f"form[action='/documents/diagnosis/{report.pk}/sign/{slot}/'] button")
    expect(page.locator(".alert-success")).to_be_visible()


def test_three_specialists_fill_and_sign_and_the_case_manager_prints(
    checker, case_manager, social_worker, psychologist, career_advisor
):
    enrolment = EnrolmentFactory(
        participant__first_name="Zdzisław",
        participant__last_name="Ćwikła",
        participant__case_manager=case_manager.staff,
    )
    person = enrolment.participant
    page = checker.page

    # The case manager starts the initial diagnosis from the file.
    log_in(checker, "case1")
    page.goto(checker.url(f"/participants/{person.pk}/"))
    load_lazy_parts(page)
    page.click(f"a[href='/diagnosis/participant/{person.pk}/new/']")
    checker.check("diagnosis-start")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/diagnosis/\d+/$"))
    checker.check("diagnosis-report-empty")
    report = DiagnosticReport.objects.get()
    log_out(page)

    # Spheres I and III: the social worker.
    log_in(checker, "socjalny")
    open_sphere(checker, report, "socio_living")
    page.fill("#id_institutional_help", "Klient OPS od 2019 r., zasiłek okresowy.")
    page.select_option("#id_incomes-0-kind", "periodic_benefit")
    page.fill("#id_incomes-0-amount", "420")
    page.select_option("#id_housing_title", "municipal")
    page.fill("#id_housing_notes", "Pokój w mieszkaniu komunalnym, zaległości czynszowe.")
    page.select_option("#id_criminal_record", "false")
    rate(
        page,
        "2",
        "Jedynym dochodem jest zasiłek, zadłużenie.",
        "regularnie płaci rachunki",
        "zadłużenie czynszowe\nbrak stałego dochodu",
    )
    open_sphere(checker, report, "social")
    page.fill("#id_family_situation", "Rozwiedziony, córka (19 l.) mieszka z matką.")
    rate(page, "3", "Kontakt z córką, mała sieć wsparcia.", "kontakt z córką", "izolacja")
    log_out(page)

    # Spheres II and IV and the Holland test: the psychologist.
    log_in(checker, "psycholog")
    open_sphere(checker, report, "health")
    page.fill("#id_health_state", "Nadciśnienie tętnicze, leczone.")
    page.select_option("#id_disability", "none")
    page.fill("#id_addictions", "Uzależnienie od alkoholu, terapia zakończona w 2024 r.")
    rate(
        page, "3", "Utrzymuje abstynencję, wymaga kontroli.", "abstynencja od 2 lat", "nadciśnienie"
    )
    open_sphere(checker, report, "psychological")
    page.fill("#id_motivation", "Wysoka, chce wrócić do pracy.")
    rate(page, "3", "Dobra motywacja, niska samoocena.", "motywacja", "niska samoocena")
    page.goto(checker.url(f"/diagnosis/{report.pk}/"))
    page.click(f"a[href='/diagnosis/{report.pk}/holland/']")
    checker.check("diagnosis-holland")
    for name, score in zip(
        ["realistic", "investigative", "artistic", "social", "enterprising", "conventional"],
        [12, 5, 3, 12, 7, 4],
        strict=True,
    ):
        page.fill(f"#id_{name}", str(score))
    page.click("main button[type=submit]")
    expect(page.locator("#holland")).to_contain_text("RSE")
    expect(page.locator("#holland svg")).to_be_visible()
    log_out(page)

    # Sphere V: the career advisor finds it on the start page, sees the Holland code, fills
    # and signs.
    log_in(checker, "doradca")
    page.click("a.kis-tile[href='/diagnosis/to-fill/']")
    checker.check("diagnosis-to-fill")
    page.click(f"main a[href='/diagnosis/{report.pk}/']")
    page.click(f"a[href='/diagnosis/{report.pk}/sphere/vocational/']")
    checker.check("diagnosis-sphere-vocational")
    expect(page.locator(".kis-holland-inline")).to_contain_text("RSE")
    page.select_option("#id_education_level", "basic_vocational")
    page.fill("#id_education", "Zasadnicza szkoła zawodowa, mechanik samochodowy.")
    page.fill("#id_jobs-0-employer", "Auto-Serwis Kowalski")
    page.fill("#id_jobs-0-position", "mechanik")
    page.fill("#id_jobs-0-started_on", "2010-03-01")
    page.fill("#id_jobs-0-ended_on", "2016-08-31")
    page.select_option("#id_pup_status", "unemployed")
    page.fill("#id_pup_since", "2021-01-15")
    rate(
        page,
        "2",
        "Długa przerwa w pracy, kwalifikacje do odświeżenia.",
        "zawód mechanika",
        "przerwa w zatrudnieniu od 2016 r.",
    )
    checker.check("diagnosis-report-filled")
    sign(checker, report, "career_advisor")
    # Print = screen: the advisor's copy leaves out the health and psychological spheres.
    copy = " ".join(
        pdf_text(page.request.get(checker.url(f"/documents/diagnosis/{report.pk}/pdf/"))).split()
    )
    assert "KOPIA BEZ SEKCJI" in copy and "Auto-Serwis Kowalski" in copy
    assert "Uzależnienie od alkoholu" not in copy
    log_out(page)

    for username, slot in (("psycholog", "psychologist"), ("socjalny", "social_worker")):
        log_in(checker, username)
        sign(checker, report, slot)
        log_out(page)
    report.refresh_from_db()
    assert report.is_locked

    # The case manager sees the signed state on the file and prints the report.
    log_in(checker, "case1")
    page.goto(checker.url(f"/participants/{person.pk}/"))
    load_lazy_parts(page)
    expect(page.locator(".diagnosis-signed")).to_be_visible()
    page.click(f"a[href='/diagnosis/{report.pk}/']")
    checker.check("diagnosis-report-signed")
    text = " ".join(
        pdf_text(page.request.get(checker.url(f"/documents/diagnosis/{report.pk}/pdf/"))).split()
    )
    assert "RAPORT DIAGNOSTYCZNY" in text
    assert "Zdzisław Ćwikła" in text
    assert "Uzależnienie od alkoholu, terapia zakończona w 2024 r." in text
    assert "Auto-Serwis Kowalski" in text and "RSE" in text
    for who in ("Joanna Kamińska", "Tomasz Lewandowski", "Agnieszka Wójcik"):
        assert who in text
    assert timezone.localdate().strftime("%d.%m.%Y") in text
    assert "PROJEKT" not in text

"""Restriction of processing in the browser: the manager restricts a file from it with a reason
and a date, the file says so and offers no change, the person is off the participant list and
among the restricted files; the case manager finds no way to change it; the manager lifts it,
giving the day the person was told."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import log_in, log_out
from tests.factories import EnrolmentFactory, ParticipantFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_manager_restricts_a_file_and_lifts_it(checker, manager, case_manager):
    person = ParticipantFactory(
        first_name="Halina", last_name="Ograniczona", case_manager=case_manager.staff
    )
    EnrolmentFactory(participant=person)
    page = checker.page
    file_url = checker.url(f"/participants/{person.pk}/")

    log_in(checker, "kierownik")
    page.goto(file_url)
    page.get_by_role("link", name="Ogranicz przetwarzanie").click()
    checker.check("restrict-form")
    page.fill("#id_reason", "Osoba zakwestionowała prawidłowość adresu (pismo z 3.12.2026).")
    page.click("main button[type=submit]")
    expect(page).to_have_url(file_url)
    banner = page.locator(".kis-restricted")
    expect(banner).to_contain_text("Przetwarzanie danych z tej teczki jest ograniczone od")
    expect(page.get_by_role("link", name="Edytuj dane")).to_have_count(0)
    checker.check("restricted-file")

    page.goto(checker.url("/participants/"))
    expect(page.locator("main table")).not_to_contain_text("Ograniczona")
    page.get_by_role("link", name="Teczki z ograniczonym przetwarzaniem").click()
    expect(page.locator("main table")).to_contain_text("Ograniczona Halina")
    checker.check("restricted-files")
    log_out(page)

    log_in(checker, "case1")
    page.goto(file_url)
    expect(page.locator(".kis-restricted")).to_be_visible()
    expect(page.get_by_role("link", name="Dodaj notatkę")).to_have_count(0)
    expect(page.get_by_role("link", name="Znieś ograniczenie")).to_have_count(0)
    log_out(page)

    log_in(checker, "kierownik")
    page.goto(file_url)
    page.get_by_role("link", name="Znieś ograniczenie").click()
    page.click("main button[type=submit]")
    expect(page.locator("main")).to_contain_text("To pole jest wymagane")
    checker.check("lift-refused")
    page.fill("#id_person_told_on", timezone.localdate().isoformat())
    page.fill("#id_note", "Adres poprawiony, osobę poinformowano telefonicznie.")
    page.click("main button[type=submit]")
    expect(page).to_have_url(file_url)
    expect(page.locator(".kis-restricted")).to_have_count(0)
    expect(page.get_by_role("link", name="Edytuj dane")).to_be_visible()

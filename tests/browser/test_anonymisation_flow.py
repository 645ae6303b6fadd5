"""Anonymisation in the browser, axe-core on each page: the person's case manager proposes it
from the file with a justification; the manager finds it among the files past retention, is
refused without the archive's consent reference, confirms with it; the file then says it is
anonymised, offers no change, is off the participant list, and the destruction record opens."""

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import log_in, log_out
from tests.factories import CompletedEnrolmentFactory, ParticipantFactory
from tests.records import pdf_text

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_case_manager_proposes_and_the_manager_anonymises(checker, manager, case_manager):
    year = timezone.localdate().year - 12
    person = ParticipantFactory(
        first_name="Teodora", last_name="Dawnowska", case_manager=case_manager.staff
    )
    CompletedEnrolmentFactory(
        participant=person,
        starts_on=date(year, 2, 1),
        planned_end_on=date(year, 11, 30),
        ended_on=date(year, 11, 30),
    )
    other = ParticipantFactory(first_name="Zenon", last_name="Dawny")
    CompletedEnrolmentFactory(
        participant=other,
        starts_on=date(year, 1, 10),
        planned_end_on=date(year, 10, 31),
        ended_on=date(year, 10, 31),
    )
    page = checker.page
    file_url = checker.url(f"/participants/{person.pk}/")

    log_in(checker, "case1")
    page.goto(file_url)
    page.get_by_role("link", name="Zaproponuj anonimizację").click()
    checker.check("anonymisation-propose")
    page.fill("#id_reason", "Upłynął okres przechowywania dokumentacji.")
    page.click("main button[type=submit]")
    expect(page).to_have_url(file_url)
    log_out(page)

    log_in(checker, "kierownik")
    page.goto(checker.url("/participants/"))
    page.get_by_role("link", name="Teczki po okresie przechowywania").click()
    expect(page.locator("main")).to_contain_text("Dawnowska Teodora")
    checker.check("files-past-retention")
    # The manager proposes another file past retention from the list, then confirms both.
    page.get_by_label("Zaproponuj razem: Zenon Dawny").check()
    page.get_by_role("button", name="Zaproponuj anonimizację zaznaczonych teczek").click()
    expect(page.locator(".alert-success")).to_contain_text("Zaproponowano 1 anonimizację")
    page.get_by_label("Zatwierdź razem: Teodora Dawnowska").check()
    page.get_by_label("Zatwierdź razem: Zenon Dawny").check()
    page.get_by_role("button", name="Zatwierdź zaznaczone teczki razem").click()
    expect(page.locator("main")).to_contain_text("2 teczki do anonimizacji")
    page.check("#id_understood")
    page.click("main button[type=submit]")
    expect(page.locator("main")).to_contain_text("wymagają zgody archiwum")
    checker.check("anonymisation-refused")
    page.fill("#id_archive_reference", "AP.6342.12.2026")
    page.check("#id_understood")
    page.click("main button[type=submit]")
    # The destruction record: the file by its case number, no name; the manager signs it in
    # the application, a member of the commission by hand; then its PDF is stored.
    expect(page.locator("main h1")).to_contain_text("Protokół anonimizacji nr 1/")
    expect(page.locator("main")).to_contain_text(f"KIS/{person.pk}")
    expect(page.locator("main")).to_contain_text(f"KIS/{other.pk}")
    expect(page.locator("main")).not_to_contain_text("Dawnowska")
    expect(page.locator("main")).not_to_contain_text("Dawny")
    checker.check("destruction-record")
    page.get_by_role("button", name="Podpisz Kierownik KIS").click()
    page.get_by_role("link", name="Odnotuj podpis odręczny — Członek komisji").click()
    checker.check("destruction-record-paper")
    page.fill("#id_signer_name", "Anna Archiwistka")
    page.click("main button[type=submit]")
    expect(page.locator("main")).to_contain_text("Anna Archiwistka")
    checker.check("destruction-record-signed")
    link = page.get_by_role("link", name="Drukuj (PDF)")
    response = page.request.get(checker.url(link.get_attribute("href")))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert f"KIS/{person.pk}" in text and f"KIS/{other.pk}" in text
    assert "Dawnowska" not in text and "Dawny" not in text
    page.goto(file_url)
    expect(page.locator("main h1")).to_contain_text(f"KIS/{person.pk}")
    expect(page.locator("body")).to_contain_text("Ta teczka została zanonimizowana")
    expect(page.get_by_role("link", name="Edytuj dane")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("Dawnowska")
    checker.check("anonymised-file")
    page.goto(checker.url("/participants/"))
    expect(page.locator("main")).not_to_contain_text(f"KIS/{person.pk}")

"""A person asks for their data (GDPR art. 15): the case manager prepares the copy from the file and
saves the review; the manager opens it from the file, releases it and downloads one ZIP — the PDF
in Polish, the JSON, the signed contract and its scan — in which the daughter's name is withheld.
axe-core on every page."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from kis_site import documents
from tests.browser.helpers import log_in, log_out
from tests.factories import CaseNoteFactory, EnrolmentFactory, FamilyMemberFactory, pdf_bytes
from tests.records import make_contract, paper, pdf_words

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_manager_releases_a_persons_data(checker, case_manager, manager):
    enrolment = EnrolmentFactory(
        participant__first_name="Halina",
        participant__last_name="Dostępna",
        participant__case_manager=case_manager.staff,
    )
    person = enrolment.participant
    FamilyMemberFactory(participant=person, first_name="Zosia")
    CaseNoteFactory(
        participant=person,
        author=case_manager.staff,
        text="Rozmowa o powrocie do pracy; Zosia zaczyna przedszkole.",
        section="psychological",
    )
    contract = make_contract(person, by=case_manager)
    paper(contract, "participant", case_manager, "Halina Dostępna")
    contract = paper(contract, "ops_worker", case_manager, "Beata Sowa")
    documents.document_upload_scan(
        document=contract, number=1, upload=SimpleUploadedFile("s.pdf", pdf_bytes()), by=manager
    )
    page = checker.page
    file_url = checker.url(f"/participants/{person.pk}/")
    copy_url = checker.url(f"/subject-access/{person.pk}/")

    # The case manager prepares the copy: she may not release it.
    log_in(checker, "case1")
    page.goto(file_url)
    page.get_by_role("link", name="Dane osoby (art. 15 RODO)").click()
    expect(page).to_have_url(copy_url)
    checker.check("subject-access-prepare")
    expect(page.get_by_role("button", name="Wydaj kopię (ZIP)")).to_have_count(0)
    family = page.get_by_label("Wyłącz: dziecko")
    expect(family).to_be_checked()  # another person's data: withheld until released
    page.get_by_role("button", name="Zapisz przegląd").click()
    expect(page.locator(".alert-success")).to_contain_text("Kopię wydaje osobie kierownik KIS")
    log_out(page)

    # The manager releases it: one ZIP, downloaded.
    log_in(checker, "kierownik", check_login=False)
    page.goto(file_url)
    checker.check("file-of-the-person")
    page.get_by_role("link", name="Dane osoby (art. 15 RODO)").click()
    expect(page.locator(".alert-info")).to_contain_text("przegląd zapisano")  # hers, kept
    checker.check("subject-access-release")
    with page.expect_download() as download:
        page.get_by_role("button", name="Wydaj kopię (ZIP)").click()
    name = download.value.suggested_filename
    assert name == f"dane-osoby-art15-nr-{person.pk}-{timezone.localdate().isoformat()}.zip"
    assert person.pesel not in name
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    names = archive.namelist()
    assert f"dokumenty/contract-{contract.pk}-v1.pdf" in names
    assert f"skany/contract-{contract.pk}-v1-skan.pdf" in names
    words = pdf_words(archive.read(name.replace(".zip", ".pdf")))
    assert "Pani/Pana dane osobowe (art. 15 RODO)" in words and "Halina Dostępna" in words
    assert "Zosia" not in words and "[dane innej osoby — wyłączone]" in words
    data = json.loads(archive.read(name.replace(".zip", ".json")))
    assert data["participant_number"] == person.pk and "Zosia" not in json.dumps(data)

    page.reload()
    expect(page.get_by_role("heading", name="Wydane kopie")).to_be_visible()
    checker.check("subject-access-released")

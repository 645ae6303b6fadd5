"""A case manager records a social contract, prints it, records the participant's signature on
paper, attaches the scan; at completion the certificate is issued and the manager signs it."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import Certificate, SocialContract
from tests.browser.helpers import log_in, log_out, pdf_text
from tests.factories import EnrolmentFactory, pdf_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def test_contract_signatures_scan_and_certificate(checker, case_manager, manager, tmp_path):
    enrolment = EnrolmentFactory(
        participant__first_name="Grażyna",
        participant__last_name="Łęcka",
        participant__case_manager=case_manager.staff,
    )
    person = enrolment.participant
    page = checker.page
    today = timezone.localdate()
    log_in(checker, "case1")

    page.goto(checker.url(f"/participants/{person.pk}/"))
    page.click(f"a[href='/participants/{person.pk}/contracts/new/']")
    checker.check("contract-new")
    page.fill("#id_number", "KS/45/2026")
    page.fill("#id_valid_until", today.replace(year=today.year + 1).isoformat())
    page.fill("#id_ops_worker", "Beata Sowa")
    page.fill("#id_goals", "Podjęcie zatrudnienia w ciągu roku.")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/participants/contracts/\d+/$"))
    checker.check("contract-draft")
    contract = SocialContract.objects.get()

    # Print the draft for signatures.
    draft_url = checker.url(f"/documents/contract/{contract.pk}/pdf/")
    text = pdf_text(page.request.get(draft_url))
    assert "KONTRAKT SOCJALNY nr KS/45/2026" in text
    assert "PROJEKT" in text
    assert "Grażyna Łęcka" in text

    # Both signed the printed contract by hand.
    for slot, name in [("participant", "Grażyna Łęcka"), ("ops_worker", "Beata Sowa")]:
        page.click(f"a[href='/documents/contract/{contract.pk}/paper/{slot}/']")
        checker.check(f"paper-{slot}")
        expect(page.locator("#id_signer_name")).to_have_value(name)
        page.click("main button[type=submit]")
    expect(page.locator(".kis-document .badge.status-active")).to_be_visible()
    contract.refresh_from_db()
    assert contract.is_locked

    # The scan of the signed paper.
    scan = tmp_path / "kontrakt-skan.pdf"
    scan.write_bytes(pdf_bytes())
    page.set_input_files("input[name=scan]", str(scan))
    page.click("form[action$='/upload/'] button[type=submit]")
    expect(page.locator(".kis-document")).to_contain_text("kontrakt")
    checker.check("contract-signed")
    final = page.request.get(draft_url)
    shown_hash = page.locator(".kis-document code").first.inner_text()
    assert final.headers["x-document-sha256"] == shown_hash
    assert "PROJEKT" not in pdf_text(final)

    # Completion: the case manager closes the participation and prepares the certificate.
    page.goto(checker.url(f"/participants/enrolments/{enrolment.pk}/"))
    page.select_option("#id_to_status", "completed")
    page.fill("#id_reason", "Ukończenie programu.")
    page.select_option("#id_exit_outcome", "employment")
    page.click("form:has(#id_to_status) button[type=submit]")
    expect(page.locator(".badge.status-completed").first).to_be_visible()
    checker.check("enrolment-completed")
    page.click(f"form[action='/participants/enrolments/{enrolment.pk}/certificate/'] button")
    expect(page).to_have_url(re.compile(r"/participants/certificates/\d+/$"))
    checker.check("certificate-draft")
    certificate = Certificate.objects.get()
    log_out(page)

    # The manager signs it in the app.
    log_in(checker, "kierownik")
    page.goto(checker.url(f"/participants/certificates/{certificate.pk}/"))
    page.click(f"form[action='/documents/certificate/{certificate.pk}/sign/manager/'] button")
    expect(page.locator(".kis-document .badge.status-active")).to_be_visible()
    checker.check("certificate-signed")
    text = pdf_text(page.request.get(checker.url(f"/documents/certificate/{certificate.pk}/pdf/")))
    assert f"nr {certificate.sequence}/{certificate.year}" in text
    assert "Grażyna Łęcka" in text
    assert "podpisano w aplikacji" in text
    page.goto(checker.url("/participants/certificates/"))
    checker.check("certificate-register")

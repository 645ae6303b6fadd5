"""The manager registers an institution with its contact person, refers a participant to it
with their recorded consent, records the acceptance and prints the letter."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import OutgoingReferral
from partners.models import Institution
from tests.browser.helpers import log_in, pdf_text
from tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_institution_referral_acceptance_and_letter(checker, manager):
    enrolment = EnrolmentFactory(
        participant__first_name="Zbigniew",
        participant__last_name="Ćwik",
        participant__case_manager=manager.staff,
    )
    person = enrolment.participant
    page = checker.page
    log_in(checker, "kierownik")

    # The directory is kept in the administration panel.
    page.goto(checker.url("/admin/partners/institution/add/"))
    checker.check("admin-institution-add", admin=True)
    page.fill("#id_name", "Centrum Integracji Społecznej w Radomiu")
    page.select_option("#id_kind", "cis")
    page.fill("#id_city", "Radom")
    page.fill("#id_nip", "796-123-45-01")
    page.click(".add-row a")
    page.fill("#id_contacts-0-first_name", "Monika")
    page.fill("#id_contacts-0-last_name", "Sarna")
    page.fill("#id_contacts-0-phone", "48 360 11 22")
    page.click("input[name=_save]")
    expect(page).to_have_url(checker.url("/admin/partners/institution/"))
    institution = Institution.objects.get(name="Centrum Integracji Społecznej w Radomiu")
    assert institution.contacts.get().last_name == "Sarna"

    page.goto(checker.url(f"/partners/{institution.pk}/"))
    checker.check("institution-page")

    # The referral, with the consent recorded.
    page.goto(checker.url(f"/participants/{person.pk}/"))
    page.click(f"a[href='/participants/{person.pk}/referrals/new/']")
    checker.check("referral-new")
    combo = page.locator("input[role=combobox]").first
    combo.fill("centrum integracji")
    combo.press("ArrowDown")
    combo.press("Enter")
    page.fill("#id_purpose", "Zatrudnienie socjalne w warsztacie stolarskim CIS.")
    page.check("input[name=data_passed][value=contact]")
    page.check("#id_legal_basis_0")
    expect(page.locator("#id_consent_on")).to_be_visible()
    expect(page.locator("#id_statutory_basis")).to_be_hidden()
    page.fill("#id_consent_on", timezone.localdate().isoformat())
    page.check("input[name=consent_categories][value=identity]")
    page.check("input[name=consent_categories][value=contact]")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/participants/referrals/\d+/$"))
    checker.check("referral-prepared")
    referral = OutgoingReferral.objects.get()

    # Signed, sent, accepted.
    page.click(f"form[action='/documents/referral/{referral.pk}/sign/referring/'] button")
    expect(page.locator(".kis-document .badge.status-active")).to_be_visible()
    page.select_option("#id_to_status", "sent")
    page.click("form:has(#id_to_status) button[type=submit]")
    expect(page.locator(".badge.referral-sent")).to_be_visible()
    page.select_option("#id_to_status", "accepted")
    page.fill("#id_note", "Przyjęty od 1 grudnia, warsztat stolarski.")
    page.click("form:has(#id_to_status) button[type=submit]")
    expect(page.locator(".badge.referral-accepted")).to_be_visible()
    checker.check("referral-accepted")

    # The letter: the person's name and contact, nothing more.
    letter = page.request.get(checker.url(f"/documents/referral/{referral.pk}/pdf/"))
    text = pdf_text(letter)
    assert "SKIEROWANIE" in text
    assert "Zbigniew Ćwik" in text
    assert "Centrum Integracji Społecznej w Radomiu" in text
    assert person.pesel not in text

    page.goto(checker.url(f"/partners/{institution.pk}/"))
    expect(page.locator("main")).to_contain_text("Zbigniew Ćwik")
    page.goto(checker.url("/partners/network/"))
    checker.check("network-overview")

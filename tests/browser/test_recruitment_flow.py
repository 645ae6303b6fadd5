"""A case manager records a referral, qualifies the person, completes the file, enrols them
and adds a note — by mouse and keyboard, with axe-core and layout checks on every page."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import Decision, EnrolmentStatus, Participant
from tests.browser.helpers import load_lazy_parts, log_in
from tests.factories import CohortFactory, ContactPersonFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_case_manager_takes_a_person_from_referral_to_enrolment(checker, case_manager):
    contact = ContactPersonFactory(
        institution__name="Powiatowy Urząd Pracy w Radomiu",
        first_name="Grzegorz",
        last_name="Lis",
    )
    cohort = CohortFactory(name="Edycja 2026/A")
    page = checker.page
    log_in(checker, "case1")
    checker.check("home")

    # Recruitment: the waiting list, then a new referral.
    page.click("nav a[href='/recruitment/']")
    checker.check("recruitment-list")
    page.click("a[href='/recruitment/new/']")
    checker.check("recruitment-new")
    page.fill("#id_person-first_name", "Grażyna")
    page.fill("#id_person-last_name", "Łęcka")
    page.fill("#id_person-pesel", "02211307589")
    page.fill("#id_person-phone", "600 100 200")
    page.select_option("#id_app-source", "referral")
    # The institution picker filters as you type, Polish letters or not.
    combo = page.locator("input[role=combobox]").first
    combo.fill("urzad pracy")
    combo.press("ArrowDown")
    combo.press("Enter")
    expect(page.locator("#id_app-institution")).to_have_value(str(contact.institution_id))
    contact_combo = page.locator("input[role=combobox]").nth(1)
    contact_combo.fill("lis")
    contact_combo.press("Enter")
    expect(page.locator("#id_app-contact_person")).to_have_value(str(contact.pk))
    page.fill("#id_app-reason", "Długotrwale bezrobotna, chce wrócić do pracy.")
    page.check("input[name='app-eligible_groups'][value='long_term_unemployed']")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/recruitment/\d+/$"))
    checker.check("application-detail")

    # Qualification.
    page.select_option("#id_decision", "qualified")
    page.fill("#id_decision_reason", "Spełnia kryteria ustawy, zmotywowana.")
    page.click("form[action$='/decide/'] button[type=submit]")
    expect(page.locator(".badge.decision-qualified").first).to_be_visible()
    person = Participant.objects.get(pesel="02211307589")
    assert person.applications.get().decision == Decision.QUALIFIED

    # Registration: the rest of the file.
    page.click(f"a[href='/participants/{person.pk}/']")
    checker.check("participant-file-new")
    page.click(f"a[href='/participants/{person.pk}/edit/']")
    checker.check("participant-edit")
    page.fill("#id_street", "ul. Kościuszki 5/3")
    page.fill("#id_postal_code", "26-600")
    page.fill("#id_city", "Radom")
    page.fill("#id_rodo_clause_given_on", timezone.localdate().isoformat())
    # The registering case manager is the case manager (the manager reassigns).
    expect(page.locator("#id_case_manager")).to_have_value(str(case_manager.staff.pk))
    page.click("main button[type=submit]")
    expect(page).to_have_url(checker.url(f"/participants/{person.pk}/"))

    # Enrolment in the cohort.
    page.click(f"a[href='/participants/{person.pk}/enrol/']")
    checker.check("enrol")
    page.select_option("#id_cohort", str(cohort.pk))
    page.fill("#id_starts_on", timezone.localdate().isoformat())
    page.click("main button[type=submit]")
    # No social contract yet: the form asks to confirm, keeping what was chosen.
    expect(page.locator("#id_confirm_without_basis")).to_be_visible()
    expect(page.locator("#id_cohort")).to_have_value(str(cohort.pk))
    checker.check("enrol-confirm")
    page.check("#id_confirm_without_basis")
    page.click("main button[type=submit]")
    expect(page).to_have_url(checker.url(f"/participants/{person.pk}/"))
    expect(page.locator(".badge.status-active").first).to_be_visible()
    assert person.enrolments.get().status == EnrolmentStatus.ACTIVE

    # A note, typed with the keyboard.
    page.click(f"a[href='/participants/{person.pk}/notes/new/']")
    checker.check("note-add")
    page.focus("#id_text")
    page.keyboard.type("Pierwsza rozmowa: omówiono regulamin i plan zajęć.")
    page.keyboard.press("Tab")
    page.click("main button[type=submit]")
    expect(page).to_have_url(checker.url(f"/participants/{person.pk}/#notes"))
    load_lazy_parts(page)
    expect(page.locator("#notes")).to_contain_text("Pierwsza rozmowa")
    checker.check("participant-file")

    # The participant list with the person on it.
    page.click("nav a[href='/participants/']")
    checker.check("participants-list")
    page.fill("#id_q", "grazyna lecka")
    page.click("form[role=search] button[type=submit]")
    expect(page.locator("table tbody tr")).to_have_count(1)
    assert "grazyna" not in page.url.lower()

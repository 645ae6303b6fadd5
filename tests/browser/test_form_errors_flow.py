"""A form that is refused says why where the user looks: each message next to its field (an
autocomplete field too), and a summary at the top that takes focus and links to each field."""

import re

import pytest
from playwright.sync_api import expect

from participants.models import Application
from tests.browser.helpers import log_in
from tests.factories import ContactPersonFactory, InstitutionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def expect_message_next_to(page, field, message):
    """The message is shown, just below the field it belongs to."""
    expect(message).to_be_visible()
    field_box = field.bounding_box()
    message_box = message.bounding_box()
    assert 0 <= message_box["y"] - (field_box["y"] + field_box["height"]) < 40
    assert abs(message_box["x"] - field_box["x"]) < 20


def test_referral_without_institution_shows_the_message_and_the_summary(checker, case_manager):
    contact = ContactPersonFactory(institution__name="Powiatowy Urząd Pracy w Radomiu")
    page = checker.page
    log_in(checker, "case1")

    page.goto(checker.url("/recruitment/new/"))
    page.fill("#id_person-first_name", "Grażyna")
    page.fill("#id_person-last_name", "Łęcka")
    page.fill("#id_person-pesel", "02211307589")
    page.select_option("#id_app-source", "referral")
    page.fill("#id_app-reason", "Długotrwale bezrobotna.")
    page.check("input[name='app-eligible_groups'][value='long_term_unemployed']")
    page.click("main button[type=submit]")

    # The summary at the top of the form: an alert that takes focus, each error a link.
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Formularz nie został zapisany")
    link = summary.get_by_role("link", name="Instytucja kierująca")
    expect(link).to_be_visible()

    # Next to the field: the combobox is marked invalid and described by the visible message.
    combo = page.get_by_role("combobox", name="Instytucja kierująca")
    message = page.locator("#id_app-institution_error")
    expect(message).to_have_text("Wybierz instytucję kierującą.")
    expect_message_next_to(page, combo, message)
    expect(combo).to_have_attribute("aria-invalid", "true")
    expect(combo).to_have_attribute("aria-describedby", "id_app-institution_error")
    # What was typed is kept.
    expect(page.locator("#id_person-last_name")).to_have_value("Łęcka")
    checker.check("form-errors-application")

    # The summary's link takes the user to the field (the combobox stands in for the select).
    link.click()
    expect(combo).to_be_focused()
    combo.fill("urzad pracy")
    combo.press("ArrowDown")
    combo.press("Enter")
    expect(page.locator("#id_app-institution")).to_have_value(str(contact.institution_id))
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/recruitment/\d+/$"))
    assert Application.objects.get().institution == contact.institution


def test_new_referral_without_institution_shows_the_message(checker, case_manager, participant):
    InstitutionFactory(name="Centrum Integracji Społecznej w Radomiu")
    page = checker.page
    log_in(checker, "case1")

    page.goto(checker.url(f"/participants/{participant.pk}/referrals/new/"))
    page.click("main button[type=submit]")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name=re.compile("Instytucja"))).to_be_visible()
    combo = page.locator("#id_institution").locator("xpath=..").get_by_role("combobox")
    message = page.locator("#id_institution_error")
    expect_message_next_to(page, combo, message)
    expect(combo).to_have_attribute("aria-invalid", "true")
    checker.check("form-errors-referral")

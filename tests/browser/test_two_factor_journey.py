"""Two-factor login in the browser: a case manager, whose role requires it, is led from the
password to setting up the app; the test reads the key from the page as a person would type it
into their phone, computes the app's codes, writes down the recovery codes, logs out, logs in with
a code and is refused a wrong one next to the field. The manager's page of the requirement per
role, and the account page. axe-core and screenshots on each (tests/browser/artifacts)."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from kis_site.models import TwoFactorRolePolicy
from kis_site.vocabulary import Role
from tests.browser.helpers import log_out

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Haslo-testowe-123"


@pytest.fixture(autouse=True)
def enforced(settings):
    settings.TWO_FACTOR_ENFORCED = True


def code_from(key: bytes, ahead: int = 0) -> str:
    """What the phone's app shows now, or ``ahead`` 30-second steps later."""
    return f"{TOTP(key, drift=ahead).token():06d}"


def give_password(checker, username, *, check_login=False):
    page = checker.page
    page.goto(checker.url("/login/"))
    if check_login:
        checker.check("login")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")


def give_code(page, code):
    page.fill("#id_code", code)
    page.get_by_role("button", name="Potwierdź").click()


def test_set_up_log_out_and_log_in_with_a_code_then_a_wrong_one_is_refused(checker, case_manager):
    page = checker.page

    # The password, then straight to setting up the app: the role reaches sensitive sections.
    give_password(checker, "case1", check_login=True)
    expect(page).to_have_url(re.compile(r"/login/set-up/\?next=%2F$"))
    expect(page.locator("h1")).to_have_text("Skonfiguruj logowanie dwuetapowe")
    expect(
        page.get_by_role("img", name="Kod QR do zeskanowania aplikacją uwierzytelniającą")
    ).to_be_visible()
    expect(page.locator("nav .nav-link")).to_have_count(0)  # no menu until the step is done
    checker.check("two-factor-enrol")

    # The key as typed into the phone by hand (groups of four, base32).
    secret = page.locator("#totp-secret").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", secret), secret
    key = b32decode(secret.replace(" ", ""))
    assert key == TOTPDevice.objects.get(user=case_manager).bin_key

    page.fill("#id_code", code_from(key))
    page.get_by_role("button", name="Włącz").click()

    # Ten recovery codes, shown once, with what to do with them.
    expect(page.locator("h1")).to_have_text("Kody zapasowe")
    expect(page.locator("main .alert-warning")).to_contain_text("Zapisz te kody teraz")
    codes = page.locator(".kis-recovery-codes li")
    expect(codes).to_have_count(10)
    assert all(re.fullmatch(r"[a-z2-7]{4}-[a-z2-7]{4}", c) for c in codes.all_inner_texts())
    checker.check("two-factor-recovery-codes")
    page.get_by_role("link", name="Kody zapisane — przejdź dalej").click()
    expect(page).to_have_url(checker.url("/"))

    page.get_by_role("link", name=re.compile("Moje konto")).click()
    expect(page.locator(".badge.status-active")).to_have_text("włączone")
    expect(page.locator("main")).to_contain_text("10 z 10")
    checker.check("account-two-factor-on")

    # Logged out and in again: the password, then the code.
    log_out(page)
    give_password(checker, "case1")
    expect(page).to_have_url(re.compile(r"/login/code/\?next=%2F$"))
    checker.check("two-factor-verify")
    # The code of this 30 seconds was spent setting up and is never accepted twice; the app's
    # next one is (django-otp allows one step of the phone's clock either way).
    give_code(page, code_from(key, ahead=1))
    expect(page).to_have_url(checker.url("/"))
    expect(page.locator("nav .nav-link").first).to_be_visible()

    # A wrong code: refused, the message next to the field, in Polish.
    log_out(page)
    give_password(checker, "case1")
    give_code(page, "000000")
    field = page.locator("#id_code")
    message = page.locator("#id_code ~ .invalid-feedback, #error_1_id_code")
    expect(message.first).to_contain_text("Ten kod jest nieprawidłowy")
    expect(field).to_have_class(re.compile("is-invalid"))
    field_box, message_box = field.bounding_box(), message.first.bounding_box()
    assert 0 <= message_box["y"] - (field_box["y"] + field_box["height"]) < 40
    expect(page).to_have_url(re.compile(r"/login/code/"))
    checker.check("two-factor-verify-wrong")

    # Nothing else opens before the code.
    page.goto(checker.url("/participants/"))
    expect(page).to_have_url(re.compile(r"/login/code/\?next=%2Fparticipants%2F$"))


def test_the_manager_relaxes_a_role_on_her_page(checker, manager):
    page = checker.page
    key = bytes(range(20))
    TOTPDevice.objects.create(user=manager, name="Telefon", confirmed=True, key=key.hex())
    give_password(checker, "kierownik")
    give_code(page, code_from(key))
    expect(page).to_have_url(checker.url("/"))

    page.goto(checker.url("/account/two-factor-roles/"))
    expect(page.get_by_label("wymagane: Kierownik KIS")).to_be_disabled()  # her own role
    expect(page.get_by_label("wymagane: Prowadzący zajęcia")).not_to_be_checked()
    checker.check("two-factor-roles")
    page.get_by_label("wymagane: Pedagog").check()
    page.get_by_label("wymagane: Terapeuta").uncheck()
    page.get_by_role("button", name="Zapisz").click()
    expect(page.locator(".alert-success")).to_contain_text("Zapisano")
    expect(page.get_by_label("wymagane: Terapeuta")).not_to_be_checked()
    expect(page.locator("main")).to_contain_text("Anna Nowak")
    checker.check("two-factor-roles-saved")
    assert dict(TwoFactorRolePolicy.objects.values_list("role", "required")) == {
        Role.PEDAGOGUE: True,
        Role.THERAPIST: False,
    }

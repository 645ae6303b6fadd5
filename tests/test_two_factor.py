"""Two-factor login: who must use it (from the role table), setting up the app with recovery
codes, the code after the password, the guard in front of every page, the manager's requirement
per role (audited), a lost phone, the lockout at the second step, and the demo.

Two-factor login is off for the rest of the suite (tests/settings.py); here it is on. The tests log
in for real (the password posted to the login page from an address) and compute the app's codes
from the device's key, as the phone would.
"""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from auditlog.models import LogEntry
from axes.models import AccessAttempt, AccessFailureLog
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kis_site import two_factor
from kis_site.models import TwoFactorRolePolicy
from kis_site.vocabulary import Role
from participants.access import RULES
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Haslo-testowe-123"
WRONG_CODE = "Ten kod jest nieprawidłowy"
LOCKED = "Logowanie zablokowane"
VERIFY, ENROL = "/login/code/", "/login/set-up/"


@pytest.fixture(autouse=True)
def enforced(settings):
    settings.TWO_FACTOR_ENFORCED = True


def login(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def send_code(client, code, next_url="/", ip="10.0.0.1"):
    return client.post(
        reverse("two-factor-verify"), {"code": code, "next": next_url}, REMOTE_ADDR=ip
    )


def code_of(device, ahead=0):
    """The code the phone's app shows now (``ahead``: that many 30-second steps later)."""
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, ahead).token():06d}"


def enrolled(user):
    """``user`` with a confirmed app and ten recovery codes."""
    device = TOTPDevice.objects.create(user=user, name="Telefon", confirmed=True)
    return device, two_factor.new_recovery_codes(user)


def verified_client(user):
    """A client logged in as ``user`` who has already given the code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or enrolled(user)[0]
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def later(seconds):
    """A moment past django-otp's pause after a wrong code (1, 2, 4... seconds)."""
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=True)


# --- Who must use it ---------------------------------------------------------------------------


def test_required_by_default_for_the_administrator_and_every_role_seeing_sensitive_sections():
    for role in Role:
        rule = RULES[role]
        sees_sensitive = bool(rule.sections | rule.own_sections)
        assert two_factor.required_by_default(role) == (
            role == Role.ADMINISTRATOR or sees_sensitive
        ), role
    required = {role for role in Role if two_factor.required_by_default(role)}
    assert {Role.MANAGER, Role.CASE_MANAGER, Role.PSYCHOLOGIST, Role.ADMINISTRATOR} <= required
    assert not {Role.TRAINER, Role.PEDAGOGUE, Role.CAREER_ADVISOR} & required


def test_a_fresh_installation_requires_it_and_roles_without_a_row_keep_the_default(
    case_manager, trainer, stranger
):
    assert not TwoFactorRolePolicy.objects.exists()
    assert two_factor.role_requirements() == {
        role: two_factor.required_by_default(role) for role in Role
    }
    assert two_factor.requires_two_factor(case_manager)
    assert not two_factor.requires_two_factor(trainer)
    assert not two_factor.requires_two_factor(stranger)
    assert two_factor.requires_two_factor(UserFactory(is_superuser=True, role=None))
    TwoFactorRolePolicy.objects.create(role=Role.TRAINER, required=True)
    assert two_factor.requires_two_factor(trainer)


# --- Setting up the app ------------------------------------------------------------------------


def test_a_required_role_without_a_device_is_led_to_set_up_the_app_at_login(case_manager):
    client = Client()
    response = login(client, "case1")
    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2F"
    # Nothing else opens: every page leads to the step (the code page sends on to setting up).
    assert client.get(reverse("participants:list"))["Location"].startswith(VERIFY)
    assert client.get(VERIFY)["Location"].startswith(ENROL)

    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Skonfiguruj logowanie dwuetapowe" in html
    assert '<svg role="img"' in html and "kis-qr" in html  # the QR code, made on the server
    device = TOTPDevice.objects.get(user=case_manager, confirmed=False)
    secret = html.split('id="totp-secret" class="kis-secret">')[1].split("<")[0]
    assert len(secret.replace(" ", "")) == 32  # the 20-byte key in base32, for typing by hand
    assert client.get(ENROL).content.decode().count(secret) == 1  # the same key on a reload

    wrong = client.post(ENROL, {"code": "000000", "next": "/"})
    assert wrong.status_code == 200
    assert "Ten kod jest nieprawidłowy" in wrong.content.decode()
    assert not two_factor.has_device(case_manager)

    with later(2):
        confirmed = client.post(ENROL, {"code": code_of(device), "next": "/"})
        assert confirmed.status_code == 302
        assert confirmed["Location"] == "/account/recovery-codes/?next=%2F"
        codes_page = client.get(confirmed["Location"]).content.decode()
        assert "zapisz je" in codes_page.lower() or "Zapisz te kody" in codes_page
        codes = StaticToken.objects.filter(device__user=case_manager)
        assert codes.count() == 10
        for token in codes:
            assert two_factor.shown_code(token.token) in codes_page
        # Shown once: the next visit says so instead of showing them.
        again = client.get(reverse("two-factor-recovery-codes")).content.decode()
        assert codes.first().token[:4] not in again
        assert "tylko raz" in again
        assert client.get(reverse("participants:list")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    entry = LogEntry.objects.get(additional_data__two_factor="enrolled")
    assert entry.actor == case_manager and entry.object_pk == str(case_manager.pk)


def test_an_unverified_person_cannot_set_up_a_new_app_instead_of_giving_the_code(case_manager):
    enrolled(case_manager)
    client = Client()
    assert login(client, "case1")["Location"] == f"{VERIFY}?next=%2F"
    response = client.get(ENROL)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    response = client.post(ENROL, {"code": "123456"})
    assert response["Location"].startswith(VERIFY)
    assert not TOTPDevice.objects.filter(user=case_manager, confirmed=False).exists()


def test_a_role_that_does_not_require_it_logs_in_with_the_password_and_may_turn_it_on(trainer):
    client = Client()
    assert login(client, "trener")["Location"] == "/"
    assert client.get(reverse("home")).status_code == 200
    account = client.get(reverse("account")).content.decode()
    assert "Włącz logowanie dwuetapowe" in account
    assert "nie wymaga" in account

    voluntary = client.get(f"{ENROL}?next=/account/").content.decode()
    assert 'href="/activities/' in voluntary  # the menu stays: nothing is owed
    assert "Twoja rola tego nie wymaga" in voluntary
    device = TOTPDevice.objects.get(user=trainer, confirmed=False)
    response = client.post(ENROL, {"code": code_of(device), "next": "/account/"})
    assert response["Location"] == "/account/recovery-codes/?next=%2Faccount%2F"
    assert client.get(reverse("home")).status_code == 200  # verified by setting it up

    # From now on the trainer gives a code too.
    client.post(reverse("logout"))
    assert login(client, "trener")["Location"] == f"{VERIFY}?next=%2F"


# --- The code after the password ---------------------------------------------------------------


def test_the_code_from_the_app_logs_in_a_wrong_one_is_refused_and_none_is_used_twice(
    case_manager,
):
    device, _codes = enrolled(case_manager)
    client = Client()
    response = login(client, "case1")
    assert response["Location"] == f"{VERIFY}?next=%2F"
    page = client.get(response["Location"])
    assert "Potwierdź logowanie" in page.content.decode()
    assert 'autocomplete="one-time-code"' in page.content.decode()

    wrong = send_code(client, "123456")
    html = wrong.content.decode()
    assert wrong.status_code == 200
    assert WRONG_CODE in html
    assert "is-invalid" in html  # next to the field
    assert client.get(reverse("home"))["Location"].startswith(VERIFY)

    with later(2):
        code = code_of(device)
        right = send_code(client, code, next_url="/participants/")
        assert right.status_code == 302 and right["Location"] == "/participants/"
        assert client.get(reverse("participants:list")).status_code == 200

        # The same code, from another login in the same 30 seconds: refused (no replay).
        client.post(reverse("logout"))
        other = Client()
        login(other, "case1")
        with later(3):
            replayed = send_code(other, code)
            assert replayed.status_code == 200 and WRONG_CODE in replayed.content.decode()


def test_a_recovery_code_works_once(case_manager):
    _device, codes = enrolled(case_manager)
    client = Client()
    login(client, "case1")
    shown = two_factor.shown_code(codes[0]).upper()  # typed as printed, in capitals
    response = send_code(client, shown)
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Pozostało kodów zapasowych: 9" in client.get("/").content.decode()
    assert two_factor.recovery_codes_left(case_manager) == 9

    client.post(reverse("logout"))
    again = Client()
    login(again, "case1")
    refused = send_code(again, codes[0])
    assert refused.status_code == 200 and WRONG_CODE in refused.content.decode()
    with later(2):
        assert send_code(again, codes[1])["Location"] == "/"


def test_new_recovery_codes_replace_the_old_ones_and_are_shown_once(case_manager):
    _device, old = enrolled(case_manager)
    client = verified_client(case_manager)
    response = client.post(reverse("two-factor-recovery-codes"))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    new = list(
        StaticToken.objects.filter(device__user=case_manager).values_list("token", flat=True)
    )
    assert len(new) == 10 and not set(new) & set(old)
    assert all(two_factor.shown_code(code) in page for code in new)
    assert client.get(reverse("home")).status_code == 200  # still verified
    assert LogEntry.objects.filter(additional_data__two_factor="recovery_codes").exists()


# --- The guard ---------------------------------------------------------------------------------


def test_an_unverified_person_reaches_only_the_step_pages(manager, settings):
    enrolled(manager)
    client = Client()
    login(client, "kierownik")
    for path in ["/", "/participants/", "/admin/", "/admin/auth/user/", "/audit/", "/account/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(VERIFY), path
    # A form posted past the step goes nowhere.
    assert client.post("/admin/auth/user/add/", {"username": "x"})["Location"] == VERIFY
    # htmx requests are sent to the step with HX-Redirect, back to the page they came from.
    htmx = client.get(
        "/participants/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/participants/?q=a"},
    )
    assert htmx.status_code == 204
    assert htmx["HX-Redirect"] == f"{VERIFY}?next=%2Fparticipants%2F%3Fq%3Da"
    # The step itself, logging out, the health check and the static files stay open.
    assert client.get(VERIFY).status_code == 200
    assert client.get("/health/").status_code in (200, 503)
    assert client.get(settings.STATIC_URL + "css/kis.css").status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/")["Location"].startswith(reverse("login"))


def test_the_admin_requires_the_verified_session_for_required_roles(administrator):
    client = Client()
    client.force_login(administrator)  # the password step only
    assert client.get("/admin/")["Location"].startswith(VERIFY)
    assert verified_client(administrator).get("/admin/").status_code == 200


def test_the_step_pages_show_no_menu(case_manager):
    enrolled(case_manager)
    client = Client()
    login(client, "case1")
    html = client.get(VERIFY).content.decode()
    assert 'href="/participants/"' not in html
    assert 'action="/logout/"' in html


# --- The requirement per role ------------------------------------------------------------------


def roles_form(**required):
    """The roles page posted with the roles in ``required`` ticked (value True)."""
    return {role: "on" for role, on in required.items() if on}


def current_ticks():
    return {role.value: req for role, req in two_factor.role_requirements().items()}


def test_the_manager_relaxes_a_role_audited_and_it_applies_at_the_next_login(manager, psychologist):
    client = verified_client(manager)
    page = client.get(reverse("two-factor-roles"))
    assert page.status_code == 200
    assert "Psycholog" in page.content.decode()
    ticks = current_ticks()
    ticks[Role.PSYCHOLOGIST.value] = False
    response = client.post(reverse("two-factor-roles"), roles_form(**ticks))
    assert response.status_code == 302
    decision = TwoFactorRolePolicy.objects.get(role=Role.PSYCHOLOGIST)
    assert not decision.required and decision.changed_by == manager
    assert TwoFactorRolePolicy.objects.count() == 1  # only the changed role has a row
    entry = LogEntry.objects.get_for_object(decision).get()
    assert entry.actor == manager
    assert entry.changes_dict["required"] == [None, False]
    audit = client.get(reverse("audit-log")).content.decode()
    assert "wymóg logowania dwuetapowego" in audit.lower()

    # The psychologist logs in with the password alone from now on.
    assert login(Client(), "psycholog")["Location"] == "/"

    # And the manager switches it back on.
    ticks[Role.PSYCHOLOGIST.value] = True
    client.post(reverse("two-factor-roles"), roles_form(**ticks))
    assert TwoFactorRolePolicy.objects.get(role=Role.PSYCHOLOGIST).required
    assert LogEntry.objects.get_for_object(decision).count() == 2
    assert login(Client(), "psycholog")["Location"].startswith(ENROL)


def test_nobody_else_changes_the_requirement_and_nobody_relaxes_their_own_role(
    manager, administrator, case_manager
):
    relaxed = roles_form(**{role.value: False for role in Role})
    admin_client = verified_client(administrator)
    assert admin_client.get(reverse("two-factor-roles")).status_code == 200  # sees it
    assert admin_client.post(reverse("two-factor-roles"), relaxed).status_code == 403
    assert verified_client(case_manager).get(reverse("two-factor-roles")).status_code == 403
    assert (
        verified_client(case_manager).post(reverse("two-factor-roles"), relaxed).status_code == 403
    )
    assert not TwoFactorRolePolicy.objects.exists()

    # The manager's own role: its tick cannot be taken away, and a forged form changes nothing.
    client = verified_client(manager)
    html = client.get(reverse("two-factor-roles")).content.decode()
    assert 'name="manager" id="id_manager" checked disabled' in html
    client.post(reverse("two-factor-roles"), relaxed)
    requirements = two_factor.role_requirements()
    assert requirements[Role.MANAGER]
    assert not requirements[Role.ADMINISTRATOR]  # the others she may relax
    assert two_factor.requirement_change_error(actor=manager, role=Role.MANAGER, required=False)
    assert two_factor.requirement_change_error(
        actor=administrator, role=Role.ADMINISTRATOR, required=False
    )
    assert not two_factor.requirement_change_error(actor=manager, role=Role.MANAGER, required=True)


# --- A lost phone ------------------------------------------------------------------------------


def reset_url(user):
    return reverse("admin:auth_user_two_factor_reset", args=[user.pk])


def test_the_administrator_resets_a_lost_phone_audited_and_the_person_sets_up_a_new_app(
    administrator, case_manager
):
    enrolled(case_manager)
    # The person's own browser, verified with the phone now lost, is logged out by the reset.
    theirs = verified_client(case_manager)
    assert theirs.get(reverse("home")).status_code == 200
    client = verified_client(administrator)
    change = client.get(reverse("admin:auth_user_change", args=[case_manager.pk]))
    assert reset_url(case_manager) in change.content.decode()
    response = client.post(reset_url(case_manager))
    assert response.status_code == 302
    assert not two_factor.has_device(case_manager)
    entry = LogEntry.objects.get(additional_data__two_factor="reset")
    assert entry.actor == administrator and entry.object_pk == str(case_manager.pk)
    assert theirs.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert client.get(reverse("home")).status_code == 200  # the administrator's own goes on
    assert login(Client(), "case1")["Location"].startswith(ENROL)


def test_nobody_resets_their_own_two_factor_login_and_other_roles_cannot(
    manager, administrator, psychologist
):
    enrolled(manager)
    own = verified_client(manager)
    response = own.post(reset_url(manager), follow=True)
    assert "Nie możesz zresetować własnego" in response.content.decode()
    assert two_factor.has_device(manager)
    verified_client(psychologist).post(reset_url(manager))
    assert two_factor.has_device(manager)
    verified_client(administrator).post(reset_url(manager))
    assert not two_factor.has_device(manager)


# --- The lockout at the second step ------------------------------------------------------------


def test_wrong_codes_count_as_failed_logins_and_lock_the_account(case_manager, settings):
    device, _codes = enrolled(case_manager)
    client = Client()
    login(client, "case1")
    start = timezone.now()
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        # Each code after django-otp's pause (1, 2, 4, 8 s), so each is checked and counted.
        with time_machine.travel(start + timedelta(seconds=20 * attempt + 20), tick=False):
            response = send_code(client, "000000")
            assert response.status_code == 200 and WRONG_CODE in response.content.decode()
    assert AccessFailureLog.objects.filter(username="case1").count() == 4
    with time_machine.travel(start + timedelta(seconds=100), tick=False):
        locked = send_code(client, "000000")
        assert locked.status_code == 429
        assert LOCKED in locked.content.decode()
        # Logged out, and the password does not open it either: the account is locked.
        assert client.get("/")["Location"].startswith(reverse("login"))
        assert login(Client(), "case1").status_code == 429
    with time_machine.travel(start + timedelta(seconds=110), tick=False):
        assert login(Client(), "case1").status_code == 429
    # After 30 minutes the right password and the right code log in again.
    with time_machine.travel(start + timedelta(minutes=32), tick=False):
        again = Client()
        assert login(again, "case1")["Location"].startswith(VERIFY)
        assert send_code(again, code_of(device))["Location"] == "/"


def test_the_password_alone_does_not_wipe_the_failures_before_the_code(case_manager):
    enrolled(case_manager)
    start = timezone.now()
    for attempt in range(3):
        with time_machine.travel(start + timedelta(seconds=attempt), tick=False):
            assert login(Client(), "case1", "wrong-password-1").status_code == 200
    client = Client()
    with time_machine.travel(start + timedelta(seconds=10), tick=False):
        assert login(client, "case1").status_code == 302  # the password was right
        assert send_code(client, "000000").status_code == 200
    with time_machine.travel(start + timedelta(seconds=20), tick=False):
        assert send_code(client, "000000").status_code == 429  # 3 + 2 = 5


def test_a_right_code_forgets_the_failures_of_its_address_and_the_code_is_not_logged(
    case_manager,
):
    device, _codes = enrolled(case_manager)
    client = Client()
    login(client, "case1")
    send_code(client, "999999")
    attempt = AccessAttempt.objects.get(username="case1")
    assert "999999" not in attempt.post_data
    with later(2):
        assert send_code(client, code_of(device))["Location"] == "/"
    assert not AccessAttempt.objects.filter(username="case1").exists()


def test_too_many_wrong_codes_in_a_row_ask_to_wait_without_checking(case_manager):
    device, _codes = enrolled(case_manager)
    client = Client()
    login(client, "case1")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        send_code(client, "000000")
        refused = send_code(client, code_of(device))  # within the pause: not even checked
    assert "Odczekaj" in refused.content.decode()
    assert AccessFailureLog.objects.filter(username="case1").count() == 1


# --- The demo ----------------------------------------------------------------------------------


def test_the_demo_relaxes_every_role_through_the_same_setting_and_keeps_later_decisions(
    manager, monkeypatch
):
    from kis_site.demo import relax_two_factor

    assert relax_two_factor() == []
    assert not any(two_factor.role_requirements().values())
    assert TwoFactorRolePolicy.objects.count() == len(Role)
    assert LogEntry.objects.get_for_model(TwoFactorRolePolicy).count() == len(Role)
    assert login(Client(), "kierownik")["Location"] == "/"

    # The manager switches it back on for a role: loading the demo again keeps her decision.
    two_factor.set_requirement(role=Role.PSYCHOLOGIST, required=True, by=manager)
    assert relax_two_factor() == [Role.PSYCHOLOGIST]


def test_seed_demo_relaxes_it_and_says_how_to_switch_it_back_on(monkeypatch):
    """The command's own steps, without the thousand records of the demo club."""
    from reports.management.commands import seed_demo

    for step in [
        "seed_club_documents",
        "seed_partners",
        "seed_network",
        "seed_participants",
        "seed_diagnoses",
        "seed_activities",
        "seed_plans",
        "seed_change_reports",
        "seed_exits_and_letters",
        "seed_grants",
    ]:
        monkeypatch.setattr(seed_demo, step, lambda *args, **kwargs: None)
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert not any(two_factor.role_requirements().values())
    printed = out.getvalue()
    assert "Two-factor login is relaxed for every role" in printed
    assert "/account/two-factor-roles/" in printed


def test_a_code_posted_after_the_session_expired_is_not_kept(case_manager):
    from django.contrib.sessions.models import Session

    from kis_site.models import PendingForm

    enrolled(case_manager)
    client = Client()
    login(client, "case1")
    Session.objects.all().delete()
    response = send_code(client, "123456")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not PendingForm.objects.exists()


def test_deploy_check_warns_when_two_factor_login_is_off_as_a_whole(settings):
    from kis_site.checks import two_factor_enforced_check

    assert two_factor_enforced_check(None) == []
    settings.TWO_FACTOR_ENFORCED = False
    assert [warning.id for warning in two_factor_enforced_check(None)] == ["kis.W101"]

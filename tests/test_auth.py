"""Login, lockout, passwords, idle sessions and forms kept across an expired session."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kis_site.models import PendingForm
from participants.models import CaseNote

pytestmark = pytest.mark.django_db
PASSWORD = "Haslo-testowe-123"


def login(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_login_rotates_the_session_key_and_logout_needs_post(case_manager):
    client = Client()
    client.get(reverse("login"))
    client.cookies["sessionid"] = "made-up-by-an-attacker"
    response = login(client, "case1")
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != "made-up-by-an-attacker"
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_five_failed_attempts_lock_the_username_from_that_address_for_30_minutes(case_manager):
    client = Client()
    for _ in range(4):
        response = login(client, "case1", "wrong-password-1")
        assert response.status_code == 200
    assert login(client, "case1", "wrong-password-1").status_code == 429  # the fifth locks
    locked = login(client, "case1")  # even the right password, now
    assert locked.status_code == 429
    assert "Logowanie zablokowane" in locked.content.decode()
    # Another address (another office) is not locked out.
    assert login(Client(), "case1", ip="10.0.0.2").status_code == 302
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert login(Client(), "case1").status_code == 302


def test_passwords_need_twelve_characters():
    with pytest.raises(ValidationError) as error:
        validate_password("Krotkie-1")
    assert "12" in " ".join(error.value.messages)
    validate_password("Dluzsze-haslo-2026")


def test_guessable_passwords_are_refused_in_polish(case_manager):
    """Long is not enough: zxcvbn guesses "aaaaaaaaaaaa" at once. Through the form the
    administrator sets passwords with."""
    from django.contrib.auth.forms import AdminPasswordChangeForm
    from django.utils import translation

    from kis_site.demo import DEMO_PASSWORD

    weak = "aaaaaaaaaaaa"
    with translation.override("pl"):
        form = AdminPasswordChangeForm(case_manager, {"password1": weak, "password2": weak})
        assert not form.is_valid()
        errors = " ".join(form.errors["password2"])
    assert "Twoje hasło jest zbyt łatwe do odgadnięcia" in errors
    assert "Powtórzenia jak" in errors  # and why, in Polish
    strong = "Pochmurny czwartek nad Odrą"
    form = AdminPasswordChangeForm(case_manager, {"password1": strong, "password2": strong})
    assert form.is_valid(), form.errors
    validate_password(PASSWORD)  # the tests' and the demo's passwords stay valid
    validate_password(DEMO_PASSWORD)


def test_sessions_end_after_30_idle_minutes_and_activity_renews_them(case_manager):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login(client, "case1")
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get(reverse("participants:list")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=58), tick=False):
        assert client.get(reverse("participants:list")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=89), tick=False):
        response = client.get(reverse("participants:list"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_request_within_a_minute_does_not_rewrite_the_session(client_for, manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(manager)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert not [q for q in queries if q["sql"].startswith('UPDATE "django_session"')]
    html = response.content.decode()
    seconds = int(html.split('data-session-seconds="')[1].split('"')[0])
    assert 1790 <= seconds <= 1800


def test_pages_show_the_idle_warning_and_forbid_caching(client_for, manager):
    response = client_for(manager).get(reverse("participants:list"))
    html = response.content.decode()
    assert 'data-session-seconds="1800"' in html
    assert 'id="session-warning"' in html
    assert response["Cache-Control"] == "no-store"


def test_keepalive_renews_and_answers_401_when_the_session_is_gone(client_for, manager):
    client = client_for(manager)
    assert client.post(reverse("session-keepalive")).status_code == 200
    assert Client().post(reverse("session-keepalive")).status_code == 401


def note_form(text):
    return {
        "kind": "conversation",
        "happened_on": timezone.localdate().isoformat(),
        "text": text,
        "section": "",
    }


def test_form_posted_after_expiry_is_kept_and_restored_to_its_author(case_manager, participant):
    client = Client()
    login(client, "case1")
    url = reverse("participants:note-add", args=[participant.pk])
    assert client.get(url).status_code == 200
    Session.objects.all().delete()  # the session expires while the person is typing

    response = client.post(url, note_form("Długa notatka pisana przez pół godziny."))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "expired=1" in response["Location"]
    kept = PendingForm.objects.get(user=case_manager)
    assert "csrfmiddlewaretoken" not in kept.data

    response = login(client, "case1")
    assert response["Location"] == url
    page = client.get(url)
    html = page.content.decode()
    assert "Długa notatka pisana przez pół godziny." in html
    assert "Przywrócono" in html or "przywrócon" in html
    assert not PendingForm.objects.exists()
    assert not CaseNote.objects.filter(text__startswith="Długa notatka").exists()
    # Saving it now works.
    page = client.post(url, note_form("Długa notatka pisana przez pół godziny."))
    assert page.status_code == 302
    assert CaseNote.objects.filter(text__startswith="Długa notatka").exists()


def test_kept_form_is_not_shown_to_someone_else(case_manager, manager, participant):
    client = Client()
    login(client, "case1")
    url = reverse("participants:note-add", args=[participant.pk])
    Session.objects.all().delete()
    client.post(url, note_form("Notatka Marka."))
    login(client, "kierownik")
    page = client.get(url)
    assert "Notatka Marka." not in page.content.decode()
    assert PendingForm.objects.filter(user=case_manager).exists()


def test_kept_form_expires_after_an_hour(case_manager, participant):
    client = Client()
    login(client, "case1")
    url = reverse("participants:note-add", args=[participant.pk])
    Session.objects.all().delete()
    client.post(url, note_form("Stara notatka."))
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        login(client, "case1")
        page = client.get(url)
        assert "Stara notatka." not in page.content.decode()


def test_uploaded_files_are_not_kept(case_manager, participant):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client()
    login(client, "case1")
    url = reverse("participants:note-add", args=[participant.pk])
    Session.objects.all().delete()
    client.post(
        url, {**note_form("Z plikiem."), "scan": SimpleUploadedFile("skan.pdf", b"%PDF-1.4 test")}
    )
    assert set(PendingForm.objects.get().data) == {"kind", "happened_on", "text", "section"}

"""manage.py create_manager: the first manager account of a new installation, with the KIS role
(not a superuser), a staff record, a password checked like every other, and an audit trail."""

from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from kis_site.models import StaffMember
from kis_site.roles import user_roles
from kis_site.vocabulary import Role

pytestmark = pytest.mark.django_db
User = get_user_model()
STRONG = "Bursztynowa-mewa-nad-Motlawa-58"
NAMES = ["--first-name", "Anna", "--last-name", "Nowak"]


def create(*args):
    out, err = StringIO(), StringIO()
    call_command("create_manager", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_without_questions_it_makes_a_manager_who_can_log_in(monkeypatch):
    monkeypatch.setenv("KIS_MANAGER_PASSWORD", STRONG)
    out, _ = create("--no-input", "--username", "anowak", "--email", "a@kis.example.pl", *NAMES)
    assert "anowak" in out and STRONG not in out
    user = User.objects.get(username="anowak")
    assert user_roles(user) == {Role.MANAGER}
    assert user.is_staff and user.is_active and not user.is_superuser
    assert user.check_password(STRONG) and user.email == "a@kis.example.pl"
    staff = StaffMember.objects.get(user=user)
    assert (staff.first_name, staff.last_name) == ("Anna", "Nowak")
    client = Client()
    response = client.post(reverse("login"), {"username": "anowak", "password": STRONG})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200  # the panel, through the role


def test_the_account_its_staff_record_and_its_role_are_audited(monkeypatch):
    monkeypatch.setenv("KIS_MANAGER_PASSWORD", STRONG)
    create("--no-input", "--username", "anowak", *NAMES)
    user = User.objects.get(username="anowak")
    created = LogEntry.objects.get_for_object(user).get(action=LogEntry.Action.CREATE)
    assert created.additional_data["source"] == "manage.py create_manager"
    assert "password" not in created.changes_dict
    staff = LogEntry.objects.get_for_object(user.staff).get(action=LogEntry.Action.CREATE)
    assert staff.additional_data["source"] == "manage.py create_manager"
    grant = LogEntry.objects.get_for_object(user).get(additional_data__role_change="granted")
    assert grant.additional_data["role"] == Role.MANAGER.value
    assert grant.additional_data["source"] == "manage.py create_manager"
    assert STRONG not in str([e.changes for e in LogEntry.objects.all()])


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("krotkie", "12"),  # too short
        ("aaaaaaaaaaaaaaaa", None),  # long but guessed at once (zxcvbn)
        ("anowak-anowak-anowak", None),  # the login itself
    ],
)
def test_a_weak_password_is_refused_and_nothing_is_made(monkeypatch, password, message):
    monkeypatch.setenv("KIS_MANAGER_PASSWORD", password)
    with pytest.raises(CommandError, match=message):
        create("--no-input", "--username", "anowak", *NAMES)
    assert not User.objects.filter(username="anowak").exists()


def test_without_the_variable_it_says_where_the_password_comes_from(monkeypatch):
    monkeypatch.delenv("KIS_MANAGER_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="KIS_MANAGER_PASSWORD"):
        create("--no-input", "--username", "anowak", *NAMES)
    monkeypatch.setenv("OTHER_NAME", STRONG)
    create("--no-input", "--password-env", "OTHER_NAME", "--username", "anowak", *NAMES)
    assert User.objects.get(username="anowak").check_password(STRONG)


def test_a_second_manager_only_on_purpose(monkeypatch, manager):
    monkeypatch.setenv("KIS_MANAGER_PASSWORD", STRONG)
    with pytest.raises(CommandError, match="kierownik"):  # names the existing one
        create("--no-input", "--username", "drugi", *NAMES)
    assert not User.objects.filter(username="drugi").exists()
    create("--no-input", "--additional", "--username", "drugi", *NAMES)
    assert user_roles(User.objects.get(username="drugi")) == {Role.MANAGER}


def test_an_inactive_manager_does_not_block_a_new_one(monkeypatch, manager):
    manager.is_active = False
    manager.save()
    monkeypatch.setenv("KIS_MANAGER_PASSWORD", STRONG)
    create("--no-input", "--username", "anowak", *NAMES)
    assert User.objects.filter(username="anowak").exists()


def test_a_taken_login_and_missing_names_are_refused(monkeypatch, case_manager):
    monkeypatch.setenv("KIS_MANAGER_PASSWORD", STRONG)
    with pytest.raises(CommandError, match="case1"):
        create("--no-input", "--username", "case1", *NAMES)
    with pytest.raises(CommandError, match="--first-name"):
        create("--no-input", "--username", "anowak")
    with pytest.raises(CommandError, match="e-mail"):
        create("--no-input", "--username", "anowak", "--email", "nie-adres", *NAMES)


def test_interactively_it_asks_twice_and_again_after_a_weak_password(monkeypatch):
    answers = iter(["anowak", "Anna", "Nowak", ""])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    typed = iter(["krotkie", "krotkie", STRONG, STRONG + "x", STRONG, STRONG])
    prompts = []

    def getpass(prompt):
        prompts.append(prompt)
        return next(typed)

    monkeypatch.setattr("getpass.getpass", getpass)
    out, err = create()
    assert len(prompts) == 6  # weak pair, differing pair, good pair
    assert "różnią" in err and STRONG not in out + err
    user = User.objects.get(username="anowak")
    assert user.check_password(STRONG) and user.email == ""

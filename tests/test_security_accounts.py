"""Separation of duties for accounts and roles, and the login lockout (issue 16, findings 2 and 4).

The role tests go through the admin's own forms: a GET of the form, its fields posted back with
one change. The lockout tests log in for real (client.post to the login page from an address).
"""

import datetime as dt
from datetime import timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kis_site.vocabulary import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "Haslo-testowe-123"
OWN_ROLES_ERROR = "Nie możesz zmieniać własnych ról"
CASE_ROLES_ERROR = "Tylko kierownik KIS nadaje i odbiera role"


def group(role):
    return Group.objects.get(name=role.group_name)


def form_data(response):
    """The admin form of ``response`` as the browser would post it back unchanged."""
    data = {}

    def put(form, name, prefix=""):
        field = form.fields[name]
        if field.disabled:
            return
        key = f"{prefix}{name}"
        value = form[name].value()
        widget = getattr(field.widget, "widget", field.widget)
        if isinstance(value, bool) or getattr(widget, "input_type", "") == "checkbox":
            if value:
                data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(getattr(item, "pk", item)) for item in value]
        elif value is not None:
            data[key] = str(value)

    form = response.context["adminform"].form
    for name in form.fields:
        put(form, name)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = str(management[name].value())
        for subform in formset.forms:
            for name in subform.fields:
                put(subform, name, prefix=f"{subform.prefix}-")
    return data


def change_url(user):
    return reverse("admin:auth_user_change", args=[user.pk])


def post_groups(client, user, groups, **extra):
    response = client.get(change_url(user))
    assert response.status_code == 200
    data = form_data(response)
    data["groups"] = [str(g.pk) for g in groups]
    data.update(extra)
    return client.post(change_url(user), data)


def post_add(client, fields):
    data = form_data(client.get(reverse("admin:auth_user_add")))
    data.update(fields)
    return client.post(reverse("admin:auth_user_add"), data)


def role_entries(user):
    return LogEntry.objects.filter(
        object_pk=str(user.pk), additional_data__has_key="role_change"
    ).order_by("timestamp")


# --- Finding 2: nobody raises their own access -------------------------------------------------


def test_administrator_cannot_give_himself_the_manager_role(client_for, administrator):
    client = client_for(administrator)
    response = post_groups(client, administrator, [group(Role.ADMINISTRATOR), group(Role.MANAGER)])
    assert response.status_code == 200
    assert OWN_ROLES_ERROR in response.content.decode()
    assert set(administrator.groups.values_list("name", flat=True)) == {"Administrator"}
    assert not role_entries(administrator).exists()


def test_administrator_cannot_create_an_account_with_a_case_role(client_for, administrator):
    client = client_for(administrator)
    form = client.get(reverse("admin:auth_user_add"))
    assert 'name="groups"' in form.content.decode()
    assert 'name="is_superuser"' not in form.content.decode()
    response = post_add(
        client,
        {
            "username": "wspolnik",
            "usable_password": "true",
            "password1": "Zuraw-nad-Wisla-lodka-93",
            "password2": "Zuraw-nad-Wisla-lodka-93",
            "first_name": "Adam",
            "last_name": "Wspólnik",
            "groups": [str(group(Role.MANAGER).pk)],
        },
    )
    assert response.status_code == 200
    assert CASE_ROLES_ERROR in response.content.decode()
    assert not User.objects.filter(username="wspolnik").exists()


def test_administrator_cannot_grant_or_revoke_case_roles_of_others(
    client_for, administrator, case_manager
):
    client = client_for(administrator)
    newcomer = UserFactory(username="nowy")
    response = post_groups(client, newcomer, [group(Role.MANAGER)])
    assert response.status_code == 200
    assert CASE_ROLES_ERROR in response.content.decode()
    assert not newcomer.groups.exists()
    # Taking a case role away is refused too.
    response = post_groups(client, case_manager, [])
    assert CASE_ROLES_ERROR in response.content.decode()
    assert case_manager.groups.filter(name=Role.CASE_MANAGER.group_name).exists()
    assert not role_entries(newcomer).exists() and not role_entries(case_manager).exists()


def test_administrator_creates_accounts_and_grants_only_the_administrator_role(
    client_for, administrator
):
    client = client_for(administrator)
    response = post_add(
        client,
        {
            "username": "admin2",
            "usable_password": "true",
            "password1": "Kwiecien-sowa-klon-2026x",
            "password2": "Kwiecien-sowa-klon-2026x",
            "groups": [str(group(Role.ADMINISTRATOR).pk)],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    created = User.objects.get(username="admin2")
    assert list(created.groups.values_list("name", flat=True)) == ["Administrator"]
    entry = role_entries(created).get()
    assert entry.actor == administrator
    assert entry.additional_data["role_change"] == "granted"
    assert entry.additional_data["role"] == Role.ADMINISTRATOR.value


def test_superuser_status_and_single_permissions_are_never_set_through_the_web(
    client_for, manager, case_manager
):
    client = client_for(manager)
    page = client.get(change_url(case_manager)).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    permission = Permission.objects.get(codename="view_participant")
    response = post_groups(
        client,
        case_manager,
        list(case_manager.groups.all()),
        is_superuser="on",
        user_permissions=[str(permission.pk)],
    )
    assert response.status_code == 302
    case_manager.refresh_from_db()
    assert not case_manager.is_superuser
    assert not case_manager.user_permissions.exists()


def test_superuser_form_has_no_superuser_or_permission_fields(case_manager):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(root)
    page = client.get(change_url(case_manager)).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page


def test_manager_grants_and_revokes_case_roles_audited_and_listed_on_the_start_page(
    client_for, manager, administrator, stranger
):
    client = client_for(manager)
    response = post_groups(client, stranger, [group(Role.PSYCHOLOGIST)])
    assert response.status_code == 302
    assert list(stranger.groups.values_list("name", flat=True)) == ["Psycholog"]
    granted = role_entries(stranger).get()
    assert granted.actor == manager
    assert granted.additional_data == {
        "role_change": "granted",
        "role": Role.PSYCHOLOGIST.value,
        "group": "Psycholog",
        "roles": [Role.MANAGER.value],  # who granted it, as they were then
    }
    response = post_groups(client, stranger, [])
    assert response.status_code == 302
    assert not stranger.groups.exists()
    assert [e.additional_data["role_change"] for e in role_entries(stranger)] == [
        "granted",
        "revoked",
    ]

    home = client.get(reverse("home")).content.decode()
    assert "Zmiany uprawnień" in home
    assert "Jerzy Obcy" in home and "Psycholog" in home
    assert "nadanie" in home and "odebranie" in home
    assert "Anna Nowak" in home
    # Only the manager sees the list.
    assert "Zmiany uprawnień" not in client_for(administrator).get(reverse("home")).content.decode()


def test_manager_cannot_change_her_own_roles(client_for, manager):
    client = client_for(manager)
    response = post_groups(client, manager, [group(Role.MANAGER), group(Role.PSYCHOLOGIST)])
    assert response.status_code == 200
    assert OWN_ROLES_ERROR in response.content.decode()
    assert list(manager.groups.values_list("name", flat=True)) == ["Kierownik KIS"]


def test_role_permissions_cannot_be_changed_through_the_web(client_for, manager, administrator):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    manager_group = group(Role.MANAGER)
    before = set(manager_group.permissions.values_list("pk", flat=True))
    extra = Permission.objects.get(codename="change_participant")
    for user in (manager, administrator, root):
        client = Client()
        client.force_login(user)
        url = reverse("admin:kis_site_rolegroup_change", args=[manager_group.pk])
        client.post(url, {"name": manager_group.name, "permissions": [*before, extra.pk]})
        assert set(manager_group.permissions.values_list("pk", flat=True)) == before
        response = client.post(
            reverse("admin:kis_site_rolegroup_add"), {"name": "Wszystko", "permissions": [extra.pk]}
        )
        assert response.status_code == 403
        assert not Group.objects.filter(name="Wszystko").exists()


def test_administrator_cannot_set_the_password_of_an_account_with_a_case_role(
    client_for, administrator, case_manager
):
    client = client_for(administrator)
    url = reverse("admin:auth_user_password_change", args=[case_manager.pk])
    response = client.post(
        url, {"password1": "Przejete-konto-grusza-88", "password2": "Przejete-konto-grusza-88"}
    )
    assert response.status_code == 302
    case_manager.refresh_from_db()
    assert case_manager.check_password(PASSWORD)
    page = client.get(change_url(case_manager), follow=True).content.decode()
    assert "kierownik KIS" in page or "Kierownik KIS" in page
    # An account without such a role (a new one, another administrator) is the admin's to reset.
    newcomer = UserFactory(username="nowy")
    url = reverse("admin:auth_user_password_change", args=[newcomer.pk])
    response = client.post(
        url, {"password1": "Bursztyn-mewa-dach-47q", "password2": "Bursztyn-mewa-dach-47q"}
    )
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.check_password("Bursztyn-mewa-dach-47q")


# --- Finding 4: password guessing from many addresses -----------------------------------------


def login(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def fail(username, ip, times=1):
    for _ in range(times):
        login(Client(), username, "zle-haslo-123", ip=ip)


def test_five_failures_lock_that_username_and_address_only(case_manager):
    fail("case1", "10.0.0.1", times=4)
    assert login(Client(), "case1", "zle-haslo-123", ip="10.0.0.1").status_code == 429
    assert login(Client(), "case1", ip="10.0.0.1").status_code == 429
    assert login(Client(), "case1", ip="10.0.0.2").status_code == 302


def test_twenty_failures_from_many_addresses_lock_the_username_everywhere(case_manager):
    for n in range(19):
        fail("case1", f"10.1.0.{n}")
    # 19 failures: a fresh address still logs in (and a success does not wipe the count).
    client = Client()
    assert login(client, "case1", ip="10.2.0.1").status_code == 302
    fail("case1", "10.1.1.1")  # the twentieth
    response = login(Client(), "case1", ip="10.9.9.9")
    assert response.status_code == 429
    assert "Logowanie zablokowane" in response.content.decode()
    # Another username is not touched.
    assert login(Client(), "case1x", ip="10.9.9.9").status_code == 200


def test_failures_outside_30_minutes_do_not_add_up(case_manager):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(10):
            fail("case1", f"10.1.0.{n}")
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        for n in range(10):
            fail("case1", f"10.3.0.{n}")
        assert login(Client(), "case1", ip="10.9.9.9").status_code == 302


def test_attempts_while_locked_do_not_move_the_end_of_the_lock(case_manager):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail("case1", "10.0.0.1", times=5)
        for n in range(20):
            fail("case1", f"10.1.0.{n}")
    with time_machine.travel(start + timedelta(minutes=25), tick=False):
        fail("case1", "10.0.0.1", times=5)
        for n in range(20):
            fail("case1", f"10.4.0.{n}")
        assert login(Client(), "case1", ip="10.9.9.9").status_code == 429
        assert login(Client(), "case1", ip="10.0.0.1").status_code == 429
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        assert login(Client(), "case1", ip="10.9.9.8").status_code == 302
        assert login(Client(), "case1", ip="10.0.0.1").status_code == 302


def unlock_url(user):
    return reverse("admin:auth_user_unlock", args=[user.pk])


def unlock_entries(user):
    return LogEntry.objects.filter(object_pk=str(user.pk), additional_data__has_key="unlocked")


def test_manager_sees_locked_accounts_and_unlocks_them_audited(client_for, manager, case_manager):
    for n in range(20):
        fail("case1", f"10.1.0.{n}")
    fail("case1", "10.0.0.1", times=5)
    client = client_for(manager)
    home = client.get(reverse("home")).content.decode()
    assert "Zablokowane logowania" in home
    assert "Marek Wiśniewski" in home
    assert unlock_url(case_manager) in home
    response = client.post(unlock_url(case_manager), {"next": reverse("home")})
    assert response.status_code == 302
    assert login(Client(), "case1", ip="10.0.0.1").status_code == 302
    assert login(Client(), "case1", ip="10.9.9.9").status_code == 302
    entry = unlock_entries(case_manager).get()
    assert entry.actor == manager
    assert entry.additional_data["unlocked"] == "case1"
    assert "Zablokowane logowania" not in client.get(reverse("home")).content.decode()


def test_administrator_unlocks_the_manager_and_the_manager_cannot_unlock_herself(
    client_for, manager, administrator
):
    for n in range(20):
        fail("kierownik", f"10.1.0.{n}")
    own = client_for(manager)
    assert unlock_url(manager) not in own.get(reverse("home")).content.decode()
    assert own.post(unlock_url(manager)).status_code == 403
    assert login(Client(), "kierownik", ip="10.9.9.9").status_code == 429
    assert not unlock_entries(manager).exists()

    admin_client = client_for(administrator)
    assert unlock_url(manager) in admin_client.get(reverse("home")).content.decode()
    assert admin_client.post(unlock_url(manager)).status_code == 302
    assert login(Client(), "kierownik", ip="10.9.9.9").status_code == 302
    assert unlock_entries(manager).get().actor == administrator


def test_other_roles_cannot_unlock(client_for, case_manager, psychologist):
    fail("case1", "10.0.0.1", times=5)
    assert client_for(psychologist).post(unlock_url(case_manager)).status_code in (302, 403)
    assert login(Client(), "case1", ip="10.0.0.1").status_code == 429
    assert not unlock_entries(case_manager).exists()


def test_the_failure_log_drops_the_oldest_entries_beyond_its_limit(settings, case_manager):
    from axes.models import AccessFailureLog

    from kis_site.lockout import KisLockoutHandler

    start = timezone.now()
    for minute in range(5):
        with time_machine.travel(start + dt.timedelta(minutes=minute), tick=False):
            fail("case1", f"10.5.0.{minute}")
    KisLockoutHandler().remove_out_of_limit_failure_logs(username="case1", limit=3)
    kept = sorted(AccessFailureLog.objects.filter(username="case1").values_list("ip_address"))
    assert kept == [("10.5.0.2",), ("10.5.0.3",), ("10.5.0.4",)]


def test_a_grant_reads_plainly_in_the_audit_log(client_for, manager, stranger):
    client = client_for(manager)
    post_groups(client, stranger, [group(Role.PSYCHOLOGIST)])
    page = client.get(reverse("audit-log")).content.decode()
    assert "Psycholog" in page
    assert "#add" not in page and "#Psycholog" not in page

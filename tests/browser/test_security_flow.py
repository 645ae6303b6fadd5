"""Separation of duties in the browser: the technical administrator cannot give an account a role
that reaches case data; the manager grants it and sees the grant on the start page; a case manager
cannot take over a colleague's participant, and the manager reassigns the person."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from kis_site.vocabulary import Role
from participants.models import Participant
from tests.browser.helpers import log_in, log_out
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Pochmurny czwartek nad Odrą 7"


def choose_role(page, label):
    page.get_by_label(label, exact=True).check()


def test_roles_and_case_managers_follow_the_separation_of_duties(
    checker, administrator, manager, case_manager, other_case_manager
):
    person = ParticipantFactory(
        first_name="Grażyna", last_name="Łęcka", case_manager=case_manager.staff
    )
    page = checker.page
    manager_group = Role.MANAGER.label

    # The technical administrator creates an account and tries to make it a manager: refused.
    log_in(checker, "admin")
    page.goto(checker.url("/admin/auth/user/add/"))
    page.fill("#id_username", "nowy.kierownik")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    choose_role(page, str(manager_group))
    page.click("input[name=_save]")
    expect(page.locator(".errorlist")).to_contain_text("Tylko kierownik KIS nadaje")
    checker.check("admin-role-refused", admin=True)
    assert (
        not Group.objects.get(name=manager_group)
        .user_set.filter(username="nowy.kierownik")
        .exists()
    )
    page.goto(checker.url("/"))
    log_out(page)

    # A case manager opens a colleague's participant: the case manager cannot be changed.
    log_in(checker, "case2")
    page.goto(checker.url(f"/participants/{person.pk}/edit/"))
    checker.check("edit-other-case-manager")
    expect(page.locator("#id_case_manager")).to_be_disabled()
    log_out(page)

    # The manager grants the psychologist's role to a new colleague and reassigns the person.
    log_in(checker, "kierownik")
    page.goto(checker.url("/admin/auth/user/add/"))
    page.fill("#id_username", "nowa.psycholog")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    choose_role(page, str(Role.PSYCHOLOGIST.label))
    page.click("input[name=_save]")
    expect(page).to_have_url(re.compile(r"/admin/auth/user/\d+/change/"))
    page.goto(checker.url("/"))
    expect(page.locator("main")).to_contain_text("nowa.psycholog")
    checker.check("home-role-changes")

    page.goto(checker.url(f"/participants/{person.pk}/edit/"))
    page.select_option("#id_case_manager", label=str(other_case_manager.staff))
    page.click("main button[type=submit]")
    expect(page).to_have_url(checker.url(f"/participants/{person.pk}/"))
    expect(page.locator("main")).to_contain_text("Katarzyna Zielińska")
    checker.check("file-reassigned")
    assert Participant.objects.get(pk=person.pk).case_manager == other_case_manager.staff

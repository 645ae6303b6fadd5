"""The manager plans a group: the group's page → its programme (439 h, the social share) → a new
session over the module's quota, warned with the numbers and confirmed → the group's hours → a
person's hour card; then the monitoring list behind the start page leads to the people below 2/3.
Every page goes through the Checker (axe-core, no sideways scrolling at 1366 and 768 wide,
screenshots)."""

import re
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from activities import services
from activities.models import Mark, ProgrammeTemplate, Session
from activities.services import MarkInput
from tests.browser.helpers import log_in
from tests.factories import CohortFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def workday(day, weekday):
    """The given weekday (0 = Monday) of the week of ``day``, or the next one if it is a
    public holiday."""
    day = day - timedelta(days=day.weekday()) + timedelta(days=weekday)
    while services.polish_holidays(day, day) or day.weekday() > 4:
        day += timedelta(days=1)
    return day


def test_the_manager_plans_a_group_over_a_modules_quota(checker, manager, case_manager):
    today = timezone.localdate()
    cohort = CohortFactory(name="Edycja wiosenna", starts_on=today - timedelta(weeks=8))
    people = [
        EnrolmentFactory(
            cohort=cohort,
            starts_on=cohort.starts_on,
            participant__first_name=first,
            participant__last_name=last,
            participant__case_manager=case_manager.staff,
        ).participant
        for first, last in (("Adam", "Breczko"), ("Beata", "Cichocka"), ("Cezary", "Dudek"))
    ]
    programme = services.programme_copy(template=ProgrammeTemplate.objects.get(), cohort=cohort)
    social = programme.modules.get(name="Psychoedukacja")
    vocational = programme.modules.get(name="Aktywne postawy na rynku pracy")  # 15 h
    # Two past weeks of 4 h social and 4 h vocational (1/2: below 2/3), attended by everyone.
    for weeks_ago in (2, 1):
        monday = today - timedelta(weeks=weeks_ago)
        for module, weekday in ((social, 1), (vocational, 3)):
            session = services.session_create(
                session=Session(
                    module=module,
                    date=workday(monday, weekday),
                    starts_at=time(9),
                    ends_at=time(13),
                    leader_name="Trener z partnera",
                )
            )
            services.attendance_save(
                session=session,
                marks=[MarkInput(person.pk, Mark.PRESENT, 0) for person in people],
                by=manager,
            )
    services.session_create(
        session=Session(
            module=vocational,
            date=workday(today + timedelta(weeks=1), 1),
            starts_at=time(9),
            ends_at=time(13),
            leader_name="Trener z partnera",
        )
    )  # 12 h of the 15 planned
    page = checker.page
    log_in(checker, "kierownik")

    page.goto(checker.url(f"/cohorts/{cohort.pk}/"))
    checker.check("planning-cohort")
    page.get_by_role("link", name="Program", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Edycja wiosenna")
    hours = page.locator("#programme-hours-title").locator("..")
    expect(hours).to_contain_text("439 h")
    expect(hours).to_contain_text("79,5%")
    checker.check("planning-programme")

    page.get_by_role("link", name="Nowe zajęcia").click()
    day = workday(today + timedelta(weeks=2), 3)
    page.select_option("#id_module", label=vocational.name)
    page.fill("#id_date", day.isoformat())
    page.fill("#id_starts_at", "09:00")
    page.fill("#id_ends_at", "13:00")
    page.fill("#id_leader_name", "Trener z partnera")
    page.fill("#id_place", "Sala 3")
    page.get_by_role("button", name="Zapisz").click()
    confirm = page.locator("#id_confirm_over_quota")
    expect(confirm).to_be_visible()
    warning = page.locator("main").get_by_text(re.compile(r"^Ponad godziny modułu:")).first
    expect(warning).to_contain_text("15 h")
    expect(warning).to_contain_text("12 h")
    expect(warning).to_contain_text("16 h")
    assert Session.objects.filter(module=vocational).count() == 3  # not saved silently
    checker.check("planning-over-quota")

    confirm.check()
    page.get_by_role("button", name="Zapisz").click()
    expect(page).to_have_url(re.compile(r"/activities/sessions/\d+/$"))
    expect(page.locator(".alert-success")).to_be_visible()
    assert Session.objects.filter(module=vocational).count() == 4
    checker.check("planning-session-saved")

    page.goto(checker.url(f"/cohorts/{cohort.pk}/"))
    page.get_by_role("link", name="Godziny grupy").click()
    checker.check("planning-cohort-hours")
    page.get_by_role("link", name="Adam Breczko").click()
    expect(page.locator("h1")).to_contain_text("Adam Breczko")
    total = page.locator("tr.kis-total")
    expect(total).to_contain_text("16")  # 4 × 4 h planned and done
    checker.check("planning-hour-card")
    # On a tablet the hour card's tables fit: not even their own regions scroll sideways.
    page.set_viewport_size({"width": 768, "height": 1024})
    wide = page.evaluate(
        "Array.from(document.querySelectorAll('main [role=region]'))"
        ".filter(region => region.scrollWidth > region.clientWidth).length"
    )
    assert wide == 0
    page.set_viewport_size({"width": 1366, "height": 768})

    page.goto(checker.url("/"))
    page.click(f"a[href='{reverse('reports:monitoring')}']")
    page.click(f"main a[href='{reverse('activities:two-thirds')}']")
    for person in people:
        expect(page.locator("main")).to_contain_text(person.full_name)
    checker.check("planning-two-thirds")

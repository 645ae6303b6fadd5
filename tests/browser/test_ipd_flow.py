"""The case manager draws the action plan up from the signed diagnosis with the participant: a goal,
an action from the catalogue on a programme module (the person lands on the course's roster), the
participant's own words; prints it, records the participant's signature and signs; later records
progress, opens a second version with a new goal, signs it again and prints it."""

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from activities import services as activity_services
from activities.models import ProgrammeTemplate, RosterEntry, Session
from ipd.models import ActionPlan, CatalogueEntry
from tests.browser.helpers import load_lazy_parts, log_in, log_out, pdf_text
from tests.cycle import signed_diagnosis
from tests.factories import CohortFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db(transaction=True)

COURSE = "Kurs: podstawy obsługi komputera i internetu"


def test_plan_from_the_diagnosis_signed_revised_and_printed(checker, case_manager):
    today = timezone.localdate()
    cohort = CohortFactory(
        starts_on=today - timedelta(days=60), ends_on=today + timedelta(days=200)
    )
    programme = activity_services.programme_copy(
        template=ProgrammeTemplate.objects.get(), cohort=cohort
    )
    enrolment = EnrolmentFactory(
        participant__first_name="Halina",
        participant__last_name="Żurawska",
        participant__case_manager=case_manager.staff,
        cohort=cohort,
        starts_on=cohort.starts_on,
        planned_end_on=cohort.ends_on,
    )
    person = enrolment.participant
    signed_diagnosis(enrolment, case_manager, started_on=cohort.starts_on + timedelta(days=3))
    course = programme.modules.get(name=COURSE)
    monday = today + timedelta(days=7 - today.weekday())
    coming = activity_services.session_create(
        session=Session(
            module=course,
            date=monday,
            starts_at=time(9),
            ends_at=time(13),
            leader_name="Trener IT",
        ),
        roster=[],  # the course is for those whose plan says so
    )
    page = checker.page

    # From the file: draw up the plan against the signed diagnosis.
    log_in(checker, "case1")
    page.goto(checker.url(f"/participants/{person.pk}/"))
    load_lazy_parts(page)
    page.click(f"a[href='/ipd/participant/{person.pk}/new/']")
    checker.check("ipd-start")
    expect(page.locator("#id_diagnosis")).to_contain_text("podpisana")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/ipd/\d+/$"))
    plan = ActionPlan.objects.get()
    expect(page.locator("#sphere-vocational")).to_contain_text("Brak aktualnych kwalifikacji")
    checker.check("ipd-plan-empty")

    # A goal in the vocational sphere, set against the deficit the diagnosis found.
    page.click(f"a[href='/ipd/{plan.pk}/goal/vocational/']")
    checker.check("ipd-goal-new")
    expect(page.locator("aside")).to_contain_text("Brak aktualnych kwalifikacji")
    page.fill("#id_description", "Zdobycie umiejętności obsługi komputera")
    page.fill("#id_indicator", "Zaświadczenie o ukończeniu kursu")
    page.click("main button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("Cel został dodany")

    # An action from the catalogue on the computer course: she joins the course's roster.
    goal = plan.goals.get()
    page.click(f"a[href='/ipd/goal/{goal.pk}/action/']")
    checker.check("ipd-action-new")
    entry = CatalogueEntry.objects.get(sphere="vocational", name="Kurs kwalifikacyjny")
    page.select_option("#id_catalogue_entry", str(entry.pk))
    page.select_option("#id_kind", "module")
    page.select_option("#id_module", str(course.pk))
    page.fill("#id_planned_hours", "30")
    page.select_option("#id_responsible", str(case_manager.staff.pk))
    page.click("main button[type=submit]")
    expect(page.locator(".alert-info")).to_contain_text("wpisano na listę 1")
    expect(page.locator(f"#goal-{goal.pk}")).to_contain_text("Kurs kwalifikacyjny")
    assert RosterEntry.objects.filter(session=coming, participant=person).exists()

    # The participant's own part, in her words.
    page.click(f"a[href='/ipd/{plan.pk}/edit/']")
    checker.check("ipd-plan-edit")
    page.fill("#id_participant_goals", "Chcę pracować w biurze i sama pisać pisma.")
    page.fill("#id_participant_commitments", "Przyjdę na wszystkie zajęcia kursu.")
    page.check("#id_participant_agrees")
    page.click("main button[type=submit]")
    expect(page.locator("#participant-part")).to_contain_text("sama pisać pisma")
    checker.check("ipd-plan-draft")

    # The draft printed for signatures.
    draft = " ".join(
        pdf_text(page.request.get(checker.url(f"/documents/ipd/{plan.pk}/pdf/"))).split()
    )
    assert "Indywidualny plan działania" in draft and "PROJEKT" in draft
    assert "Halina Żurawska" in draft

    # She signs the paper; the case manager records it and signs in the application.
    page.click(f"a[href='/documents/ipd/{plan.pk}/paper/participant/']")
    checker.check("ipd-paper")
    expect(page.locator("#id_signer_name")).to_have_value("Halina Żurawska")
    page.click("main button[type=submit]")
    page.click(f"form[action='/documents/ipd/{plan.pk}/sign/case_manager/'] button")
    expect(page.locator(".kis-document .badge.status-active")).to_be_visible()
    plan.refresh_from_db()
    assert plan.is_locked
    checker.check("ipd-plan-signed")

    # Progress on the signed plan, then a second version with a new goal.
    page.click(f"a[href='/ipd/goal/{goal.pk}/']")
    checker.check("ipd-goal-progress")
    page.select_option("#id_status", "in_progress")
    page.click("main button[type=submit]")
    expect(page.locator(f"#goal-{goal.pk} .badge.goal-in_progress")).to_be_visible()
    page.click(f"a[href='/documents/ipd/{plan.pk}/new-version/']")
    checker.check("ipd-revise")
    page.fill("#id_reason", "Raport zmiany: dodać cel dotyczący stażu.")
    page.click("main button[type=submit]")
    page.goto(checker.url(f"/ipd/{plan.pk}/"))
    page.click(f"a[href='/ipd/{plan.pk}/goal/vocational/']")
    page.fill("#id_description", "Odbycie stażu w biurze")
    page.fill("#id_indicator", "Skierowanie z PUP i umowa stażowa")
    page.click("main button[type=submit]")
    page.click(f"a[href='/documents/ipd/{plan.pk}/paper/participant/']")
    page.click("main button[type=submit]")
    page.click(f"form[action='/documents/ipd/{plan.pk}/sign/case_manager/'] button")
    expect(page.locator(".kis-document .badge.status-active")).to_be_visible()
    expect(page.locator("#history")).to_contain_text("cel dodany")
    expect(page.locator("#history")).to_contain_text("Raport zmiany: dodać cel dotyczący stażu.")
    checker.check("ipd-plan-version-2")

    # The file shows the plan at a glance; the signed version 2 prints.
    page.goto(checker.url(f"/participants/{person.pk}/"))
    load_lazy_parts(page)
    expect(page.locator("#panel-ipd")).to_contain_text("Odbycie stażu w biurze")
    checker.check("ipd-file-panel")
    text = " ".join(
        pdf_text(page.request.get(checker.url(f"/documents/ipd/{plan.pk}/pdf/"))).split()
    )
    assert "wersja 2" in text and "PROJEKT" not in text
    assert "Odbycie stażu w biurze" in text and "Przyjdę na wszystkie zajęcia kursu." in text
    assert today.strftime("%d.%m.%Y") in text
    log_out(page)

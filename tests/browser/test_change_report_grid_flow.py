"""The change report in one screen: the case manager fills the grid (one row "as last month", one
by hand, the participant's view) and saves once; the career advisor's grid lets them write the
vocational row only. Screenshots at 1366 and 768 px wide (tests/browser/artifacts)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from diagnosis import services as diagnosis_services
from diagnosis.models import DiagnosisKind
from reports import services
from reports.models import ChangeSphere
from reports.months import add_months, first_day
from tests.browser.helpers import log_in
from tests.factories import EnrolmentFactory
from tests.records import paper

pytestmark = pytest.mark.django_db(transaction=True)


def reports_to_fill(case_manager):
    """Last month's report with the social sphere rated, and this month's opened."""
    this_month = first_day(timezone.localdate())
    last_month = add_months(this_month, -1)
    enrolment = EnrolmentFactory(
        participant__first_name="Halina",
        participant__last_name="Żurawska",
        participant__case_manager=case_manager.staff,
        starts_on=add_months(this_month, -3),
        planned_end_on=add_months(this_month, 6),
    )
    diagnosis = diagnosis_services.report_start(
        enrolment=enrolment,
        kind=DiagnosisKind.INITIAL,
        started_on=enrolment.starts_on + timedelta(days=3),
        by=case_manager,
    )
    diagnosis.vocational.rating = 2
    diagnosis.vocational.rating_reason = "Brak aktualnych kwalifikacji."
    diagnosis.vocational.save()
    for slot in ("social_worker", "psychologist", "career_advisor"):
        diagnosis = paper(diagnosis, slot, case_manager, "Specjalista")
    earlier = services.report_start(
        enrolment=enrolment, period_start=last_month, months=1, by=case_manager
    )
    social = ChangeSphere.objects.get(report=earlier, sphere="social")
    social.resources, social.resources_rating = "Wspiera ją siostra.", 3
    social.rating, social.what_changed = 3, "Odnowiła kontakt z siostrą."
    services.sphere_save(part=social, expected_version=social.version, by=case_manager)
    report = services.report_start(
        enrolment=enrolment, period_start=this_month, months=1, by=case_manager
    )
    return report


def test_the_grid_filled_in_one_screen_by_the_case_manager_and_the_career_advisor(
    checker, case_manager, career_advisor
):
    report = reports_to_fill(case_manager)
    page = checker.page
    detail = f"/reports/change-reports/{report.pk}/"
    grid = f"/reports/change-reports/{report.pk}/edit/"

    log_in(checker, "case1")
    page.goto(checker.url(detail))
    checker.check("change-report-grid-detail")
    page.click(f"main a[href='{grid}']")
    expect(page.locator("#sphere-social")).to_be_visible()
    checker.check("change-report-grid")

    # "As last month" fills the social row from last month's report; nothing is saved yet.
    page.fill("#id_vocational-resources", "Ukończyła bilans kompetencji, ma gotowe CV.")
    page.click("#sphere-social button[name=same_as_before]")
    expect(page.locator("#id_social-rating")).to_have_value("3")
    expect(page.locator("#id_social-resources")).to_have_value("Wspiera ją siostra.")
    expect(page.locator("#id_vocational-resources")).to_have_value(
        "Ukończyła bilans kompetencji, ma gotowe CV."
    )
    expect(page.locator(".alert-info").first).to_contain_text("Sfera społeczna")
    checker.check("change-report-grid-same-as-last-month")

    page.select_option("#id_vocational-resources_rating", "3")
    page.select_option("#id_vocational-rating", "3")
    page.fill("#id_vocational-what_changed", "Regularnie chodzi na zajęcia, szuka pracy przez PUP.")
    page.fill("#id_report-participant_view", "Czuję się pewniej, chcę szukać pracy.")
    page.click("main form button[type=submit]:not([name])")
    expect(page).to_have_url(checker.url(detail))
    expect(page.locator(".alert-success").first).to_be_visible()
    expect(page.locator("#sphere-vocational .kis-arrow-up")).to_be_attached()
    expect(page.locator("#sphere-social .kis-arrow-same")).to_be_attached()
    expect(page.locator("#summary")).to_contain_text("Czuję się pewniej")
    checker.check("change-report-grid-saved")

    # The career advisor writes the vocational row only; the others are shown, not editable.
    page.context.clear_cookies()
    log_in(checker, "doradca")
    page.goto(checker.url(grid))
    expect(page.locator("#id_vocational-rating")).to_have_value("3")
    expect(page.locator("#id_social-rating")).to_have_count(0)
    expect(page.locator("#sphere-social")).to_contain_text("Wspiera ją siostra.")
    expect(page.locator("#sphere-health")).to_have_count(0)
    expect(page.locator("#id_report-participant_view")).to_have_count(0)
    checker.check("change-report-grid-advisor")
    page.fill("#id_vocational-goals_progress", "Zapisała się na kurs magazyniera.")
    page.click("main form button[type=submit]:not([name])")
    expect(page).to_have_url(checker.url(detail))
    vocational = ChangeSphere.objects.get(report=report, sphere="vocational")
    assert vocational.goals_progress == "Zapisała się na kurs magazyniera."
    assert vocational.updated_by == career_advisor

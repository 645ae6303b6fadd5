"""A week at the demo club, every role at their own screens: the demo data (``seed_demo``) loaded
on the Tuesday of next week, then the trainer's attendance and its correction, the psychologist's
spheres and signature, the case manager's overdue change report and a new person's registration,
the manager's planning and yearly report on Thursday, the trainer's Thursday session, and a write
each other role is refused.

The clock moves forward only (the sessions' cookies), with time-machine ticking so the live server
sees the travelled time. Each page the week stops on goes through the Checker (axe-core, no
sideways scrolling at 1366 and 768 wide, screenshots in tests/browser/artifacts)."""

import io
import re
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from activities.models import Attendance, Mark, Session
from activities.services import polish_holidays
from diagnosis.models import DiagnosticReport
from kis_site.demo import DEMO_PASSWORD, make_pesel
from kis_site.documents import current_revision
from kis_site.models import KisSettings
from participants.models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    Participant,
    SocialContract,
)
from partners.models import Institution
from reports.models import ChangeReport
from tests.browser.helpers import Clock, log_in, log_out, pdf_text

pytestmark = pytest.mark.django_db(transaction=True)

COURSE = "Kurs: podstawy obsługi komputera i internetu"
FIRST, LAST = "Renata", "Żmijewska"
NEW_PERSON = f"{FIRST} {LAST}"
PESEL = make_pesel(date(1983, 6, 21), True, 987)
SLOT_HOLDERS = {
    "social_worker": "socjalny",
    "psychologist": "psycholog",
    "career_advisor": "doradca",
}


def next_weeks_tuesday(today: date) -> date:
    """The Tuesday of next week, or a later one when the Tuesday or Thursday is a holiday."""
    tuesday = today + timedelta(days=8 - today.weekday())
    while polish_holidays(tuesday, tuesday + timedelta(days=3)):
        tuesday += timedelta(weeks=1)
    return tuesday


class Week:
    """One browser, handed from desk to desk: log in, look, check, print, log out."""

    def __init__(self, checker):
        self.checker = checker
        checker.settle = "load"  # server-rendered pages: nothing arrives after the load
        self.page = checker.page
        self.login_checked = False

    def url(self, path):
        return self.checker.url(path)

    def check(self, name):
        self.checker.check(f"demo-week-{name}")

    def log_in(self, username, check_home=True):
        log_in(self.checker, username, DEMO_PASSWORD, check_login=not self.login_checked)
        self.login_checked = True
        if check_home:
            self.check(f"home-{username}")

    def log_out(self):
        log_out(self.page)
        expect(self.page).to_have_url(re.compile(r"/login/"))

    def submit(self, selector="main button[type=submit]"):
        self.page.click(selector)

    def success(self):
        expect(self.page.locator(".alert-success").first).to_be_visible()

    def pdf(self, path, *expected) -> str:
        response = self.page.request.get(self.url(path))
        assert response.ok, f"{path}: HTTP {response.status}"
        text = " ".join(pdf_text(response).split())
        for phrase in expected:
            assert phrase in text, f"{path}: {phrase!r} is missing"
        return text

    def refused(self, path, data=None):
        """A write the role table does not allow: posted with a valid CSRF token, refused."""
        token = self.page.locator(
            "header form[action='/logout/'] input[name=csrfmiddlewaretoken]"
        ).input_value()
        response = self.page.request.post(
            self.url(path), form={"csrfmiddlewaretoken": token, **(data or {})}
        )
        assert response.status in (403, 404), f"{path}: HTTP {response.status}, not refused"


def take_attendance(week, session):
    """Everyone present by default: one save."""
    rows = week.page.locator(".kis-attendance tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() == session.roster.count()
    week.submit(".kis-attendance button[type=submit]")
    week.success()


def trainer_on_tuesday(week, tuesday):
    page = week.page
    week.log_in("trener", check_home=False)
    mine = Session.objects.filter(leader__user__username="trener")
    today = mine.get(date=tuesday)
    forgotten = mine.filter(date__lt=tuesday, attendance__isnull=True).distinct().get()
    panel = page.locator("#panel-my-sessions")
    expect(panel).to_contain_text(COURSE)
    expect(panel.locator(f"a[href='/activities/sessions/{today.pk}/']")).to_be_visible()
    expect(page.locator("a.kis-tile[href='/#panel-my-sessions']")).to_contain_text("1")
    week.check("home-trener")

    panel.locator(f"a[href='/activities/sessions/{forgotten.pk}/']").click()
    expect(page.locator("h1")).to_contain_text(COURSE)
    week.check("attendance-forgotten")
    take_attendance(week, forgotten)
    marks = Attendance.objects.filter(session=forgotten)
    assert marks.count() == forgotten.roster.count()
    assert set(marks.values_list("mark", flat=True)) == {Mark.PRESENT}
    week.check("attendance-saved")

    # A correction: the first person came 15 minutes late. The page asks why, marks kept.
    rows = page.locator(".kis-attendance tbody tr")
    name = rows.first.locator("th").inner_text().strip()
    rows.first.locator("label[for$='-late']").click()
    rows.first.locator("input.kis-late").fill("15")
    week.submit(".kis-attendance button[type=submit]")
    reason = page.locator("#reason")
    expect(reason).to_be_visible()
    expect(page.locator("#reason-error")).to_be_visible()
    expect(rows.first.locator("input[value=late]")).to_be_checked()
    expect(rows.first.locator("input.kis-late")).to_have_value("15")
    week.check("attendance-correction-reason")
    reason.fill("Uczestnik dotarł po rozpoczęciu zajęć, pomyłka przy liście.")
    week.submit(".kis-attendance button[type=submit]")
    week.success()
    late = Attendance.objects.get(session=forgotten, mark=Mark.LATE)
    assert late.participant.full_name == name and late.minutes_late == 15

    week.pdf(
        f"/activities/sessions/{forgotten.pk}/list.pdf",
        "LISTA OBECNOŚCI",
        name,
        "spóźniony (15 min)",
    )

    # Today's session has begun: the list, from the start page again.
    page.goto(week.url("/"))
    panel.locator(f"a[href='/activities/sessions/{today.pk}/']").click()
    take_attendance(week, today)
    week.check("attendance-today")
    week.log_out()


def individual_diagnosis(tuesday, weeks) -> DiagnosticReport:
    """The initial diagnosis of the person enrolled individually ``weeks`` weeks ago."""
    enrolment = next(
        e
        for e in Enrolment.objects.filter(cohort__isnull=True, status=EnrolmentStatus.ACTIVE)
        if (tuesday - e.starts_on).days // 7 == weeks
    )
    return enrolment.diagnoses.get()


def signed_slots(report) -> set[str]:
    signatures = current_revision(report).signatures.filter(cleared_at__isnull=True)
    return set(signatures.values_list("slot", flat=True))


def rate_sphere(week, report, sphere, fields, rating, reason):
    page = week.page
    page.goto(week.url(f"/diagnosis/{report.pk}/"))
    page.click(f"a[href='/diagnosis/{report.pk}/sphere/{sphere}/']")
    week.check(f"diagnosis-sphere-{sphere}")
    for name, value in fields.items():
        if page.locator(f"select#id_{name}").count():
            page.select_option(f"#id_{name}", value)
        else:
            page.fill(f"#id_{name}", value)
    page.check(f"input[name=rating][value='{rating}']")
    page.fill("#id_rating_reason", reason)
    week.submit()
    week.success()


def sign_from_to_sign_list(week, report, slot):
    """The specialist opens the diagnosis from "waiting for my signature" and signs."""
    page = week.page
    page.click("a.kis-tile[href='/diagnosis/to-sign/']")
    week.check(f"diagnosis-to-sign-{slot}")
    page.click(f"main a[href='/diagnosis/{report.pk}/']")
    week.check(f"diagnosis-before-signing-{slot}")
    week.submit(f"form[action='/documents/diagnosis/{report.pk}/sign/{slot}/'] button")
    week.success()
    assert slot in signed_slots(report)


def psychologist(week, tuesday):
    page = week.page
    recent = individual_diagnosis(tuesday, 2)
    waiting = individual_diagnosis(tuesday, 6)
    week.log_in("psycholog", check_home=False)
    # What to fill and what to sign are two separate tiles.
    to_fill = page.locator("a.kis-tile[href='/diagnosis/to-fill/']")
    expect(to_fill).to_contain_text("1")
    psychologist_signs = "psychologist" not in signed_slots(waiting)
    if psychologist_signs:
        expect(page.locator("a.kis-tile[href='/diagnosis/to-sign/']")).to_contain_text("1")
    week.check("home-psycholog")

    to_fill.click()
    expect(page.locator("main")).to_contain_text(recent.participant.full_name)
    week.check("diagnosis-to-fill")
    page.click(f"main a[href='/diagnosis/{recent.pk}/']")
    week.check("diagnosis-first-sphere-only")
    rate_sphere(
        week,
        recent,
        "health",
        {"health_state": "Nadciśnienie tętnicze, leczone.", "disability": "none"},
        "3",
        "Stan zdrowia pozwala na udział w zajęciach, wymaga kontroli ciśnienia.",
    )
    rate_sphere(
        week,
        recent,
        "psychological",
        {"motivation": "Deklaruje gotowość do zmian, potrzebuje struktury dnia."},
        "3",
        "Dobra motywacja, niska samoocena po latach bez pracy.",
    )
    recent.health.refresh_from_db()
    recent.psychological.refresh_from_db()
    assert recent.health.rating == 3 and recent.psychological.rating == 3

    page.goto(week.url("/"))
    if psychologist_signs:
        sign_from_to_sign_list(week, waiting, "psychologist")
    # Print = screen: the psychologist's copy (or the whole report) with the person's name.
    week.pdf(f"/documents/diagnosis/{waiting.pk}/pdf/", waiting.participant.full_name)
    week.log_out()
    if not psychologist_signs:
        # The demo's rotation left another specialist's slot open: its holder signs instead.
        slot = next(s for s in SLOT_HOLDERS if s not in signed_slots(waiting))
        week.log_in(SLOT_HOLDERS[slot], check_home=False)
        sign_from_to_sign_list(week, waiting, slot)
        week.log_out()


def case_manager(week, tuesday):
    page = week.page
    week.log_in("case1")

    # The overdue change report: the oldest month without one.
    page.click("a.kis-tile[href='/reports/change-reports/due/?show=overdue']")
    week.check("change-reports-overdue")
    row = page.locator("main tbody tr").first
    person = Participant.objects.get(
        pk=row.locator("td a").first.get_attribute("href").split("/")[2]
    )
    oldest = row.locator("td").nth(2).inner_text().split(",")[0].strip()  # "09.2026"
    month, year = (int(part) for part in oldest.split("."))
    row.locator(f"a[href='/reports/change-reports/participant/{person.pk}/new/']").click()
    week.check("change-report-new")
    page.fill("#id_period_start", date(year, month, 1).isoformat())
    week.submit()
    expect(page).to_have_url(re.compile(r"/reports/change-reports/\d+/$"))
    report = ChangeReport.objects.get(participant=person, period_start=date(year, month, 1))
    week.check("change-report-draft")
    page.click(f"main a[href='/reports/change-reports/{report.pk}/edit/']")
    expect(page.locator("#sphere-social")).to_be_visible()
    week.check("change-report-grid")
    page.fill("#id_vocational-resources", "Chodzi na kurs komputerowy, założył konto e-mail.")
    page.select_option("#id_vocational-resources_rating", "3")
    page.select_option("#id_vocational-rating", "3")
    page.fill("#id_vocational-what_changed", "Regularnie uczestniczy w zajęciach grupy.")
    page.fill("#id_report-participant_view", "Lepiej mi się rano wstaje, mam plan dnia.")
    page.fill("#id_report-recommendations", "Kontynuować kurs i doradztwo zawodowe.")
    week.submit("main form button[type=submit]:not([name])")
    expect(page).to_have_url(week.url(f"/reports/change-reports/{report.pk}/"))
    week.success()
    expect(page.locator("#summary")).to_contain_text("Lepiej mi się rano wstaje")
    week.submit(f"form[action='/documents/change_report/{report.pk}/sign/case_manager/'] button")
    week.success()
    report.refresh_from_db()
    assert "case_manager" in signed_slots(report)
    week.check("change-report-signed")
    week.pdf(
        f"/documents/change_report/{report.pk}/pdf/",
        person.full_name,
        "Lepiej mi się rano wstaje, mam plan dnia.",
    )

    # A new person referred by the OPS: the application, qualified, the social contract.
    page.click("nav a[href='/recruitment/']")
    week.check("recruitment-list")
    page.click("a[href='/recruitment/new/']")
    week.check("recruitment-new")
    page.fill("#id_person-first_name", FIRST)
    page.fill("#id_person-last_name", LAST)
    page.fill("#id_person-pesel", PESEL)
    page.fill("#id_person-phone", "600 700 800")
    page.select_option("#id_app-source", "referral")
    ops = Institution.objects.get(name__endswith="Dział Pomocy Środowiskowej")
    combo = page.locator("input[role=combobox]").first
    combo.fill("Pomocy Środowiskowej")
    combo.press("ArrowDown")
    combo.press("Enter")
    expect(page.locator("#id_app-institution")).to_have_value(str(ops.pk))
    page.fill("#id_app-reason", "Długotrwale bezrobotna, klientka OPS, chce wrócić do pracy.")
    page.check("input[name='app-eligible_groups'][value='long_term_unemployed']")
    week.submit()
    expect(page).to_have_url(re.compile(r"/recruitment/\d+/$"))
    week.success()
    week.check("application")
    page.select_option("#id_decision", "qualified")
    page.fill("#id_decision_reason", "Spełnia kryteria ustawy, zmotywowana do zmiany.")
    week.submit("form[action$='/decide/'] button[type=submit]")
    expect(page.locator(".badge.decision-qualified").first).to_be_visible()
    week.check("application-qualified")
    newcomer = Participant.objects.get(pesel=PESEL)
    page.click(f"main a[href='/participants/{newcomer.pk}/']")
    expect(page.locator("h1")).to_contain_text(NEW_PERSON)
    week.check("file-new")
    page.get_by_role("link", name="Dodaj kontrakt lub inną podstawę").click()
    week.check("contract-new")
    number = f"KS/98/{tuesday.year}"
    page.fill("#id_number", number)
    page.fill("#id_valid_until", (tuesday + timedelta(days=364)).isoformat())
    page.fill("#id_ops_worker", "Beata Sowa")
    page.select_option("#id_ops_department", str(ops.pk))
    page.fill("#id_goals", "Podjęcie zatrudnienia po udziale w zajęciach KIS.")
    week.submit()
    expect(page).to_have_url(re.compile(r"/participants/contracts/\d+/$"))
    week.check("contract-draft")
    contract = SocialContract.objects.get(participant=newcomer)
    week.pdf(f"/documents/contract/{contract.pk}/pdf/", NEW_PERSON, number)
    week.log_out()


def manager_on_thursday(week, thursday):
    page = week.page
    week.log_in("kierownik")
    cohort = Cohort.objects.get(starts_on__lte=thursday, ends_on__gte=thursday)
    page.goto(week.url(f"/cohorts/{cohort.pk}/"))
    expect(page.locator("h1")).to_contain_text(cohort.name)
    week.check("cohort")
    page.get_by_role("link", name="Program", exact=True).click()
    hours = page.locator("#programme-hours-title").locator("..")
    expect(hours).to_contain_text("439 h")
    week.check("programme")

    # A single outing on Friday: the module has no sessions yet, so no quota to confirm.
    outing = cohort.programme.modules.get(name="Zajęcia integracyjno-rekreacyjne")
    page.get_by_role("link", name="Nowe zajęcia").click()
    week.check("session-new")
    page.select_option("#id_module", str(outing.pk))
    page.fill("#id_date", (thursday + timedelta(days=1)).isoformat())
    page.fill("#id_starts_at", "09:00")
    page.fill("#id_ends_at", "13:00")
    page.fill("#id_leader_name", "Joanna Kamińska")
    page.fill("#id_place", "Park im. T. Kościuszki")
    page.get_by_role("button", name="Zapisz").click()
    expect(page).to_have_url(re.compile(r"/activities/sessions/\d+/$"))
    week.success()
    session = Session.objects.get(module=outing)
    assert session.date == thursday + timedelta(days=1)
    assert session.roster.count() == cohort.enrolments.filter(status="active").count()
    week.check("session-saved")

    year = thursday.year
    page.goto(week.url(f"/reports/yearly/?year={year}"))
    expect(page.locator("main")).to_contain_text("Razem")
    week.check("yearly-report")
    week.pdf(
        f"/reports/yearly/?year={year}&format=pdf",
        "Razem",
        KisSettings.load().name,
        f"ZA ROK {year}",
    )
    week.log_out()


def trainer_on_thursday(week, thursday):
    page = week.page
    week.log_in("trener", check_home=False)
    session = Session.objects.get(leader__user__username="trener", date=thursday)
    panel = page.locator("#panel-my-sessions")
    link = panel.locator(f"a[href='/activities/sessions/{session.pk}/']")
    expect(link).to_be_visible()
    # Nothing left from Tuesday: both lists were taken then.
    expect(panel).to_contain_text("wszystkie Twoje zajęcia z ostatnich 30 dni mają zapisaną")
    expect(page.locator("a.kis-tile[href='/#panel-my-sessions']")).to_have_count(0)
    week.check("home-trener-thursday")
    link.click()
    take_attendance(week, session)
    assert Attendance.objects.filter(session=session).count() == session.roster.count()
    week.check("attendance-thursday")
    page.goto(week.url("/"))
    expect(panel).to_contain_text("obecność zapisana")
    # The trainer writes no change report.
    report = ChangeReport.objects.order_by("-pk").first()
    week.refused(
        f"/reports/change-reports/{report.pk}/edit/", {"report-participant_view": "Nie moje."}
    )
    week.log_out()


def the_others_are_refused(week, tuesday):
    recent = individual_diagnosis(tuesday, 2)
    programme = Cohort.objects.get(starts_on__lte=tuesday, ends_on__gte=tuesday).programme

    week.log_in("psycholog", check_home=False)
    week.refused(f"/activities/programmes/{programme.pk}/sessions/new/")
    week.log_out()

    week.log_in("doradca", check_home=False)
    week.refused(f"/documents/diagnosis/{recent.pk}/sign/psychologist/")
    assert "psychologist" not in signed_slots(recent)
    week.log_out()

    week.log_in("pedagog", check_home=False)
    week.refused("/recruitment/new/", {"person-first_name": "Jan", "person-last_name": "Obcy"})
    assert not Participant.objects.filter(last_name="Obcy").exists()
    week.log_out()

    week.log_in("admin", check_home=False)
    week.refused(f"/participants/{recent.participant_id}/edit/", {"first_name": "Zmieniony"})
    week.log_out()
    recent.participant.refresh_from_db()
    assert recent.participant.first_name != "Zmieniony"


def test_a_week_at_the_demo_club_for_every_role(checker):
    tuesday = next_weeks_tuesday(date.today())
    thursday = tuesday + timedelta(days=2)
    clock = Clock()
    week = Week(checker)
    try:
        clock.jump(tuesday)
        call_command("seed_demo", stdout=io.StringIO())
        trainer_on_tuesday(week, tuesday)
        psychologist(week, tuesday)
        case_manager(week, tuesday)

        clock.jump(thursday)
        manager_on_thursday(week, thursday)
        trainer_on_thursday(week, thursday)
        the_others_are_refused(week, tuesday)
    finally:
        clock.stop()

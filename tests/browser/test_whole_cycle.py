"""One participant's whole cycle through the screens, as the staff live it over half a year:
referral and qualification, the social contract, enrolment in a cohort with its programme, the
three specialists' initial diagnosis, the signed action plan, three months of sessions with
attendance, a consultation, a referral to a partner, the monthly change report that opens a new
version of the plan, the final diagnosis, the exit into employment with the effects achieved, the
certificate, the notice to the referring OPS, the follow-up three months later and the yearly report
to the voivode that counts her.

Each staff member works in their own browser (a Playwright context). The clock moves with
time-machine (ticking, so the live server sees time pass); after each jump the sessions have
expired and everyone logs in again. Every printed document is read back with pdftotext, and every
page the flow stops on goes through the Checker (axe-core, layout, CSP)."""

import io
import re
from datetime import date, time, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from openpyxl import load_workbook
from playwright.sync_api import expect

from activities import services as activity_services
from activities.models import Mark, ProgrammeTemplate, Session
from activities.services import MarkInput, Pattern
from diagnosis.models import DiagnosisKind, DiagnosticReport
from ipd.models import ActionPlan, CatalogueEntry
from kis_site.demo import make_pesel
from participants.models import (
    Certificate,
    EnrolmentStatus,
    ExitOutcome,
    FollowUp,
    FollowUpResult,
    OutgoingReferral,
    Participant,
    SocialContract,
)
from reports import figures
from reports.models import ChangeReport
from tests.browser.helpers import Clock, load_lazy_parts
from tests.factories import CohortFactory, ContactPersonFactory, InstitutionFactory
from tests.records import pdf_words

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Haslo-testowe-123"
FIRST, LAST = "Bożena", "Żółtowska"
NAME = f"{FIRST} {LAST}"
PESEL = make_pesel(date(1979, 4, 12), True, 417)


class Desk:
    """One staff member's browser, with the Checker on its page."""

    def __init__(self, office, checker, username):
        self.office = office
        self.checker = checker
        checker.settle = "load"  # server-rendered pages: nothing arrives after the load
        self.page = checker.page
        self.username = username
        self.logged_in_at = None  # the clock's jump the session belongs to

    def url(self, path):
        return self.checker.url(path)

    def check(self, name):
        self.checker.check(f"cycle-{name}")

    def log_in(self):
        """The session of the previous day is gone: the start page asks to log in."""
        page = self.page
        page.goto(self.url("/"))
        expect(page).to_have_url(self.url("/login/?next=/"))
        self.office.check_once(self, "login")
        page.fill("#id_username", self.username)
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        expect(page).to_have_url(self.url("/"))
        self.office.check_once(self, f"home-{self.username}")
        self.logged_in_at = self.office.clock.jumps

    def go(self, path, name=None):
        """Open a page, unless the desk shows it already (after a form went back to it)."""
        if self.page.url.split("#")[0] != self.url(path):
            self.page.goto(self.url(path))
        load_lazy_parts(self.page)
        if name:
            self.check(name)

    def click(self, selector, name=None):
        self.page.click(selector)
        if name:
            self.check(name)

    def submit(self, selector="main button[type=submit]"):
        self.page.click(selector)

    def success(self):
        expect(self.page.locator(".alert-success").first).to_be_visible()

    def signed(self):
        expect(self.page.locator(".kis-document .badge.status-active")).to_be_visible()

    def pdf(self, path, *expected, about_her=True) -> str:
        """Download a printed document with this desk's login and read it back."""
        response = self.page.request.get(self.url(path))
        assert response.ok, f"{path}: HTTP {response.status}"
        assert response.headers["content-type"] == "application/pdf"
        text = pdf_words(response.body())
        assert NAME in text or not about_her, f"{path}: the participant's name is missing"
        for phrase in expected:
            assert phrase in text, f"{path}: {phrase!r} is missing"
        return text


class Office:
    """The club's staff, each at their own computer."""

    def __init__(self, checker, new_context, live_server, clock):
        self.new_context = new_context
        self.live_server = live_server
        self.clock = clock
        self.desks = {"case1": Desk(self, checker, "case1")}
        self.checked = set()

    def __call__(self, username) -> Desk:
        """The staff member's desk, logged in for today."""
        desk = self.desks.get(username)
        if desk is None:
            page = self.new_context().new_page()
            checker = type(self.desks["case1"].checker)(page, self.live_server)
            desk = self.desks[username] = Desk(self, checker, username)
        if desk.logged_in_at != self.clock.jumps:
            desk.log_in()
        return desk

    def check_once(self, desk, name):
        if name not in self.checked:
            desk.check(name)
            self.checked.add(name)


def fill_sphere(desk, report, sphere, rating, reason, strengths, deficits, **fields):
    """A specialist fills a sphere of the diagnosis: its own fields, then the rating."""
    page = desk.page
    desk.go(f"/diagnosis/{report.pk}/")
    desk.click(
        f"a[href='/diagnosis/{report.pk}/sphere/{sphere}/']", f"diagnosis-{report.kind}-{sphere}"
    )
    for name, value in fields.items():
        if page.locator(f"select#id_{name}").count():
            page.select_option(f"#id_{name}", value)
        else:
            page.fill(f"#id_{name}", value)
    page.fill("#id_strengths", strengths)
    page.fill("#id_deficits", deficits)
    page.check(f"input[name=rating][value='{rating}']")
    page.fill("#id_rating_reason", reason)
    desk.submit()
    desk.success()


def sign_diagnosis(desk, report, slot):
    """The specialist opens the diagnosis as it is now and signs their part."""
    desk.page.goto(desk.url(f"/diagnosis/{report.pk}/"))
    desk.submit(f"form[action='/documents/diagnosis/{report.pk}/sign/{slot}/'] button")
    desk.success()


def diagnosis_by_three(office, report, spheres, prefix):
    """Each specialist fills their spheres (``spheres``: sphere → (username, rating, reason,
    strengths, deficits, other fields)); the last one to fill signs first, so no signature is
    cleared by a later edit."""
    for username in ("socjalny", "psycholog", "doradca"):
        for sphere, values in spheres.items():
            if values[0] == username:
                fill_sphere(office(username), report, sphere, *values[1:5], **values[5])
    sign_diagnosis(office("doradca"), report, "career_advisor")
    sign_diagnosis(office("psycholog"), report, "psychologist")
    desk = office("socjalny")
    sign_diagnosis(desk, report, "social_worker")
    report.refresh_from_db()
    assert report.is_locked
    desk.check(f"diagnosis-{prefix}-signed")


def sign_plan(desk, plan, version):
    """She signs the printed plan; the case manager records it and signs in the application."""
    page = desk.page
    desk.go(f"/ipd/{plan.pk}/")
    desk.click(f"a[href='/documents/ipd/{plan.pk}/paper/participant/']", f"ipd-paper-{version}")
    expect(page.locator("#id_signer_name")).to_have_value(NAME)
    desk.submit()
    desk.submit(f"form[action='/documents/ipd/{plan.pk}/sign/case_manager/'] button")
    desk.signed()


def take_attendance(desk, session, month):
    """The trainer opens today's session from their week and saves: present by default."""
    desk.go("/activities/?mine=1", f"timetable-month-{month}")
    desk.click(f"a[href='/activities/sessions/{session.pk}/']", f"attendance-month-{month}")
    rows = desk.page.locator(".kis-attendance tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(LAST)
    desk.submit(".kis-attendance button[type=submit]")
    desk.success()


def type_in_paper_lists(sessions, participant, trainer, excused=None):
    """The other sessions' signed paper lists, typed in afterwards (set up through the service)."""
    for session in sessions:
        mark = Mark.EXCUSED if session == excused else Mark.PRESENT
        activity_services.attendance_save(
            session=session, marks=[MarkInput(participant.pk, mark)], by=trainer
        )


def test_one_participant_from_referral_to_follow_up(
    checker,
    new_context,
    live_server,
    manager,
    case_manager,
    social_worker,
    psychologist,
    career_advisor,
    trainer,
):
    today = date.today()
    start = today + timedelta(days=7 - today.weekday())  # next Monday: the cycle is ahead of us
    ops = ContactPersonFactory(
        institution__name="Miejski Ośrodek Pomocy Społecznej w Radomiu",
        first_name="Beata",
        last_name="Sowa",
    ).institution
    labour_office = InstitutionFactory(name="Powiatowy Urząd Pracy w Radomiu", kind="pup")
    cohort = CohortFactory(
        name="Edycja wiosenna", starts_on=start, ends_on=start + timedelta(weeks=38)
    )
    programme = activity_services.programme_copy(
        template=ProgrammeTemplate.objects.get(), cohort=cohort
    )
    consultations = programme.modules.get(form="consultation")
    clock = Clock()
    office = Office(checker, new_context, live_server, clock)
    try:
        # --- Week 1, Monday: referral, qualification, the file, the contract, enrolment ----------
        clock.jump(start)
        cm = office("case1")
        page = cm.page
        cm.click("nav a[href='/recruitment/']", "recruitment-list")
        cm.click("a[href='/recruitment/new/']", "recruitment-new")
        page.fill("#id_person-first_name", FIRST)
        page.fill("#id_person-last_name", LAST)
        page.fill("#id_person-pesel", PESEL)
        page.fill("#id_person-phone", "600 200 300")
        page.select_option("#id_app-source", "referral")
        combo = page.locator("input[role=combobox]").first
        combo.fill("osrodek pomocy")
        combo.press("ArrowDown")
        combo.press("Enter")
        expect(page.locator("#id_app-institution")).to_have_value(str(ops.pk))
        page.fill("#id_app-reason", "Długotrwale bezrobotna, klientka OPS, chce wrócić do pracy.")
        page.check("input[name='app-eligible_groups'][value='long_term_unemployed']")
        cm.submit()
        expect(page).to_have_url(re.compile(r"/recruitment/\d+/$"))
        cm.check("application")
        page.select_option("#id_decision", "qualified")
        page.fill("#id_decision_reason", "Spełnia kryteria ustawy, zmotywowana do zmiany.")
        cm.submit("form[action$='/decide/'] button[type=submit]")
        expect(page.locator(".badge.decision-qualified").first).to_be_visible()
        cm.check("application-qualified")
        person = Participant.objects.get(pesel=PESEL)
        file = f"/participants/{person.pk}/"

        cm.click(f"a[href='{file}']", "file-new")
        cm.click(f"a[href='{file}edit/']", "file-edit")
        page.fill("#id_street", "ul. Żeromskiego 12/4")
        page.fill("#id_postal_code", "26-600")
        page.fill("#id_city", "Radom")
        page.fill("#id_rodo_clause_given_on", start.isoformat())
        # The registering case manager is the case manager (the manager reassigns).
        expect(page.locator("#id_case_manager")).to_have_value(str(case_manager.staff.pk))
        cm.submit()
        expect(page).to_have_url(cm.url(file))

        # The social contract with the OPS, printed and signed by hand by both parties.
        cm.click(f"a[href='{file}contracts/new/']", "contract-new")
        number = f"KS/17/{start.year}"
        page.fill("#id_number", number)
        page.fill("#id_valid_until", (start + timedelta(days=364)).isoformat())
        page.fill("#id_ops_worker", "Beata Sowa")
        page.fill("#id_goals", "Podjęcie zatrudnienia po udziale w zajęciach KIS.")
        cm.submit()
        expect(page).to_have_url(re.compile(r"/participants/contracts/\d+/$"))
        cm.check("contract-draft")
        contract = SocialContract.objects.get(participant=person)
        for slot, signer in [("participant", NAME), ("ops_worker", "Beata Sowa")]:
            cm.click(f"a[href='/documents/contract/{contract.pk}/paper/{slot}/']", f"paper-{slot}")
            expect(page.locator("#id_signer_name")).to_have_value(signer)
            cm.submit()
        cm.signed()
        cm.check("contract-signed")
        cm.pdf(f"/documents/contract/{contract.pk}/pdf/", f"KONTRAKT SOCJALNY nr {number}")

        # Enrolment in the cohort: the signed contract is the basis, nothing to confirm.
        cm.go(file)
        cm.click(f"a[href='{file}enrol/']", "enrol")
        page.select_option("#id_cohort", str(cohort.pk))
        page.fill("#id_starts_on", start.isoformat())
        cm.submit()
        expect(page).to_have_url(cm.url(file))
        expect(page.locator(".badge.status-active").first).to_be_visible()
        cm.check("file-enrolled")
        enrolment = person.enrolments.get()
        assert enrolment.cohort == cohort and enrolment.status == EnrolmentStatus.ACTIVE

        # --- Week 1, Wednesday: the initial diagnosis by the three specialists ----------------
        clock.jump(start + timedelta(days=2))
        cm = office("case1")
        cm.go(file)
        cm.click(f"a[href='/diagnosis/participant/{person.pk}/new/']", "diagnosis-start")
        expect(page.locator("#id_kind")).to_have_value(DiagnosisKind.INITIAL)
        cm.submit()
        expect(page).to_have_url(re.compile(r"/diagnosis/\d+/$"))
        cm.check("diagnosis-initial-empty")
        initial = DiagnosticReport.objects.get(enrolment=enrolment, kind=DiagnosisKind.INITIAL)
        diagnosis_by_three(
            office,
            initial,
            {
                "socio_living": (
                    "socjalny",
                    "2",
                    "Jedynym dochodem jest zasiłek okresowy.",
                    "stałe mieszkanie",
                    "zaległości czynszowe",
                    {"institutional_help": "Klientka OPS od 2020 r., zasiłek okresowy."},
                ),
                "social": (
                    "socjalny",
                    "3",
                    "Wspierająca siostra, mało innych kontaktów.",
                    "wsparcie siostry",
                    "izolacja",
                    {"family_situation": "Samotna, siostra mieszka w Radomiu."},
                ),
                "health": (
                    "psycholog",
                    "3",
                    "Leczy nadciśnienie, poza tym zdrowa.",
                    "dba o zdrowie",
                    "nadciśnienie",
                    {"health_state": "Nadciśnienie tętnicze, leczone."},
                ),
                "psychological": (
                    "psycholog",
                    "3",
                    "Dobra motywacja, niska samoocena.",
                    "motywacja",
                    "niska samoocena",
                    {"motivation": "Wysoka, chce wrócić do pracy."},
                ),
                "vocational": (
                    "doradca",
                    "2",
                    "Długa przerwa w pracy.",
                    "doświadczenie w handlu",
                    "Brak aktualnych kwalifikacji",
                    {
                        "education": "Zasadnicza szkoła zawodowa, sprzedawca.",
                        "pup_status": "unemployed",
                    },
                ),
            },
            "initial",
        )
        office("socjalny").pdf(
            f"/documents/diagnosis/{initial.pk}/pdf/",
            "RAPORT DIAGNOSTYCZNY",
            "Klientka OPS od 2020 r., zasiłek okresowy.",
            "Joanna Kamińska",
            "Tomasz Lewandowski",
            "Agnieszka Wójcik",
        )

        # --- Week 1, Friday: the action plan, drawn up with her and signed --------------------
        clock.jump(start + timedelta(days=4))
        cm = office("case1")
        cm.go(file)
        expect(page.locator(".diagnosis-signed")).to_be_visible()
        cm.click(f"a[href='/ipd/participant/{person.pk}/new/']", "ipd-start")
        cm.submit()
        expect(page).to_have_url(re.compile(r"/ipd/\d+/$"))
        cm.check("ipd-empty")
        plan = ActionPlan.objects.get(enrolment=enrolment)
        cm.click(f"a[href='/ipd/{plan.pk}/goal/vocational/']", "ipd-goal-new")
        expect(page.locator("aside")).to_contain_text("Brak aktualnych kwalifikacji")
        page.fill("#id_description", "Podjęcie zatrudnienia w handlu")
        page.fill("#id_indicator", "Umowa o pracę")
        cm.submit()
        cm.success()
        goal = plan.goals.get()
        cm.click(f"a[href='/ipd/goal/{goal.pk}/action/']", "ipd-action-new")
        entry = CatalogueEntry.objects.get(sphere="vocational", name="Poradnictwo zawodowe")
        page.select_option("#id_catalogue_entry", str(entry.pk))
        page.select_option("#id_kind", "consultation")
        page.select_option("#id_module", str(consultations.pk))
        page.fill("#id_planned_hours", "6")
        page.select_option("#id_responsible", str(career_advisor.staff.pk))
        cm.submit()
        expect(page.locator(f"#goal-{goal.pk}")).to_contain_text("Poradnictwo zawodowe")
        cm.click(f"a[href='/ipd/{plan.pk}/edit/']", "ipd-edit")
        page.fill("#id_participant_goals", "Chcę znowu pracować w sklepie.")
        page.check("#id_participant_agrees")
        cm.submit()
        expect(page.locator("#participant-part")).to_contain_text("pracować w sklepie")
        sign_plan(cm, plan, 1)
        cm.check("ipd-signed")
        cm.pdf(
            f"/documents/ipd/{plan.pk}/pdf/",
            "Indywidualny plan działania",
            "Podjęcie zatrudnienia w handlu",
            "Chcę znowu pracować w sklepie.",
        )

        # The office sets up the group's weekly psychoeducation for the next twelve weeks.
        series = activity_services.series_create(
            template=Session(
                module=programme.modules.get(name="Psychoedukacja"),
                starts_at=time(9),
                ends_at=time(13),
                leader=trainer.staff,
                place="Sala 1",
                topic="Radzenie sobie ze stresem",
            ),
            dates=activity_services.pattern_dates(
                pattern=Pattern.WEEKLY,
                start=start + timedelta(weeks=1),
                end=start + timedelta(weeks=12),
                weekdays=(0,),
            ),
        )
        sessions = series.created
        assert len(sessions) >= 9, f"too many holidays: {series.holidays}"
        months = [sessions[:4], sessions[4:8], sessions[8:]]
        taken = [month[-1] for month in months]  # the trainer takes these in the browser
        report_month = taken[1].date.replace(day=1) - relativedelta(months=1)
        # One justified absence in the month the change report covers, from a paper list.
        excused = next(
            s
            for s in sessions
            if report_month <= s.date < report_month + relativedelta(months=1) and s not in taken
        )

        # --- Month 1: attendance, a consultation, a referral to the labour office ------------
        clock.jump(taken[0].date)
        type_in_paper_lists(months[0][:-1], person, trainer, excused)
        take_attendance(office("trener"), taken[0], 1)

        advisor = office("doradca")
        advisor.go(file)
        advisor.click(
            f"a[href='/activities/participants/{person.pk}/consultations/']", "consultations"
        )
        advisor.page.select_option("#id_module", str(consultations.pk))
        advisor.page.select_option("#id_kind", "vocational")
        advisor.page.fill("#id_duration", "1.5")
        advisor.page.fill("#id_note", "Bilans kompetencji, przygotowanie CV.")
        advisor.submit("main form button[type=submit]")
        advisor.success()
        expect(advisor.page.locator("main")).to_contain_text("Bilans kompetencji")
        advisor.check("consultation-recorded")

        cm = office("case1")
        cm.go(file)
        cm.click(f"a[href='{file}referrals/new/']", "referral-new")
        combo = page.locator("input[role=combobox]").first
        combo.fill("urzad pracy")
        combo.press("ArrowDown")
        combo.press("Enter")
        expect(page.locator("#id_institution")).to_have_value(str(labour_office.pk))
        page.fill("#id_purpose", "Pośrednictwo pracy: oferty dla sprzedawcy.")
        page.check("#id_legal_basis_0")
        page.fill("#id_consent_on", taken[0].date.isoformat())
        page.check("input[name=consent_categories][value=identity]")
        cm.submit()
        expect(page).to_have_url(re.compile(r"/participants/referrals/\d+/$"))
        cm.check("referral-prepared")
        referral = OutgoingReferral.objects.get(participant=person)
        cm.submit(f"form[action='/documents/referral/{referral.pk}/sign/referring/'] button")
        cm.signed()
        page.select_option("#id_to_status", "sent")
        cm.submit("form:has(#id_to_status) button[type=submit]")
        expect(page.locator(".badge.referral-sent")).to_be_visible()
        cm.check("referral-sent")
        cm.pdf(f"/documents/referral/{referral.pk}/pdf/", "SKIEROWANIE", labour_office.name)

        # --- Month 2: attendance, the change report, the plan's second version ---------------
        clock.jump(taken[1].date)
        type_in_paper_lists(months[1][:-1], person, trainer, excused)
        take_attendance(office("trener"), taken[1], 2)

        cm = office("case1")
        cm.go(file)
        cm.click(
            f"a[href='/reports/change-reports/participant/{person.pk}/new/']",
            "change-report-start",
        )
        page.fill("#id_period_start", report_month.isoformat())
        cm.submit()
        expect(page).to_have_url(re.compile(r"/reports/change-reports/\d+/$"))
        expect(page.locator("main")).to_contain_text(
            "Nieobecności: 0 nieusprawiedliwione, 1 usprawiedliwione."
        )
        cm.check("change-report-draft")
        report = ChangeReport.objects.get(enrolment=enrolment)
        assert report.period_start == report_month
        # The whole report in one screen: the vocational row and the report's own part.
        cm.click(f"main a[href='/reports/change-reports/{report.pk}/edit/']", "change-report-grid")
        page.fill("#id_vocational-resources", "Ukończyła bilans kompetencji, ma gotowe CV.")
        page.select_option("#id_vocational-resources_rating", "3")
        page.select_option("#id_vocational-rating", "3")
        page.fill(
            "#id_vocational-what_changed", "Regularnie chodzi na zajęcia, szuka pracy przez PUP."
        )
        page.fill("#id_report-participant_view", "Czuję się pewniej, chcę szukać pracy.")
        page.fill("#id_report-recommendations", "Kontynuować doradztwo, szukać ofert pracy.")
        page.fill("#id_report-ipd_changes", "Dodać cel: rozmowy kwalifikacyjne.")
        cm.submit("main form button[type=submit]:not([name])")
        cm.success()
        expect(page.locator("#sphere-vocational .kis-arrow-up")).to_be_attached()
        cm.submit(f"form[action='/documents/change_report/{report.pk}/sign/case_manager/'] button")
        expect(page.locator(".kis-page-header .badge.status-active")).to_be_visible()
        cm.check("change-report-signed")
        cm.pdf(
            f"/documents/change_report/{report.pk}/pdf/",
            "Raport zmiany",
            "Czuję się pewniej, chcę szukać pracy.",
            "Ukończyła bilans kompetencji, ma gotowe CV.",
        )

        # "A new version of the plan" from the report: the report's call is the reason.
        cm.submit(f"form[action='/reports/change-reports/{report.pk}/plan-version/'] button")
        expect(page).to_have_url(cm.url(f"/ipd/{plan.pk}/"))
        cm.success()
        cm.check("ipd-version-2-draft")
        cm.click(f"a[href='/ipd/{plan.pk}/goal/vocational/']", "ipd-version-2-goal")
        page.fill("#id_description", "Udział w trzech rozmowach kwalifikacyjnych")
        page.fill("#id_indicator", "Zaproszenia od pracodawców")
        cm.submit()
        cm.success()
        sign_plan(cm, plan, 2)
        expect(page.locator("#history")).to_contain_text("Dodać cel: rozmowy kwalifikacyjne.")
        cm.check("ipd-version-2-signed")
        cm.pdf(
            f"/documents/ipd/{plan.pk}/pdf/",
            "Indywidualny plan działania, wersja 2",
            "Udział w trzech rozmowach kwalifikacyjnych",
        )

        # --- Month 3: attendance, the final diagnosis, the exit into employment --------------
        clock.jump(taken[2].date)
        type_in_paper_lists(months[2][:-1], person, trainer)
        take_attendance(office("trener"), taken[2], 3)

        cm = office("case1")
        cm.go(file)
        cm.click(f"a[href='/diagnosis/participant/{person.pk}/new/']")
        page.select_option("#id_kind", DiagnosisKind.FINAL)
        cm.check("diagnosis-final-start")
        cm.submit()
        expect(page).to_have_url(re.compile(r"/diagnosis/\d+/$"))
        cm.check("diagnosis-final-empty")
        final = DiagnosticReport.objects.get(enrolment=enrolment, kind=DiagnosisKind.FINAL)
        diagnosis_by_three(
            office,
            final,
            {
                "socio_living": (
                    "socjalny",
                    "4",
                    "Spłaca zaległości według ugody.",
                    "ugoda ze spółdzielnią",
                    "niskie dochody",
                    {},
                ),
                "psychological": (
                    "psycholog",
                    "4",
                    "Samoocena wyraźnie lepsza.",
                    "wiara we własne siły",
                    "lęk przed oceną",
                    {},
                ),
                "vocational": (
                    "doradca",
                    "4",
                    "Ma ofertę pracy w sklepie.",
                    "aktualne CV, doświadczenie",
                    "brak",
                    {},
                ),
            },
            "final",
        )

        cm = office("case1")
        cm.go(file)
        cm.click(f"a[href='/diagnosis/participant/{person.pk}/compare/']", "diagnosis-compare")
        cm.pdf(
            f"/documents/diagnosis/{final.pk}/pdf/",
            "RAPORT DIAGNOSTYCZNY",
            "końcowa",
            "Ma ofertę pracy w sklepie.",
        )
        cm.go(f"/participants/enrolments/{enrolment.pk}/", "enrolment-active")
        page.select_option("#id_to_status", EnrolmentStatus.COMPLETED)
        page.fill("#id_reason", "Ukończenie programu, podjęcie pracy.")
        page.select_option("#id_exit_outcome", ExitOutcome.EMPLOYMENT)
        page.fill("#id_exit_notes", "Umowa o pracę: sprzedawczyni, pełny etat.")
        cm.submit("form:has(#id_to_status) button[type=submit]")
        expect(page.locator(".badge.status-completed").first).to_be_visible()
        cm.check("enrolment-completed")
        enrolment.refresh_from_db()
        assert enrolment.exit_outcome == ExitOutcome.EMPLOYMENT
        assert enrolment.ended_on == taken[2].date
        cm.submit(f"form[action='/participants/enrolments/{enrolment.pk}/certificate/'] button")
        expect(page).to_have_url(re.compile(r"/participants/certificates/\d+/$"))
        cm.check("certificate-draft")
        certificate = Certificate.objects.get(enrolment=enrolment)

        boss = office("kierownik")
        boss.go(f"/participants/certificates/{certificate.pk}/")
        boss.submit(f"form[action='/documents/certificate/{certificate.pk}/sign/manager/'] button")
        boss.signed()
        boss.check("certificate-signed")
        boss.pdf(
            f"/documents/certificate/{certificate.pk}/pdf/",
            "ZAŚWIADCZENIE",
            f"nr {certificate.sequence}/{certificate.year}",
            f"Psychoedukacja {4 * (len(sessions) - 1)}",  # 4 h a week, one justified absence
            "doradca zawodowy) 1,5",  # the consultation
            "podpisano w aplikacji",
        )

        # --- The exit assessment and the notice to the OPS that referred her --------------------
        cm = office("case1")
        cm.go(f"/participants/enrolments/{enrolment.pk}/")
        cm.click(f"a[href='/reports/exits/{enrolment.pk}/']", "exit-assessment")
        expect(page.locator("main")).to_contain_text("Dowody: oceny sfer")
        for effect in ("motivation", "job_search", "labour_market"):
            page.check(f"input[name='effects'][value='{effect}']")
        page.fill("#id_notes", "Podjęła pracę; wyższa ocena sfery zawodowej.")
        cm.submit("main form button[type=submit]")
        expect(page.locator("#panel-exit-assessment")).to_contain_text("reintegracja zawodowa")
        cm.check("enrolment-assessed")
        notice = page.locator("#panel-referrer-letters form:has(input[value='exit']) button")
        notice.click()
        expect(page).to_have_url(re.compile(r"/reports/letters/\d+/$"))
        cm.check("exit-notice")
        letter_id = int(page.url.rstrip("/").split("/")[-1])
        sign = f"/documents/referrer_letter/{letter_id}/sign/case_manager/"
        cm.submit(f"form[action='{sign}'] button")
        cm.signed()
        cm.pdf(
            f"/documents/referrer_letter/{letter_id}/pdf/",
            "ZAWIADOMIENIE O ZAKOŃCZENIU UDZIAŁU",
            "Wynik: zatrudnienie.",
        )
        page.fill("#id_sent_on", taken[2].date.isoformat())
        cm.submit("form[action$='/sent/'] button")
        cm.success()

        # --- Three months after the exit: the follow-up ---------------------------------------
        follow_up = FollowUp.objects.get(enrolment=enrolment, months=3)
        assert follow_up.due_on == taken[2].date + relativedelta(months=3)
        clock.jump(follow_up.due_on)
        cm = office("case1")
        cm.go("/participants/follow-ups/", "follow-ups")
        cm.click(f"a[href='/participants/follow-ups/{follow_up.pk}/']", "follow-up")
        page.fill("#id_checked_on", follow_up.due_on.isoformat())
        page.select_option("#id_result", FollowUpResult.EMPLOYED)
        page.fill("#id_notes", "Nadal pracuje w sklepie, umowa przedłużona.")
        cm.submit()
        expect(page).to_have_url(cm.url(f"/participants/enrolments/{enrolment.pk}/"))
        expect(page.locator("main")).to_contain_text("Nadal pracuje w sklepie")
        cm.check("enrolment-followed-up")
        follow_up.refresh_from_db()
        assert follow_up.result == FollowUpResult.EMPLOYED

        # --- The yearly report to the voivode counts her -----------------------------------------
        year = taken[2].date.year
        boss = office("kierownik")
        boss.go(f"/reports/yearly/?year={year}", "yearly-report")
        report = figures.yearly(year)
        assert report.groups_total["employed"] == 1 and report.groups_total["vocational"] == 1
        expect(boss.page.locator("#groups-title")).to_be_visible()
        boss.pdf(
            f"/reports/yearly/?year={year}&format=pdf",
            f"SPRAWOZDANIE Z DZIAŁALNOŚCI KLUBU INTEGRACJI SPOŁECZNEJ ZA ROK {year}",
            "Zatrudnieni po ukończeniu",
            "Psychoedukacja",
            about_her=False,
        )
        response = boss.page.request.get(boss.url(f"/reports/yearly/?year={year}&format=xlsx"))
        sheet = load_workbook(io.BytesIO(response.body()))["Uczestnicy według grup (art."]
        totals = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "Razem")
        # In the year, left, completed, social effect, vocational effect, employed.
        assert totals[1:] == (1, 1, 1, 1, 1, 1)
        boss.go("/reports/outcomes/", "outcomes-report")
        # The hours per activity load when scrolled into view.
        hours = boss.page.locator("section[aria-labelledby='hours-title']")
        hours.scroll_into_view_if_needed()
        expect(hours.locator("table")).to_be_visible()
        expect(hours.locator("[aria-busy]")).to_have_count(0)

        cm.submit("header form[action='/logout/'] button")
        expect(page).to_have_url(re.compile(r"/login/"))
    finally:
        clock.stop()

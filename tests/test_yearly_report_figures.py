"""The yearly report to the voivode (art. 18a ust. 6) counts only what happened: sessions held on
or before today and not cancelled, attendance actually recorded. Its spreadsheet headers say
"Liczba" where they count, its PDF has one "Razem" row per table, and on generated data every
figure of the page, the PDF, the XLSX and the CSV equals the same figure computed a second way,
straight from the rows."""

import csv
import io
import random
import re
import subprocess
from collections import Counter, defaultdict
from datetime import date, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from activities import services as activity_services
from activities.models import (
    Attendance,
    Category,
    Consultation,
    ConsultationKind,
    Mark,
    ProgrammeTemplate,
    Session,
)
from activities.services import MarkInput
from kis_site.models import EmploymentBasis, FundingSource, StaffMember
from kis_site.vocabulary import RiskGroup
from participants.models import Enrolment, EnrolmentStatus, ExitOutcome
from reports import figures
from reports.models import Effect, ExitAssessment, GrantSettlement
from tests.factories import CohortFactory, EnrolmentFactory
from tests.records import frozen_on
from tests.records import pdf_words as pdf_text

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 15)  # a Tuesday: the rest of December is still to come
YEAR = 2026
PSYCHOEDUCATION = "Psychoedukacja"
CONSULTATIONS = "Konsultacje indywidualne (psycholog, pedagog, prawnik, doradca zawodowy)"
INTERVIEW = "Indywidualny wywiad diagnostyczny"


_frozen = frozen_on(TODAY)


# --- Reading what the user gets ----------------------------------------------------------------


class _Tables(HTMLParser):
    """The tables of a page as lists of rows of cell texts, and the text of list items."""

    def __init__(self):
        super().__init__()
        self.tables, self.items = [], []
        self._cell = self._item = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "li":
            self._item = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(_squash("".join(self._cell)))
            self._cell = None
        elif tag == "li" and self._item is not None:
            self.items.append(_squash("".join(self._item)))
            self._item = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._item is not None:
            self._item.append(data)


def _squash(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


def page_tables(html: str):
    parser = _Tables()
    parser.feed(html)
    return parser.tables, parser.items


def pl_number(text) -> Decimal:
    """A number as the page or the CSV prints it (decimal comma, spaces between thousands)."""
    return Decimal(str(text).replace(" ", "").replace(",", "."))


def pl(value, places: int = 2, *, grouped: bool = False) -> str:
    """A number as the templates print it: floatformat "-2" (no decimals when the value is
    whole, two otherwise) or "2g" (grouped=True: two decimals, thousands separated)."""
    value = Decimal(value).quantize(Decimal(1) / 10**places, rounding=ROUND_HALF_UP)
    if grouped:
        whole, fraction = f"{value:.{places}f}".split(".")
        whole = f"{int(whole):,}".replace(",", " ")
        return f"{whole},{fraction}"
    if value == value.to_integral_value():
        return str(int(value))
    return f"{value:.{places}f}".replace(".", ",")


def csv_sections(content: bytes) -> dict[str, list[list[str]]]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    sections, current = {}, None
    for row in rows:
        if not row:
            current = None
        elif current is None:
            current = sections.setdefault(row[0], [])
        else:
            current.append(row)
    return sections


def sheet_rows(book, title_start: str) -> list[list]:
    sheet = next(book[name] for name in book.sheetnames if title_start.startswith(name[:20]))
    return [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]


# --- Data --------------------------------------------------------------------------------------


def held_session(module, day, roster, *, start=time(9), end=time(12, 30), marks=None):
    session = activity_services.session_create(
        session=Session(
            module=module, date=day, starts_at=start, ends_at=end, leader_name="Trener"
        ),
        roster=roster,
    )
    if marks is not None:
        activity_services.attendance_save(session=session, marks=marks, by=None)
    return session


@pytest.fixture
def december():
    """A group with one session held on 1 December, one cancelled on 8 December and a series of
    nine sessions still to come in late December."""
    cohort = CohortFactory(starts_on=date(2026, 9, 1), ends_on=date(2027, 5, 31))
    programme = activity_services.programme_copy(
        template=ProgrammeTemplate.objects.get(), cohort=cohort
    )
    people = [
        EnrolmentFactory(cohort=cohort, starts_on=date(2026, 9, 1)).participant_id for _ in range(3)
    ]
    module = programme.modules.get(name=PSYCHOEDUCATION)
    held_session(
        module,
        date(2026, 12, 1),
        people,
        marks=[MarkInput(pk, Mark.PRESENT) for pk in people[:2]]
        + [MarkInput(people[2], Mark.ABSENT)],
    )
    cancelled = held_session(module, date(2026, 12, 8), people)
    cancelled.cancelled = True
    cancelled.save()
    template = Session(module=module, starts_at=time(9), ends_at=time(12, 30), leader_name="Trener")
    series = activity_services.series_create(
        template=template,
        dates=[date(2026, 12, day) for day in (16, 17, 18, 21, 22, 23, 28, 29, 30)],
        roster=people,
    )
    assert len(series.created) == 9
    return {"cohort": cohort, "people": people, "module": module}


def test_sessions_still_to_come_are_not_counted_as_held(december, manager, client_for):
    report = figures.yearly(YEAR)
    row = next(row for row in report.activities if row["name"] == PSYCHOEDUCATION)
    # Held: only 1 December (3.5 h); 8 December was cancelled, 16–30 December are still to come.
    assert (row["sessions"], row["hours"]) == (1, Decimal("3.5"))
    assert (row["people"], row["person_hours"]) == (2, Decimal("7"))
    page = client_for(manager).get(reverse("reports:yearly"), {"year": YEAR}).content.decode()
    tables, _items = page_tables(page)
    activity = next(r for r in tables[2] if r[0] == PSYCHOEDUCATION)
    assert activity[2:] == ["1", "3,50", "2", "7"]
    # The page says up to which day the figures go while the year is not over.
    assert "15.12.2026" in page
    # Once the series has been held, it counts.
    with time_machine.travel(date(2027, 1, 10), tick=False):
        later = next(r for r in figures.yearly(YEAR).activities if r["name"] == PSYCHOEDUCATION)
    assert (later["sessions"], later["hours"]) == (10, Decimal("35"))


def test_the_spreadsheets_say_liczba_where_they_count(december, manager, client_for):
    client = client_for(manager)
    url = reverse("reports:yearly")
    book = load_workbook(io.BytesIO(client.get(url, {"year": YEAR, "format": "xlsx"}).content))
    effects = book["Efekty"]
    header = [cell.value for cell in next(effects.iter_rows(min_row=3, max_row=3))]
    assert header[:2] == ["Efekt", "Liczba"]
    headers = [
        cell.value
        for name in book.sheetnames
        for cell in next(book[name].iter_rows(min_row=3, max_row=3))
        if cell.value
    ]
    assert "Numer" not in headers and "Liczba spotkań" in headers
    sections = csv_sections(client.get(url, {"year": YEAR, "format": "csv"}).content)
    assert sections["Efekty"][0][:2] == ["Efekt", "Liczba"]
    assert not any("Numer" in rows[0] for rows in sections.values())


def test_the_pdf_has_one_total_row_per_table(december, manager, client_for):
    # Enough grants (and groups) for tables to run over a page break.
    for number in range(60):
        source = FundingSource.objects.create(name=f"Źródło {number:02}", kind="grant")
        GrantSettlement.objects.create(
            year=YEAR,
            funding_source=source,
            purpose="Działalność KIS",
            granted=Decimal("1000"),
            received=Decimal("1000"),
            spent=Decimal("900"),
            returned=Decimal("100"),
        )
    for group in RiskGroup:
        EnrolmentFactory(participant__primary_risk_group=group, starts_on=date(2026, 3, 2))
    content = client_for(manager).get(reverse("reports:yearly"), {"year": YEAR, "format": "pdf"})
    pages = subprocess.run(
        ["pdfinfo", "-"], input=content.content, capture_output=True, check=True
    ).stdout.decode()
    assert int(re.search(r"Pages:\s+(\d+)", pages).group(1)) >= 3  # the grants run over pages
    text = pdf_text(content.content)
    # Employees, participants by group, grants: each has its total once, at its end.
    assert text.count("Razem") == 3
    assert "Razem 60 000,00 60 000,00 54 000,00 6 000,00" in text


# --- The consistency test ----------------------------------------------------------------------


EMPLOYED_AFTER = {
    ExitOutcome.EMPLOYMENT,
    ExitOutcome.SOCIAL_COOPERATIVE,
    ExitOutcome.SELF_EMPLOYMENT,
}
OUTCOMES_ON_EXIT = [
    (EnrolmentStatus.COMPLETED, ExitOutcome.EMPLOYMENT),
    (EnrolmentStatus.COMPLETED, ExitOutcome.SELF_EMPLOYMENT),
    (EnrolmentStatus.COMPLETED, ExitOutcome.CIS),
    (EnrolmentStatus.DROPPED_OUT, ExitOutcome.RESIGNATION),
    (EnrolmentStatus.REMOVED, ExitOutcome.REMOVAL),
    (EnrolmentStatus.COMPLETED, ExitOutcome.SOCIAL_COOPERATIVE),
]


def _weekdays(rng, first: date, last: date, count: int) -> list[date]:
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    days = [day for day in days if day.weekday() < 5]
    return sorted(rng.sample(days, min(count, len(days))))


@pytest.fixture
def club():
    """A generated club year: two groups (one begun the year before), people of every group,
    exits with and without assessments, two people enrolled individually, sessions with marks,
    corrections of marks, cancelled and future sessions, consultations, staff and grants, and
    rows of the years around it."""
    rng = random.Random(2026)
    template = ProgrammeTemplate.objects.get()
    groups = [*RiskGroup.values, ""]
    cohorts = [
        CohortFactory(name="Edycja 2025/26", starts_on=date(2025, 9, 1), ends_on=date(2026, 6, 30)),
        CohortFactory(name="Edycja 2026", starts_on=date(2026, 1, 12), ends_on=date(2026, 12, 31)),
    ]
    enrolments = []
    for cohort in cohorts:
        activity_services.programme_copy(template=template, cohort=cohort)
        for number in range(9):
            starts = cohort.starts_on + timedelta(days=rng.choice([0, 0, 0, 14, 35]))
            fields = {"status": EnrolmentStatus.ACTIVE}
            if number % 2:
                status, outcome = rng.choice(OUTCOMES_ON_EXIT)
                ended = starts + timedelta(days=rng.randint(60, 250))
                ended = min(ended, TODAY - timedelta(days=3))
                fields = {"status": status, "ended_on": ended, "exit_outcome": outcome}
            enrolments.append(
                EnrolmentFactory(
                    cohort=cohort,
                    starts_on=starts,
                    planned_end_on=cohort.ends_on,
                    participant__primary_risk_group=groups[rng.randrange(len(groups))],
                    **fields,
                )
            )
    # One who left in 2025, a candidate, and one who starts after today: none counts.
    EnrolmentFactory(
        cohort=cohorts[0],
        starts_on=date(2025, 9, 1),
        status=EnrolmentStatus.DROPPED_OUT,
        ended_on=date(2025, 11, 28),
        exit_outcome=ExitOutcome.RESIGNATION,
        participant__primary_risk_group=RiskGroup.DRUGS,
    )
    EnrolmentFactory(
        cohort=cohorts[1], starts_on=date(2026, 11, 2), status=EnrolmentStatus.CANDIDATE
    )
    late = EnrolmentFactory(
        cohort=cohorts[1],
        starts_on=date(2026, 12, 21),
        participant__primary_risk_group=RiskGroup.REFUGEE,
    )
    # Two people enrolled individually, each with their own programme.
    individuals = []
    for group in (RiskGroup.HOMELESS, RiskGroup.EX_PRISONER):
        enrolment = EnrolmentFactory(
            cohort=None,
            starts_on=date(2026, 4, 7),
            planned_end_on=date(2027, 3, 31),
            participant__primary_risk_group=group,
        )
        activity_services.programme_copy(template=template, enrolment=enrolment)
        individuals.append(enrolment)
    enrolments += individuals

    # Exit assessments for most of those who left.
    effect_values = Effect.values
    for enrolment in enrolments:
        if enrolment.ended_on and rng.random() < 0.8:
            ExitAssessment.objects.create(
                participant=enrolment.participant,
                enrolment=enrolment,
                effects=rng.sample(effect_values, rng.randint(0, 4)),
            )

    def roster_on(programme, day):
        """Who is on the session: the person of an individual programme, or the group's members
        taking part that day."""
        if programme.enrolment_id:
            return [programme.enrolment.participant_id]
        return [
            e.participant_id
            for e in Enrolment.objects.filter(cohort=programme.cohort_id, starts_on__lte=day)
            .exclude(status=EnrolmentStatus.CANDIDATE)
            .order_by("pk")
            if e.ended_on is None or e.ended_on >= day
        ]

    marks_cycle = [Mark.PRESENT, Mark.PRESENT, Mark.PRESENT, Mark.LATE, Mark.EXCUSED, Mark.ABSENT]
    sessions = []
    modules = [PSYCHOEDUCATION, "Badanie preferencji zawodowych", "Aktywne postawy na rynku pracy"]
    owners = [(c.programme, c.starts_on, c.ends_on) for c in cohorts] + [
        (e.programme, e.starts_on, e.planned_end_on) for e in individuals
    ]
    for programme, first, last in owners:
        first, last = max(first, date(2025, 12, 1)), min(last, TODAY + timedelta(days=14))
        for name in modules if programme.cohort_id else modules[:1]:
            module = programme.modules.get(name=name)
            for day in _weekdays(rng, first, last, 7):
                roster = roster_on(programme, day)
                if not roster:
                    continue
                start = time(rng.choice([8, 9, 10, 12]))
                end = time(start.hour + rng.choice([1, 2, 3]), rng.choice([0, 15, 30, 45]))
                try:
                    session = held_session(module, day, roster, start=start, end=end)
                except ValidationError:  # a public holiday
                    continue
                sessions.append(session)
                if day <= TODAY:
                    marks = [
                        MarkInput(pk, mark, rng.randint(5, 40) if mark == Mark.LATE else 0)
                        for pk in roster
                        for mark in [rng.choice(marks_cycle)]
                    ]
                    activity_services.attendance_save(session=session, marks=marks, by=None)
    held = [s for s in sessions if s.date <= TODAY]
    # Corrections: some marks changed afterwards, with a reason.
    for session in rng.sample(held, 6):
        marks = [
            MarkInput(
                a.participant_id,
                Mark.ABSENT if a.mark in (Mark.PRESENT, Mark.LATE) else Mark.PRESENT,
            )
            for a in Attendance.objects.filter(session=session)[:2]
        ]
        activity_services.attendance_save(
            session=session, marks=marks, by=None, reason="Pomyłka przy zaznaczaniu"
        )
    # Two sessions held and marked, then cancelled; one cancelled before it happened.
    for session in rng.sample([s for s in held if s.date.year == YEAR], 2):
        session.cancelled = True
        session.save()
    future = [s for s in sessions if s.date > TODAY]
    assert future, "the data must have sessions still to come"
    future[0].cancelled = True
    future[0].save()
    # A weekly series in late December, still to come.
    module = cohorts[1].programme.modules.get(name=PSYCHOEDUCATION)
    activity_services.series_create(
        template=Session(module=module, starts_at=time(14), ends_at=time(16), leader_name="Ktoś"),
        dates=[date(2026, 12, day) for day in (17, 22, 29)],
        roster=roster_on(module.programme, TODAY),
    )
    # Consultations and diagnostic interviews.
    for enrolment in enrolments:
        if enrolment.participant_id == late.participant_id:
            continue
        day = enrolment.starts_on + timedelta(days=rng.randint(1, 40))
        if day > TODAY or (enrolment.ended_on and day > enrolment.ended_on):
            continue
        programme = enrolment.cohort.programme if enrolment.cohort_id else enrolment.programme
        for name, kind, hours in (
            (CONSULTATIONS, ConsultationKind.VOCATIONAL, Decimal("1.25")),
            (INTERVIEW, ConsultationKind.SOCIAL, Decimal("1.5")),
        ):
            activity_services.consultation_save(
                consultation=Consultation(
                    participant_id=enrolment.participant_id,
                    module=programme.modules.get(name=name),
                    kind=kind,
                    specialist_name="Doradca",
                    date=day,
                    duration=hours,
                ),
                by=None,
            )
    # Staff of several kinds, one who left before the year and one who comes after today.
    for number, (basis, fte, hours, since, until) in enumerate(
        [
            (EmploymentBasis.EMPLOYMENT_CONTRACT, "1.00", None, date(2019, 1, 1), None),
            (EmploymentBasis.EMPLOYMENT_CONTRACT, "0.75", None, date(2026, 3, 1), None),
            (EmploymentBasis.EMPLOYMENT_CONTRACT, "0.50", None, None, date(2026, 8, 31)),
            (EmploymentBasis.CIVIL_CONTRACT, None, "37.5", None, None),
            (EmploymentBasis.VOLUNTEER, None, "8", date(2026, 5, 1), None),
            (EmploymentBasis.SECONDED, "0.25", None, None, None),
            (EmploymentBasis.EMPLOYMENT_CONTRACT, "1.00", None, None, date(2025, 12, 31)),
            (EmploymentBasis.CIVIL_CONTRACT, None, "20", date(2026, 12, 28), None),
        ]
    ):
        StaffMember.objects.create(
            first_name=f"Osoba{number}",
            last_name="Pracownik",
            position=rng.choice(["psycholog", "pedagog", "doradca zawodowy", "prawnik"]),
            employment_basis=basis,
            fte=Decimal(fte) if fte else None,
            hours_per_month=Decimal(hours) if hours else None,
            employed_from=since,
            employed_to=until,
        )
    for year, name, amounts in (
        (2026, "Dotacja wojewody 2026", ("123456.78", "120000", "118765.43", "1234.57")),
        (2026, "Budżet gminy", ("50000", "50000", "50000", "0")),
        (2025, "Dotacja wojewody 2025", ("90000", "90000", "90000", "0")),
    ):
        GrantSettlement.objects.create(
            year=year,
            funding_source=FundingSource.objects.create(name=name, kind="grant"),
            purpose="Działalność KIS",
            **dict(
                zip(
                    ("granted", "received", "spent", "returned"), map(Decimal, amounts), strict=True
                )
            ),
        )


def _session_hours(session) -> Decimal:
    """Hours of a session from its times and days."""
    minutes = (session.ends_at.hour * 60 + session.ends_at.minute) - (
        session.starts_at.hour * 60 + session.starts_at.minute
    )
    days = (session.last_date - session.date).days + 1 if session.last_date else 1
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * days


def _attended_hours(mark, session) -> Decimal:
    """Hours a mark credits, from the mark and the session's times."""
    if mark.mark == Mark.PRESENT:
        return _session_hours(session)
    if mark.mark == Mark.LATE:
        return max(_session_hours(session) - Decimal(mark.minutes_late) / 60, Decimal(0)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
    return Decimal(0)


def expected_figures(year: int, today: date) -> dict:
    """Every figure of the yearly report, computed from the rows with plain loops."""
    start, until = date(year, 1, 1), min(date(year, 12, 31), today)

    staff = defaultdict(lambda: {"people": 0, "fte": Decimal(0), "hours": Decimal(0)})
    for member in StaffMember.objects.all():
        if member.employed_from and member.employed_from > until:
            continue
        if member.employed_to and member.employed_to < start:
            continue
        row = staff[str(EmploymentBasis(member.employment_basis).label)]
        row["people"] += 1
        row["fte"] += member.fte or 0
        row["hours"] += member.hours_per_month or 0

    groups = defaultdict(lambda: defaultdict(int))
    people = defaultdict(set)
    exits, effects = Counter(), Counter()
    assessments = {a.enrolment_id: a for a in ExitAssessment.objects.all()}
    for enrolment in Enrolment.objects.select_related("participant"):
        if enrolment.status == EnrolmentStatus.CANDIDATE or enrolment.starts_on > until:
            continue
        if enrolment.ended_on and enrolment.ended_on < start:
            continue
        group = enrolment.participant.primary_risk_group
        label = str(RiskGroup(group).label) if group else "—"
        people[label].add(enrolment.participant_id)
        row = groups[label]
        if not (enrolment.ended_on and enrolment.ended_on <= until):
            continue
        row["left"] += 1
        exits[
            str(ExitOutcome(enrolment.exit_outcome).label) if enrolment.exit_outcome else "—"
        ] += 1
        assessment = assessments.get(enrolment.pk)
        if assessment:
            row["social"] += assessment.social_effect
            row["vocational"] += assessment.vocational_effect
            effects.update(str(Effect(key).label) for key in assessment.effects)
        if enrolment.status == EnrolmentStatus.COMPLETED:
            row["completed"] += 1
            row["employed"] += enrolment.exit_outcome in EMPLOYED_AFTER
    for label, ids in people.items():
        groups[label]["people"] = len(ids)

    activities = defaultdict(
        lambda: {"sessions": 0, "hours": Decimal(0), "people": set(), "person_hours": Decimal(0)}
    )
    sessions = {}
    for session in Session.objects.select_related("module"):
        if session.cancelled or not (start <= session.date <= until):
            continue
        sessions[session.pk] = session
        row = activities[(session.module.category, session.module.name)]
        row["sessions"] += 1
        row["hours"] += _session_hours(session)
    for mark in Attendance.objects.all():
        session = sessions.get(mark.session_id)
        if session is None or mark.mark not in (Mark.PRESENT, Mark.LATE):
            continue
        row = activities[(session.module.category, session.module.name)]
        row["people"].add(mark.participant_id)
        row["person_hours"] += _attended_hours(mark, session)
    for consultation in Consultation.objects.select_related("module"):
        if not (start <= consultation.date <= until):
            continue
        row = activities[(consultation.module.category, consultation.module.name)]
        row["sessions"] += 1
        row["hours"] += consultation.duration
        row["people"].add(consultation.participant_id)
        row["person_hours"] += consultation.duration

    grants = {g.funding_source.name: g for g in GrantSettlement.objects.filter(year=year)}
    return {
        "staff": dict(staff),
        "staff_total": {
            key: sum((row[key] for row in staff.values()), Decimal(0))
            for key in ("people", "fte", "hours")
        },
        "groups": {label: dict(row) for label, row in groups.items()},
        "groups_total": {
            key: sum(row.get(key, 0) for row in groups.values())
            for key in ("people", "left", "completed", "social", "vocational", "employed")
        },
        "activities": {
            key: {**row, "people": len(row["people"])} for key, row in activities.items()
        },
        "exits": dict(exits),
        "effects": dict(effects),
        "grants": {
            name: [g.granted, g.received, g.spent, g.returned] for name, g in grants.items()
        },
        "grants_total": [
            sum((getattr(g, f) for g in grants.values()), Decimal(0))
            for f in ("granted", "received", "spent", "returned")
        ],
    }


GROUP_KEYS = ("people", "left", "completed", "social", "vocational", "employed")


def expected_rows(expected) -> dict[str, list[tuple[list[str], list[Decimal]]]]:
    """Each table of the report as (label cells, numbers) per row, totals last."""
    category = dict(Category.choices)
    staff = [
        ([basis], [row["people"], row["fte"], row["hours"]])
        for basis, row in expected["staff"].items()
    ]
    total = expected["staff_total"]
    staff.append((["Razem"], [total["people"], total["fte"], total["hours"]]))
    groups = [
        ([label], [row.get(key, 0) for key in GROUP_KEYS])
        for label, row in expected["groups"].items()
    ]
    groups.append((["Razem"], [expected["groups_total"][key] for key in GROUP_KEYS]))
    activities = [
        (
            [name, str(category[cat])],
            [row["sessions"], row["hours"], row["people"], row["person_hours"]],
        )
        for (cat, name), row in expected["activities"].items()
    ]
    grants = [([name, "Działalność KIS"], amounts) for name, amounts in expected["grants"].items()]
    grants.append((["Razem"], expected["grants_total"]))
    return {"staff": staff, "groups": groups, "activities": activities, "grants": grants}


def test_every_figure_agrees_with_a_second_computation(club, manager, client_for):
    expected = expected_figures(YEAR, TODAY)
    rows = expected_rows(expected)
    # The generated data reaches every case the report must handle.
    assert len(expected["groups"]) >= 7 and expected["groups_total"]["left"] >= 5
    assert any(name == CONSULTATIONS for _cat, name in expected["activities"])
    assert expected["exits"] and expected["effects"]
    assert Attendance.objects.filter(session__date__gt=TODAY).count() == 0
    assert Session.objects.filter(date__gt=TODAY, cancelled=False).count() >= 3

    # The figures themselves.
    report = figures.yearly(YEAR)
    assert {(row["basis"]): [row["people"], row["fte"], row["hours"]] for row in report.staff} == {
        basis: [r["people"], r["fte"], r["hours"]] for basis, r in expected["staff"].items()
    }
    assert {row["group"]: [row[k] for k in GROUP_KEYS] for row in report.groups} == {
        label: [row.get(k, 0) for k in GROUP_KEYS] for label, row in expected["groups"].items()
    }
    assert {
        (row["category"], row["name"]): [
            row["sessions"],
            row["hours"],
            row["people"],
            row["person_hours"],
        ]
        for row in report.activities
    } == {
        key: [row["sessions"], row["hours"], row["people"], row["person_hours"]]
        for key, row in expected["activities"].items()
    }
    assert dict(report.exit_outcomes) == expected["exits"]
    assert dict(report.effects) == expected["effects"]

    client = client_for(manager)
    url = reverse("reports:yearly")

    # The page: every row of every table, and the lists of exits and effects.
    tables, items = page_tables(client.get(url, {"year": YEAR}).content.decode())
    for index, name in enumerate(("staff", "groups", "activities", "grants")):
        width = 2 if name in ("activities", "grants") else 1
        shown = {tuple(row[:width]): row[width:] for row in tables[index][1:]}
        if name == "grants":  # the total's label spans the two label columns
            total = next(row for row in tables[index] if row[0] == "Razem")
            shown.pop(tuple(total[:2]))
            shown[("Razem",)] = [cell for cell in total[1:] if cell]
        assert len(shown) == len(rows[name]), name
        for labels, numbers in rows[name]:
            cells = shown[tuple(labels)][: len(numbers)]
            assert [pl_number(c) for c in cells] == [Decimal(n) for n in numbers], (name, labels)
    for label, count in expected["exits"].items():
        assert f"Zakończenie: {label} — {count}" in items
    for label, count in expected["effects"].items():
        assert f"{label[0].upper()}{label[1:]} — {count}" in items

    # The PDF: each row as the reader sees it.
    text = pdf_text(client.get(url, {"year": YEAR, "format": "pdf"}).content)
    for name, table in rows.items():
        for labels, numbers in table:
            grouped = name == "grants"
            line = " ".join([*labels, *(pl(n, grouped=grouped) for n in numbers)])
            if name == "staff":
                line = " ".join([*labels, str(numbers[0]), pl(numbers[1]), pl(numbers[2])])
            assert line in text, (name, line)
    for label, count in expected["exits"].items():
        assert f"Zakończenie: {label} — {count}" in text
    assert text.count("Razem") == 3

    # The XLSX and the CSV: the same rows, numbers as numbers.
    book = load_workbook(io.BytesIO(client.get(url, {"year": YEAR, "format": "xlsx"}).content))
    sections = csv_sections(client.get(url, {"year": YEAR, "format": "csv"}).content)
    for name, title in (
        ("staff", "Pracownicy"),
        ("groups", "Uczestnicy według grup (art. 1 ust. 2)"),
        ("activities", "Działania reintegracyjne"),
        ("grants", "Dotacje i ich rozliczenie"),
    ):
        width = 2 if name in ("activities", "grants") else 1
        sheet = {tuple(r[:width]): r[width:] for r in sheet_rows(book, title)[1:]}
        table = {tuple(r[:width]): r[width:] for r in sections[title][1:]}
        assert len(sheet) == len(table) == len(rows[name]), name
        for labels, numbers in rows[name]:
            key = (*labels, "") if len(labels) < width else tuple(labels)
            got = sheet.get(key) or sheet[(*labels, None)]
            assert [Decimal(str(v)) for v in got[: len(numbers)]] == [
                Decimal(n) for n in numbers
            ], (name, key)
            got = table[key][: len(numbers)]
            assert [pl_number(v) for v in got] == [Decimal(n) for n in numbers], (name, key)
    effects = {row[0]: row[1] for row in sheet_rows(book, "Efekty")[1:]}
    csv_effects = {row[0]: pl_number(row[1]) for row in sections["Efekty"][1:]}
    for label, count in expected["exits"].items():
        assert effects[f"Zakończenie: {label}"] == count
        assert csv_effects[f"Zakończenie: {label}"] == count
    for label, count in expected["effects"].items():
        assert effects[label] == count and csv_effects[label] == count

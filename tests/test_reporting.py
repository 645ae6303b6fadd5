"""The reports: the employment-or-education rate with its numerator and denominator on a hand-made
cohort, the yearly report's figures on a hand-made year, a year with no data, the PDF and the
spreadsheets, formula injection neutralised, every export audited, only the manager."""

import csv
import io
from datetime import date, time
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from openpyxl import load_workbook

from activities import services as activity_services
from activities.models import Mark, ProgrammeTemplate, Session
from activities.services import MarkInput
from kis_site.exports import Table, csv_text, neutralise, xlsx
from kis_site.models import EmploymentBasis, FundingSource, StaffMember
from kis_site.vocabulary import RiskGroup
from participants.models import EnrolmentStatus, ExitOutcome, FollowUp, FollowUpResult
from reports import figures
from reports.models import Effect, ExitAssessment, GrantSettlement
from tests.factories import CohortFactory, EnrolmentFactory
from tests.records import frozen_on, pdf_words

pytestmark = pytest.mark.django_db


_frozen = frozen_on(date(2026, 2, 10))


def person(cohort, group, *, status=EnrolmentStatus.ACTIVE, ended=None, outcome="", **names):
    enrolment = EnrolmentFactory(
        participant__primary_risk_group=group,
        cohort=cohort,
        starts_on=date(2025, 1, 13),
        planned_end_on=date(2025, 12, 31),
        status=status,
        ended_on=ended,
        exit_outcome=outcome,
        **{f"participant__{key}": value for key, value in names.items()},
    )
    return enrolment


def assess(enrolment, *effects):
    return ExitAssessment.objects.create(
        participant=enrolment.participant, enrolment=enrolment, effects=list(effects)
    )


@pytest.fixture
def year_2025():
    """A hand-made year: four people of one cohort and one who left the year before."""
    cohort = CohortFactory(
        name="Edycja 2025", starts_on=date(2025, 1, 13), ends_on=date(2025, 12, 31)
    )
    programme = activity_services.programme_copy(
        template=ProgrammeTemplate.objects.get(), cohort=cohort
    )
    employed = person(
        cohort,
        RiskGroup.LONG_TERM_UNEMPLOYED,
        status=EnrolmentStatus.COMPLETED,
        ended=date(2025, 6, 30),
        outcome=ExitOutcome.EMPLOYMENT,
        first_name='=HYPERLINK("http://zly.example")',
        last_name="Kowalski",
    )
    assess(employed, Effect.MOTIVATION, Effect.JOB_SEARCH)
    cis = person(
        cohort,
        RiskGroup.ALCOHOL,
        status=EnrolmentStatus.COMPLETED,
        ended=date(2025, 9, 30),
        outcome=ExitOutcome.CIS,
    )
    assess(cis, Effect.BONDS)
    dropped = person(
        cohort,
        RiskGroup.ALCOHOL,
        status=EnrolmentStatus.DROPPED_OUT,
        ended=date(2025, 3, 31),
        outcome=ExitOutcome.RESIGNATION,
    )
    active = person(cohort, RiskGroup.HOMELESS)
    EnrolmentFactory(
        participant__primary_risk_group=RiskGroup.DRUGS,
        starts_on=date(2024, 1, 8),
        planned_end_on=date(2024, 12, 31),
        status=EnrolmentStatus.COMPLETED,
        ended_on=date(2024, 12, 31),
        exit_outcome=ExitOutcome.EMPLOYMENT,
    )
    module = programme.modules.get(name="Psychoedukacja")
    session = activity_services.session_create(
        session=Session(
            module=module,
            date=date(2025, 3, 3),
            starts_at=time(9),
            ends_at=time(13),
            leader_name="Trener",
        ),
        roster=[employed.participant_id, cis.participant_id, dropped.participant_id],
    )
    activity_services.attendance_save(
        session=session,
        marks=[
            MarkInput(employed.participant_id, Mark.PRESENT),
            MarkInput(cis.participant_id, Mark.PRESENT),
            MarkInput(dropped.participant_id, Mark.ABSENT),
        ],
        by=None,
    )
    StaffMember.objects.create(
        first_name="A",
        last_name="A",
        position="psycholog",
        fte=Decimal("1.00"),
        employed_from=date(2020, 1, 1),
    )
    StaffMember.objects.create(
        first_name="B",
        last_name="B",
        position="pedagog",
        fte=Decimal("0.50"),
        employed_from=date(2025, 5, 1),
    )
    StaffMember.objects.create(
        first_name="C",
        last_name="C",
        position="prawnik",
        employment_basis=EmploymentBasis.CIVIL_CONTRACT,
        hours_per_month=Decimal("40"),
    )
    StaffMember.objects.create(
        first_name="D",
        last_name="D",
        position="terapeuta",
        fte=Decimal("1.00"),
        employed_to=date(2024, 12, 31),
    )
    source = FundingSource.objects.create(name="Dotacja wojewody 2025", kind="grant")
    GrantSettlement.objects.create(
        year=2025,
        funding_source=source,
        purpose="Działalność KIS",
        granted=Decimal("50000"),
        received=Decimal("50000"),
        spent=Decimal("48250.50"),
        returned=Decimal("1749.50"),
        settled_on=date(2026, 1, 20),
    )
    for months, due in ((3, date(2025, 9, 30)), (6, date(2025, 12, 31)), (12, date(2026, 6, 30))):
        FollowUp.objects.create(
            enrolment=employed,
            months=months,
            due_on=due,
            checked_on=date(2025, 10, 1) if months == 3 else None,
            result=FollowUpResult.EMPLOYED if months == 3 else "",
        )
    return {
        "cohort": cohort,
        "employed": employed,
        "cis": cis,
        "dropped": dropped,
        "active": active,
        "module": module,
    }


def test_the_rate_has_its_numerator_and_denominator_on_a_hand_made_cohort(year_2025):
    cohort = year_2025["cohort"]
    start, end = date(2025, 1, 1), date(2025, 12, 31)
    report = figures.outcomes(figures.enrolments_in(start, end, cohort=cohort), start, end)
    assert report.people == 4
    assert report.starts == 4
    assert (report.completions, report.dropouts) == (2, 1)
    # Finishers = completed in the period (2); effective = employment or education (1).
    assert (report.rate.numerator, report.rate.denominator, report.rate.percent) == (1, 2, 50.0)
    assert (
        dict(report.by_group)
        == {
            "Bezdomny realizujący indywidualny program wychodzenia z bezdomności": 1,
            "Uzależniony od alkoholu": 2,
            "Długotrwale bezrobotny": 1,
        }
        or sum(count for _label, count in report.by_group) == 4
    )
    assert dict(report.dropout_reasons) == {"rezygnacja": 1}
    three = report.follow_ups[0]
    assert (three["months"], three["checked"], three["working"]) == (3, 1, 1)
    assert three["rate"].percent == 100.0
    hours = {row["name"]: row for row in report.hours}
    assert hours["Psychoedukacja"]["planned"] == 12 and hours["Psychoedukacja"]["done"] == 8
    # Half a year: only the first exit and the drop-out.
    half = figures.outcomes(
        figures.enrolments_in(start, date(2025, 6, 30), cohort=cohort), start, date(2025, 6, 30)
    )
    assert (half.rate.numerator, half.rate.denominator) == (1, 1)
    assert half.dropouts == 1
    # No finisher: no rate, not a division by zero.
    none = figures.outcomes(
        figures.enrolments_in(date(2025, 1, 1), date(2025, 2, 1)),
        date(2025, 1, 1),
        date(2025, 2, 1),
    )
    assert none.rate.denominator == 0 and none.rate.percent is None


def test_the_yearly_report_counts_a_hand_made_year(year_2025):
    report = figures.yearly(2025)
    groups = {row["group"]: row for row in report.groups}
    unemployed = groups["Długotrwale bezrobotny"]
    assert (unemployed["people"], unemployed["completed"], unemployed["employed"]) == (1, 1, 1)
    assert (unemployed["social"], unemployed["vocational"]) == (1, 1)
    alcohol = groups["Uzależniony od alkoholu"]
    assert (alcohol["people"], alcohol["left"], alcohol["completed"]) == (2, 2, 1)
    assert (alcohol["social"], alcohol["vocational"], alcohol["employed"]) == (1, 0, 0)
    assert (
        groups["Bezdomny realizujący indywidualny program wychodzenia z bezdomności"]["people"] == 1
    )
    assert "Uzależniony od narkotyków lub innych środków odurzających" not in groups  # left in 2024
    assert report.groups_total["people"] == 4 and report.groups_total["employed"] == 1
    staff = {row["basis"]: row for row in report.staff}
    assert staff["umowa o pracę"]["people"] == 2 and staff["umowa o pracę"]["fte"] == Decimal("1.5")
    assert staff["umowa zlecenie"]["hours"] == Decimal("40")
    assert report.staff_total["people"] == 3  # the therapist left in 2024
    activity = next(row for row in report.activities if row["name"] == "Psychoedukacja")
    assert (activity["sessions"], activity["hours"], activity["people"]) == (1, 4, 2)
    assert activity["person_hours"] == 8
    assert report.grants_total["spent"] == Decimal("48250.50")
    assert not report.empty
    assert figures.yearly(2019).empty


def test_the_yearly_report_page_pdf_and_spreadsheet(year_2025, manager, client_for, case_manager):
    client = client_for(manager)
    url = reverse("reports:yearly")
    page = client.get(url, {"year": 2025}).content.decode()
    assert "Sprawozdanie roczne dla wojewody" in page and "48" in page
    pdf = client.get(url, {"year": 2025, "format": "pdf"})
    text = pdf_words(pdf.content)
    assert "SPRAWOZDANIE Z DZIAŁALNOŚCI KLUBU INTEGRACJI SPOŁECZNEJ ZA ROK 2025" in text
    assert "Długotrwale bezrobotny" in text and "Dotacja wojewody 2025" in text
    assert "Psychoedukacja" in text
    book = load_workbook(io.BytesIO(client.get(url, {"year": 2025, "format": "xlsx"}).content))
    assert book.sheetnames[:2] == ["Pracownicy", "Uczestnicy według grup (art."]
    grants = book["Dotacje i ich rozliczenie"]
    values = [[cell.value for cell in row] for row in grants.iter_rows()]
    assert values[3][:6] == [
        "Dotacja wojewody 2025",
        "Działalność KIS",
        50000,
        50000,
        48250.5,
        1749.5,
    ]
    assert LogEntry.objects.filter(additional_data__what="yearly report 2025 (xlsx)").exists()
    # A year with no data: a clear message, no file.
    response = client.get(url, {"year": 2019, "format": "pdf"}, follow=True)
    assert "Za rok 2019 nic nie zapisano" in response.content.decode()
    assert response.redirect_chain
    # Only the manager.
    assert client_for(case_manager).get(url).status_code == 403


def test_exports_neutralise_formulas_keep_numbers_and_leave_out_sensitive_data(
    year_2025, manager, client_for
):
    assert neutralise("=SUM(A1)") == "'=SUM(A1)"
    for text in ("+48 600", "-1", "@cmd", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
    assert neutralise(-1) == -1 and neutralise(Decimal("2.5")) == 2.5 and neutralise(None) == ""
    assert neutralise("Kowalski") == "Kowalski"
    table = Table("=t").add("a", "b").add("=1+1", 3)
    assert '"\'=1+1";3' in csv_text([table]) or "'=1+1;3" in csv_text([table])
    sheet = load_workbook(io.BytesIO(xlsx([table]))).active
    assert sheet["A3"].value == "'=1+1" and sheet["B3"].value == 3
    assert sheet["A3"].data_type == "s"

    client = client_for(manager)
    url = reverse("reports:outcomes")
    query = {"start": "2025-01-01", "end": "2025-12-31", "cohort": year_2025["cohort"].pk}
    before = LogEntry.objects.filter(additional_data__access="export").count()
    response = client.get(url, {**query, "format": "csv", "list": "people"})
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[1][:2] == ["Imię", "Nazwisko"]
    assert any(row[0].startswith("'=HYPERLINK") for row in rows)
    assert "PESEL" not in text and "alkohol" not in text.lower() and "bezdomn" not in text
    # Each person on the list: one export entry in the audit log.
    assert LogEntry.objects.filter(additional_data__access="export").count() == before + 4
    figures_xlsx = client.get(url, {**query, "format": "xlsx"})
    book = load_workbook(io.BytesIO(figures_xlsx.content))
    summary = {row[0].value: row[1].value for row in book["Podsumowanie"].iter_rows(min_row=3)}
    assert summary["Ukończyli i podjęli pracę lub naukę (licznik)"] == 1
    assert summary["Ukończyli (mianownik)"] == 2
    assert summary["Wskaźnik zatrudnienia lub kontynuacji nauki (%)"] == 50
    page = client.get(url, query).content.decode()
    assert "1 z 2 osób" in page
    # The hours per activity come on their own when scrolled to (htmx), for the same scope.
    assert 'hx-get="?start=2025-01-01&amp;end=2025-12-31&amp;cohort=' in page
    assert "Psychoedukacja" not in page
    hours = client.get(url, {**query, "part": "hours"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in hours and "Psychoedukacja" in hours
    assert (
        '<td class="text-end">12</td><td class="text-end">8</td><td class="text-end">67%</td>'
        in (hours)
    )
    # Bad dates: a Polish message next to the field.
    page = client.get(url, {"start": "2025-12-31", "end": "2025-01-01"}).content.decode()
    assert "Data zakończenia nie może być wcześniejsza niż data rozpoczęcia" in page


def test_the_managers_start_page_shows_the_whole_club(manager, case_manager, client_for):
    from reports.dashboard import club_figures
    from tests.factories import ApplicationFactory

    cohort = CohortFactory(name="Edycja 2026/A", starts_on=date(2026, 1, 5))
    programme = activity_services.programme_copy(
        template=ProgrammeTemplate.objects.get(), cohort=cohort
    )
    people = [
        EnrolmentFactory(
            cohort=cohort,
            starts_on=date(2026, 1, 5),
            participant__case_manager=case_manager.staff,
        )
        for _ in range(3)
    ]
    ApplicationFactory(decision="pending")
    social = programme.modules.get(name="Psychoedukacja")
    vocational = programme.modules.filter(category="vocational").first()
    for day, module in ((date(2026, 2, 2), social), (date(2026, 2, 3), vocational)):
        session = activity_services.session_create(
            session=Session(
                module=module, date=day, starts_at=time(9), ends_at=time(13), leader_name="T"
            ),
            roster=[e.participant_id for e in people],
        )
        activity_services.attendance_save(
            session=session,
            marks=[
                MarkInput(people[0].participant_id, Mark.PRESENT),
                MarkInput(people[1].participant_id, Mark.PRESENT),
                MarkInput(people[2].participant_id, Mark.ABSENT),
            ],
            by=None,
        )
    figures = club_figures(date(2026, 2, 10))
    assert figures.active == 3 and figures.cohorts[0]["people"] == 3
    assert (figures.attended, figures.marked, figures.attendance_rate) == (4, 6, 67)
    assert figures.planned_hours == 24 and figures.done_hours == 16
    # Two people did as many vocational as social hours in the week of 2 February: below 2/3.
    assert (figures.weeks_below, figures.people_below) == (2, 2)
    assert figures.caseloads == [{"name": "Marek Wiśniewski", "people": 3}]
    assert figures.waiting == 1
    page = client_for(manager).get(reverse("home")).content.decode()
    assert "Klub w miesiącu" in page and "4 obecności na 6 wpisów" in page
    assert "Klub w miesiącu" not in client_for(case_manager).get(reverse("home")).content.decode()

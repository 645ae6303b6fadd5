"""Dates that start obligations are the dates things happened: a document counts as signed on
the date of its last signature (the date on the paper), not on the day it was recorded; the
social contract's end is checked against the participation's planned end, and its printed
evaluation dates follow the contract."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from diagnosis import services as diagnosis_services
from diagnosis.models import DiagnosisKind, DiagnosticReport
from kis_site import documents
from participants import services
from participants.models import BasisKind, SocialContract
from reports.selectors import due_counts, due_states
from tests.factories import EnrolmentFactory
from tests.records import make_contract
from tests.records import pdf_words as pdf_text

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")
ON_PAPER = date(2026, 8, 10)
RECORDED = datetime(2026, 12, 3, 11, 30, tzinfo=WARSAW)


def pdf_url(document) -> str:
    return reverse("documents:pdf", args=[documents.kind_of(document).key, document.pk])


def page_text(response) -> str:
    return " ".join(response.content.decode().split())


# --- Defect 11: a paper signature counts from the date on the paper ------------------------------


@pytest.fixture
def signed_in_august(participant, case_manager):
    """An initial diagnosis signed by hand by its three specialists on 10 August 2026, recorded in
    the application on 3 December 2026."""
    with time_machine.travel(datetime(2026, 8, 5, 9, 0, tzinfo=WARSAW), tick=False):
        enrolment = EnrolmentFactory(
            participant=participant,
            starts_on=date(2026, 8, 3),
            planned_end_on=date(2027, 7, 30),
        )
        report = diagnosis_services.report_start(
            enrolment=enrolment,
            kind=DiagnosisKind.INITIAL,
            started_on=date(2026, 8, 4),
            by=case_manager,
        )
        report.socio_living.rating = 2
        report.socio_living.rating_reason = "Długi."
        report.socio_living.save()
    with time_machine.travel(RECORDED, tick=False):
        for slot, name in (
            ("social_worker", "Joanna Kamińska"),
            ("psychologist", "Tomasz Lewandowski"),
            ("career_advisor", "Agnieszka Wójcik"),
        ):
            report = documents.document_record_paper_signature(
                document=DiagnosticReport.objects.get(pk=report.pk),
                slot_key=slot,
                signer_name=name,
                signed_on=ON_PAPER,
                by=case_manager,
            )
    assert report.is_locked
    return report


def test_a_paper_signature_counts_from_the_date_on_the_paper(
    signed_in_august, case_manager, client_for
):
    report = signed_in_august
    revision = documents.current_revision(report)
    # The date it was signed is what the paper says; when it was recorded stays for the audit.
    assert revision.signed_on == ON_PAPER
    assert revision.locked_at == RECORDED
    assert DiagnosticReport.objects.get(pk=report.pk).signed_by_everyone_on == ON_PAPER
    with time_machine.travel(RECORDED, tick=False):
        page = page_text(
            client_for(case_manager).get(reverse("diagnosis:report", args=[report.pk]))
        )
        assert "Wszystkie podpisy złożono 10.08.2026" in page
        assert "wprowadzono do aplikacji 03.12.2026" in page
        assert "Wszystkie podpisy złożono 03.12.2026" not in page
        pdf = client_for(case_manager).get(pdf_url(report))
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "wszystkie podpisy złożono 10.08.2026" in text
    assert "03.12.2026" not in text


def test_change_reports_fall_due_from_the_month_after_the_paper_date(signed_in_august):
    participant = signed_in_august.participant
    today = RECORDED.date()
    (state,) = due_states([participant], today)
    months = [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]
    assert state.due == months
    assert state.missing == months
    # September, October and November without a report: overdue, not "nothing due yet".
    assert state.overdue
    # The start-page tiles count from the same date: overdue, so not counted as merely due.
    assert due_counts([participant], today) == (0, 1)
    # In October the person was due and not yet overdue.
    assert due_counts([participant], date(2026, 10, 15)) == (1, 0)


def test_a_signature_in_the_app_is_dated_the_day_it_was_given(participant, case_manager):
    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=WARSAW), tick=False):
        contract = make_contract(participant, by=case_manager)
        contract = documents.document_record_paper_signature(
            document=contract,
            slot_key="participant",
            signer_name="Łukasz Żółkiewski",
            signed_on=date(2026, 11, 18),
            by=case_manager,
        )
    with time_machine.travel(datetime(2026, 11, 21, 9, 0, tzinfo=WARSAW), tick=False):
        contract = documents.document_record_paper_signature(
            document=contract,
            slot_key="ops_worker",
            signer_name="Beata Sowa",
            signed_on=date(2026, 11, 19),
            by=case_manager,
        )
    # The version is signed on the date of its last signature, whichever was recorded last.
    assert documents.current_revision(contract).signed_on == date(2026, 11, 19)


# --- Defect 10: the contract's end against the participation's, and its evaluation dates ---------

TODAY = date(2026, 11, 23)


@pytest.fixture
def _frozen_today():
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=WARSAW), tick=False):
        yield


@pytest.fixture
def contract_too_short(_frozen_today, participant, case_manager):
    """A social contract from 18.11.2026 to 23.03.2027 for a participation planned to 28.05.2027."""
    enrolment = EnrolmentFactory(
        participant=participant, starts_on=date(2026, 9, 7), planned_end_on=date(2027, 5, 28)
    )
    contract = make_contract(participant, by=case_manager)
    assert (contract.valid_from, contract.valid_until) == (date(2026, 11, 18), date(2027, 3, 23))
    return enrolment, contract


def section(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def test_a_contract_ending_before_the_participation_is_flagged_everywhere(
    contract_too_short, case_manager, client_for
):
    enrolment, contract = contract_too_short
    client = client_for(case_manager)
    page = page_text(client.get(reverse("participants:contract", args=[contract.pk])))
    assert (
        "Ta podstawa uczestnictwa kończy się 23.03.2027, przed planowanym zakończeniem "
        "uczestnictwa 28.05.2027." in page
    )
    page = page_text(client.get(reverse("participants:enrolment", args=[enrolment.pk])))
    assert "kończy się 23.03.2027, przed planowanym zakończeniem tego uczestnictwa 28.05.2027" in (
        page
    )
    page = page_text(client.get(reverse("participants:contracts-due")))
    early = section(page, 'id="ending-early"', 'id="evaluations"')
    assert "KS/12/2026" in early and "23.03.2027" in early and "28.05.2027" in early
    start = page_text(client.get(reverse("home")))
    assert "Kontrakty socjalne kończące się przed planowanym końcem uczestnictwa" in start

    # The next contract covers the rest of the participation: nothing is flagged any more.
    services.contract_create(
        contract=SocialContract(
            participant=enrolment.participant,
            basis_kind=BasisKind.SOCIAL_CONTRACT,
            number="KS/40/2027",
            concluded_on=TODAY,
            valid_from=date(2027, 3, 24),
            valid_until=date(2027, 6, 30),
            ops_worker="Beata Sowa",
        ),
        by=case_manager,
    )
    page = page_text(client.get(reverse("participants:contract", args=[contract.pk])))
    assert "Ta podstawa uczestnictwa kończy się" not in page
    page = page_text(client.get(reverse("participants:enrolment", args=[enrolment.pk])))
    assert "przed planowanym zakończeniem tego uczestnictwa" not in page
    page = page_text(client.get(reverse("participants:contracts-due")))
    early = section(page, 'id="ending-early"', 'id="evaluations"')
    assert "KS/12/2026" not in early and "KS/40/2027" not in early


def test_a_contract_covering_the_participation_is_not_flagged(
    _frozen_today, participant, case_manager, client_for
):
    enrolment = EnrolmentFactory(
        participant=participant, starts_on=date(2026, 9, 7), planned_end_on=date(2027, 3, 1)
    )
    contract = make_contract(participant, by=case_manager)
    client = client_for(case_manager)
    page = page_text(client.get(reverse("participants:contract", args=[contract.pk])))
    assert "Ta podstawa uczestnictwa kończy się" not in page
    page = page_text(client.get(reverse("participants:enrolment", args=[enrolment.pk])))
    assert "przed planowanym zakończeniem tego uczestnictwa" not in page


def test_the_contract_pdf_prints_the_evaluation_dates_of_its_rule_then_the_planned_ones(
    contract_too_short, case_manager, client_for
):
    _enrolment, contract = contract_too_short
    client = client_for(case_manager)
    text = pdf_text(client.get(pdf_url(contract)).content)
    # No evaluation planned yet: the contract's rule, every two months from 18.11.2026.
    assert "Co 2 miesiące od początku obowiązywania kontraktu: 18.01.2027, 18.03.2027." in text, (
        text
    )
    assert "Terminy oceny realizacji kontraktu —" not in text
    page = page_text(client.get(reverse("participants:contract", args=[contract.pk])))
    assert "Zasada z kontraktu: Co 2 miesiące od początku obowiązywania kontraktu" in page

    services.contract_plan_evaluation(
        contract=contract, planned_on=date(2027, 1, 20), by=case_manager
    )
    text = pdf_text(client.get(pdf_url(contract)).content)
    assert "20.01.2027" in text and "18.01.2027" not in text


def test_the_evaluation_rule_stays_within_the_term_and_months_of_different_lengths():
    contract = SocialContract(
        valid_from=date(2026, 12, 31), valid_until=date(2027, 6, 30), evaluation_every_months=2
    )
    assert contract.evaluation_rule_dates() == [
        date(2027, 2, 28),
        date(2027, 4, 30),
        date(2027, 6, 30),
    ]
    contract.evaluation_every_months = None
    assert contract.evaluation_rule_dates() == []


def test_the_migration_dates_versions_signed_before_it_by_their_signatures(signed_in_august):
    import importlib

    from django.apps import apps

    from kis_site.models import DocumentRevision

    migration = importlib.import_module("kis_site.migrations.0005_revision_signed_on")
    DocumentRevision.objects.update(signed_on=None)
    migration.fill_signed_on(apps, None)
    assert documents.current_revision(signed_in_august).signed_on == ON_PAPER

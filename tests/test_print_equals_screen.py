"""Print = screen (issue: working week, 1): a required signer who does not see a section prints a
copy without it, marked; the original and the scan are for those who see every section."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from diagnosis import services as diagnosis_services
from kis_site import documents
from tests.factories import EnrolmentFactory, pdf_bytes
from tests.records import paper, pdf_text

pytestmark = pytest.mark.django_db

HEALTH = "Cukrzyca insulinozależna, leczenie w poradni."
MIND = "Stany lękowe, terapia od dwóch lat."
WORK = "Magazynier, wózek widłowy."


@pytest.fixture
def diagnosis(case_manager):
    enrolment = EnrolmentFactory(participant__case_manager=case_manager.staff)
    report = diagnosis_services.report_start(
        enrolment=enrolment,
        kind="initial",
        started_on=timezone.localdate(),
        by=case_manager,
    )
    report.health.health_state = HEALTH
    report.health.save()
    report.psychological.rating, report.psychological.rating_reason = 2, MIND
    report.psychological.save()
    report.vocational.rating, report.vocational.rating_reason = 3, WORK
    report.vocational.save()
    return report


def test_a_signer_who_does_not_see_a_section_prints_a_copy_without_it(
    diagnosis, career_advisor, case_manager, client_for
):
    url = reverse("documents:pdf", args=["diagnosis", diagnosis.pk])
    page = (
        client_for(career_advisor)
        .get(reverse("diagnosis:report", args=[diagnosis.pk]))
        .content.decode()
    )
    assert HEALTH not in page and MIND not in page
    assert "Drukuj kopię bez sekcji, których nie widzisz (PDF)" in page

    copy = pdf_text(client_for(career_advisor).get(url).content)
    assert HEALTH not in copy and MIND not in copy
    assert "Magazynier" in copy
    assert "KOPIA BEZ SEKCJI" in copy
    assert "widoczna tylko dla" in copy and "psycholog" in copy

    whole = pdf_text(client_for(case_manager).get(url).content)
    assert HEALTH.split(",")[0] in whole and "KOPIA BEZ SEKCJI" not in whole


def test_the_scan_and_earlier_versions_open_only_whole(
    diagnosis, social_worker, psychologist, career_advisor, case_manager, client_for
):
    for slot, user in (
        ("social_worker", social_worker),
        ("psychologist", psychologist),
        ("career_advisor", career_advisor),
    ):
        diagnosis = paper(diagnosis, slot, user, user.get_full_name())
    diagnosis.refresh_from_db()
    assert diagnosis.is_locked
    documents.document_upload_scan(
        document=diagnosis,
        number=1,
        upload=SimpleUploadedFile("skan.pdf", pdf_bytes()),
        by=case_manager,
    )
    scan = reverse("documents:scan", args=["diagnosis", diagnosis.pk, 1])
    assert client_for(case_manager).get(scan).status_code == 200
    assert client_for(career_advisor).get(scan).status_code == 403
    # The stored original is the whole document: a signer without a section gets a copy.
    url = reverse("documents:pdf", args=["diagnosis", diagnosis.pk])
    copy = client_for(career_advisor).get(url)
    assert "kopia" in copy["Content-Disposition"]
    assert HEALTH not in pdf_text(copy.content)
    assert "X-Document-SHA256" not in copy
    original = client_for(case_manager).get(url)
    assert original["X-Document-SHA256"]

"""The signed-document lifecycle, PDFs and scans, on the social contract and the certificate."""

import hashlib
import io
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from kis_site import documents
from kis_site.models import DocumentRevision, DocumentState, Signature
from participants import services
from participants.models import (
    ContractOrigin,
    EnrolmentStatus,
    ExitOutcome,
    SocialContract,
)
from tests.factories import EnrolmentFactory, FamilyMemberFactory, image_bytes, pdf_bytes
from tests.records import make_contract, paper, pdf_text

pytestmark = pytest.mark.django_db

PNG = image_bytes("png")
JPEG = image_bytes("jpeg")
PDF = pdf_bytes()


def completed_enrolment():
    enrolment = EnrolmentFactory()
    services.enrolment_change_status(
        enrolment=enrolment,
        to_status=EnrolmentStatus.COMPLETED,
        changed_on=timezone.localdate(),
        reason="Koniec programu.",
        by=None,
        expected_version=enrolment.version,
        exit_outcome=ExitOutcome.EMPLOYMENT,
    )
    return enrolment


# --- Lifecycle -----------------------------------------------------------------------------------


def test_certificate_is_a_draft_until_the_manager_signs_then_locks_with_a_stored_pdf(manager):
    enrolment = completed_enrolment()
    certificate = services.certificate_issue(
        enrolment=enrolment, issued_on=timezone.localdate(), by=manager
    )
    assert certificate.number == f"1/{timezone.localdate().year}"
    assert certificate.state == DocumentState.DRAFT
    draft = documents.document_pdf(document=certificate)
    assert not draft.final
    assert "PROJEKT" in pdf_text(draft.content)

    certificate = documents.document_sign(document=certificate, slot_key="manager", user=manager)
    assert certificate.state == DocumentState.LOCKED
    first = documents.document_pdf(document=certificate)
    second = documents.document_pdf(document=certificate)
    assert first.final and first.content == second.content
    assert first.sha256 == hashlib.sha256(first.content).hexdigest()
    text = pdf_text(first.content)
    assert "PROJEKT" not in text
    assert "ZAŚWIADCZENIE" in text
    assert enrolment.participant.full_name in text
    assert "Strona 1 z 1" in text
    assert "Kierownik KIS" in text


def test_certificates_are_numbered_per_year(manager):
    first = services.certificate_issue(
        enrolment=completed_enrolment(), issued_on=timezone.localdate(), by=manager
    )
    second = services.certificate_issue(
        enrolment=completed_enrolment(), issued_on=timezone.localdate(), by=manager
    )
    assert (first.sequence, second.sequence) == (1, 2)


def test_certificate_only_for_a_completed_participation(manager):
    with pytest.raises(ValidationError):
        services.certificate_issue(
            enrolment=EnrolmentFactory(), issued_on=timezone.localdate(), by=manager
        )


def test_only_the_right_role_signs_in_the_app(manager, case_manager):
    certificate = services.certificate_issue(
        enrolment=completed_enrolment(), issued_on=timezone.localdate(), by=manager
    )
    with pytest.raises(ValidationError) as error:
        documents.document_sign(document=certificate, slot_key="manager", user=case_manager)
    assert "Nie możesz podpisać" in error.value.messages[0]


def test_a_change_to_a_signed_draft_clears_its_signatures(case_manager, participant):
    contract = make_contract(participant, by=case_manager)
    paper(contract, "participant", case_manager, "Łukasz Żółkiewski")
    assert set(documents.active_signatures(contract)) == {"participant"}
    contract.goals = "Nowe cele."
    services.contract_update(contract=contract, expected_version=contract.version, by=case_manager)
    assert documents.active_signatures(contract) == {}
    cleared = Signature.objects.get(slot="participant")
    assert cleared.cleared_at is not None and cleared.cleared_by == case_manager


def test_all_signatures_lock_and_a_change_then_needs_a_new_version(case_manager, participant):
    contract = make_contract(participant, by=case_manager)
    paper(contract, "participant", case_manager, "Łukasz Żółkiewski")
    contract = paper(contract, "ops_worker", case_manager, "Beata Sowa")
    assert contract.is_locked
    version_one = documents.document_pdf(document=contract)
    contract.goals = "Zmiana po podpisaniu."
    with pytest.raises(ValidationError):
        services.contract_update(
            contract=contract, expected_version=contract.version, by=case_manager
        )
    with pytest.raises(ValidationError):
        documents.document_new_revision(document=contract, reason=" ", by=case_manager)
    contract = documents.document_new_revision(
        document=contract, reason="Przedłużenie kontraktu.", by=case_manager
    )
    assert contract.revision == 2 and not contract.is_locked
    contract.refresh_from_db()
    contract.valid_until += timedelta(days=60)
    services.contract_update(contract=contract, expected_version=contract.version, by=case_manager)
    # Version 1 stays readable and prints byte for byte as signed.
    assert documents.document_pdf(document=contract, number=1).content == version_one.content
    states = dict(documents.revisions_of(contract).values_list("number", "state"))
    assert states == {1: "superseded", 2: "draft"}
    assert DocumentRevision.objects.get(number=1).snapshot["goals"] == "Podjęcie zatrudnienia."


def test_an_original_kept_on_first_open_says_what_was_signed(case_manager, participant):
    """Loading the demo signs hundreds of documents without rendering each: the original is
    rendered from the signed version when first printed (then always the same bytes), and
    before a new version is opened when nobody printed it."""
    with documents.originals_kept_on_first_open():
        contract = make_contract(participant, by=case_manager)
        paper(contract, "participant", case_manager, "Łukasz Żółkiewski")
        contract = paper(contract, "ops_worker", case_manager, "Beata Sowa")
        other = make_contract(participant, by=case_manager, number="KS/13/2026")
        paper(other, "participant", case_manager)
        other = paper(other, "ops_worker", case_manager)
    assert contract.is_locked and documents.current_revision(contract).pdf_id is None
    first = documents.document_pdf(document=contract)
    assert first.final and "Podjęcie zatrudnienia" in pdf_text(first.content)
    again = documents.document_pdf(document=contract)
    assert again.content == first.content and again.sha256 == first.sha256
    # Never printed: kept before the next version can change anything.
    other = documents.document_new_revision(document=other, reason="Aneks.", by=case_manager)
    kept = documents.revisions_of(other).get(number=1)
    assert kept.pdf_id is not None
    assert "KS/13/2026" in pdf_text(documents.document_pdf(document=other, number=1).content)


def test_a_second_signature_for_the_same_slot_is_refused(case_manager, manager, participant):
    contract = make_contract(participant, by=case_manager)
    paper(contract, "participant", case_manager)
    with pytest.raises(ValidationError) as error:
        paper(contract, "participant", manager)
    assert "został już złożony" in error.value.messages[0]


def test_paper_signature_needs_a_name_and_a_past_date(case_manager, participant):
    contract = make_contract(participant, by=case_manager)
    with pytest.raises(ValidationError) as error:
        documents.document_record_paper_signature(
            document=contract,
            slot_key="participant",
            signer_name="",
            by=case_manager,
            signed_on=timezone.localdate() + timedelta(days=1),
        )
    assert set(error.value.message_dict) == {"signer_name", "signed_on"}


def test_family_parties_and_drafted_contracts_have_their_own_signatures(
    case_manager, social_worker, participant
):
    member = FamilyMemberFactory(participant=participant, first_name="Halina")
    contract = make_contract(participant, by=case_manager, origin=ContractOrigin.DRAFTED)
    contract.family_parties.set([member])
    slots = [slot.key for slot in contract.signer_slots()]
    assert slots == ["participant", f"family-{member.pk}", "social_worker"]
    paper(contract, "participant", case_manager)
    paper(contract, f"family-{member.pk}", case_manager, "Halina")
    contract = documents.document_sign(
        document=contract, slot_key="social_worker", user=social_worker
    )
    assert contract.is_locked
    text = pdf_text(documents.document_pdf(document=contract).content)
    assert "KONTRAKT SOCJALNY" in text
    assert "Halina" in text
    assert "podpisano w aplikacji" in text


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "sqlite" in __import__("django.conf").conf.settings.DATABASES["default"]["ENGINE"],
    reason="an in-memory SQLite test database cannot run two writers; CI runs this on PostgreSQL",
)
def test_two_people_signing_at_the_same_moment(case_manager, manager, participant):
    contract = make_contract(participant, by=case_manager)
    errors = []
    barrier = threading.Barrier(2)

    def sign(slot, user, name):
        try:
            barrier.wait()
            paper(SocialContract.objects.get(pk=contract.pk), slot, user, name)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=sign, args=("participant", case_manager, "Łukasz")),
        threading.Thread(target=sign, args=("ops_worker", manager, "Beata Sowa")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    contract.refresh_from_db()
    assert contract.is_locked
    revision = documents.current_revision(contract)
    assert revision.pdf is not None
    assert Signature.objects.filter(cleared_at__isnull=True).count() == 2


# --- Scans ---------------------------------------------------------------------------------------


def signed_contract(participant, by):
    contract = make_contract(participant, by=by)
    paper(contract, "participant", by)
    return paper(contract, "ops_worker", by, "Beata Sowa")


@pytest.mark.parametrize(
    ("content", "name"), [(PDF, "skan.pdf"), (PNG, "skan.png"), (JPEG, "skan.jpg")]
)
def test_scans_of_allowed_types_are_kept(case_manager, participant, content, name):
    contract = signed_contract(participant, case_manager)
    revision = documents.document_upload_scan(
        document=contract, number=1, upload=SimpleUploadedFile(name, content), by=case_manager
    )
    assert bytes(revision.scan.data) == content


def test_a_renamed_program_and_a_too_large_file_are_refused(case_manager, participant):
    contract = signed_contract(participant, case_manager)
    program = SimpleUploadedFile("skan.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    with pytest.raises(ValidationError) as error:
        documents.document_upload_scan(document=contract, number=1, upload=program, by=case_manager)
    assert "PDF, JPEG lub PNG" in error.value.messages[0]
    big = SimpleUploadedFile("skan.pdf", PDF + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError) as error:
        documents.document_upload_scan(document=contract, number=1, upload=big, by=case_manager)
    assert "10 MB" in error.value.messages[0]


def test_signed_documents_without_a_scan_are_on_the_to_do_list(
    client_for, case_manager, participant
):
    contract = signed_contract(participant, case_manager)
    client = client_for(case_manager)
    page = client.get(reverse("documents:missing-scans"))
    assert [row["document"] for row in page.context["rows"]] == [contract]
    tiles = {t["title"]: t["count"] for t in client.get(reverse("home")).context["tiles"]}
    assert tiles["Podpisane dokumenty bez skanu"] == 1  # every kind in one count
    response = client.post(
        reverse("documents:scan-upload", args=["contract", contract.pk, 1]),
        {"scan": SimpleUploadedFile("skan.pdf", PDF)},
    )
    assert response.status_code == 302
    page = client.get(reverse("documents:missing-scans"))
    assert page.context["rows"] == []
    home = client.get(reverse("home"))
    assert any(t["title"] == "Podpisane dokumenty bez skanu" for t in home.context["tiles"])


# --- Access --------------------------------------------------------------------------------------


def test_a_contract_opens_only_for_roles_that_see_its_sections(personas, client_for, participant):
    contract = make_contract(participant, by=personas["case_manager"])
    allowed = {"manager", "case_manager", "social_worker", "psychologist"}
    for name, user in personas.items():
        client = client_for(user)
        page = client.get(reverse("participants:contract", args=[contract.pk]))
        pdf = client.get(reverse("documents:pdf", args=["contract", contract.pk]))
        expected = (
            200
            if name in allowed
            else (404 if name in {"trainer", "administrator", "stranger"} else 403)
        )
        assert (name, page.status_code, pdf.status_code) == (name, expected, expected)


def test_a_required_signer_may_open_the_whole_document(
    client_for, social_worker, other_case_manager, participant
):
    contract = make_contract(participant, by=social_worker, origin=ContractOrigin.DRAFTED)
    # The other case manager may not see this person's sensitive sections...
    assert (
        client_for(other_case_manager)
        .get(reverse("participants:contract", args=[contract.pk]))
        .status_code
        == 403
    )
    # ...a social worker signs drafted contracts, and always opens what they sign.
    assert documents.is_required_signer(social_worker, contract)


def test_printing_and_opening_are_audited(client_for, case_manager, participant):
    from auditlog.models import LogEntry

    contract = make_contract(participant, by=case_manager)
    client = client_for(case_manager)
    client.get(reverse("documents:pdf", args=["contract", contract.pk]))
    entry = LogEntry.objects.filter(additional_data__access="pdf").get()
    assert entry.actor == case_manager
    assert entry.additional_data["participant_id"] == participant.pk


def test_the_pdf_response_carries_the_hash_and_no_caching(client_for, case_manager, participant):
    contract = signed_contract(participant, case_manager)
    response = client_for(case_manager).get(
        reverse("documents:pdf", args=["contract", contract.pk])
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Document-SHA256"] == hashlib.sha256(response.content).hexdigest()
    assert response["Cache-Control"] == "no-store"


# --- Pages ---------------------------------------------------------------------------------------


def test_recording_a_contract_through_the_page(client_for, case_manager, participant):
    today = timezone.localdate()
    client = client_for(case_manager)
    response = client.post(
        reverse("participants:contract-add", args=[participant.pk]),
        {
            "basis_kind": "social_contract",
            "origin": "recorded",
            "number": "KS/1/2026",
            "concluded_on": today.isoformat(),
            "valid_from": today.isoformat(),
            "valid_until": (today - timedelta(days=1)).isoformat(),
            "ops_worker": "",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Data zakończenia kontraktu nie może być wcześniejsza" in html
    assert "Podaj pracownika socjalnego OPS" in html or "pracownika socjalnego" in html
    response = client.post(
        reverse("participants:contract-add", args=[participant.pk]),
        {
            "basis_kind": "social_contract",
            "origin": "recorded",
            "number": "KS/1/2026",
            "concluded_on": today.isoformat(),
            "valid_from": today.isoformat(),
            "valid_until": (today + timedelta(days=90)).isoformat(),
            "ops_worker": "Beata Sowa",
            "goals": "<script>alert('x')</script> @import url(http://169.254.169.254/)",
        },
    )
    assert response.status_code == 302
    contract = SocialContract.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    text = pdf_text(documents.document_pdf(document=contract).content)
    assert "<script>alert('x')</script>" in text


def test_enrolling_without_a_valid_basis_asks_for_confirmation(client_for, case_manager):
    from tests.factories import ApplicationFactory

    application = ApplicationFactory()
    client = client_for(case_manager)
    url = reverse("participants:enrol", args=[application.participant_id])
    data = {"application": application.pk, "starts_on": timezone.localdate().isoformat()}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "W dniu rozpoczęcia nie obowiązuje żaden kontrakt socjalny" in response.content.decode()
    response = client.post(url, {**data, "confirm_without_basis": "on"})
    assert response.status_code == 302


def test_evaluations_and_contracts_ending_are_due_for_the_case_manager(client_for, case_manager):
    enrolment = EnrolmentFactory(participant__case_manager=case_manager.staff)
    contract = make_contract(enrolment.participant, by=case_manager)
    contract.valid_until = timezone.localdate() + timedelta(days=10)
    contract.save()
    services.contract_plan_evaluation(
        contract=contract, planned_on=timezone.localdate() + timedelta(days=2), by=case_manager
    )
    page = client_for(case_manager).get(reverse("participants:contracts-due"))
    assert list(page.context["contracts"]) == [contract]
    assert len(page.context["evaluations"]) == 1


# --- The PDF fetcher -----------------------------------------------------------------------------


def test_fetcher_serves_static_files_and_data_uris_only():
    from kis_site.pdf import StaticOnlyFetcher

    fetcher = StaticOnlyFetcher()
    css = fetcher.fetch("https://kis.invalid/static/css/pdf.css")
    assert b"@page" in css.read()
    assert fetcher.fetch("data:text/plain;base64,b2s=").read() == b"ok"
    for url in [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://169.254.169.254/",
        "https://kis.invalid/static/../../../../etc/passwd",
        "https://kis.invalid/etc/passwd",
        "https://evil.example/static/css/pdf.css",
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_rendering_never_opens_what_a_user_typed(monkeypatch, case_manager, participant):
    import urllib.request

    opened = []
    original = urllib.request.OpenerDirector.open

    def spy(self, url, *args, **kwargs):
        opened.append(getattr(url, "full_url", url))
        return original(self, url, *args, **kwargs)

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", spy)
    hostile = (
        '<img src="file:///etc/passwd"><link rel="stylesheet" href="http://169.254.169.254/">'
        '<style>@import url("http://169.254.169.254/evil.css");</style>'
    )
    contract = make_contract(participant, by=case_manager, goals=hostile, situation=hostile)
    text = pdf_text(documents.document_pdf(document=contract).content)
    assert "file:///etc/passwd" in text  # shown as text...
    assert not [url for url in opened if not str(url).startswith("data:")]  # ...never fetched
    assert "root:x:0:0" not in text


def test_a_bad_logo_never_reaches_the_pdf(tmp_path, settings):
    from kis_site.pdf import image_data_uri

    class FakeFile:
        def __init__(self, content):
            self._io = io.BytesIO(content)

        def __bool__(self):
            return True

        def open(self, mode):
            return self

        def read(self):
            return self._io.read()

        def close(self):
            pass

    assert image_data_uri(FakeFile(PNG)).startswith("data:image/png;base64,")
    assert image_data_uri(FakeFile(b"<svg onload=alert(1)>")) == ""


def test_editing_a_signed_draft_warns_first(client_for, case_manager, participant):
    contract = make_contract(participant, by=case_manager)
    paper(contract, "participant", case_manager)
    page = client_for(case_manager).get(reverse("participants:contract-edit", args=[contract.pk]))
    html = page.content.decode()
    assert "Ten projekt ma już 1 podpis" in html
    assert "data-confirm=" in html


def test_which_basis_covers_a_day(case_manager, participant):
    contract = make_contract(participant, by=case_manager)
    today = timezone.localdate()
    assert list(services.bases_covering(participant, today)) == [contract]
    assert not services.bases_covering(participant, contract.valid_until + timedelta(days=1))
    assert not services.bases_covering(participant, contract.valid_from - timedelta(days=1))


def test_enrolment_page_shows_the_basis_or_its_absence(client_for, case_manager):
    enrolment = EnrolmentFactory(participant__case_manager=case_manager.staff)
    client = client_for(case_manager)
    url = reverse("participants:enrolment", args=[enrolment.pk])
    assert "nie obowiązuje żaden kontrakt" in client.get(url).content.decode()
    contract = make_contract(enrolment.participant, by=case_manager)
    assert reverse("participants:contract", args=[contract.pk]) in client.get(url).content.decode()


def test_manager_keeps_club_documents_and_staff_see_the_rules_in_force(
    client_for, manager, trainer
):
    client = client_for(manager)
    response = client.post(
        reverse("admin:kis_site_clubdocument_add"),
        {
            "kind": "participation_rules",
            "title": "Regulamin uczestnictwa",
            "version_label": "zarządzenie 1/2026",
            "in_force_from": (timezone.localdate() - timedelta(days=3)).isoformat(),
            "upload": SimpleUploadedFile("regulamin.pdf", PDF),
        },
    )
    assert response.status_code == 302
    renamed = client.post(
        reverse("admin:kis_site_clubdocument_add"),
        {
            "kind": "programme",
            "title": "Program",
            "in_force_from": timezone.localdate().isoformat(),
            "upload": SimpleUploadedFile("program.pdf", b"MZ\x90\x00"),
        },
    )
    assert renamed.status_code == 200
    page = client_for(trainer).get(reverse("club-documents"))
    html = page.content.decode()
    assert "Regulamin uczestnictwa (zarządzenie 1/2026)" in html
    assert "obowiązuje" in html
    from kis_site.models import ClubDocument

    document = ClubDocument.objects.get()
    file_response = client_for(trainer).get(reverse("club-document-file", args=[document.pk]))
    assert file_response.content == PDF

"""Uploaded files are opened, not only sniffed (security issue, finding 5).

Two crafted files went through before: ``%PDF-1.4`` followed by HTML, stored and served as a
PDF, and a valid 30,000 × 30,000 PNG of 875 KB (a decompression bomb). Both are refused now,
through every upload that keeps them (document scans, signed attendance lists, sick notes,
club documents, the letterhead logo), with a Polish message and nothing saved.
"""

import functools
import struct
import zlib
from datetime import date, time

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kis_site import documents
from kis_site.models import ClubDocument, KisSettings, StoredFile
from tests.factories import CohortFactory, EnrolmentFactory, image_bytes, pdf_bytes
from tests.records import make_contract, paper

pytestmark = pytest.mark.django_db

HTML_PDF = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n"
NOT_A_PDF = "nie jest naprawdę plikiem PDF"
TOO_MANY_PIXELS = "Obraz ma za dużo pikseli"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.cache
def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A valid grayscale PNG of width × height black pixels, built chunk by chunk without ever
    holding the image: under 1 MB on disk, 900 MB once decoded."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = bytes(width + 1)  # the filter byte, then the pixels
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


CRAFTED = [
    pytest.param("skan.pdf", HTML_PDF, NOT_A_PDF, id="pdf-header-then-html"),
    pytest.param("skan.png", None, TOO_MANY_PIXELS, id="png-30000x30000"),
]


def crafted(name, content):
    return SimpleUploadedFile(name, png_bomb() if content is None else content)


def test_the_crafted_png_is_what_the_issue_describes():
    bomb = png_bomb()
    assert len(bomb) < 1024 * 1024
    assert struct.unpack(">II", bomb[16:24]) == (30_000, 30_000)


@pytest.fixture
def signed_contract(participant, case_manager):
    contract = make_contract(participant, by=case_manager)
    paper(contract, "participant", case_manager)
    return paper(contract, "ops_worker", case_manager, "Beata Sowa")


def scan_url(contract):
    return reverse("documents:scan-upload", args=["contract", contract.pk, 1])


@pytest.mark.parametrize(("name", "content", "message"), CRAFTED)
def test_a_crafted_document_scan_is_refused(
    client_for, case_manager, signed_contract, name, content, message
):
    response = client_for(case_manager).post(
        scan_url(signed_contract), {"scan": crafted(name, content)}, follow=True
    )
    assert message in response.content.decode()
    assert documents.current_revision(signed_contract).scan is None
    assert not StoredFile.objects.filter(name__contains="skan").exists()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("skan.pdf", pdf_bytes(), "application/pdf"),
        ("skan.png", image_bytes("png"), "image/png"),
    ],
)
def test_a_real_small_pdf_or_png_scan_is_kept(
    client_for, case_manager, signed_contract, name, content, content_type
):
    response = client_for(case_manager).post(
        scan_url(signed_contract), {"scan": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 302
    scan = documents.current_revision(signed_contract).scan
    assert scan.content_type == content_type and bytes(scan.data) == content


def test_a_pdf_with_too_many_pages_or_none_is_refused(case_manager, signed_contract):
    from django.core.exceptions import ValidationError

    too_long = SimpleUploadedFile("skan.pdf", pdf_bytes(documents.SCAN_MAX_PAGES + 1))
    with pytest.raises(ValidationError) as error:
        documents.document_upload_scan(
            document=signed_contract, number=1, upload=too_long, by=case_manager
        )
    assert "za dużo stron (101)" in error.value.message_dict["scan"][0]
    empty = SimpleUploadedFile("skan.pdf", pdf_bytes(0))
    with pytest.raises(ValidationError) as error:
        documents.document_upload_scan(
            document=signed_contract, number=1, upload=empty, by=case_manager
        )
    assert error.value.message_dict["scan"] == ["Plik PDF nie ma żadnej strony."]


# --- Attendance: the signed list and the sick note ---------------------------------------------


@pytest.fixture
def absent(manager):
    """A session of 23 November 2026 (frozen today) with one participant marked absent."""
    from activities import services
    from activities.models import Mark, ProgrammeTemplate, Session
    from activities.services import MarkInput

    with time_machine.travel(date(2026, 11, 23), tick=False):
        cohort = CohortFactory(starts_on=date(2026, 9, 7), ends_on=date(2027, 5, 28))
        enrolment = EnrolmentFactory(cohort=cohort, starts_on=cohort.starts_on)
        programme = services.programme_copy(template=ProgrammeTemplate.objects.get(), cohort=cohort)
        session = services.session_create(
            session=Session(
                module=programme.modules.get(name="Psychoedukacja"),
                date=date(2026, 11, 23),
                starts_at=time(9),
                ends_at=time(13),
                leader_name="Trener z partnera",
            )
        )
        services.attendance_save(
            session=session, marks=[MarkInput(enrolment.participant_id, Mark.ABSENT)], by=manager
        )
        yield session.attendance.get()


@pytest.mark.parametrize(("name", "content", "message"), CRAFTED)
def test_a_crafted_attendance_list_scan_is_refused(
    client_for, manager, absent, name, content, message
):
    session = absent.session
    with time_machine.travel(date(2026, 11, 23), tick=False):
        response = client_for(manager).post(
            reverse("activities:list-scan-upload", args=[session.pk]),
            {"scan": crafted(name, content)},
            follow=True,
        )
    assert message in response.content.decode()
    session.refresh_from_db()
    assert session.list_scan is None


@pytest.mark.parametrize(("name", "content", "message"), CRAFTED)
def test_a_crafted_sick_note_is_refused_next_to_the_field(
    client_for, manager, absent, name, content, message
):
    from activities.models import Mark

    with time_machine.travel(date(2026, 11, 23), tick=False):
        response = client_for(manager).post(
            reverse("activities:excuse", args=[absent.pk]),
            {
                "excuse": "sick_note",
                "excuse_date": "2026-11-23",
                "excuse_note": "L4",
                "scan": crafted(name, content),
            },
        )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["scan"])
    absent.refresh_from_db()
    assert absent.mark == Mark.ABSENT and absent.excuse_scan is None


# --- The manager's panel: club documents and the letterhead logo -----------------------------


@pytest.mark.parametrize(("name", "content", "message"), CRAFTED)
def test_a_crafted_club_document_is_refused(client_for, manager, name, content, message):
    response = client_for(manager).post(
        reverse("admin:kis_site_clubdocument_add"),
        {
            "kind": "participation_rules",
            "title": "Regulamin uczestnictwa",
            "in_force_from": "2026-11-01",
            "upload": crafted(name, content),
        },
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors["upload"])
    assert not ClubDocument.objects.exists()


def post_logo(client, content: bytes):
    """The KIS settings form in the manager's panel, posted unchanged but for the logo."""
    url = reverse("admin:kis_site_kissettings_change", args=[KisSettings.load().pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: form[name].value()
        for name in form.fields
        if name != "logo" and form[name].value() is not None
    }
    return client.post(url, {**data, "logo": SimpleUploadedFile("logo.png", content)})


@pytest.mark.parametrize(
    ("size", "message"),
    [
        # Django's own image field already refuses what Pillow calls a bomb (> 179 megapixels)
        ((30_000, 30_000), "Prześlij poprawny plik graficzny"),
        # a logo needs far fewer pixels than a scan: 25 megapixels is refused by ours
        ((5_000, 5_000), "Obraz ma za dużo pikseli: przyjmujemy najwyżej 16 megapikseli."),
    ],
)
def test_a_logo_with_too_many_pixels_is_refused(client_for, manager, size, message):
    response = post_logo(client_for(manager), png_bomb(*size))
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors["logo"])
    assert not KisSettings.objects.get().logo


def test_a_real_small_logo_is_accepted(client_for, manager):
    assert post_logo(client_for(manager), image_bytes("png")).status_code == 302
    assert KisSettings.objects.get().logo

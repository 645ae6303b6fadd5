"""Files leave the app only after the view's access check (kis_site/serving.py): a file of the
media folder is streamed, or with MEDIA_ACCEL_REDIRECT handed to nginx's internal location; a
refused visitor gets neither the bytes nor the header; no name leads out of the media folder.
Scans and signed PDFs live in the database and are always answered by the app itself."""

import os

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse

from kis_site import documents
from kis_site.models import KisSettings
from kis_site.serving import ACCEL_HEADER, media_file_response, media_relative_path
from tests.factories import image_bytes, pdf_bytes
from tests.records import make_contract, paper

pytestmark = pytest.mark.django_db
PREFIX = "/_protected_media/"
LOGO = image_bytes("png")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    os.makedirs(settings.MEDIA_ROOT)
    return tmp_path / "media"


@pytest.fixture
def logo(media):
    kis = KisSettings.load()
    kis.logo.save("logo.png", ContentFile(LOGO))
    return kis.logo


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_without_the_setting_an_allowed_person_gets_the_bytes(client_for, trainer, logo, settings):
    settings.MEDIA_ACCEL_REDIRECT = ""
    response = client_for(trainer).get(reverse("letterhead-logo"))
    assert response.status_code == 200
    assert body(response) == LOGO
    assert response["Content-Type"] == "image/png"
    assert ACCEL_HEADER not in response


def test_with_the_setting_nginx_sends_the_file_after_the_check(client_for, trainer, logo, settings):
    settings.MEDIA_ACCEL_REDIRECT = PREFIX
    response = client_for(trainer).get(reverse("letterhead-logo"))
    assert response.status_code == 200
    assert response.content == b""  # nginx sends the bytes
    assert response[ACCEL_HEADER] == PREFIX + logo.name
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'inline; filename="{os.path.basename(logo.name)}"'
    assert response["Cache-Control"] == "no-store"  # passed on by nginx with the file


@pytest.mark.parametrize("accel", ["", PREFIX])
def test_a_refused_visitor_gets_neither_the_file_nor_the_header(
    client, client_for, stranger, logo, settings, accel
):
    settings.MEDIA_ACCEL_REDIRECT = accel
    for response in (
        client_for(stranger).get(reverse("letterhead-logo")),  # no role
        client.get(reverse("letterhead-logo")),  # not logged in: to the login page
    ):
        assert response.status_code in (302, 403, 404)
        assert ACCEL_HEADER not in response and LOGO not in body(response)


@pytest.mark.parametrize("accel", ["", PREFIX])
def test_no_logo_is_404(client_for, trainer, media, settings, accel):
    settings.MEDIA_ACCEL_REDIRECT = accel
    response = client_for(trainer).get(reverse("letterhead-logo"))
    assert response.status_code == 404 and ACCEL_HEADER not in response


@pytest.mark.parametrize("accel", ["", PREFIX])
def test_no_name_leads_out_of_the_media_folder(media, tmp_path, settings, accel):
    settings.MEDIA_ACCEL_REDIRECT = accel
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET_KEY=…")
    (media / "kis").mkdir()
    os.symlink(secret, media / "kis" / "link.png")
    storage = FileSystemStorage(location=settings.MEDIA_ROOT)
    for name in ("../secret.txt", "kis/../../secret.txt", str(secret), "kis/link.png", "."):

        class File:
            pass

        file = File()
        file.storage, file.name = storage, name
        with pytest.raises(Http404):
            media_file_response(file)
        with pytest.raises(SuspiciousFileOperation):
            media_relative_path(storage, name)


def test_a_non_ascii_name_is_quoted_for_nginx(media, settings):
    settings.MEDIA_ACCEL_REDIRECT = PREFIX
    storage = FileSystemStorage(location=settings.MEDIA_ROOT)
    name = storage.save("kis/łódź logo.png", ContentFile(LOGO))
    file = storage.open(name)
    file.name, file.storage = name, storage
    response = media_file_response(file)
    assert response[ACCEL_HEADER] == PREFIX + "kis/%C5%82%C3%B3d%C5%BA%20logo.png"
    assert (
        response["Content-Disposition"] == "inline; filename*=utf-8''%C5%82%C3%B3d%C5%BA%20logo.png"
    )
    file.close()


def test_the_settings_page_links_the_logo_to_the_checked_view(client_for, manager, logo):
    page = client_for(manager).get(reverse("admin:kis_site_kissettings_change", args=[1]))
    html = page.content.decode()
    assert f'href="{reverse("letterhead-logo")}"' in html
    assert "/media-not-served/" not in html


# --- Scans (in the database): always answered by the app ---------------------------------------


@pytest.mark.parametrize("accel", ["", PREFIX])
def test_a_scan_is_answered_by_the_app_to_its_keepers_only(
    personas, client_for, participant, settings, accel
):
    settings.MEDIA_ACCEL_REDIRECT = accel
    keeper = personas["case_manager"]
    contract = make_contract(participant, by=keeper)
    paper(contract, "participant", keeper)
    paper(contract, "ops_worker", keeper, "Beata Sowa")
    scan = pdf_bytes()
    documents.document_upload_scan(
        document=contract, number=1, upload=SimpleUploadedFile("skan.pdf", scan), by=keeper
    )
    url = reverse("documents:scan", args=["contract", contract.pk, 1])
    response = client_for(keeper).get(url)
    assert response.status_code == 200 and response.content == scan
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="')
    assert ACCEL_HEADER not in response
    for name in ("trainer", "lawyer", "stranger", "other_case_manager"):
        refused = client_for(personas[name]).get(url)
        assert refused.status_code in (403, 404), name
        assert ACCEL_HEADER not in refused and scan not in refused.content

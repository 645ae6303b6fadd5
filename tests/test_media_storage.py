"""Media files through the storage API only (kis_site/media.py): the switch to an S3-compatible
bucket by environment variables, the settings as an app server reads them, and a whole round of
files (the logo, a signed PDF, a scan) with the media storage in memory, so that no code can rely
on a path on disk. The optional replica of the database for the reports (kis_site/replica.py)."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DEFAULT_DB_ALIAS, connection
from django.urls import reverse

from kis_site import documents, replica
from kis_site.media import LOCAL_BACKEND, S3_BACKEND, media_is_local, media_storage
from kis_site.models import KisSettings
from tests.factories import image_bytes, pdf_bytes
from tests.records import make_contract, paper

ROOT = Path(__file__).resolve().parent.parent
IN_MEMORY = "django.core.files.storage.InMemoryStorage"
S3_ENV = {
    "MEDIA_S3_BUCKET": "kis-media",
    "MEDIA_S3_ENDPOINT_URL": "https://s3.waw.io.cloud.ovh.net",
    "MEDIA_S3_REGION": "waw",
    "MEDIA_S3_ACCESS_KEY_ID": "AKIAKISTEST",
    "MEDIA_S3_SECRET_ACCESS_KEY": "not-a-real-secret-0123456789",
    "MEDIA_S3_PREFIX": "/radom/",
    "MEDIA_S3_ADDRESSING_STYLE": "path",
}


def test_the_local_folder_is_the_default():
    assert media_storage({}) == {"BACKEND": LOCAL_BACKEND}
    assert media_storage({"MEDIA_S3_BUCKET": "  "}) == {"BACKEND": LOCAL_BACKEND}


def test_a_bucket_is_private_and_never_overwritten():
    storage = media_storage(S3_ENV)
    assert storage["BACKEND"] == S3_BACKEND
    assert storage["OPTIONS"] == {
        "bucket_name": "kis-media",
        "endpoint_url": "https://s3.waw.io.cloud.ovh.net",
        "region_name": "waw",
        "access_key": "AKIAKISTEST",
        "secret_key": "not-a-real-secret-0123456789",
        "location": "radom",
        "addressing_style": "path",
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": 300,
        "file_overwrite": False,
        "signature_version": "s3v4",
    }
    # Only the bucket is needed: the rest comes from boto3's own places (AWS_*, a role).
    assert set(media_storage({"MEDIA_S3_BUCKET": "b"})["OPTIONS"]) == {
        "bucket_name",
        "default_acl",
        "querystring_auth",
        "querystring_expire",
        "file_overwrite",
        "location",
        "signature_version",
    }


def _settings_of_an_app_server(extra_env: dict) -> dict:
    """What kis_site.settings gives an app server started with ``extra_env`` (a new process, as
    gunicorn reads it)."""
    script = """
import json
import django
django.setup()
from django.conf import settings
from django.core.files.storage import default_storage, storages
from kis_site.media import media_is_local
out = {
    "backend": settings.STORAGES["default"]["BACKEND"],
    "class": type(storages["default"]).__name__,
    "local": media_is_local(),
    "databases": sorted(settings.DATABASES),
    "routers": settings.DATABASE_ROUTERS,
    "options": {alias: db.get("OPTIONS", {}) for alias, db in settings.DATABASES.items()},
    "kept": {
        alias: [db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"]]
        for alias, db in settings.DATABASES.items()
    },
}
if not out["local"]:
    out.update(
        bucket=default_storage.bucket_name,
        acl=default_storage.default_acl,
        signed=default_storage.querystring_auth,
        overwrite=default_storage.file_overwrite,
        url=default_storage.url("kis/logo.png"),
    )
if "replica" in settings.DATABASES:
    out["replica"] = settings.DATABASES["replica"]["NAME"]
print(json.dumps(out))
"""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MEDIA_S3_", "DATABASE_", "AWS_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "kis_site.settings",
            "DEBUG": "false",
            "SECRET_KEY": "media-test-" + "x" * 50,
            "ALLOWED_HOSTS": "kis.example.pl",
            "DATABASE_URL": "sqlite:////nonexistent/kis.sqlite3",
            **extra_env,
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_an_app_server_uses_the_bucket_when_told_and_the_folder_otherwise():
    local = _settings_of_an_app_server({})
    assert local["backend"] == LOCAL_BACKEND and local["local"] is True
    assert local["databases"] == ["default"] and local["routers"] == []

    shared = _settings_of_an_app_server(
        {
            **S3_ENV,
            "DATABASE_URL": "postgres://kis:secret@db.example.pl:5432/kis",
            "DATABASE_REPLICA_URL": "postgres://reader:secret@replica.example.pl:5432/kis",
        }
    )
    assert shared["backend"] == S3_BACKEND and shared["class"] == "S3Storage"
    assert shared["local"] is False
    assert (shared["bucket"], shared["acl"], shared["signed"], shared["overwrite"]) == (
        "kis-media",
        "private",
        True,
        False,
    )
    # No public address: a link to a file is signed by the key and expires.
    assert shared["url"].startswith("https://s3.waw.io.cloud.ovh.net/kis-media/radom/kis/logo.png?")
    assert "X-Amz-Signature=" in shared["url"] and "X-Amz-Expires=300" in shared["url"]
    assert shared["databases"] == ["default", "replica"] and shared["replica"] == "kis"
    assert shared["routers"] == ["kis_site.replica.ReportsReplicaRouter"]
    # PostgreSQL without JIT compilation (seconds for the start page's counts under make load),
    # and a connection kept by each worker (a new one per request doubled a page's time).
    assert shared["options"] == {
        "default": {"options": "-c jit=off"},
        "replica": {"options": "-c jit=off"},
    }
    assert shared["kept"] == {"default": [60, True], "replica": [60, True]}
    assert local["kept"] == {"default": [0, False]}  # SQLite: a file, nothing to keep


@pytest.fixture
def media_in_memory(settings, tmp_path):
    """The media storage in memory, and a MEDIA_ROOT that nothing may create."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": IN_MEMORY}}
    settings.MEDIA_ROOT = tmp_path / "no-media-folder"
    yield
    assert not settings.MEDIA_ROOT.exists(), "something wrote to the media folder on disk"


def test_files_go_through_the_storage_alone(
    media_in_memory, client_for, case_manager, participant, manager
):
    assert type(storages["default"]).__name__ == "InMemoryStorage"
    assert not media_is_local()
    logo = image_bytes("png", (120, 60))
    kis = KisSettings.load()
    kis.logo.save("logo.png", ContentFile(logo))
    assert default_storage.exists(KisSettings.load().logo.name)

    # Signed by everyone: the PDF is rendered with the logo and kept.
    contract = make_contract(participant, by=case_manager)
    paper(contract, "participant", case_manager)
    contract = paper(contract, "ops_worker", case_manager, "Beata Sowa")
    assert contract.is_locked
    kept = documents.current_revision(contract).pdf
    assert kept is not None

    client = client_for(case_manager)
    scan = pdf_bytes(2)
    response = client.post(
        reverse("documents:scan-upload", args=["contract", contract.pk, 1]),
        {"scan": SimpleUploadedFile("skan.pdf", scan, content_type="application/pdf")},
    )
    assert response.status_code == 302
    assert bytes(documents.current_revision(contract).scan.data) == scan

    response = client.get(reverse("documents:pdf", args=["contract", contract.pk]))
    assert response.status_code == 200
    assert response.content == bytes(kept.data)
    from pypdf import PdfReader

    assert any(page.images for page in PdfReader(io.BytesIO(response.content)).pages), (
        "the logo from the storage is on the letterhead"
    )
    response = client.get(reverse("documents:scan", args=["contract", contract.pk, 1]))
    assert response.status_code == 200 and response.content == scan

    response = client.get(reverse("letterhead-logo"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == logo

    health = client_for(manager).get("/health/")
    assert health.status_code == 200 and health.json()["media"] == "ok"


# --- The replica for reports ----------------------------------------------------------------


class _Model:
    pass


def test_only_the_marked_report_views_read_from_the_replica(monkeypatch):
    router = replica.ReportsReplicaRouter()
    seen = []

    @replica.reads_from_replica
    def report_view():
        seen.append(router.db_for_read(_Model))
        return "done"

    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    assert router.db_for_read(_Model) == DEFAULT_DB_ALIAS  # any other page: the primary
    assert report_view() == "done" and seen == [replica.REPLICA]
    assert router.db_for_read(_Model) == DEFAULT_DB_ALIAS  # and again after the report
    assert router.db_for_write(_Model) == DEFAULT_DB_ALIAS  # writes always to the primary
    assert router.allow_migrate(replica.REPLICA, "participants") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "participants") is True

    monkeypatch.setattr(replica, "replica_configured", lambda: False)
    seen.clear()
    report_view()
    assert seen == [DEFAULT_DB_ALIAS]  # no replica configured: the primary


def test_the_manager_reports_are_the_marked_ones():
    from reports.views import manager_reports

    assert manager_reports.yearly_report.reads_from_replica
    assert manager_reports.outcomes_report.reads_from_replica


@pytest.mark.django_db(transaction=True)  # pg_dump, another process, sees committed rows only
def test_the_backup_says_that_a_bucket_is_not_in_it(media_in_memory, monkeypatch, tmp_path):
    from django.core.management import call_command

    from kis_site import backup

    monkeypatch.setenv(backup.KEY_ENV, backup.new_key())
    out = io.StringIO()
    call_command("backup", str(tmp_path), stdout=out)
    assert "0 media files" in out.getvalue()
    assert "not in this backup" in out.getvalue() and "wersjonowanie" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a setting of PostgreSQL's")
def test_postgresql_compiles_no_query_to_machine_code():
    """JIT off (kis_site/settings.py): it spent 2 s compiling the start page's to-do counts, a
    query that runs in 50 ms."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"

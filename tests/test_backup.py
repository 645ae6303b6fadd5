"""Backups that restore (kis_site/backup.py): the round trip on the suite's own engine (SQLite with
`make test`; PostgreSQL through pg_dump/pg_restore in .ci/run) into a second, bare database, and
the refusals: wrong key, cut file, flipped byte, sums that do not match, target not empty."""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from kis_site import backup, documents
from kis_site.management.commands.restore import Command as RestoreCommand
from kis_site.models import StoredFile
from tests.factories import image_bytes, pdf_bytes
from tests.records import make_contract, paper

KEY = backup.new_key()
TARGET = "restore_target"
POSTGRES = connection.vendor == "postgresql"
LOGO = image_bytes("png")
NOTE = "Zażółć gęślą jaźń".encode()
BIG = os.urandom(backup.CHUNK_SIZE + 4096)  # the backup spans more than one chunk
TABLES_SQL = (
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    if POSTGRES
    else "SELECT name FROM sqlite_master WHERE type = 'table'"
)


@pytest.fixture
def key_env(monkeypatch):
    monkeypatch.setenv(backup.KEY_ENV, KEY)


def fill_media(root):
    (root / "kis" / "nested").mkdir(parents=True)
    (root / "kis" / "logo.png").write_bytes(LOGO)
    (root / "kis" / "nested" / "note.txt").write_bytes(NOTE)
    (root / "kis" / "big.bin").write_bytes(BIG)
    return root


def _pg_admin(sql):
    import psycopg2

    source = django_settings.DATABASES["default"]
    admin = psycopg2.connect(
        dbname=source["NAME"],
        user=source["USER"],
        password=source["PASSWORD"],
        host=source["HOST"] or None,
        port=source["PORT"] or None,
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(sql)
    finally:
        admin.close()


@pytest.fixture
def target(django_db_setup, monkeypatch, tmp_path):
    """A second database with no tables, as the alias TARGET: a new SQLite file, or a new
    PostgreSQL database created (and dropped) here."""
    source = django_settings.DATABASES["default"]
    if POSTGRES:
        name = f"{source['NAME']}_restore"[:63]
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE template0')
    else:
        name = str(tmp_path / "restored.sqlite3")
    database = {**source, "NAME": name}
    monkeypatch.setitem(django_settings.DATABASES, TARGET, database)
    yield database
    if POSTGRES:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _query(database, sql):
    conn = backup._pg_connect(database) if POSTGRES else sqlite3.connect(database["NAME"])
    try:
        cursor = conn.cursor()
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        conn.close()


def _restore(path, settings, tmp_path, capsys, alias=TARGET):
    """Run `manage.py restore` as from a shell: (exit code, stdout, stderr)."""
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    code = 0
    try:
        RestoreCommand().run_from_argv(["manage.py", "restore", str(path), "--database", alias])
    except SystemExit as exit:
        code = exit.code
    out = capsys.readouterr()
    return code, out.out, out.err


# --- The round trip --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # pg_dump, another process, sees committed rows only
def test_round_trip_restores_every_row_document_and_file(
    key_env, target, settings, tmp_path, capsys, case_manager, participant
):
    settings.MEDIA_ROOT = fill_media(tmp_path / "media")
    contract = make_contract(participant, by=case_manager)
    paper(contract, "participant", case_manager)
    contract = paper(contract, "ops_worker", case_manager, "Beata Sowa")
    scan = documents.document_upload_scan(
        document=contract,
        number=1,
        upload=SimpleUploadedFile("skan.png", image_bytes("png", (64, 48))),
        by=case_manager,
    ).scan
    documents.stored_file(name="lista.pdf", content=pdf_bytes(2), content_type="application/pdf")
    folder = tmp_path / "backups"
    folder.mkdir()
    call_command("backup", str(folder), verbosity=0)
    (path,) = folder.iterdir()
    assert backup.FILE_PATTERN.match(path.name)
    sealed = path.read_bytes()
    assert b"manifest" not in sealed and b"database." not in sealed  # nothing readable
    tables = connection.introspection.table_names()
    source_counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            source_counts[table] = cursor.fetchone()[0]
    assert source_counts[StoredFile._meta.db_table] >= 2

    code, out, err = _restore(path, settings, tmp_path, capsys)

    assert (code, err) == (0, ""), err
    assert "all sums verified" in out
    for table in tables:
        count_sql = f"SELECT count(*) FROM {connection.ops.quote_name(table)}"
        assert _query(target, count_sql) == [(source_counts[table],)], table
    # Documents: the stored SHA-256 and the bytes' own SHA-256 are the source's.
    restored = {
        pk: (sha, hashlib.sha256(bytes(data)).hexdigest(), bytes(data))
        for pk, sha, data in _query(
            target, f"SELECT id, sha256, data FROM {StoredFile._meta.db_table}"
        )
    }
    for stored in StoredFile.objects.all():
        sha, actual, _data = restored[stored.pk]
        assert sha == actual == stored.sha256 == hashlib.sha256(bytes(stored.data)).hexdigest()
    assert restored[scan.pk][2] == bytes(scan.data)  # the scan, byte for byte
    media = tmp_path / "restored-media"
    assert (media / "kis" / "logo.png").read_bytes() == LOGO
    assert (media / "kis" / "nested" / "note.txt").read_bytes() == NOTE
    assert (media / "kis" / "big.bin").read_bytes() == BIG
    assert not list(tmp_path.glob(".kis-restore-*"))  # the staging folder is gone
    # The dump inside is pg_dump's custom format on PostgreSQL, an SQLite file on SQLite.
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    with path.open("rb") as source:
        manifest = backup._unpack(source, backup.parse_key(KEY), unpacked)
    dump = (unpacked / manifest["database"]["file"]).read_bytes()
    assert dump.startswith(b"PGDMP" if POSTGRES else b"SQLite format 3\x00")


# --- Refusals --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sealed_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """One backup of the test database as it stands, with media files; each test copies it."""
    folder = tmp_path_factory.mktemp("sealed")
    with django_db_blocker.unblock():
        result = backup.backup(
            folder / "kis.kisbak",
            key=backup.parse_key(KEY),
            media_root=fill_media(folder / "media"),
            keep_days=0,
        )
    return result.path


@pytest.fixture
def sealed(sealed_once, tmp_path, key_env):
    return shutil.copy(sealed_once, tmp_path / "copy.kisbak")


def _refused(path, settings, tmp_path, capsys, alias=TARGET):
    code, _out, err = _restore(path, settings, tmp_path, capsys, alias)
    assert code != 0
    assert err.startswith("CommandError: ")
    return err


def test_a_wrong_key_is_refused(sealed, target, settings, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(backup.KEY_ENV, backup.new_key())
    err = _refused(sealed, settings, tmp_path, capsys)
    assert "Wrong key" in err and "Zły klucz" in err
    assert KEY not in err


@pytest.mark.parametrize("keep", [0.5, 0.999, "one chunk", "header only", "empty"])
def test_a_cut_file_is_refused(sealed, target, settings, tmp_path, capsys, keep):
    content = sealed.read_bytes()
    sizes = {
        "one chunk": backup.HEADER.size + backup.CHUNK_SIZE + backup.TAG_SIZE,  # a whole chunk
        "header only": backup.HEADER.size,
        "empty": 0,
    }
    size = sizes[keep] if keep in sizes else int(len(content) * keep)
    assert size < len(content)
    sealed.write_bytes(content[:size])
    err = _refused(sealed, settings, tmp_path, capsys)
    expected = "not a KIS backup" if keep == "empty" else "damaged, cut short or has been changed"
    assert expected in err
    assert not (tmp_path / "restored-media").exists()
    assert _query(target, TABLES_SQL) == []  # nothing was loaded


@pytest.mark.parametrize("where", ["salt", "padding", "first chunk", "middle", "last byte"])
def test_a_flipped_byte_is_refused(sealed, target, settings, tmp_path, capsys, where):
    content = bytearray(sealed.read_bytes())
    offset = {
        "salt": 20,  # another file key: the key check fails
        "padding": 10,  # the header is associated data of every chunk
        "first chunk": backup.HEADER.size + 100,
        "middle": len(content) // 2,
        "last byte": len(content) - 1,
    }[where]
    content[offset] ^= 0x01
    sealed.write_bytes(bytes(content))
    err = _refused(sealed, settings, tmp_path, capsys)
    assert ("header is damaged" if where == "salt" else "has been changed") in err
    assert not (tmp_path / "restored-media").exists()
    assert _query(target, TABLES_SQL) == []


def test_sums_that_do_not_match_are_refused(sealed, target, settings, tmp_path, capsys):
    """A file sealed with the right key whose manifest disagrees with a file in it (a bug or a
    disk error before sealing) is refused too."""
    key = backup.parse_key(KEY)
    staging = tmp_path / "unpacked"
    staging.mkdir()
    with sealed.open("rb") as source:
        manifest = backup._unpack(source, key, staging)
    logo = staging / "media" / "kis" / "logo.png"
    logo.write_bytes(logo.read_bytes() + b"\x00")
    forged = tmp_path / "forged.kisbak"
    with forged.open("wb") as out:
        writer = backup.EncryptingWriter(out, key)
        with tarfile.open(fileobj=writer, mode="w|") as tar:
            for file in sorted(staging.rglob("*")):
                if file.is_file():
                    tar.add(file, file.relative_to(staging).as_posix())
            content = json.dumps(manifest).encode()
            info = tarfile.TarInfo(backup.MANIFEST)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
        writer.finish()
    err = _refused(forged, settings, tmp_path, capsys)
    assert "SHA-256" in err and "media/kis/logo.png" in err
    assert _query(target, TABLES_SQL) == []


def test_a_target_that_is_not_empty_is_refused(sealed, target, settings, tmp_path, capsys):
    err = _refused(sealed, settings, tmp_path, capsys, alias="default")  # the live database
    assert "is not empty" in err and "nie jest pusta" in err
    (tmp_path / "restored-media").mkdir()
    (tmp_path / "restored-media" / "left.txt").write_text("x")
    err = _refused(sealed, settings, tmp_path, capsys)  # an empty database, a used folder
    assert "media folder" in err
    assert _query(target, TABLES_SQL) == []


# --- The key and the retention ---------------------------------------------------------------


def test_new_key_and_a_missing_or_malformed_key(capsys, monkeypatch, tmp_path):
    call_command("backup", new_key=True)
    assert len(backup.parse_key(capsys.readouterr().out.strip())) == 32
    monkeypatch.delenv(backup.KEY_ENV, raising=False)
    with pytest.raises(CommandError, match="BACKUP_KEY is not set"):
        call_command("backup", str(tmp_path))
    monkeypatch.setenv(backup.KEY_ENV, "too-short")
    with pytest.raises(CommandError, match="not a key of 32 bytes"):
        call_command("backup", str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_retention_deletes_only_its_own_old_backups(
    django_db_setup, django_db_blocker, key_env, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"  # none yet: an empty media part
    folder = tmp_path / "backups"
    folder.mkdir()
    now = datetime(2026, 6, 30, 2, 0, tzinfo=UTC)
    for day in ("20260521", "20260526", "20260530", "20260610", "20260620"):
        (folder / f"kis-backup-{day}T020000Z.kisbak").write_bytes(backup.MAGIC + b"...")
    (folder / "kis-backup-20200101T000000Z.kisbak").write_bytes(b"our name, not our content")
    (folder / "kis-backup-20200101.kisbak").write_bytes(backup.MAGIC)  # not our name
    (folder / "notes.txt").write_text("keep me")
    with django_db_blocker.unblock():
        result = backup.backup(folder, key=backup.parse_key(KEY), keep_days=30, now=now)
    assert result.path.name == "kis-backup-20260630T020000Z.kisbak"
    assert sorted(p.name for p in result.deleted) == [
        "kis-backup-20260521T020000Z.kisbak",
        "kis-backup-20260526T020000Z.kisbak",
        "kis-backup-20260530T020000Z.kisbak",
    ]
    assert sorted(p.name for p in folder.iterdir()) == [
        "kis-backup-20200101.kisbak",
        "kis-backup-20200101T000000Z.kisbak",
        "kis-backup-20260610T020000Z.kisbak",
        "kis-backup-20260620T020000Z.kisbak",
        "kis-backup-20260630T020000Z.kisbak",
        "notes.txt",
    ]
    # However old they are, the newest three stay.
    later = now + timedelta(days=365)
    assert backup.expire(folder, keep_days=30, now=later, keep=result.path) == []
    (folder / "kis-backup-20270701T020000Z.kisbak").write_bytes(backup.MAGIC)
    assert backup.expire(folder, keep_days=30, now=later, keep=result.path) == [
        folder / "kis-backup-20260610T020000Z.kisbak"
    ]

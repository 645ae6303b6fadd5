"""Backups that restore: one encrypted file with the database and the media folder.

``backup()`` writes a consistent database dump (PostgreSQL: ``pg_dump --format=custom`` on a
snapshot; SQLite: the online backup API), every file under MEDIA_ROOT and a manifest of SHA-256
sums and row counts, as a tar stream encrypted on the fly. ``restore()`` opens it into a *bare*
database (no tables at all: a freshly created one, before ``migrate``) and an empty or missing
media folder; it decrypts and checks everything into a staging folder before it touches either.

The file (format version 1), all integers big-endian:

    header, 80 bytes:  magic b"KISBKP\\r\\n" (8) | version u8 = 1 | 3 zero bytes
                       | chunk size u32 | salt (32 random bytes) | key check (32)
    chunks:            AES-256-GCM(chunk of the tar stream) + 16-byte tag, each chunk but the
                       last exactly ``chunk size`` bytes of plaintext; the last one 0..chunk size

BACKUP_KEY is 32 random bytes in base64 (``manage.py backup --new-key``). From it and the salt,
HKDF-SHA256 derives the file's own AES key and a key check stored in the header: a wrong key is
told apart from a damaged file before anything is decrypted. Chunk ``i`` is sealed with the
nonce ``i`` (11 bytes) followed by 1 on the last chunk and 0 on the others, and the whole header
as associated data (the STREAM construction): a changed, removed, reordered or appended chunk,
a file cut at any point and a changed header are all refused. The plaintext is an ordinary tar:
``database.pgdump`` or ``database.sqlite3``, ``media/…``, and ``manifest.json`` last.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import json
import os
import re
import secrets
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"KISBKP\r\n"
VERSION = 1
CHUNK_SIZE = 1 << 20  # 1 MiB of plaintext per chunk
TAG_SIZE = 16
HEADER = struct.Struct(">8sB3xI32s32s")
KEY_ENV = "BACKUP_KEY"
FORMAT_NAME = "kis-backup"
MANIFEST = "manifest.json"
DUMP_NAMES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
MEDIA_PREFIX = "media/"
# The names the command gives the files it makes in a folder; only these (that also start with
# MAGIC) are ever deleted by the retention.
FILE_NAME = "kis-backup-{stamp}.kisbak"
FILE_PATTERN = re.compile(r"^kis-backup-(\d{8}T\d{6}Z)\.kisbak$")
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
KEEP_AT_LEAST = 3  # the newest backups in a folder survive any retention
PG_OPTIONS_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
}


class BackupError(Exception):
    """A backup or restore refused, with a message for the person running it."""


def _msg(english: str, polish: str) -> str:
    return f"{english} / {polish}"


# --- The key ---------------------------------------------------------------------------------


def new_key() -> str:
    """A fresh BACKUP_KEY: 32 random bytes in URL-safe base64."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def key_from_env(environ=os.environ) -> bytes:
    return parse_key(environ.get(KEY_ENV, ""))


def parse_key(text: str) -> bytes:
    text = (text or "").strip()
    if not text:
        raise BackupError(
            _msg(
                f"{KEY_ENV} is not set. Set it to the key of the backups "
                "(a new one: manage.py backup --new-key).",
                f"Brak {KEY_ENV}: ustaw klucz kopii (nowy: manage.py backup --new-key).",
            )
        )
    try:
        key = base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise BackupError(
            _msg(
                f"{KEY_ENV} is not a key of 32 bytes in base64 (make one with "
                "manage.py backup --new-key).",
                f"{KEY_ENV} nie jest kluczem (32 bajty w base64; "
                "nowy: manage.py backup --new-key).",
            )
        )
    return key


def _derive(key: bytes, salt: bytes) -> tuple[bytes, bytes]:
    """The file's AES-256 key and its key check, from BACKUP_KEY and the file's salt."""
    material = HKDF(algorithm=hashes.SHA256(), length=64, salt=salt, info=b"kis-backup v1").derive(
        key
    )
    return material[:32], material[32:]


# --- The encrypted stream --------------------------------------------------------------------


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class EncryptingWriter(io.RawIOBase):
    """A write-only stream that seals what it is given into ``out`` chunk by chunk."""

    def __init__(self, out, key: bytes, *, chunk_size: int = CHUNK_SIZE):
        super().__init__()
        salt = secrets.token_bytes(32)
        file_key, check = _derive(key, salt)
        self.header = HEADER.pack(MAGIC, VERSION, chunk_size, salt, check)
        self._aead = AESGCM(file_key)
        self._out = out
        self._chunk_size = chunk_size
        self._buffer = bytearray()
        self._index = 0
        self._finished = False
        out.write(self.header)

    def writable(self):
        return True

    def write(self, data) -> int:
        self._buffer += data
        # Keep at least one byte back: the last chunk is sealed only by finish().
        while len(self._buffer) > self._chunk_size:
            self._seal(bytes(self._buffer[: self._chunk_size]), last=False)
            del self._buffer[: self._chunk_size]
        return len(data)

    def _seal(self, plain: bytes, *, last: bool) -> None:
        self._out.write(self._aead.encrypt(_nonce(self._index, last), plain, self.header))
        self._index += 1

    def finish(self) -> None:
        if not self._finished:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._finished = True


def read_header(source, key: bytes) -> tuple[bytes, bytes, int]:
    """(header, file key, chunk size) of an opened backup; refuses a foreign file, an unknown
    version and a wrong key."""
    header = source.read(HEADER.size)
    if len(header) < HEADER.size or not header.startswith(MAGIC):
        raise BackupError(
            _msg(
                "This is not a KIS backup file (or it is cut short at the start).",
                "To nie jest plik kopii KIS (albo jest ucięty na początku).",
            )
        )
    _magic, version, chunk_size, salt, check = HEADER.unpack(header)
    if version != VERSION:
        raise BackupError(
            _msg(
                f"Backup format version {version} is not known to this version of KIS.",
                f"Nieznana wersja formatu kopii: {version}.",
            )
        )
    file_key, expected = _derive(key, salt)
    if not hmac.compare_digest(check, expected):
        raise BackupError(
            _msg(
                f"Wrong key: {KEY_ENV} is not the key this backup was made with "
                "(or its header is damaged).",
                f"Zły klucz: {KEY_ENV} nie jest kluczem, którym zrobiono tę kopię "
                "(albo nagłówek pliku jest uszkodzony).",
            )
        )
    if not 0 < chunk_size <= 64 * CHUNK_SIZE:
        raise BackupError(_msg("The backup header is damaged.", "Nagłówek kopii jest uszkodzony."))
    return header, file_key, chunk_size


def _damaged(detail: str) -> BackupError:
    return BackupError(
        _msg(
            f"The backup is damaged, cut short or has been changed ({detail}); nothing was "
            "restored.",
            f"Kopia jest uszkodzona, ucięta albo zmieniona ({detail}); niczego nie odtworzono.",
        )
    )


class DecryptingReader(io.RawIOBase):
    """A read-only stream of the authenticated plaintext; raises BackupError at the first chunk
    that does not open, and when the file ends without its last chunk."""

    def __init__(self, source, key: bytes):
        super().__init__()
        self.header, file_key, chunk_size = read_header(source, key)
        self._aead = AESGCM(file_key)
        self._source = source
        self._sealed_size = chunk_size + TAG_SIZE
        self._index = 0
        self._buffer = b""
        self._pending = source.read(self._sealed_size)
        self.complete = False

    def readable(self):
        return True

    def _next_chunk(self) -> bytes:
        current = self._pending
        if len(current) < TAG_SIZE:
            raise _damaged("the file ends early")
        following = (
            self._source.read(self._sealed_size) if len(current) == self._sealed_size else b""
        )
        last = not following
        try:
            plain = self._aead.decrypt(_nonce(self._index, last), current, self.header)
        except InvalidTag:
            raise _damaged(f"chunk {self._index} does not verify") from None
        self._index += 1
        self._pending = following
        if last:
            self.complete = True
        return plain

    def readinto(self, target) -> int:
        while not self._buffer and not self.complete:
            self._buffer = self._next_chunk()
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size

    def drain(self) -> None:
        """Read and verify the rest, up to the sealed last chunk."""
        while not self.complete:
            self._next_chunk()
        self._buffer = b""


# --- The database ----------------------------------------------------------------------------


def engine_of(database: dict) -> str:
    engine = database["ENGINE"]
    if "postgresql" in engine:
        return "postgresql"
    if "sqlite3" in engine:
        return "sqlite"
    raise BackupError(
        _msg(
            f"Backups know PostgreSQL and SQLite, not {engine}.", f"Nieobsługiwana baza: {engine}."
        )
    )


def _pg_env(database: dict) -> dict:
    env = dict(os.environ)
    for variable, value in (
        ("PGHOST", database.get("HOST")),
        ("PGPORT", database.get("PORT")),
        ("PGUSER", database.get("USER")),
        ("PGPASSWORD", database.get("PASSWORD")),
        ("PGDATABASE", database.get("NAME")),
    ):
        if value:
            env[variable] = str(value)
    for option, variable in PG_OPTIONS_ENV.items():
        if database.get("OPTIONS", {}).get(option):
            env[variable] = str(database["OPTIONS"][option])
    return env


def _pg_connect(database: dict):
    import psycopg2

    params = {
        "dbname": database.get("NAME"),
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
    }
    params.update({k: v for k, v in database.get("OPTIONS", {}).items() if k in PG_OPTIONS_ENV})
    try:
        return psycopg2.connect(**{k: v for k, v in params.items() if v})
    except psycopg2.Error as error:
        raise BackupError(
            _msg(
                f"Cannot connect to the database {database.get('NAME')}: {error}".strip(),
                "Nie można połączyć się z bazą danych.",
            )
        ) from None


def _run(command: list[str], *, env: dict, what: str) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(
            _msg(
                f"{command[0]} is not installed (Debian: postgresql-client).",
                f"Brak programu {command[0]} (Debian: postgresql-client).",
            )
        ) from None
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-8:])
        raise BackupError(_msg(f"{what} failed:", f"{what}: błąd.") + f"\n{tail}")


def _pg_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    return [row[0] for row in cursor.fetchall()]


def _pg_counts(cursor) -> dict[str, int]:
    from psycopg2 import sql

    counts = {}
    for table in _pg_tables(cursor):
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def _pg_dump(database: dict, target: Path) -> dict[str, int]:
    """Dump to ``target`` and count the rows of every table, both in one snapshot."""
    connection = _pg_connect(database)
    try:
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _pg_counts(cursor)
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    "--no-password",
                    "--no-sync",
                    f"--file={target}",
                ],
                env=_pg_env(database),
                what="pg_dump",
            )
        connection.rollback()
    finally:
        connection.close()
    return counts


def _sqlite_tables(connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ).fetchall()
    return [row[0] for row in rows]


def _sqlite_connect(name) -> sqlite3.Connection:
    name = str(name)
    return sqlite3.connect(name, uri=name.startswith("file:"))


def _sqlite_counts(connection) -> dict[str, int]:
    return {
        table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
        for table in _sqlite_tables(connection)
    }


def _sqlite_dump(alias: str, target: Path) -> dict[str, int]:
    """A consistent copy through the online backup API (one step: writers wait for it)."""
    from django.db import connections

    source = connections[alias]
    source.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        source.connection.backup(copy)
        return _sqlite_counts(copy)
    finally:
        copy.close()


def _bare_or_refuse(database: dict, media_root: Path) -> None:
    """Refuse a target database with any table and a media folder with anything in it."""
    engine = engine_of(database)
    if engine == "postgresql":
        connection = _pg_connect(database)
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT n.nspname || '.' || c.relname FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
                    "AND n.nspname NOT IN ('information_schema') "
                    "AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1"
                )
                tables = [row[0] for row in cursor.fetchall()]
        finally:
            connection.close()
    else:
        name = str(database["NAME"])
        tables = []
        if name.startswith("file:") or (Path(name).exists() and Path(name).stat().st_size):
            connection = _sqlite_connect(name)
            try:
                tables = _sqlite_tables(connection)
            except sqlite3.DatabaseError:
                tables = ["(not an SQLite database)"]
            finally:
                connection.close()
    if tables:
        shown = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
        raise BackupError(
            _msg(
                f"The target database {database['NAME']} is not empty ({len(tables)} tables "
                f"or other objects: "
                f"{shown}). Restore only into a newly created database with no tables, before "
                "migrate.",
                "Baza docelowa nie jest pusta. Odtwarzam tylko do nowo utworzonej bazy bez "
                "tabel (przed migrate).",
            )
        )
    if media_root.exists() and (not media_root.is_dir() or any(media_root.iterdir())):
        raise BackupError(
            _msg(
                f"The media folder {media_root} is not empty. Restore only into an empty or "
                "missing folder.",
                f"Folder plików {media_root} nie jest pusty: odtwarzam tylko do pustego.",
            )
        )


# --- Backup ----------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    size: int
    tables: int
    rows: int
    media_files: int
    deleted: list[Path] = field(default_factory=list)


class _Hashing:
    """A file wrapper that hashes what tarfile reads through it."""

    def __init__(self, file):
        self._file = file
        self.sha256 = hashlib.sha256()

    def read(self, size=-1):
        data = self._file.read(size)
        self.sha256.update(data)
        return data


def _add(tar: tarfile.TarFile, name: str, path: Path) -> dict:
    with path.open("rb") as file:
        stat = os.fstat(file.fileno())
        info = tarfile.TarInfo(name)
        info.size = stat.st_size
        info.mtime = int(stat.st_mtime)
        info.mode = 0o600
        reader = _Hashing(file)
        tar.addfile(info, reader)
    return {"size": info.size, "sha256": reader.sha256.hexdigest()}


def media_files(media_root: Path) -> list[tuple[str, Path]]:
    """Every regular file under MEDIA_ROOT (symbolic links are not followed), sorted."""
    found = []
    if media_root.is_dir():
        for folder, subfolders, files in os.walk(media_root):
            subfolders.sort()
            for name in sorted(files):
                path = Path(folder, name)
                if path.is_file() and not path.is_symlink():
                    found.append((path.relative_to(media_root).as_posix(), path))
    return found


def backup(
    destination,
    *,
    key: bytes,
    alias: str = "default",
    media_root=None,
    keep_days: int | None = None,
    now: datetime | None = None,
) -> BackupResult:
    """Write one encrypted backup. ``destination`` is a file that must not exist yet, or an
    existing folder: then the file is named kis-backup-<UTC time>.kisbak and older files of
    that name beyond ``keep_days`` are deleted from the folder (0 or None keeps them all)."""
    from django.conf import settings

    database = settings.DATABASES[alias]
    engine = engine_of(database)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    now = now or datetime.now(UTC)
    destination = Path(destination)
    if destination.is_dir():
        destination = destination / FILE_NAME.format(stamp=now.strftime(STAMP_FORMAT))
    if destination.exists():
        raise BackupError(
            _msg(f"{destination} exists already.", f"Plik {destination} już istnieje.")
        )
    if not destination.parent.is_dir():
        raise BackupError(
            _msg(
                f"The folder {destination.parent} does not exist (is the backup disk mounted?).",
                f"Folder {destination.parent} nie istnieje (czy dysk kopii jest podłączony?).",
            )
        )
    partial = tempfile.NamedTemporaryFile(  # noqa: SIM115 - renamed into place on success
        dir=destination.parent, prefix=".kis-backup-", suffix=".partial", delete=False
    )
    try:
        with tempfile.TemporaryDirectory(prefix="kis-backup-") as scratch:
            dump = Path(scratch) / DUMP_NAMES[engine]
            if engine == "postgresql":
                counts = _pg_dump(database, dump)
            else:
                counts = _sqlite_dump(alias, dump)
            with partial:
                writer = EncryptingWriter(partial, key)
                with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                    dump_entry = _add(tar, dump.name, dump)
                    dump.unlink()  # the plain dump leaves the disk as soon as it is sealed
                    media = []
                    for relative, path in media_files(media_root):
                        media.append({"path": relative, **_add(tar, MEDIA_PREFIX + relative, path)})
                    manifest = {
                        "format": FORMAT_NAME,
                        "version": VERSION,
                        "created_at": now.isoformat(),
                        "engine": engine,
                        "database": {"file": dump.name, **dump_entry},
                        "tables": counts,
                        "media": media,
                    }
                    content = json.dumps(manifest, indent=1, sort_keys=True).encode()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size = len(content)
                    info.mtime = int(now.timestamp())
                    info.mode = 0o600
                    tar.addfile(info, io.BytesIO(content))
                writer.finish()
                partial.flush()
                os.fsync(partial.fileno())
        os.replace(partial.name, destination)
    except BaseException:
        Path(partial.name).unlink(missing_ok=True)
        raise
    deleted = expire(destination.parent, keep_days=keep_days, now=now, keep=destination)
    return BackupResult(
        path=destination,
        size=destination.stat().st_size,
        tables=len(counts),
        rows=sum(counts.values()),
        media_files=len(media),
        deleted=deleted,
    )


def own_backups(folder: Path) -> list[tuple[datetime, Path]]:
    """The files in ``folder`` this command made: named kis-backup-<UTC time>.kisbak and
    starting with the backup header. Oldest first."""
    found = []
    for path in folder.iterdir():
        match = FILE_PATTERN.match(path.name)
        if not match or not path.is_file() or path.is_symlink():
            continue
        with path.open("rb") as file:
            if file.read(len(MAGIC)) != MAGIC:
                continue
        stamp = datetime.strptime(match.group(1), STAMP_FORMAT).replace(tzinfo=UTC)
        found.append((stamp, path))
    return sorted(found)


def expire(folder: Path, *, keep_days: int | None, now: datetime, keep: Path) -> list[Path]:
    """Delete this command's backups in ``folder`` older than ``keep_days`` (by the time in
    their name); the newest KEEP_AT_LEAST and ``keep`` always stay."""
    if not keep_days:
        return []
    limit = now - timedelta(days=keep_days)
    backups = own_backups(folder)
    candidates = backups[:-KEEP_AT_LEAST] if len(backups) > KEEP_AT_LEAST else []
    deleted = []
    for stamp, path in candidates:
        if stamp < limit and path != keep:
            path.unlink()
            deleted.append(path)
    return deleted


# --- Restore ---------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    engine: str
    created_at: str
    tables: int
    rows: int
    media_files: int


def _member_path(name: str) -> PurePosixPath | None:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        return None
    return path


def _unpack(source, key: bytes, staging: Path) -> dict:
    """Decrypt into ``staging`` and check every file against the manifest."""
    reader = DecryptingReader(source, key)
    seen: dict[str, dict] = {}
    manifest = None
    try:
        with tarfile.open(fileobj=io.BufferedReader(reader), mode="r|") as tar:
            for member in tar:
                path = _member_path(member.name)
                if manifest is not None or path is None or not member.isfile():
                    raise _damaged(f"unexpected entry {member.name!r}")
                extracted = tar.extractfile(member)
                if member.name == MANIFEST:
                    manifest = json.loads(extracted.read())
                    continue
                target = staging / path
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with target.open("xb") as out:
                    while block := extracted.read(CHUNK_SIZE):
                        digest.update(block)
                        out.write(block)
                os.utime(target, (member.mtime, member.mtime))
                seen[member.name] = {"size": member.size, "sha256": digest.hexdigest()}
        reader.drain()
    except (tarfile.TarError, EOFError, ValueError) as error:
        raise _damaged(f"the archive does not read: {error}") from None
    if not reader.complete or manifest is None or manifest.get("format") != FORMAT_NAME:
        raise _damaged("no manifest")
    expected = {manifest["database"]["file"]: manifest["database"]}
    expected.update({MEDIA_PREFIX + m["path"]: m for m in manifest["media"]})
    wrong = sorted(
        name
        for name in expected.keys() | seen.keys()
        if name not in seen
        or name not in expected
        or (seen[name]["size"], seen[name]["sha256"])
        != (expected[name]["size"], expected[name]["sha256"])
    )
    if wrong:
        raise BackupError(
            _msg(
                f"The SHA-256 sums do not match the manifest for {len(wrong)} files "
                f"({', '.join(wrong[:5])}); nothing was restored.",
                "Sumy SHA-256 nie zgadzają się z manifestem; niczego nie odtworzono.",
            )
        )
    return manifest


def _load(database: dict, engine: str, dump: Path) -> dict[str, int]:
    if engine == "postgresql":
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "--no-password",
                f"--dbname={database['NAME']}",
                str(dump),
            ],
            env=_pg_env(database),
            what="pg_restore",
        )
        connection = _pg_connect(database)
        try:
            with connection.cursor() as cursor:
                return _pg_counts(cursor)
        finally:
            connection.close()
    source = sqlite3.connect(dump)
    target = _sqlite_connect(database["NAME"])
    try:
        source.backup(target)
        return _sqlite_counts(target)
    finally:
        source.close()
        target.close()


def restore(source_path, *, key: bytes, database: dict, media_root) -> RestoreResult:
    """Restore a backup into a bare database and an empty (or missing) media folder.

    Checks, in this order, and refuses with BackupError: the file's header and key; that the
    target database has no tables and the media folder is empty; the whole file (every chunk,
    then every file's SHA-256 against the manifest) while it is unpacked into a staging folder
    next to the media folder; that the engines match. Only then the database is loaded
    (pg_restore in one transaction, or the SQLite backup API) and its row counts are compared
    with the manifest, and the media files are moved into place.
    """
    engine = engine_of(database)
    media_root = Path(media_root)
    source_path = Path(source_path)
    if not source_path.is_file():
        raise BackupError(_msg(f"No file {source_path}.", f"Brak pliku {source_path}."))
    with source_path.open("rb") as source:
        read_header(source, key)
    _bare_or_refuse(database, media_root)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".kis-restore-", dir=media_root.parent))
    try:
        with source_path.open("rb") as source:
            manifest = _unpack(source, key, staging)
        if manifest["engine"] != engine:
            raise BackupError(
                _msg(
                    f"This backup is of a {manifest['engine']} database; the target is {engine}.",
                    f"Kopia pochodzi z bazy {manifest['engine']}, a baza docelowa to {engine}.",
                )
            )
        _bare_or_refuse(database, media_root)
        try:
            counts = _load(database, engine, staging / manifest["database"]["file"])
        except sqlite3.Error as error:
            raise BackupError(
                _msg(
                    f"The SQLite database {database['NAME']} cannot be written: {error}",
                    "Nie można zapisać bazy SQLite.",
                )
            ) from None
        if counts != manifest["tables"]:
            differ = sorted(
                t
                for t in counts.keys() | manifest["tables"].keys()
                if counts.get(t) != manifest["tables"].get(t)
            )
            raise BackupError(
                _msg(
                    f"The restored database differs from the manifest in {', '.join(differ[:5])}.",
                    "Odtworzona baza nie zgadza się z manifestem (liczba wierszy).",
                )
            )
        staged_media = staging / MEDIA_PREFIX.rstrip("/")
        if media_root.exists():
            media_root.rmdir()  # checked empty above
        if staged_media.exists():
            os.replace(staged_media, media_root)
        else:
            media_root.mkdir()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RestoreResult(
        engine=engine,
        created_at=manifest["created_at"],
        tables=len(counts),
        rows=sum(counts.values()),
        media_files=len(manifest["media"]),
    )

"""The log check of a test run: nothing the run logged holds a PESEL or a password.

tests/settings.py sends the run's log records (root at INFO: the app's line per request, 4xx and
5xx from django.request, django.security, axes' failed logins and locks; never
django.db.backends) to one file per test process, in a folder made once per run by the first
process (``KIS_TEST_LOG_RUN``, inherited by the xdist workers; under ``KIS_TEST_LOG_DIR`` when
set, else the system's temporary folder). While the tests run, the same folder collects the values
to look for: every PESEL saved (``record_pesel``: the demo's, the factories', the fixtures') and
every password hashed (``RecordingMD5PasswordHasher``: set, or typed at a login, right or wrong).

At the end of the whole run the controller (``tests/conftest.py``, pytest_sessionfinish; never an
xdist worker) calls ``check_run``: every line of every log file is searched for those values, for
the demo password and the factories' password (imported, not copied), and for any free-standing
11-digit number (PESEL-like). A finding fails the run, printed masked with its file and line.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.hashers import MD5PasswordHasher

LOG_SUFFIX = ".log"
PESELS = "pesels"
PASSWORDS = "passwords"
MIN_PASSWORD_LENGTH = 8  # shorter "passwords" of a test (e.g. "x") would match ordinary words
DIGIT_RUN = re.compile(r"\d{11,}")
FREE_ELEVEN_DIGITS = re.compile(r"(?<![0-9A-Za-z])\d{11}(?![0-9A-Za-z])")


def run_dir() -> Path:
    from django.conf import settings

    return Path(settings.TEST_LOG_DIR)


class RunFileHandler(logging.FileHandler):
    """A file handler that makes the run's folder (mode 700) when its first record comes."""

    def _open(self):
        os.makedirs(os.path.dirname(self.baseFilename), mode=0o700, exist_ok=True)
        return super()._open()


# --- Recording the values to look for ---------------------------------------------------------

_noted: dict[str, set[str]] = {}


def note(kind: str, value: str) -> None:
    """Append ``value`` to this process's list of ``kind`` in the run's folder (once)."""
    seen = _noted.setdefault(kind, set())
    if value in seen or "\n" in value:
        return
    seen.add(value)
    folder = run_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with open(folder / f"{worker}-{os.getpid()}.{kind}", "a", encoding="utf-8") as out:
        out.write(value + "\n")


class RecordingMD5PasswordHasher(MD5PasswordHasher):
    """The tests' fast hasher, noting each password it hashes (setting and checking both hash)."""

    def encode(self, password, salt):
        if isinstance(password, str) and len(password) >= MIN_PASSWORD_LENGTH:
            note(PASSWORDS, password)
        return super().encode(password, salt)


def record_pesel(sender, instance, **kwargs) -> None:
    """post_save: note the PESEL of any record that has one."""
    value = getattr(instance, "pesel", None)
    if isinstance(value, str) and value:
        note(PESELS, value)


def start_recording() -> None:
    from django.db.models.signals import post_save

    post_save.connect(record_pesel, weak=False, dispatch_uid="kis-logcheck-pesel")


# --- Scanning --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    kind: str
    masked: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind} {self.masked}"


@dataclass
class Result:
    files: int = 0
    lines: int = 0
    findings: list[Finding] = field(default_factory=list)


def mask(value: str) -> str:
    """Enough to recognise a value in the test code, not enough to read it."""
    if len(value) <= 4:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


def scan_file(path: Path, *, pesels: set[str], passwords: set[str], result: Result) -> None:
    with open(path, encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            result.lines += 1
            found = set()
            for run in DIGIT_RUN.finditer(line):  # a known PESEL, even inside a longer token
                digits = run.group()
                windows = {digits[i : i + 11] for i in range(len(digits) - 10)}
                found |= windows & pesels
            for value in sorted(found):
                result.findings.append(Finding(path, number, "PESEL", mask(value)))
            for match in FREE_ELEVEN_DIGITS.finditer(line):  # any PESEL-like number
                if match.group() not in found:
                    result.findings.append(
                        Finding(path, number, "11-digit number (PESEL?)", mask(match.group()))
                    )
            for password in passwords:
                if password in line:
                    result.findings.append(Finding(path, number, "password", mask(password)))


def scan(paths, *, pesels=(), passwords=()) -> Result:
    result = Result()
    pesels, passwords = set(pesels), {p for p in passwords if p}
    for path in sorted(paths):
        result.files += 1
        scan_file(Path(path), pesels=pesels, passwords=passwords, result=result)
    return result


def recorded(folder: Path, kind: str) -> set[str]:
    values = set()
    for path in folder.glob(f"*.{kind}"):
        values |= {line for line in path.read_text(encoding="utf-8").splitlines() if line}
    return values


def known_passwords() -> set[str]:
    from kis_site.demo import DEMO_PASSWORD
    from tests.factories import PASSWORD

    return {DEMO_PASSWORD, PASSWORD}


def check_run(folder: Path | None = None) -> Result:
    """Scan every log file of the run's folder for the run's PESELs and passwords."""
    folder = folder or run_dir()
    if not folder.is_dir():
        return Result()
    return scan(
        folder.glob(f"*{LOG_SUFFIX}"),
        pesels=recorded(folder, PESELS),
        passwords=known_passwords() | recorded(folder, PASSWORDS),
    )


def remove_run_dir(folder: Path | None = None) -> None:
    shutil.rmtree(folder or run_dir(), ignore_errors=True)

"""The log check of a test run (tests/logcheck.py, run by tests/conftest.py at the end of the
whole session): it finds a PESEL or a password planted in a log file, and the run's logs are
real — requests, refusals, failed logins — without the password a failed login tried."""

import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client
from django.urls import reverse

from kis_site.demo import DEMO_PASSWORD, make_pesel
from tests import logcheck
from tests.factories import PASSWORD

PESEL = "44051401359"  # valid: the conftest participant's


def write(path, lines):
    path.write_text("".join(line + "\n" for line in lines))
    return path


def test_the_scanner_finds_a_planted_pesel_and_passwords_masked(tmp_path):
    from datetime import date

    demo = make_pesel(date(1990, 3, 4), True, 17)  # as the demo's generator makes them
    clean = write(
        tmp_path / "a.log",
        [
            "2026-01-01 10:00:00,000 INFO kis_site.request [0123456789abcdef0123456789abcdef] "
            '"GET /participants/12/" 200 15ms user=3',
            "request id 12345678901234567890123456789012 (all digits, 32 of them)",
            "took 1767225600000 ms",  # 13 digits: not a PESEL
        ],
    )
    planted = write(
        tmp_path / "b.log",
        [
            "nothing here",
            f"WARNING x [-] Not Found: /search/{PESEL}/",
            f"INFO y [-] token=abc{demo}def",  # a known PESEL inside a longer word
            f"INFO z [-] password={DEMO_PASSWORD}",
            "INFO z [-] tel. 48123456789",  # PESEL-like: flagged too
        ],
    )
    result = logcheck.scan([clean, planted], pesels={demo, PESEL}, passwords={DEMO_PASSWORD})
    assert result.files == 2 and result.lines == 8
    found = [(f.path.name, f.line, f.kind) for f in result.findings]
    assert found == [
        ("b.log", 2, "PESEL"),
        ("b.log", 3, "PESEL"),
        ("b.log", 4, "password"),
        ("b.log", 5, "11-digit number (PESEL?)"),
    ]
    printed = "\n".join(str(f) for f in result.findings)
    assert PESEL not in printed and demo not in printed and DEMO_PASSWORD not in printed
    assert "b.log:2: PESEL 44*******59" in printed


def test_check_run_reads_what_the_run_recorded(tmp_path):
    write(tmp_path / "gw0-1.log", ["INFO a [-] fine", "INFO a [-] leaked 02211307589 here"])
    write(tmp_path / "gw0-1.pesels", ["02211307589"])
    write(tmp_path / "gw1-2.passwords", ["Pochmurny-czwartek-7"])
    write(tmp_path / "gw1-2.log", ["ERROR b [-] login with Pochmurny-czwartek-7 failed"])
    result = logcheck.check_run(tmp_path)
    assert {(f.path.name, f.kind) for f in result.findings} == {
        ("gw0-1.log", "PESEL"),
        ("gw1-2.log", "password"),
    }
    assert {PASSWORD, DEMO_PASSWORD} <= logcheck.known_passwords()


@pytest.mark.django_db
def test_the_run_records_pesels_and_passwords_it_uses(settings, participant, case_manager):
    folder = settings.TEST_LOG_DIR
    from pathlib import Path

    assert participant.pesel in logcheck.recorded(Path(folder), logcheck.PESELS)
    assert PASSWORD in logcheck.recorded(Path(folder), logcheck.PASSWORDS)


@pytest.mark.django_db
def test_a_failed_login_is_logged_without_the_tried_password(settings, case_manager):
    tried = "Haslo-ktore-nie-pasuje-41"
    response = Client().post(
        reverse("login"), {"username": case_manager.username, "password": tried}
    )
    assert response.status_code == 200
    logged = settings.TEST_LOG_FILE.read_text()
    request_id = response["X-Request-ID"]
    lines = [line for line in logged.splitlines() if f"[{request_id}]" in line]
    assert any("AXES: New login failure" in line for line in lines)  # the failure is logged
    assert any(re.search(r'"POST /login/" 200 \d+ms user=-', line) for line in lines)
    assert tried not in logged and case_manager.username not in "\n".join(lines)
    # axes' own records keep the form, with the password masked
    attempt = AccessAttempt.objects.get(username=case_manager.username)
    assert tried not in attempt.post_data and "password=****" in attempt.post_data
    assert AccessFailureLog.objects.filter(username=case_manager.username).count() == 1

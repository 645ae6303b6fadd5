"""The journal of anonymisations next to the backups (retention/journal.py): restoring a backup
older than an anonymisation and re-applying the journal leaves the person anonymised again, on
the suite's engine (SQLite, or PostgreSQL through pg_dump/pg_restore in .ci/run)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from participants.models import Participant
from retention import anonymise, journal
from tests.test_backup import POSTGRES, _query, _restore, key_env, target  # noqa: F401

BASE_DIR = Path(__file__).resolve().parent.parent


def _database_url(database: dict) -> str:
    if POSTGRES:
        return (
            f"postgres://{database['USER']}:{database['PASSWORD']}@"
            f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
        )
    return f"sqlite:///{database['NAME']}"


@pytest.mark.django_db(transaction=True)  # the backup, another connection, sees committed rows
def test_restoring_an_older_backup_reapplies_the_journal(
    key_env,
    target,
    settings,
    tmp_path,
    capsys,
    manager,
    participant,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = tmp_path / "backups"
    folder.mkdir()
    settings.ANONYMISATION_JOURNAL = str(folder / "anonymisation-journal.jsonl")
    call_command("backup", str(folder), verbosity=0)  # the person is in this backup
    (backup_file,) = folder.glob("*.kisbak")
    proposal = anonymise.propose(
        participant=participant, ground="retention", reason="Minął okres.", by=manager
    )
    anonymise.confirm(anonymisation=proposal, archive_reference="AP-7/2026", by=manager)
    # The journal: case number and record keys, no personal data.
    (line,) = journal.entries()
    assert line["case_number"] == f"KIS/{participant.pk}"
    assert line["records"]["participants.Participant"] == [participant.pk]
    text = Path(settings.ANONYMISATION_JOURNAL).read_text()
    for value in ("Łukasz", "Żółkiewski", "44051401359", "Sekretna"):
        assert value not in text and json.dumps(value)[1:-1] not in text

    code, out, err = _restore(backup_file, settings, tmp_path, capsys)
    assert code == 0, err
    assert "reapply_anonymisations --since" in out  # the operator is told the next step
    table = Participant._meta.db_table
    person = f"SELECT last_name, pesel FROM {table} WHERE id = {participant.pk}"
    assert _query(target, person) == [("Żółkiewski", "44051401359")]  # back from the backup

    # As the operator would: `manage.py reapply_anonymisations` on the restored database.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(target),
        "ANONYMISATION_JOURNAL": settings.ANONYMISATION_JOURNAL,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "reapply_anonymisations"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert f"KIS/{participant.pk}" in result.stdout
    assert _query(target, person) == [(f"KIS/{participant.pk}", None)]
    notes = f"SELECT text FROM participants_casenote WHERE participant_id = {participant.pk}"
    assert {row[0] for row in _query(target, notes)} == {""}
    # Once is enough: a second run finds nothing left to do.
    again = subprocess.run(
        [sys.executable, "manage.py", "reapply_anonymisations"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "re-applied: 0" in again.stdout
    assert django_settings.ANONYMISATION_JOURNAL == settings.ANONYMISATION_JOURNAL

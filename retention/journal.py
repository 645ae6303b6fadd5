"""The journal of anonymisations, kept next to the backups (setting ANONYMISATION_JOURNAL: a file
the application may write, outside the backups' folder, which the nightly backup copies next to
the backups and off the machine with them, deploy/systemd/kis-backup@.service): one JSON line
per anonymisation with the case number and the keys of the records it overwrote, no personal
data. Restoring a backup older than an anonymisation brings the person back; ``reapply``
(``manage.py reapply_anonymisations``, run after ``restore`` and ``migrate``) anonymises again
every file of the journal that the restored database still holds unanonymised.

A line is written inside the anonymisation's transaction: when it cannot be written, the
anonymisation is refused (no anonymisation without its line)."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone


def journal_path() -> Path:
    return Path(settings.ANONYMISATION_JOURNAL)


def write(anonymisation, touched: dict[str, list[int]]) -> None:
    """Append the anonymisation's line (case number, record keys, who and when: ids only)."""
    line = {
        "at": anonymisation.confirmed_at.isoformat(),
        "participant": anonymisation.participant_id,
        "case_number": anonymisation.case_number,
        "ground": anonymisation.ground,
        "archive_reference": anonymisation.archive_reference,
        "proposed_by": anonymisation.proposed_by_id,
        "confirmed_by": anonymisation.confirmed_by_id,
        "records": touched,
    }
    path = journal_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as journal:
        journal.write(json.dumps(line, sort_keys=True) + "\n")
        journal.flush()
        os.fsync(journal.fileno())


def entries(path: Path | None = None) -> list[dict]:
    path = path or journal_path()
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def reapply(*, path: Path | None = None, since: datetime | None = None) -> list[str]:
    """Anonymise again each file of the journal (newer than ``since``, when given) that the
    database holds unanonymised; returns their case numbers."""
    from participants.models import Participant
    from retention.anonymise import anonymise
    from retention.models import Anonymisation, AnonymisationState

    users = get_user_model().objects
    done = []
    for entry in entries(path):
        at = datetime.fromisoformat(entry["at"])
        if since is not None and at <= since:
            continue
        with transaction.atomic():
            participant = (
                Participant.objects.select_for_update().filter(pk=entry["participant"]).first()
            )
            if participant is None or participant.anonymised_on is not None:
                continue
            summary = anonymise(participant)
            summary.pop("keys")
            confirmed_by = users.filter(pk=entry["confirmed_by"]).first()
            proposed_by = users.filter(pk=entry["proposed_by"]).first() or confirmed_by
            record = participant.anonymisations.exclude(state=AnonymisationState.WITHDRAWN).first()
            values = {
                "state": AnonymisationState.DONE,
                "archive_reference": entry["archive_reference"],
                "confirmed_by": confirmed_by,
                "confirmed_at": at,
                "summary": summary,
                "reason": "",
            }
            if record is not None:
                Anonymisation.objects.filter(pk=record.pk).update(**values)
                record.refresh_from_db()
            elif proposed_by is not None:
                record = Anonymisation.objects.create(
                    participant=participant,
                    case_number=entry["case_number"],
                    ground=entry["ground"],
                    proposed_by=proposed_by,
                    proposed_at=at,
                    **values,
                )
            LogEntry.objects.log_create(
                record or participant,
                force_log=True,
                action=LogEntry.Action.UPDATE,
                actor=None,
                changes={"state": ["restored", "done"]},
                additional_data={
                    "participant_id": participant.pk,
                    "anonymised": True,
                    "reapplied_from_journal": timezone.now().isoformat(),
                },
            )
            done.append(entry["case_number"])
    return done

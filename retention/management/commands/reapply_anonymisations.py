"""python manage.py reapply_anonymisations [--since ISO-TIME] [--journal FILE]: after restoring a
backup (restore, then migrate), anonymise again every file the journal of anonymisations lists
and the restored database still holds unanonymised (retention/journal.py)."""

from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from retention import journal


class Command(BaseCommand):
    help = (
        "Re-applies the anonymisations of the journal (ANONYMISATION_JOURNAL) newer than the "
        "restored backup. Run after restore and migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", help="the backup's time (ISO 8601); default: every line")
        parser.add_argument("--journal", help="the journal file; default: ANONYMISATION_JOURNAL")

    def handle(self, *args, since=None, **options):
        given = options.get("journal")
        try:
            moment = datetime.fromisoformat(since) if since else None
        except ValueError as error:
            raise CommandError(f"--since: {error}") from None
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)  # the backup's manifest is in UTC
        path = Path(given) if given else None
        if path is not None and not path.exists():
            raise CommandError(f"No journal at {path}. / Brak dziennika anonimizacji.")
        done = journal.reapply(path=path, since=moment)
        self.stdout.write(
            self.style.SUCCESS(
                f"Anonymisations re-applied: {len(done)}"
                + (f" ({', '.join(done)})" if done else "")
            )
        )

"""python manage.py restore FILE: a backup (kis_site/backup.py) into a bare database (created
anew, before migrate) and an empty media folder; then run migrate. Key: BACKUP_KEY."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from kis_site import backup
from kis_site.management.commands.backup import BUCKET_NOTE
from kis_site.media import media_is_local


class Command(BaseCommand):
    help = (
        "Restores a backup into a newly created database with no tables (before migrate) and an "
        "empty or missing MEDIA_ROOT, after checking the key and every SHA-256 sum."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, file, database, **options):
        try:
            result = backup.restore(
                file,
                key=backup.key_from_env(),
                database=settings.DATABASES[database],
                media_root=settings.MEDIA_ROOT,
            )
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"Restore failed: {error} / Odtwarzanie nie powiodło się.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {result.created_at}: {result.tables} tables, "
                f"{result.rows:,} rows, {result.media_files} media files, all sums verified."
            )
        )
        self.stdout.write("Next: python manage.py migrate --no-input")
        self.stdout.write(
            "Then: python manage.py reapply_anonymisations "
            f"--since {result.created_at} (the journal of anonymisations, retention/journal.py)"
        )
        if not media_is_local():
            self.stdout.write(self.style.WARNING(BUCKET_NOTE))

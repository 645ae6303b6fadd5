"""python manage.py backup FILE|FOLDER: one encrypted file with the database and the media files
(kis_site/backup.py). The key comes from the environment variable BACKUP_KEY."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from kis_site import backup
from kis_site.media import media_is_local

# The media storage is a bucket (MEDIA_S3_BUCKET, kis_site/media.py): this command copies only a
# local folder, so the bucket is kept by the provider instead.
BUCKET_NOTE = (
    "Media files are kept in the object storage bucket (MEDIA_S3_BUCKET), not in this backup: "
    "keep them with the provider's object versioning. / Pliki są w zasobniku S3, nie w tej "
    "kopii: chroni je wersjonowanie obiektów u dostawcy."
)


class Command(BaseCommand):
    help = (
        "Writes an encrypted backup (database dump, media files, SHA-256 manifest) to FILE, or "
        "to a dated file in FOLDER, where backups older than BACKUP_KEEP_DAYS are then deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", nargs="?", help="a new file, or an existing folder")
        parser.add_argument(
            "--new-key",
            action="store_true",
            help="print a fresh BACKUP_KEY and stop (nothing is backed up)",
        )
        parser.add_argument(
            "--keep-days",
            type=int,
            default=None,
            help="delete this command's backups older than this in the folder "
            "(default: BACKUP_KEEP_DAYS; 0 keeps them all)",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, destination, new_key, keep_days, database, **options):
        if new_key:
            self.stdout.write(backup.new_key())
            return
        if not destination:
            raise CommandError("Give the backup FILE or FOLDER. / Podaj plik albo folder kopii.")
        if keep_days is None:
            keep_days = settings.BACKUP_KEEP_DAYS
        try:
            result = backup.backup(
                destination, key=backup.key_from_env(), alias=database, keep_days=keep_days
            )
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"Backup failed: {error} / Kopia nie powstała.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written: {result.path} ({result.size:,} bytes; {result.tables} tables, "
                f"{result.rows:,} rows, {result.media_files} media files)."
            )
        )
        for path in result.deleted:
            self.stdout.write(f"  deleted (older than {keep_days} days): {path.name}")
        if not media_is_local():
            self.stdout.write(self.style.WARNING(BUCKET_NOTE))

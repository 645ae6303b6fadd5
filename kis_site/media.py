"""Where uploaded media files live: the local folder MEDIA_ROOT (the default), or a bucket of
S3-compatible object storage shared by several app servers (django-storages), switched on by the
environment variable MEDIA_S3_BUCKET.

The only media file today is the club's letterhead logo (KisSettings.logo); scans and signed PDFs
are kept in the database (kis_site.models.StoredFile). Code reads and writes media only through
the storage API (``default_storage``, ``FieldFile.open``), never through a path on disk, so both
places work alike. The one part that is local by nature is ``manage.py backup``: it copies the
folder; with a bucket, the bucket is kept by the provider (versioning), see ``media_is_local``.
"""

from collections.abc import Mapping

S3_BACKEND = "storages.backends.s3.S3Storage"
LOCAL_BACKEND = "django.core.files.storage.FileSystemStorage"

# The environment variables, in the order the README's table gives them.
S3_VARIABLES = (
    "MEDIA_S3_BUCKET",
    "MEDIA_S3_ENDPOINT_URL",
    "MEDIA_S3_REGION",
    "MEDIA_S3_ACCESS_KEY_ID",
    "MEDIA_S3_SECRET_ACCESS_KEY",
    "MEDIA_S3_PREFIX",
    "MEDIA_S3_ADDRESSING_STYLE",
)


def media_storage(environ: Mapping[str, str]) -> dict:
    """STORAGES["default"] from the environment: the local folder, or the bucket when
    MEDIA_S3_BUCKET is set. The bucket is private: every object is written with the private ACL,
    a link to one is signed and expires (querystring_auth), and a second file of the same name
    never replaces the first (file_overwrite off). Without access keys boto3 looks for them
    itself (AWS_* variables, an instance role)."""
    bucket = environ.get("MEDIA_S3_BUCKET", "").strip()
    if not bucket:
        return {"BACKEND": LOCAL_BACKEND}
    options = {
        "bucket_name": bucket,
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": 300,
        "file_overwrite": False,
        "location": environ.get("MEDIA_S3_PREFIX", "").strip().strip("/"),
        "signature_version": "s3v4",
    }
    for variable, option in (
        ("MEDIA_S3_ENDPOINT_URL", "endpoint_url"),  # other providers than AWS, or MinIO
        ("MEDIA_S3_REGION", "region_name"),
        ("MEDIA_S3_ACCESS_KEY_ID", "access_key"),
        ("MEDIA_S3_SECRET_ACCESS_KEY", "secret_key"),
        ("MEDIA_S3_ADDRESSING_STYLE", "addressing_style"),  # "path" for most S3-compatible
    ):
        value = environ.get(variable, "").strip()
        if value:
            options[option] = value
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}


def media_is_local() -> bool:
    """True when media files are in the local folder MEDIA_ROOT (what ``manage.py backup``
    copies); False when they are in a bucket or any other storage."""
    from django.conf import settings

    return settings.STORAGES["default"]["BACKEND"] == LOCAL_BACKEND

"""How a protected file leaves the application: only from a view, after that view checked access.

Files live in two places, and neither is ever served by the proxy on its own (deploy/nginx has no
location for the media folder but an ``internal`` one):

* the database (``StoredFile``: scans, signed PDFs, club documents): ``stored_file_response``
  answers the bytes; the proxy has no path to them at all;
* the media folder (``MEDIA_ROOT``: the letterhead logo): ``media_file_response`` streams the file
  (``FileResponse``) or, when ``MEDIA_ACCEL_REDIRECT`` is set (e.g. ``/_protected_media/``),
  answers an empty response whose ``X-Accel-Redirect`` points nginx at its ``internal`` location
  for the media folder, which then sends the file. The path never leaves the media folder.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

ACCEL_HEADER = "X-Accel-Redirect"


def stored_file_response(stored, *, filename: str | None = None, as_attachment: bool = False):
    """The content of a StoredFile, kept in the database (call it after the access check)."""
    response = HttpResponse(bytes(stored.data), content_type=stored.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment, filename or stored.name
    )
    return response


def media_relative_path(storage: FileSystemStorage, name: str) -> PurePosixPath:
    """``name`` of ``storage`` as a path inside MEDIA_ROOT, or SuspiciousFileOperation.

    Links are followed before the check, so a link pointing out of the folder is refused too."""
    root = Path(settings.MEDIA_ROOT).resolve()
    path = Path(storage.path(name)).resolve()  # storage.path refuses "../" already
    if not path.is_relative_to(root) or path == root:
        raise SuspiciousFileOperation(f"{name!r} is not a file in the media folder")
    return PurePosixPath(path.relative_to(root).as_posix())


def media_file_response(
    file,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    as_attachment: bool = False,
):
    """A file of a storage (a FieldFile, e.g. ``KisSettings.logo``), after the access check.

    Raises Http404 when the file is missing or lies outside the media folder."""
    storage, name = file.storage, file.name
    if not name:
        raise Http404
    filename = filename or PurePosixPath(name).name
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if isinstance(storage, FileSystemStorage):
        try:
            relative = media_relative_path(storage, name)
        except SuspiciousFileOperation as error:
            raise Http404 from error
        if prefix := settings.MEDIA_ACCEL_REDIRECT:
            if not (Path(settings.MEDIA_ROOT).resolve() / relative).is_file():
                raise Http404
            response = HttpResponse(content_type=content_type)
            response[ACCEL_HEADER] = prefix.rstrip("/") + "/" + quote(str(relative))
            response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
            return response
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, SuspiciousFileOperation) as error:
        raise Http404 from error
    return FileResponse(
        handle, content_type=content_type, as_attachment=as_attachment, filename=filename
    )

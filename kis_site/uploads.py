"""What an uploaded file really is, from its content — never from its name.

The first bytes say what a file claims to be; then the file is opened with the library that
reads that kind (pypdf, Pillow, zipfile), and it is refused when it does not open or would be
too large once opened (pages, pixels, unpacked size). A file that passes is what it claims to be.
"""

import io
import zipfile
import zlib

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kis_site.validators import IMAGE_MAX_PIXELS, check_image, sniff_image_type

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
PDF_MAX_PAGES = 500  # a club document (regulations, programme); scans ask for fewer
ZIP_MAX_ENTRIES = 5_000
ZIP_MAX_UNPACKED_BYTES = 100 * 1024 * 1024


def sniff_upload(upload, *, max_pages: int = PDF_MAX_PAGES) -> str | None:
    """'pdf', 'png', 'jpeg', 'docx', 'odt', or None for anything else.

    Raises a ValidationError with a Polish message when the file starts like one of these but
    does not open as one, or is too large inside (more than ``max_pages`` pages, more than
    IMAGE_MAX_PIXELS pixels, a document that unpacks to too much). Leaves the file at its start.
    """
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    head = content[:64]
    if head.startswith(b"%PDF-"):
        check_pdf(content, max_pages=max_pages)
        return "pdf"
    image = sniff_image_type(head)
    if image:
        check_image(content, image, max_pixels=IMAGE_MAX_PIXELS)
        return image
    if head.startswith(b"PK\x03\x04"):
        return _office_document(content)
    return None


def check_pdf(content: bytes, *, max_pages: int) -> None:
    """Parse a PDF with pypdf: refused when it does not parse, is locked with a password, has no
    pages or more than ``max_pages``."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(
                _("The PDF is protected with a password: upload it without the password."),
                code="encrypted_pdf",
            )
        pages = len(reader.pages)
    except ValidationError:
        raise
    except Exception as error:  # pypdf raises many kinds of error on a broken file
        raise ValidationError(
            _("The file is damaged or is not really a PDF: it cannot be opened."),
            code="damaged_pdf",
        ) from error
    if pages == 0:
        raise ValidationError(_("The PDF has no pages."), code="empty_pdf")
    if pages > max_pages:
        raise ValidationError(
            _("The PDF has too many pages (%(pages)s): at most %(limit)s are accepted."),
            code="too_many_pages",
            params={"pages": pages, "limit": max_pages},
        )


def _office_document(content: bytes) -> str | None:
    """'docx' or 'odt' from the archive's contents; None for any other archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            if "mimetype" in names:
                kind = "odt"
            elif "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
                kind = "docx"
            else:
                return None
            if (
                len(entries) > ZIP_MAX_ENTRIES
                or sum(entry.file_size for entry in entries) > ZIP_MAX_UNPACKED_BYTES
            ):
                raise ValidationError(
                    _("The document unpacks to too many or too large files."),
                    code="zip_too_large",
                )
            if kind == "odt" and archive.read("mimetype").strip() != ODT_MIMETYPE:
                return None
            if archive.testzip() is not None:  # every entry unpacks and matches its checksum
                raise zipfile.BadZipFile
            return kind
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        ValueError,
        zlib.error,
        RuntimeError,  # an entry locked with a password
        NotImplementedError,  # an unknown compression method
    ) as error:
        raise ValidationError(
            _("The document is damaged: it cannot be opened."), code="damaged_document"
        ) from error

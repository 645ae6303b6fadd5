"""What an uploaded file really is, from its content — never from its name."""

import zipfile

from kis_site.validators import sniff_image_type

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def sniff_upload(upload) -> str | None:
    """'pdf', 'png', 'jpeg', 'docx', 'odt' or None. Leaves the file at its start."""
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    image = sniff_image_type(head)
    if image:
        return image
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
                if "mimetype" in names and archive.read("mimetype").strip() == ODT_MIMETYPE:
                    return "odt"
                if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
                    return "docx"
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
    return None

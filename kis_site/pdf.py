"""The one function that turns a template into a PDF.

WeasyPrint may fetch only the project's own static files (stylesheets, fonts, images) and
``data:`` URIs. Everything else — ``file://``, ``http(s)://`` anywhere, a CSS ``@import`` someone
typed into a form field — is refused without being opened. Uploaded images (the letterhead logo)
are embedded as ``data:`` URIs, so the fetcher never needs the file system beyond static files.
"""

import base64
import logging
import mimetypes
import posixpath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from kis_site.validators import sniff_image_type

BASE_URL = "https://kis.invalid/"
STATIC_PREFIX = "/static/"

# WeasyPrint logs every refused URL; that is expected here, not an incident.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


class StaticOnlyFetcher(URLFetcher):
    """Serves bundled static files and data: URIs; refuses everything else."""

    def __init__(self):
        super().__init__(allowed_protocols={"data", "https"}, allow_redirects=False)

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = self._static_path(url)
        if path is None:
            raise ValueError(f"Refused to fetch {url!r}: only bundled static files are allowed")
        with open(path, "rb") as handle:
            body = handle.read()
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    @staticmethod
    def _static_path(url):
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or parts.query:
            return None
        path = posixpath.normpath(unquote(parts.path))
        if not path.startswith(STATIC_PREFIX):
            return None
        relative = path[len(STATIC_PREFIX) :]
        try:
            found = finders.find(relative)
        except SuspiciousFileOperation:
            return None
        if not found and settings.STATIC_ROOT:
            candidate = settings.STATIC_ROOT / relative
            found = str(candidate) if candidate.is_file() else None
        return found


def image_data_uri(field_file) -> str:
    """An uploaded image as a data: URI (PNG or JPEG only, checked from its content)."""
    if not field_file:
        return ""
    try:
        field_file.open("rb")
        content = field_file.read()
    except (OSError, ValueError):
        return ""
    finally:
        field_file.close()
    kind = sniff_image_type(content[:16])
    if kind is None:
        return ""
    return f"data:image/{kind};base64,{base64.b64encode(content).decode('ascii')}"


def render_pdf(
    template_name: str, context: dict, *, draft: bool = False, copy: bool = False
) -> bytes:
    """Render ``template_name`` (extending ``pdf/base.html``) to PDF bytes, in Polish."""
    from kis_site.models import KisSettings

    kis = KisSettings.load()
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(
            template_name,
            {
                **context,
                "draft": draft,
                "copy": copy,
                "kis_settings": kis,
                "logo": image_data_uri(kis.logo),
                "static_base": BASE_URL.rstrip("/") + STATIC_PREFIX,
            },
        )
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf()

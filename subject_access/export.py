"""The copy of a person's data (GDPR art. 15) made from the parts (``subject_access.parts``):
what the person is told (art. 15 ust. 1 lit. a–h), the readable PDF in Polish, the same in JSON,
and the ZIP that carries them with every stored document version and scan. The ZIP is written
as it is sent: nothing of it is kept, on disk or in the media storage."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import zipfile
from datetime import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kis_site import gdpr
from kis_site.models import KisSettings, StoredFile
from kis_site.pdf import render_pdf
from kis_site.subject_access import Copy, date_text, others_mark
from retention.schedule import retention_periods
from subject_access.parts import PARTS

logger = logging.getLogger(__name__)

FORMAT = "kis-subject-access"
FORMAT_VERSION = 1


def in_polish(function):
    """The copy is in Polish whatever the language of the page that asks for it."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return function(*args, **kwargs)

    return wrapper


@in_polish
def build_copy(participant, *, withheld=(), reviewed=(), final: bool = False) -> Copy:
    """The copy of ``participant``'s data as every part makes it, its chapters in order."""
    copy = Copy(participant, withheld=withheld, reviewed=reviewed, final=final)
    for part in PARTS:
        copy.purposes.update(part.models)
    for part in PARTS:
        if part.prepare is not None:
            part.prepare(copy)
    for part in PARTS:
        part.build(copy)
    copy.sections.sort(key=lambda section: section.order)
    for section in copy.sections:  # the versions of a chapter's documents close it
        section.blocks.sort(key=lambda block: getattr(block, "kind", "") == "document_versions")
    return copy


def file_stem(participant) -> str:
    """The name of the ZIP and of the files in it: the person's number, never a name or PESEL."""
    return f"dane-osoby-art15-nr-{participant.pk}-{timezone.localdate().isoformat()}"


@in_polish
def information(copy: Copy) -> dict:
    """What art. 15 ust. 1 lit. a–h and ust. 2 say the person is told, from the copy."""
    kis = KisSettings.load()
    used_purposes = {section.purpose for section in copy.sections}
    used_retention = {section.retention for section in copy.sections}
    sources = [
        {"name": _("You yourself"), "detail": _("what you told the club's staff")},
        {
            "name": _("The club's staff"),
            "detail": _(
                "what they recorded while working with you: attendance, diagnoses, plans, "
                "notes, reports"
            ),
        },
        *({"name": source.name, "detail": source.detail} for source in copy.sources),
    ]
    return {
        "controller": {
            "name": gdpr.controller_name(kis),
            "club": kis.name,
            "address": kis.address,
            "contact": gdpr.contact(kis),
        },
        "purposes": [
            {"key": key, "purpose": purpose, "legal_basis": basis}
            for key, (purpose, basis) in gdpr.PURPOSES.items()
            if key in used_purposes
        ],
        "categories": [
            {"key": section.key, "title": section.title}
            for section in copy.sections
            if section.blocks and section.key not in ("corrections", "access_log")
        ],
        "recipients": [
            {
                "name": recipient.name,
                "on": recipient.on.isoformat() if recipient.on else None,
                "on_text": date_text(recipient.on),
                "what": recipient.what,
                "legal_basis": recipient.basis,
                "kind": recipient.kind,
            }
            for recipient in sorted(copy.recipients, key=lambda r: (r.on is None, r.on))
        ],
        "retention": [
            {"key": key, "records": records, "period": period}
            for key, (records, period) in retention_periods().items()
            if key in used_retention
        ],
        "sources": sources,
        "rights": list(gdpr.RIGHTS),
        "complaint": gdpr.COMPLAINT,
    }


@in_polish
def pdf(copy: Copy, *, request, info: dict) -> bytes:
    """The copy as a readable PDF in Polish: the information first, then a chapter a section."""
    return render_pdf(
        "subject_access/pdf/copy.html",
        {
            "title": _("Your personal data (GDPR art. 15)"),
            "participant": copy.participant,
            "export": copy,
            "info": info,
            "request": request,
            "prepared_on": timezone.localdate(),
            "withheld": copy.withheld,
            "others_mark": others_mark(),
        },
    )


@in_polish
def json_bytes(copy: Copy, *, request, info: dict) -> bytes:
    """The same content, machine readable: keys in English, values as stored."""
    data = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "prepared_at": timezone.localtime().isoformat(),
        "participant_number": copy.participant.pk,
        "request": {
            "received_on": request.received_on.isoformat(),
            "answer_due_on": request.answer_due_on.isoformat(),
        },
        "information": {
            **{key: value for key, value in info.items() if key != "categories"},
            # The dates as stored only (the info's own dicts are left as the PDF uses them).
            "recipients": [
                {key: value for key, value in recipient.items() if key != "on_text"}
                for recipient in info["recipients"]
            ],
        },
        "sections": {section.key: section.data() for section in copy.sections},
        "files": [
            {
                "path": item.path,
                "label": item.label,
                "sha256": item.sha256,
                "size": item.size,
                "content_type": item.content_type,
            }
            for item in copy.files
        ],
        "withheld": [
            {"key": item.key, "group": item.group, "label": item.label} for item in copy.withheld
        ],
        "withheld_reason": request.reason if copy.withheld else "",
    }
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    return text.encode("utf-8")


# --- The ZIP, written as it is sent --------------------------------------------------------------


class _Sink:
    """Where ``zipfile`` writes: it keeps what was written until the response takes it. It
    cannot seek, so the archive is written in one pass (sizes after each file's data)."""

    def __init__(self):
        self._chunks: list[bytes] = []
        self._position = 0

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks = []
        return data


def _entry(name: str, moment: datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=moment.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


def zip_stream(copy: Copy, *, pdf_content: bytes, json_content: bytes, stem: str):
    """The ZIP's bytes, file by file: the PDF, the JSON, then each stored file read from the
    database only when its turn comes."""
    moment = timezone.localtime()
    sink = _Sink()
    with zipfile.ZipFile(sink, "w") as archive:
        archive.writestr(_entry(f"{stem}.pdf", moment), pdf_content)
        yield sink.take()
        archive.writestr(_entry(f"{stem}.json", moment), json_content)
        yield sink.take()
        for item in copy.files:
            content = bytes(
                StoredFile.objects.filter(pk=item.stored_file_id)
                .values_list("data", flat=True)
                .get()
            )
            if hashlib.sha256(content).hexdigest() != item.sha256:
                # Half a ZIP is already sent: the file goes as it is, and the copy's list of
                # files (with the hash kept at storing) shows the difference.
                logger.error("Stored file %s does not match its SHA-256.", item.stored_file_id)
            archive.writestr(_entry(item.path, moment), content)
            yield sink.take()
    yield sink.take()

"""The person's copy of their data (GDPR art. 15): what every app's part of it is made of.

Each app that holds participant data gives its part of the copy in its own ``subject_access.py``:
a ``Contribution`` naming the models it covers (each with the purpose it serves, a key of
``kis_site.gdpr.PURPOSES``) and a ``build(copy)`` function that adds its sections, files,
recipients, sources and review items to the ``Copy``. The ``subject_access`` app lists the parts,
in order, in one explicit list (``subject_access.parts.PARTS``) and turns the copy into a PDF, a
JSON file and a ZIP. A test keeps the list whole: every model registered with
``register_participant_data`` is covered by a part.

The person is owed everything stored about them, the sensitive sections too, but not other
people's data (art. 15 ust. 4): the names of other participants and of family members are
replaced in every text by ``others_mark()``, and notes, family members, document versions and
scans are review items the preparer may withhold — some withheld unless released (a family
member's data, a group's attendance list).

This module also gives two parts of its own: the history of corrections (art. 16, from the audit
log) and the access log (who — by role, never by name — read the file, when and for what).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format, localize
from django.utils.text import capfirst
from django.utils.translation import gettext as _

# Fields that are bookkeeping, not data about the person (or kept elsewhere in the copy).
SKIPPED = frozenset(
    {
        "id",
        "version",
        "search_text",
        "sort_name",
        "current_enrolment",
        "current_status",
        "section",
        "removed",
        "created_at",
        "updated_at",
        "recorded_at",
        "revision",
        "locked_at",
        "awaits_scan",
        "restricted_on",
    }
)


# How the access log names the reads of the copy itself (its review and its release): they serve
# the person's rights, not the work with them.
COPY_ACCESS = "GDPR art. 15 copy"


def is_withheld(key: str, default: bool, *, withheld, reviewed) -> bool:
    """A review item the preparer saw is withheld when they ticked it; one they did not see (it
    appeared after the review, or while the page was open) keeps its default."""
    return key in withheld if key in reviewed else default


def others_mark() -> str:
    """What stands in the copy where another person's data was."""
    return _("[another person's data — withheld]")


# --- What a part is made of ---------------------------------------------------------------------


@dataclass
class Field:
    key: str  # the field's name: the JSON key
    label: str
    text: str  # as printed
    value: object = None  # as stored (JSON)

    @property
    def empty(self) -> bool:
        """Nothing stored: the JSON keeps it, the PDF leaves it out."""
        return self.value is None or self.value == "" or self.value == [] or self.value == {}


@dataclass
class Record:
    """One record: its fields, printed as a list of labels and values."""

    block = "record"  # what the PDF's template asks to print each kind of block

    kind: str  # the JSON key its kind of record is listed under
    title: str
    fields: list[Field] = field(default_factory=list)
    id: int | None = None
    note: str = ""  # e.g. why its content is withheld

    @property
    def filled(self) -> bool:
        return any(not item.empty for item in self.fields)

    def data(self) -> dict:
        data: dict = {"id": self.id} if self.id is not None else {}
        data.update({item.key: item.value for item in self.fields})
        if self.note:
            data["note"] = self.note
        return data


@dataclass
class Table:
    """Many records of one kind, a row each."""

    block = "table"

    kind: str
    title: str
    columns: list[tuple[str, str]]  # (JSON key, label)
    rows: list[list[tuple[str, object]]] = field(default_factory=list)  # (text, value) a cell
    total: list[str] | None = None  # a closing row (texts)
    # The records as the JSON gives them, when the table shows them summed up (the access log
    # counts the reads of a day; the JSON lists each one).
    records: list[dict] | None = None

    def add(self, *cells) -> None:
        self.rows.append([cell if isinstance(cell, tuple) else plain(cell) for cell in cells])

    def data(self) -> list[dict]:
        if self.records is not None:
            return self.records
        keys = [key for key, _label in self.columns]
        return [
            {key: value for key, (_text, value) in zip(keys, row, strict=True)} for row in self.rows
        ]


@dataclass
class Paragraph:
    block = "paragraph"

    text: str


@dataclass
class Section:
    """A chapter of the copy: a heading, its records and tables, the purpose they serve and how
    long they are kept (keys of ``kis_site.gdpr.PURPOSES`` and ``RETENTION_TEXTS``)."""

    key: str
    title: str
    purpose: str
    retention: str
    blocks: list = field(default_factory=list)
    empty: str = ""  # said when nothing is recorded
    order: int = 0  # where the chapter stands in the copy (the parts add them app by app)

    def add(self, block):
        self.blocks.append(block)
        return block

    def table(self, kind: str, title: str, columns: list[tuple[str, str]]) -> Table:
        """The section's table of ``kind``, opened at its first use."""
        for block in self.blocks:
            if isinstance(block, Table) and block.kind == kind:
                return block
        return self.add(Table(kind, title, columns))

    def data(self) -> dict:
        records: dict[str, list] = {}
        for block in self.blocks:
            if isinstance(block, Record):
                records.setdefault(block.kind, []).append(block.data())
            elif isinstance(block, Table):
                records.setdefault(block.kind, []).extend(block.data())
        return {
            "title": self.title,
            "purpose": self.purpose,
            "retention": self.retention,
            "records": records,
        }


@dataclass
class ExportFile:
    """A stored file that goes into the ZIP (a document version's PDF, a scan)."""

    path: str  # inside the ZIP: never a name or a PESEL
    stored_file_id: int
    sha256: str
    size: int
    content_type: str
    label: str


@dataclass
class ReviewItem:
    """Something the preparer decides on: released with the copy or withheld (art. 15 ust. 4)."""

    key: str  # "note:12", "family:3", "scan:40": stable between the review and the release
    group: str  # what kind of thing it is ("Notes", "Scans"...)
    label: str
    detail: str = ""  # why it may hold others' data
    others: bool = False  # known to hold, or to name, other people
    default_withheld: bool = False
    withheld: bool = False
    preview: str = ""  # the text the preparer reads to decide (a note)


@dataclass
class Recipient:
    """Whom the person's data went to (art. 15 ust. 1 lit. c)."""

    name: str
    on: date | None
    what: str  # which data
    basis: str  # on what legal basis
    kind: str  # "referral", "letter"


@dataclass
class Source:
    """Where the data came from (art. 15 ust. 1 lit. g)."""

    name: str
    detail: str


@dataclass(frozen=True)
class Contribution:
    """An app's part of the copy (see the module's docstring)."""

    key: str
    # The participant-data models the part gives, each with the purpose it serves.
    models: Mapping[type, str]
    build: Callable[[Copy], None]
    # Run for every part before any builds: names of other people the texts must not show.
    prepare: Callable[[Copy], None] | None = None


# --- The copy being made ------------------------------------------------------------------------


class Copy:
    """The copy of one person's data as the parts build it.

    ``withheld``: the review items the preparer withholds; ``reviewed``: the items they saw (an
    item that appeared after the review keeps its default). ``final``: the copy is being
    released (the originals of signed versions not printed yet are stored first)."""

    def __init__(self, participant, *, withheld=(), reviewed=(), final=False):
        self.participant = participant
        self.final = final
        self._withheld_keys = frozenset(withheld)
        self._reviewed = frozenset(reviewed)
        self.sections: list[Section] = []
        self.files: list[ExportFile] = []
        self.items: list[ReviewItem] = []
        self.recipients: list[Recipient] = []
        self.sources: list[Source] = []
        self.purposes: dict[type, str] = {}  # model -> purpose, from the parts' declarations
        self.withheld_records: set[tuple[type, int]] = set()
        self._names: set[str] = set()
        self._first_names: set[str] = set()
        self._patterns: tuple | None = None

    # --- review ---

    def withholds(self, key: str, default: bool = False) -> bool:
        return is_withheld(key, default, withheld=self._withheld_keys, reviewed=self._reviewed)

    def review(
        self,
        key: str,
        *,
        group: str,
        label: str,
        detail: str = "",
        others: bool = False,
        default_withheld: bool = False,
        preview: str = "",
        record=None,
    ) -> bool:
        """Register a review item; True when it is withheld. ``record``: the record whose
        history of corrections is withheld with it."""
        withheld = self.withholds(key, default_withheld)
        self.items.append(
            ReviewItem(
                key=key,
                group=group,
                label=label,
                detail=detail,
                others=others,
                default_withheld=default_withheld,
                withheld=withheld,
                preview=preview,
            )
        )
        if withheld and record is not None:
            self.withheld_records.add((type(record), record.pk))
        return withheld

    @property
    def withheld(self) -> list[ReviewItem]:
        return [item for item in self.items if item.withheld]

    # --- other people's names ---

    def withhold_name(self, full_name: str = "", *, first_name: str = "") -> None:
        """Replace ``full_name`` (in either order, any case) or the word ``first_name`` in every
        text of the copy. The person's own name is never replaced."""
        own_first = self.participant.first_name.strip().casefold()
        if full_name and full_name.strip().casefold() != self.participant.full_name.casefold():
            self._names.add(" ".join(full_name.split()))
        if first_name and first_name.strip().casefold() != own_first:
            self._first_names.add(first_name.strip())
        self._patterns = None

    def _compiled(self):
        if self._patterns is None:
            names = set()
            for name in self._names:
                words = name.split(" ")
                names.add(r"\s+".join(map(re.escape, words)))
                if len(words) == 2:
                    names.add(r"\s+".join(map(re.escape, reversed(words))))
            full = _word_pattern(names, re.IGNORECASE)
            first = _word_pattern({re.escape(name) for name in self._first_names}, 0)
            self._patterns = (full, first)
        return self._patterns

    def mask(self, text: str) -> str:
        if not text:
            return text
        for pattern in self._compiled():
            if pattern is not None:
                text = pattern.sub(others_mark(), text)
        return text

    def names_others(self, text: str) -> bool:
        return bool(text) and self.mask(text) != text

    def mask_json(self, value):
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, list):
            return [self.mask_json(item) for item in value]
        if isinstance(value, dict):
            return {key: self.mask_json(item) for key, item in value.items()}
        return value

    # --- sections, files, recipients, sources ---

    def section(
        self, key: str, title, *, purpose: str, retention: str, order: int, empty=""
    ) -> Section:
        section = Section(key, str(title), purpose, retention, empty=str(empty), order=order)
        self.sections.append(section)
        return section

    def add_file(
        self,
        stored,
        *,
        path: str,
        key: str,
        group: str,
        label: str,
        detail: str = "",
        others: bool = False,
        default_withheld: bool | None = None,
    ) -> str:
        """Put a stored file (``kis_site.models.StoredFile``, its bytes deferred) in the ZIP
        under ``path`` unless the review withholds it. Returns what the copy says of it: its
        path in the ZIP, or that it is withheld. Known to hold others' data: withheld unless
        released."""
        withheld = self.review(
            key,
            group=group,
            label=label,
            detail=detail,
            others=others,
            default_withheld=others if default_withheld is None else default_withheld,
        )
        if withheld:
            return _("withheld (GDPR art. 15 sec. 4)")
        self.files.append(
            ExportFile(
                path=path,
                stored_file_id=stored.pk,
                sha256=stored.sha256,
                size=stored.size,
                content_type=stored.content_type,
                label=label,
            )
        )
        return path

    def recipient(self, **fields) -> None:
        self.recipients.append(Recipient(**fields))

    def source(self, name: str, detail: str = "") -> None:
        if not any(s.name == name and s.detail == detail for s in self.sources):
            self.sources.append(Source(name, detail))

    # --- records ---

    def record(
        self,
        instance,
        *,
        kind: str,
        title: str,
        exclude: Iterable[str] = (),
        texts: Mapping[str, str] | None = None,
        extra: Iterable[Field] = (),
    ) -> Record:
        """``instance`` as a record: every concrete field but the bookkeeping (``SKIPPED``), the
        accounts that wrote it, the link to the person and ``exclude``; ``texts`` overrides how a
        field is printed (the labels of a list of codes)."""
        from django.contrib.auth import get_user_model

        user_model = get_user_model()
        skip = SKIPPED | set(exclude)
        fields = []
        for model_field in instance._meta.concrete_fields:
            if model_field.name in skip:
                continue
            related = model_field.related_model if model_field.is_relation else None
            if related is not None and (related is user_model or _is_the_person(related)):
                continue
            fields.append(
                self.field(instance, model_field, text=(texts or {}).get(model_field.name))
            )
        fields.extend(extra)
        return Record(kind=kind, title=str(title), fields=fields, id=instance.pk)

    def field(self, instance, model_field, *, text: str | None = None) -> Field:
        label = model_field.verbose_name
        if model_field.is_relation and "verbose_name" not in model_field.deconstruct()[3]:
            label = model_field.related_model._meta.verbose_name  # a link without its own name
        label = capfirst(str(label))
        raw = getattr(instance, model_field.attname)
        value = self._value(instance, model_field, raw)
        if text is None:
            text = self._text(instance, model_field, raw)
        return Field(model_field.name, label, self.mask(text) if text else "—", value)

    def _value(self, instance, model_field, raw):
        if raw is None or raw == "":
            return raw
        if model_field.is_relation:
            return {"id": raw, "text": self.mask(str(getattr(instance, model_field.name)))}
        return plain(raw, mask=self.mask_json)[1]

    def _text(self, instance, model_field, raw) -> str:
        if raw is None or raw == "" or raw == []:
            return ""
        if model_field.is_relation:
            return str(getattr(instance, model_field.name))
        if model_field.choices:
            return str(getattr(instance, f"get_{model_field.name}_display")())
        return plain(raw)[0]

    def fields(self, *pairs: tuple[str, str, object]) -> list[Field]:
        """Fields that are not a model's (key, label, value)."""
        result = []
        for key, label, value in pairs:
            text, stored = plain(value, mask=self.mask_json)
            result.append(Field(key, str(label), self.mask(text) or "—", stored))
        return result


def _word_pattern(alternatives: set[str], flags: int):
    if not alternatives:
        return None
    ordered = sorted(alternatives, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(ordered) + r")(?!\w)", flags)


def _is_the_person(model) -> bool:
    from kis_site.access import participant_data_for

    registration = participant_data_for(model)
    return registration is not None and registration.path == ""


def plain(value, *, mask=None) -> tuple[str, object]:
    """A value as printed and as stored (JSON): dates in ISO, decimals as text, yes/no."""
    mask = mask or (lambda item: item)
    if value is None or value == "":
        return "", value
    if isinstance(value, bool):
        return (_("yes") if value else _("no")), value
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return date_format(local, "SHORT_DATETIME_FORMAT"), local.isoformat()
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT"), value.isoformat()
    if isinstance(value, Decimal):
        return localize(value), str(value)
    if isinstance(value, (list, tuple)):
        return "; ".join(_json_text(item) for item in value), mask(list(value))
    if isinstance(value, dict):
        return _json_text(value), mask(value)
    if isinstance(value, str):
        return mask(value), mask(value)
    return str(value), value


def _json_text(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_json_text(item)}" for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_json_text(item) for item in value)
    if isinstance(value, Decimal):
        return localize(value)
    return "" if value is None else str(value)


def date_text(value) -> str:
    return plain(value)[0] if value else "—"


# --- Signed documents: every stored version and scan ------------------------------------------

# The extension a scan gets in the ZIP, by its content type (``kis_site.documents.SCAN_TYPES``).
SCAN_EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def _version_columns():
    return [
        ("version", _("Document and version")),
        ("state", _("State")),
        ("reason", _("Reason for the new version")),
        ("signatures", _("Signatures")),
        ("files", _("Files in the ZIP")),
    ]


def add_document(copy: Copy, section: Section, document, *, title: str, others: str = "") -> None:
    """The versions of a signed ``document`` in the section's table of versions, and each
    version's stored PDF and scan as files of the ZIP. ``others``: why its printed versions hold
    other people's data (then they are withheld unless released)."""
    from kis_site.documents import document_pdf, kind_of, revisions_of
    from kis_site.models import RevisionState

    kind = kind_of(document)
    table = section.table("document_versions", _("Versions of the documents"), _version_columns())
    if table.records is None:
        table.records = []  # the JSON gives each version's fields one by one
    revisions = list(
        revisions_of(document)
        .select_related("pdf", "scan")
        .defer("pdf__data", "scan__data", "snapshot")
        .prefetch_related("signatures")
        .order_by("number")
    )
    for revision in revisions:
        if copy.final and revision.state == RevisionState.LOCKED and revision.pdf_id is None:
            # Signed while loading many at once: the original is stored when first printed.
            document_pdf(document=document, number=revision.number)
            revision.refresh_from_db(fields=["pdf"])
        name = f"{kind.key}-{document.pk}-v{revision.number}"
        what = _("%(document)s, version %(number)s") % {
            "document": title,
            "number": revision.number,
        }
        pdf = "—"
        if revision.pdf_id:
            pdf = copy.add_file(
                revision.pdf,
                path=f"dokumenty/{name}.pdf",
                key=f"pdf:{revision.pk}",
                group=_("Documents as signed (PDF)"),
                label=what,
                detail=others,
                others=bool(others),
            )
        elif revision.state == RevisionState.LOCKED:
            pdf = _("stored when the copy is released")
        scan = "—"
        if revision.scan_id:
            extension = SCAN_EXTENSIONS.get(revision.scan.content_type, "bin")
            scan = copy.add_file(
                revision.scan,
                path=f"skany/{name}-skan.{extension}",
                key=f"scan:{revision.pk}",
                group=_("Scans of signed originals"),
                label=what,
                detail=others,
                others=bool(others),
            )
        signatures = [
            _("%(who)s (%(how)s, %(date)s)")
            % {
                "who": signature.slot_label,
                "how": signature.get_method_display(),
                "date": date_text(signature.signed_on),
            }
            for signature in revision.signatures.all()
            if signature.cleared_at is None
        ]
        signed = _("all signatures given on %(date)s") % {"date": date_text(revision.signed_on)}
        files = [
            _("PDF: %(file)s") % {"file": pdf} if revision.pdf_id or pdf != "—" else "",
            _("scan: %(file)s") % {"file": scan} if revision.scan_id else "",
        ]
        table.add(
            (copy.mask(what), None),
            (revision.get_state_display(), None),
            plain(copy.mask(revision.reason)),
            (
                "\n".join([*([signed] if revision.signed_on else []), *map(copy.mask, signatures)]),
                None,
            ),
            ("\n".join(text for text in files if text), None),
        )
        table.records.append(
            {
                "document": copy.mask(title),
                "document_kind": kind.key,
                "version": revision.number,
                "state": revision.state,
                "reason": copy.mask(revision.reason),
                "signed_on": revision.signed_on.isoformat() if revision.signed_on else None,
                "signatures": [copy.mask(text) for text in signatures],
                "pdf": pdf if revision.pdf_id and pdf.endswith(".pdf") else None,
                "pdf_sha256": revision.pdf.sha256 if revision.pdf_id else None,
                "scan": scan if revision.scan_id and "/" in scan else None,
                "scan_sha256": revision.scan.sha256 if revision.scan_id else None,
            }
        )


# --- The history of corrections (art. 16) and the access log ----------------------------------


def _roles_text(entry, cache: dict) -> tuple[str, list[str]]:
    """The roles the staff member who acted had at that moment (kept on the entry by
    ``kis_site.audit.record_actor_roles``; entries older than that: their roles today), never
    their name."""
    from kis_site.roles import user_roles
    from kis_site.vocabulary import Role

    user = entry.actor
    if user is None:
        return _("the system"), []
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    then = "roles" in data
    key = ("then", tuple(sorted(set(data["roles"])))) if then else ("today", user.pk)
    if key not in cache:  # a user's roles today are read once, not once an entry
        held = set(data["roles"]) if then else {role.value for role in user_roles(user)}
        roles = [role for role in Role if role.value in held]
        text = ", ".join(str(role.label) for role in roles) or _("staff member")
        cache[key] = (text, [role.value for role in roles])
    return cache[key]


def _entries(copy: Copy):
    from auditlog.models import LogEntry

    return (
        LogEntry.objects.filter(additional_data__participant_id=copy.participant.pk)
        .select_related("actor", "content_type")
        .order_by("timestamp", "pk")
    )


def _build_corrections(copy: Copy) -> None:
    from auditlog.models import LogEntry

    from kis_site.audit import MASK
    from kis_site.audit_display import entry_rows

    section = copy.section(
        "corrections",
        _("History of corrections"),
        purpose="accountability",
        retention="access_log",
        order=190,
        empty=_("No record has been corrected."),
    )
    entries = _entries(copy).filter(action__in=[LogEntry.Action.UPDATE, LogEntry.Action.DELETE])
    rows = entry_rows(entries)
    if not rows:
        return
    section.add(
        Paragraph(
            _(
                "Every change of a record once saved, oldest first: rectification is done by "
                "correcting the record, and the change is kept here. %(mask)s stands for a value "
                "of sensitive data, which the history never keeps."
            )
            % {"mask": MASK}
        )
    )
    table = section.add(
        Table(
            "corrections",
            _("Corrections"),
            [
                ("at", _("When")),
                ("role", _("Who (role)")),
                ("field", _("What was corrected")),
                ("before", _("Before the correction")),
                ("after", _("After the correction")),
            ],
        )
    )
    table.records = []  # the JSON gives the record and the field apart
    roles: dict = {}
    for row in rows:
        entry = row["entry"]
        model = entry.content_type.model_class() if entry.content_type_id else None
        hidden = model is not None and (model, _int(entry.object_pk)) in copy.withheld_records
        role_text, role_values = _roles_text(entry, roles)
        deleted = entry.action == LogEntry.Action.DELETE
        changes = row["changes"] or [{"label": _("the record"), "old": "", "new": ""}]
        for change in changes:
            before, after = str(change["old"]), str(change["new"])
            if hidden:
                before, after = (others_mark() if before else ""), (others_mark() if after else "")
            before, after = copy.mask(before), copy.mask(after)
            if deleted:
                after = _("(deleted)")
            table.add(
                plain(entry.timestamp),
                (role_text, None),
                (f"{capfirst(str(row['what']))}: {str(change['label']).lower()}", None),
                (before or "—", None),
                (after or "—", None),
            )
            table.records.append(
                {
                    "at": timezone.localtime(entry.timestamp).isoformat(),
                    "role": role_values,
                    "record": model._meta.label if model else "",
                    "record_id": _int(entry.object_pk),
                    "field": str(change["label"]),
                    "before": before,
                    "after": after,
                }
            )


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _build_access_log(copy: Copy) -> None:
    from auditlog.models import LogEntry

    from kis_site.audit_display import ACCESS_LABELS
    from kis_site.gdpr import PURPOSE_NAMES

    section = copy.section(
        "access_log",
        _("Who read the data"),
        purpose="accountability",
        retention="access_log",
        order=200,
        empty=_("Nobody has opened the file yet."),
    )
    entries = list(_entries(copy).filter(action=LogEntry.Action.ACCESS))
    if not entries:
        return
    section.add(
        Paragraph(
            _(
                "Every time a staff member opened the file, printed or exported the person's "
                "data, by their role (the staff's names are not given), with the purpose the "
                "data they read serves. Reads of the same kind on one day are counted together."
            )
        )
    )
    table = section.add(
        Table(
            "access_log",
            _("Reads of the data"),
            [
                ("when", _("When")),
                ("role", _("Who (role)")),
                ("access", _("What was done")),
                ("purpose", _("Purpose")),
                ("count", _("How many times")),
            ],
        )
    )
    roles: dict = {}
    grouped: dict[tuple, dict] = {}
    log = []
    for entry in entries:
        data = entry.additional_data or {}
        model = entry.content_type.model_class() if entry.content_type_id else None
        purpose = copy.purposes.get(model, "participation")
        if str(data.get("what", "")).startswith(COPY_ACCESS):
            purpose = "rights"
        role_text, role_values = _roles_text(entry, roles)
        access = str(ACCESS_LABELS.get(data.get("access"), _("read")))
        record = str(model._meta.verbose_name) if model else ""
        moment = timezone.localtime(entry.timestamp)
        log.append(
            {
                "at": moment.isoformat(),
                "role": role_values,
                "access": data.get("access", ""),
                "record": model._meta.label if model else "",
                "what": copy.mask(str(data.get("what", ""))),
                "purpose": purpose,
            }
        )
        key = (moment.date(), role_text, access, record, purpose)
        group = grouped.setdefault(key, {"first": moment, "last": moment, "count": 0})
        group["last"] = moment
        group["count"] += 1
    for (day, role_text, access, record, purpose), group in grouped.items():
        first, last = (date_format(group[end], "H:i") for end in ("first", "last"))
        times = first if first == last else f"{first}–{last}"
        table.add(
            (f"{plain(day)[0]}, {times}", None),
            (role_text, None),
            (f"{access}: {record}" if record else access, None),
            (PURPOSE_NAMES.get(purpose, purpose), None),
            plain(group["count"]),
        )
    table.records = log  # the JSON lists every read on its own


corrections = Contribution("corrections", models={}, build=_build_corrections)
access_log = Contribution("access_log", models={}, build=_build_access_log)

"""The signed-document lifecycle, once for every kind of document.

A document is a draft until every required signature is there; then it is locked, its PDF is
rendered once and stored with its SHA-256, and a change means a new version with a reason.
A change to a draft that someone has already signed clears that version's signatures.
Every step runs in one transaction with the document row locked, so two people signing at the
same moment, or a signature racing an edit, never leave a half-written version.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kis_site.access import Action, participant_data_for, policy
from kis_site.models import (
    DocumentRevision,
    DocumentState,
    RevisionState,
    Signature,
    SignatureMethod,
    SignedDocument,
    StoredFile,
)
from kis_site.pdf import render_pdf
from kis_site.registries import DocumentKind, SignerSlot, document_kind_for, document_kinds
from kis_site.roles import user_roles
from kis_site.uploads import sniff_upload
from kis_site.vocabulary import ALL_SECTIONS, Role, Section

SCAN_MAX_BYTES = 10 * 1024 * 1024
SCAN_MAX_PAGES = 100
SCAN_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}


def kind_of(document) -> DocumentKind:
    kind = document_kind_for(document)
    if kind is None:
        raise LookupError(f"{type(document).__name__} is not a registered document kind")
    return kind


def slots_of(document) -> list[SignerSlot]:
    """The signatures this document needs (asked once per loaded document)."""
    cached = getattr(document, "_kis_slots", None)
    if cached is None:
        cached = document.signer_slots()
        document._kis_slots = cached
    return cached


def sections_of(document) -> frozenset:
    """The sensitive sections the document holds (asked once per loaded document; a page that
    has loaded the parts already may set ``document._kis_sections`` itself)."""
    cached = getattr(document, "_kis_sections", None)
    if cached is None:
        cached = frozenset(document.sensitive_sections())
        document._kis_sections = cached
    return cached


def revisions_of(document):
    return DocumentRevision.objects.filter(
        content_type=ContentType.objects.get_for_model(document), object_id=document.pk
    )


def current_revision(document) -> DocumentRevision:
    return revisions_of(document).get(number=document.revision)


def stored_file(*, name: str, content: bytes, content_type: str, by=None) -> StoredFile:
    return StoredFile.objects.create(
        name=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        data=content,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )


# --- Creation and change -----------------------------------------------------------------------


def document_created(*, document: SignedDocument, by) -> DocumentRevision:
    """Open version 1 of a newly saved document (call inside the creating transaction)."""
    return DocumentRevision.objects.create(
        content_type=ContentType.objects.get_for_model(document),
        object_id=document.pk,
        number=1,
        opened_by=by if getattr(by, "is_authenticated", False) else None,
    )


def ensure_editable(document: SignedDocument) -> None:
    if document.is_locked:
        raise ValidationError(
            _(
                "This document is signed and locked. To change it, open a new version and "
                "give the reason."
            )
        )


def document_changed(*, document: SignedDocument, by) -> int:
    """A draft was edited: clear the signatures it already had. Returns how many were cleared.

    Domain services call this in the same transaction as the edit, after ensure_editable().
    """
    ensure_editable(document)
    active = Signature.objects.filter(
        revision__in=revisions_of(document).filter(number=document.revision),
        cleared_at__isnull=True,
    )
    return active.update(
        cleared_at=timezone.now(),
        cleared_by=by if getattr(by, "is_authenticated", False) else None,
    )


def active_signatures(document) -> dict[str, Signature]:
    return {
        signature.slot: signature
        for signature in Signature.objects.filter(
            revision__in=revisions_of(document).filter(number=document.revision),
            cleared_at__isnull=True,
        ).select_related("user", "recorded_by")
    }


# --- Signing -----------------------------------------------------------------------------------


def matches_slot(user, document, slot: SignerSlot) -> bool:
    """May ``user`` sign ``slot`` in the app (with their own login)?"""
    if not getattr(user, "is_authenticated", False):
        return False
    if slot.person is not None:
        return slot.person(document) == user.pk
    return bool(set(slot.roles) & user_roles(user))


def is_required_signer(user, document) -> bool:
    return any(matches_slot(user, document, slot) for slot in slots_of(document))


def _locked_document(document):
    """The document row, locked for this transaction, with its current state."""
    return type(document)._default_manager.select_for_update().get(pk=document.pk)


def _slot(document, slot_key) -> SignerSlot:
    for slot in slots_of(document):
        if slot.key == slot_key:
            return slot
    raise ValidationError(_("This document has no such signature."))


def _add_signature(*, document, slot, **fields) -> Signature:
    revision = current_revision(document)
    try:
        with transaction.atomic():
            return Signature.objects.create(
                revision=revision, slot=slot.key, slot_label=str(slot.label), **fields
            )
    except IntegrityError as error:
        raise ValidationError(
            _("“%(slot)s” has already signed this version.") % {"slot": slot.label}
        ) from error


def document_sign(*, document: SignedDocument, slot_key: str, user) -> SignedDocument:
    """``user`` signs in the app; the last required signature locks the document."""
    with transaction.atomic():
        document = _locked_document(document)
        ensure_editable(document)
        slot = _slot(document, slot_key)
        if not (policy().can(user, Action.SIGN, document) and matches_slot(user, document, slot)):
            raise ValidationError(_("You cannot sign as “%(slot)s”.") % {"slot": slot.label})
        _add_signature(
            document=document,
            slot=slot,
            method=SignatureMethod.APP,
            user=user,
            signer_name=user.get_full_name() or user.get_username(),
            signed_on=timezone.localdate(),
            recorded_by=user,
        )
        _lock_if_complete(document, by=user)
    return document


def document_record_paper_signature(
    *, document: SignedDocument, slot_key: str, signer_name: str, signed_on: date, by
) -> SignedDocument:
    """A staff member records that someone signed the printed document by hand."""
    errors = {}
    if not (signer_name or "").strip():
        errors["signer_name"] = _("Give the name of the person who signed.")
    if signed_on is None:
        errors["signed_on"] = _("Give the date of the signature.")
    elif signed_on > timezone.localdate():
        errors["signed_on"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        document = _locked_document(document)
        ensure_editable(document)
        slot = _slot(document, slot_key)
        if not policy().may_record_paper(by, document, slot):
            raise ValidationError(_("You may not record signatures on this document."))
        revision = current_revision(document)
        if signed_on < revision.opened_at.date() and revision.number > 1:
            raise ValidationError(
                {"signed_on": _("This version was opened later than the date given.")}
            )
        _add_signature(
            document=document,
            slot=slot,
            method=SignatureMethod.PAPER,
            signer_name=signer_name.strip(),
            signed_on=signed_on,
            recorded_by=by,
        )
        _lock_if_complete(document, by=by)
    return document


# --- The date a version was signed --------------------------------------------------------------


def version_signed_on(revision: DocumentRevision) -> date | None:
    """The date a version was signed: the latest date among its active signatures (the date on
    the paper, or the day of signing in the app). Not when it was recorded: a diagnosis signed
    by hand on 10 August and entered in December was signed on 10 August."""
    return revision.signatures.filter(cleared_at__isnull=True).aggregate(day=Max("signed_on"))[
        "day"
    ]


def first_signed_on(model, documents) -> Subquery:
    """For annotate(): the date the first of ``documents`` (a queryset of ``model``; refer to
    the annotated row with ``OuterRef(OuterRef(...))``) was first signed by everyone — the day
    the obligations that follow a signed document start. A later version signed again does not
    move it."""
    return Subquery(
        DocumentRevision.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=documents.values("pk"),
            signed_on__isnull=False,
        )
        .order_by("signed_on")
        .values("signed_on")[:1]
    )


def with_signed_on(queryset):
    """Documents with the date their current version was signed (``signed_by_everyone_on``)
    brought in the same query, for lists."""
    return queryset.annotate(
        _signed_on=Subquery(
            DocumentRevision.objects.filter(
                content_type=ContentType.objects.get_for_model(queryset.model),
                object_id=OuterRef("pk"),
                number=OuterRef("revision"),
            ).values("signed_on")[:1]
        )
    )


def missing_slots(document) -> list[SignerSlot]:
    signed = active_signatures(document)
    return [slot for slot in slots_of(document) if slot.key not in signed]


_ORIGINALS_ON_FIRST_OPEN = ContextVar("originals_on_first_open", default=False)


@contextmanager
def originals_kept_on_first_open():
    """Signing many documents at once (loading the demo club): each version locks without
    rendering its PDF; the original is rendered from the locked version and stored the first
    time it is printed, or before a new version is opened — whichever comes first — so it says
    exactly what was signed. Rendering takes ~0.4 s a document; the demo signs hundreds."""
    token = _ORIGINALS_ON_FIRST_OPEN.set(True)
    try:
        yield
    finally:
        _ORIGINALS_ON_FIRST_OPEN.reset(token)


def _keep_original(document, revision, *, by) -> None:
    """Render the signed version and store it: the bytes every later print of it returns."""
    content = _render(document, revision=revision, draft=False)
    revision.pdf = stored_file(
        name=kind_of(document).filename(document) + f"-v{revision.number}.pdf",
        content=content,
        content_type="application/pdf",
        by=by,
    )
    revision.save(update_fields=["pdf"])


def _lock_if_complete(document, *, by) -> None:
    if missing_slots(document):
        return
    revision = current_revision(document)
    revision.snapshot = snapshot(document)
    revision.state = RevisionState.LOCKED
    revision.locked_at = timezone.now()
    revision.signed_on = version_signed_on(revision)
    revision.awaits_scan = revision.scan_id is None and (
        revision.signatures.filter(method=SignatureMethod.PAPER, cleared_at__isnull=True).exists()
    )
    revision.save()
    document.state = DocumentState.LOCKED
    document.locked_at = revision.locked_at
    document._signed_on = revision.signed_on
    document.version += 1
    document.save(update_fields=["state", "locked_at", "version"])
    if not _ORIGINALS_ON_FIRST_OPEN.get():
        _keep_original(document, revision, by=by)


def snapshot(document) -> dict:
    """The document's own fields as JSON: what this version said (for history and diffs)."""
    data = model_to_dict(
        document, exclude=[*SignedDocument.BOOKKEEPING, *getattr(document, "SNAPSHOT_EXCLUDE", ())]
    )
    data = {
        key: [getattr(item, "pk", item) for item in value] if isinstance(value, list) else value
        for key, value in data.items()
    }
    parts = getattr(document, "snapshot_parts", None)
    if callable(parts):
        # A document kept in several records (a diagnosis and its spheres) adds them here.
        data.update(parts())
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


# --- Versions ----------------------------------------------------------------------------------


def document_new_revision(*, document: SignedDocument, reason: str, by) -> SignedDocument:
    """Open the next version of a locked document; earlier versions stay as they were."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the new version.")})
    with transaction.atomic():
        document = _locked_document(document)
        if not document.is_locked:
            raise ValidationError(
                _("The current version is still a draft: change it instead of opening a new one.")
            )
        signed = current_revision(document)
        if signed.pdf_id is None:  # kept on first open, and it was never opened: keep it now
            _keep_original(document, signed, by=by)
        revisions_of(document).filter(number=document.revision).update(
            state=RevisionState.SUPERSEDED, awaits_scan=False
        )
        document.revision += 1
        document.state = DocumentState.DRAFT
        document.locked_at = None
        document.version += 1
        document.save(update_fields=["revision", "state", "locked_at", "version"])
        DocumentRevision.objects.create(
            content_type=ContentType.objects.get_for_model(document),
            object_id=document.pk,
            number=document.revision,
            reason=reason.strip(),
            opened_by=by,
        )
    return document


# --- PDF and scans -----------------------------------------------------------------------------


def signature_slots(document, revision: DocumentRevision | None = None) -> list[dict]:
    """Slots with their signatures, for the page and the printed signature blocks."""
    if revision is None or revision.number == document.revision:
        signed = active_signatures(document)
    else:
        signed = {
            s.slot: s
            for s in revision.signatures.filter(cleared_at__isnull=True).select_related(
                "recorded_by"
            )
        }
    return [
        {
            "key": slot.key,
            "label": slot.label,
            "slot": slot,
            "signature": signed.get(slot.key),
            # Who is expected to sign, printed under an empty line (the participant, the author).
            "expected_name": slot.default_name(document) if slot.default_name else "",
        }
        for slot in slots_of(document)
    ]


def _render(document, *, revision, draft: bool, sections=ALL_SECTIONS) -> bytes:
    """The document as printed with ``sections`` (every section for the original): a section
    left out is marked as withheld, with the roles that see it."""
    kind = kind_of(document)
    withheld = sections_of(document) - sections
    context = kind.pdf_context(document, sections)
    context.setdefault("title", kind.title)
    context["withheld"] = withheld
    context["withheld_notice"] = withheld_notice(withheld)
    context["signature_slots"] = signature_slots(document, revision)
    context["document_meta"] = _("%(kind)s, version %(number)s") % {
        "kind": kind.title,
        "number": revision.number,
    }
    signed_on = None if draft else version_signed_on(revision)
    if signed_on is not None:
        context["document_meta"] += ", " + _("all signatures given on %(date)s") % {
            "date": date_format(signed_on, "SHORT_DATE_FORMAT")
        }
    return render_pdf(kind.pdf_template, context, draft=draft, copy=bool(withheld))


@dataclass(frozen=True)
class PdfFile:
    content: bytes
    filename: str
    final: bool
    sha256: str


def withheld_notice(withheld) -> str:
    """ "Without the health section (shown only to …)": said on the page and the printed copy."""
    if not withheld:
        return ""
    parts = [
        _("%(section)s (shown only to: %(roles)s)")
        % {"section": Section(section).label, "roles": ", ".join(policy().section_readers(section))}
        for section in sorted(withheld)
    ]
    return _(
        "This copy leaves out sections your role does not see: %(sections)s. The complete "
        "original for signatures by hand is printed by someone who sees every section."
    ) % {"sections": "; ".join(parts)}


def viewer_sections(user, document) -> frozenset:
    """The sections ``user`` sees of ``document``'s participant (every section of a record that
    holds none)."""
    registration = participant_data_for(document)
    participant = registration.participant(document) if registration else None
    if participant is None:
        return ALL_SECTIONS
    return policy().sections_for(user, participant)


def document_pdf(*, document, number: int | None = None, sections=None) -> PdfFile:
    """A signed version: the stored bytes, identical every time. A draft: rendered now, marked
    DRAFT on every page. ``sections``: what the reader sees; when the document holds more, the
    current version is printed now without the rest, marked as a copy (print = screen)."""
    number = number or document.revision
    revision = revisions_of(document).select_related("pdf").filter(number=number).first()
    if revision is None:
        raise ValidationError(_("There is no such version of this document."))
    name = kind_of(document).filename(document)
    if sections is not None and not sections_of(document) <= sections:
        if number != document.revision:
            raise ValidationError(
                _("An earlier version is printed only whole, by someone who sees every section.")
            )
        content = _render(
            document, revision=revision, draft=not document.is_locked, sections=sections
        )
        return PdfFile(content, f"{name}-v{number}-kopia.pdf", False, "")
    if revision.pdf_id is None and revision.state == RevisionState.LOCKED:
        with transaction.atomic():  # the first print of an original kept on first open
            revision = DocumentRevision.objects.select_for_update().get(pk=revision.pk)
            if revision.pdf_id is None:  # nobody printed it in the meantime
                _keep_original(document, revision, by=None)
    if revision.pdf_id:
        return PdfFile(bytes(revision.pdf.data), f"{name}-v{number}.pdf", True, revision.pdf.sha256)
    if number != document.revision:
        raise ValidationError(_("This version was replaced before it was signed."))
    content = _render(document, revision=revision, draft=True)
    return PdfFile(content, f"{name}-v{number}-projekt.pdf", False, "")


def check_scan(upload, *, field: str = "scan") -> str:
    """A scan of signed paper: PDF, JPEG or PNG (opened and checked from its content), at most
    10 MB and SCAN_MAX_PAGES pages. Returns its kind; the file is left at its start."""
    if upload.size > SCAN_MAX_BYTES:
        raise ValidationError({field: _("The scan may be at most 10 MB.")})
    try:
        kind = sniff_upload(upload, max_pages=SCAN_MAX_PAGES)
    except ValidationError as error:
        raise ValidationError({field: error}) from error
    if kind not in SCAN_TYPES:
        raise ValidationError(
            {field: _("The scan must be a PDF, JPEG or PNG file (checked from its content).")}
        )
    upload.seek(0)
    return kind


def stored_scan(upload, *, by, field: str = "scan") -> StoredFile:
    """Check a scan (see check_scan) and keep it in the database."""
    kind = check_scan(upload, field=field)
    return stored_file(
        name=upload.name, content=upload.read(), content_type=SCAN_TYPES[kind], by=by
    )


def document_upload_scan(*, document, number: int, upload, by) -> DocumentRevision:
    """Attach the scan of the signed paper original to a signed version."""
    kind = check_scan(upload)
    content = upload.read()
    with transaction.atomic():
        document = _locked_document(document)
        revision = revisions_of(document).select_for_update().filter(number=number).first()
        if revision is None or revision.state == RevisionState.DRAFT:
            raise ValidationError(
                {"scan": _("A scan can be added to a version signed by everyone.")}
            )
        extension = {"pdf": "pdf", "jpeg": "jpg", "png": "png"}[kind]
        revision.scan = stored_file(
            name=f"{kind_of(document).filename(document)}-v{number}-skan.{extension}",
            content=content,
            content_type=SCAN_TYPES[kind],
            by=by,
        )
        revision.scan_uploaded_at = timezone.now()
        revision.scan_uploaded_by = by
        revision.awaits_scan = False
        revision.save()
    return revision


# --- What the document page shows --------------------------------------------------------------


def document_panel(request, document) -> dict:
    """Everything the shared document panel shows: state, signatures, actions, history."""
    user = request.user
    kind = kind_of(document)
    slots = signature_slots(document)
    can_sign = policy().can(user, Action.SIGN, document)
    for slot in slots:
        slot["can_sign_here"] = (
            not document.is_locked
            and slot["signature"] is None
            and can_sign
            and matches_slot(user, document, slot["slot"])
        )
        slot["can_record_paper"] = (
            not document.is_locked
            and slot["signature"] is None
            and policy().may_record_paper(user, document, slot["slot"])
        )
    revisions = list(
        revisions_of(document)
        .select_related("pdf", "scan", "opened_by", "scan_uploaded_by")
        .defer("pdf__data", "scan__data")  # the panel names the files; their bytes stay put
        .order_by("-number")
    )
    current = next((r for r in revisions if r.number == document.revision), None)
    return {
        "document": document,
        "kind": kind,
        "kind_key": kind.key,
        "slots": slots,
        "missing": [slot for slot in slots if slot["signature"] is None],
        "signed_count": sum(1 for slot in slots if slot["signature"]),
        "revisions": revisions,
        "current": current,
        "can_sign": can_sign,
        # Print = screen: those who see every section print the original and open the scan;
        # a signer who does not gets a copy without the sections they do not see.
        "can_print": policy().can(user, Action.VIEW, document),
        "sees_whole": policy().sees_whole(user, document),
        "withheld_notice": withheld_notice(sections_of(document) - viewer_sections(user, document)),
        "can_revise": document.is_locked and policy().can(user, Action.REVISE, document),
        "can_upload_scan": policy().can(user, Action.UPLOAD_SCAN, document),
    }


def _without_scan(kind, user):
    """Which versions of ``kind`` waiting for their scan are on ``user``'s to-do list: its
    content type and a condition on the version's document (None: all of them); None when none
    can be."""
    from kis_site.access import participant_data_for

    registration = participant_data_for(kind.model)
    if registration is not None and registration.path:
        scope = policy().responsible_q(user, registration.path)
    else:
        scope = Q() if Role.MANAGER in user_roles(user) else None
    if scope is None:
        return None
    content_type = ContentType.objects.get_for_model(kind.model)
    if not scope:
        return content_type, None
    # EXISTS, not IN: the few versions waiting (the partial index) are checked one by one,
    # rather than every document of the user's people looked up among the versions.
    return content_type, Exists(kind.model._default_manager.filter(scope, pk=OuterRef("object_id")))


def _revisions_without_scan(kind, user):
    """The signed versions of ``kind`` that were signed on paper (so there is an original to
    scan) and have no scan yet, among the documents on ``user``'s to-do list; None when none
    can be."""
    found = _without_scan(kind, user)
    if found is None:
        return None
    content_type, condition = found
    revisions = DocumentRevision.objects.filter(content_type=content_type, awaits_scan=True)
    return revisions if condition is None else revisions.filter(condition)


def revisions_without_scan(user):
    """``_revisions_without_scan`` of every kind in one queryset (the start page counts it with
    its other tiles, in one query); None when none can be."""
    found = [_without_scan(kind, user) for kind in document_kinds]
    found = [item for item in found if item is not None]
    if not found:
        return None
    revisions = DocumentRevision.objects.filter(
        content_type__in=[content_type for content_type, _condition in found], awaits_scan=True
    )
    scoped = [When(content_type=kind, then=where) for kind, where in found if where is not None]
    if scoped:
        # Each kind's condition by a CASE, not OR-ed: SQLite would answer an OR by reading every
        # version of each kind, not only the few waiting (the partial index).
        revisions = revisions.filter(
            Case(*scoped, default=Value(True), output_field=BooleanField())
        )
    return revisions


def _waiting_in_order(user):
    revisions = revisions_without_scan(user)
    if revisions is None:
        return DocumentRevision.objects.none()
    return revisions.defer("snapshot").order_by(F("signed_on").asc(nulls_first=True), "pk")


def documents_without_scan(user) -> list[dict]:
    """Signed paper originals without their scan, on ``user``'s to-do list, the longest
    waiting first."""
    return _scan_rows(list(_waiting_in_order(user)))


def documents_without_scan_page(user, number, per_page: int = 50):
    """One page of ``documents_without_scan``: the versions waiting counted and paged by the
    database, only the page's documents loaded (a query per kind on the page)."""
    page = Paginator(_waiting_in_order(user), per_page).get_page(number)
    page.object_list = _scan_rows(list(page.object_list))
    return page


def _scan_rows(revisions) -> list[dict]:
    kinds = {ContentType.objects.get_for_model(kind.model).pk: kind for kind in document_kinds}
    wanted: dict[int, list[int]] = {}
    for revision in revisions:
        wanted.setdefault(revision.content_type_id, []).append(revision.object_id)
    loaded = {}
    for content_type_id, ids in wanted.items():
        kind = kinds[content_type_id]
        documents = kind.model._default_manager.filter(pk__in=ids)
        registration = participant_data_for(kind.model)
        if registration is not None and registration.path:
            documents = documents.select_related(registration.path)
        for document in documents:
            loaded[content_type_id, document.pk] = document
    rows = []
    for revision in revisions:
        document = loaded.get((revision.content_type_id, revision.object_id))
        if document is None:
            continue
        kind = kinds[revision.content_type_id]
        rows.append(
            {
                "document": document,
                "kind": kind,
                "revision": revision,
                "url": kind.url(document),
                "subject": kind.subject(document),
            }
        )
    return rows

"""Anonymisation of a participant's file: the one module that overwrites a person's identity.

Two steps: ``propose`` (the case manager or the manager, with a ground and a justification) and
``confirm`` (the manager alone, with the archive's consent reference where the retention rule of
the file's kind requires one), which carries it out in one transaction:

- every model holding participant data (``kis_site.access.participant_data_registry``) is walked
  for the person's rows; each field is treated by ``FIELD_RULES`` or by its kind: free texts
  (TextField) are emptied, coded values (fields with choices), numbers, hours and links are kept,
  dates become the first day of their month (dates in a unique constraint stay); every short
  text or JSON field without choices has an explicit rule (``tests/test_anonymise.py`` guards it);
- the person: name replaced by the case number, PESEL, document, address, phone, e-mail emptied,
  date of birth reduced to its year (the age band at the end of a year is unchanged); sex,
  education and the primary group kept; the detailed risk groups removed (``group`` emptied,
  ended) and the municipality emptied, until the k-anonymity rule keeps them where five
  anonymised people share the same fields;
- signed documents: every version's snapshot and reason emptied, signers' names emptied, the
  bytes of the stored PDFs and scans (``StoredFile.data``) destroyed;
- the audit log: every entry about the person's records keeps who, when and which record, loses
  its content (changes, object text, extra data); one entry records the anonymisation;
- drafts (``PendingForm``) and sessions holding the person's identifiers are removed.
Rows are never deleted: they stay, overwritten, so the club's figures stay as they were.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kis_site import documents
from kis_site.access import participant_data_registry
from kis_site.models import DocumentRevision, PendingForm, Signature, SignedDocument, StoredFile
from kis_site.pdf import render_pdf
from kis_site.search import normalise, polish_sort_key
from retention import journal
from retention.models import Anonymisation, AnonymisationState, RecordKind, RetentionRule

KEEP, CLEAR, MONTH, YEAR = "keep", "clear", "month", "year"

# Short texts and JSON fields without choices: each has a rule, chosen by what it holds (a name,
# an employer, a free answer: CLEAR; a code list or a figure the statistics need: KEEP). A
# callable gets (row, case number) and returns the new value. TextFields are always emptied.
FIELD_RULES: dict[str, dict[str, object]] = {
    "participants.Participant": {
        "first_name": lambda row, number: "—",
        "last_name": lambda row, number: number,
        "pesel": CLEAR,
        "birth_date": YEAR,
        "id_document_type": CLEAR,
        "id_document_number": CLEAR,
        "street": CLEAR,
        "postal_code": CLEAR,
        "city": CLEAR,  # the municipality: kept only under the k-anonymity rule (not yet)
        "phone": CLEAR,
        "email": CLEAR,
        "risk_group_other": CLEAR,
        "search_text": lambda row, number: normalise(f"— {number}"),
        "sort_name": lambda row, number: polish_sort_key(f"{number} —"),
        "restricted_on": KEEP,
    },
    "participants.ParticipantRiskGroup": {
        # The detailed risk groups leave with the identity (k-anonymity rule: not yet).
        "group": CLEAR,
        "ended_on": lambda row, number: _month(row.ended_on or timezone.localdate()),
    },
    "participants.FamilyMember": {"first_name": CLEAR, "notes": CLEAR},
    # A follow-up falls due in its month (at its end): as of a day inside that month the count
    # of follow-ups due may differ; whole years, and any day outside the month, count the same.
    "participants.FollowUp": {"due_on": lambda row, number: _month_end(row.due_on)},
    "participants.Application": {"eligible_groups": KEEP},  # codes of art. 1 ust. 2
    "participants.SocialContract": {"number": CLEAR, "ops_worker": CLEAR},
    "participants.Certificate": {"place": KEEP, "programme": KEEP, "lines": KEEP},
    "participants.OutgoingReferral": {
        "data_passed": KEEP,  # category codes
        "consent_categories": KEEP,
        "statutory_basis": CLEAR,
    },
    "diagnosis.SocioLivingSphere": {
        "strengths": CLEAR,
        "deficits": CLEAR,
        "rating_reason": CLEAR,
        "paper_author": CLEAR,
    },
    "diagnosis.HealthSphere": {
        "strengths": CLEAR,
        "deficits": CLEAR,
        "rating_reason": CLEAR,
        "paper_author": CLEAR,
    },
    "diagnosis.SocialSphere": {
        "strengths": CLEAR,
        "deficits": CLEAR,
        "rating_reason": CLEAR,
        "paper_author": CLEAR,
    },
    "diagnosis.PsychologicalSphere": {
        "strengths": CLEAR,
        "deficits": CLEAR,
        "rating_reason": CLEAR,
        "paper_author": CLEAR,
    },
    "diagnosis.VocationalSphere": {
        "strengths": CLEAR,
        "deficits": CLEAR,
        "rating_reason": CLEAR,
        "paper_author": CLEAR,
    },
    "diagnosis.Job": {"employer": CLEAR, "position": CLEAR},
    "diagnosis.ToolUse": {"used_by_external": CLEAR, "notes": CLEAR},
    "diagnosis.HollandResult": {"instrument": KEEP},
    "activities.Attendance": {"excuse_note": CLEAR},
    "activities.AbsenceCase": {"outcome": CLEAR},
    "activities.Placement": {"employer": CLEAR, "pup_referral": CLEAR},
    "activities.Consultation": {"specialist_name": CLEAR, "section": KEEP},
    "activities.AbsenceAction": {"note": CLEAR},
    "ipd.Goal": {"section": KEEP},
    "ipd.PlanAction": {"section": KEEP, "title": CLEAR},
    "reports.ChangeReport": {"effects": KEEP, "cosigners": KEEP},
    "reports.ChangeSphere": {"section": KEEP, "previous_source": KEEP},
    "reports.ExitAssessment": {"effects": KEEP},  # effect codes: the yearly report counts them
    "reports.ReferrerLetter": {"attendance": KEEP, "ratings": KEEP, "health_basis": CLEAR},
    "subject_access.AccessRequest": {"withheld": CLEAR, "reviewed": CLEAR},
    "retention.Anonymisation": {
        "case_number": KEEP,
        "archive_reference": KEEP,
        "summary": KEEP,
        "proposed_at": KEEP,
        "confirmed_at": KEEP,
    },
}

# The fields each rule must cover: short texts and JSON without choices.
RULED_TYPES = ("CharField", "EmailField", "SlugField", "URLField", "JSONField")


def needs_rule(field) -> bool:
    return (
        field.concrete
        and not field.is_relation
        and not field.primary_key
        and field.get_internal_type() in RULED_TYPES
        and not field.choices
    )


def case_number(participant) -> str:
    """The file's number, which stands for the person once anonymised."""
    return f"KIS/{participant.pk}"


# --- Steps ------------------------------------------------------------------------------------


def file_kind(participant) -> str:
    """The kind of record that decides the file's retention and the archive's consent."""
    return RecordKind.PARTICIPATION if participant.enrolments.exists() else RecordKind.APPLICATION


def pending(participant) -> Anonymisation | None:
    return participant.anonymisations.filter(state=AnonymisationState.PROPOSED).first()


def propose(*, participant, ground: str, reason: str, by) -> Anonymisation:
    errors = {}
    if participant.anonymised_on is not None:
        errors["__all__"] = _("This file is already anonymised.")
    elif pending(participant) is not None:
        errors["__all__"] = _("An anonymisation of this file is already proposed.")
    if not (reason or "").strip():
        errors["reason"] = _("Give the justification of the anonymisation.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return Anonymisation.objects.create(
                participant=participant,
                case_number=case_number(participant),
                ground=ground,
                reason=reason.strip(),
                proposed_by=by,
            )
    except IntegrityError as error:
        raise ValidationError(_("An anonymisation of this file is already proposed.")) from error


def withdraw(*, anonymisation: Anonymisation, by) -> None:
    """Withdraw a proposal (its author or the manager): the file stays as it is."""
    if anonymisation.state != AnonymisationState.PROPOSED:
        raise ValidationError(_("This anonymisation is not waiting for confirmation."))
    anonymisation.state = AnonymisationState.WITHDRAWN
    anonymisation.save(update_fields=["state"])


def confirm(*, anonymisation: Anonymisation, archive_reference: str, by) -> Anonymisation:
    """Confirm the proposal and anonymise the file (the manager's; ``Action.ANONYMISE``)."""
    from participants.models import Participant

    archive_reference = (archive_reference or "").strip()
    participant = anonymisation.participant
    if anonymisation.state != AnonymisationState.PROPOSED:
        raise ValidationError(_("This anonymisation is not waiting for confirmation."))
    if (
        not archive_reference
        and RetentionRule.for_kind(file_kind(participant)).archive_consent_required
    ):
        raise ValidationError(
            {
                "archive_reference": _(
                    "The records rules require the archive's consent: give its reference."
                )
            }
        )
    with transaction.atomic():
        locked = Participant.objects.select_for_update().get(pk=participant.pk)
        if locked.anonymised_on is not None:
            raise ValidationError(_("This file is already anonymised."))
        summary = anonymise(locked)
        keys = summary.pop("keys")
        Anonymisation.objects.filter(pk=anonymisation.pk).update(
            state=AnonymisationState.DONE,
            archive_reference=archive_reference,
            confirmed_by=by,
            confirmed_at=timezone.now(),
            summary=summary,
        )
        anonymisation.refresh_from_db()
        try:
            journal.write(anonymisation, keys)  # next to the backups
        except OSError as error:  # no anonymisation without its line: all is rolled back
            raise ValidationError(
                _("The journal of anonymisations cannot be written: nothing was anonymised.")
            ) from error
        content = destruction_record_pdf(anonymisation)
        anonymisation.record = documents.stored_file(
            name=f"protokol-anonimizacji-{anonymisation.case_number.replace('/', '-')}.pdf",
            content=content,
            content_type="application/pdf",
            by=by,
        )
        Anonymisation.objects.filter(pk=anonymisation.pk).update(record=anonymisation.record)
        LogEntry.objects.log_create(
            anonymisation,
            force_log=True,
            action=LogEntry.Action.UPDATE,
            actor=by,
            changes={"state": ["proposed", "done"]},
            additional_data={"participant_id": participant.pk, "anonymised": True},
        )
    return anonymisation


def destruction_record_pdf(anonymisation: Anonymisation) -> bytes:
    """The destruction record (protokół anonimizacji): what was destroyed, by the case number,
    without the person's identity; signed by hand by the manager and kept by the club."""
    from django.apps import apps

    rows = []
    for label, count in (anonymisation.summary.get("records") or {}).items():
        try:
            name = apps.get_model(label)._meta.verbose_name_plural
        except LookupError:
            name = label
        rows.append((str(name), count))
    rule = RetentionRule.for_kind(file_kind(anonymisation.participant))
    return render_pdf(
        "retention/pdf/record.html",
        {
            "title": _("Record of anonymisation %(number)s")
            % {"number": anonymisation.case_number},
            "anonymisation": anonymisation,
            "rule": rule,
            "rows": sorted(rows),
            "files": anonymisation.summary.get("files", 0),
            "signature_slots": [
                {"label": _("KIS manager"), "expected_name": _person(anonymisation.confirmed_by)},
                {"label": _("Proposed by"), "expected_name": _person(anonymisation.proposed_by)},
            ],
        },
    )


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


# --- The walk ---------------------------------------------------------------------------------


def anonymise(participant) -> dict:
    """Overwrite every identifying trace of ``participant`` (see the module's text); returns the
    kinds of records and their counts (no personal data). Call inside a transaction."""
    markers = identifiers(participant)
    number = case_number(participant)
    today = timezone.localdate()
    touched: dict[type, list[int]] = {}
    counts: Counter = Counter()
    files: set[int] = set()
    with disable_auditlog():
        for model, registration in participant_data_registry().items():
            lookup = (
                {registration.path: participant.pk} if registration.path else {"pk": participant.pk}
            )
            rows = list(model._base_manager.filter(**lookup))
            if not rows:
                continue
            touched[model] = [row.pk for row in rows]
            counts[model._meta.label] += len(rows)
            rules = FIELD_RULES.get(model._meta.label, {})
            unique_dates = _fields_in_unique_constraints(model)
            for row in rows:
                values = {}
                for field in model._meta.concrete_fields:
                    if field.is_relation:
                        if model is Anonymisation:
                            continue  # its destruction record is kept
                        if field.related_model is StoredFile and getattr(row, field.attname):
                            files.add(getattr(row, field.attname))
                        continue
                    new = _new_value(row, field, rules.get(field.name), number, unique_dates)
                    if new is not _SAME:
                        values[field.attname] = new
                if model._meta.label == "participants.Participant":
                    values["anonymised_on"] = today
                if values:
                    model._base_manager.filter(pk=row.pk).update(**values)
            if issubclass(model, SignedDocument):
                files |= _scrub_documents(model, touched[model])
        StoredFile.objects.filter(pk__in=files).update(
            data=b"", name="anonymised", sha256="", content_type="application/octet-stream"
        )
        _scrub_audit(participant, touched, number)
        _remove_drafts_and_sessions(markers)
    participant.refresh_from_db()
    keys = {model._meta.label: pks for model, pks in touched.items()}
    return {"records": dict(sorted(counts.items())), "files": len(files), "keys": keys}


_SAME = object()


def _new_value(row, field, rule, number, unique_dates):
    kind = field.get_internal_type()
    value = getattr(row, field.attname)
    if callable(rule):
        return rule(row, number)
    if rule == KEEP:
        return _SAME
    if rule == CLEAR or kind == "TextField" or (rule is None and needs_rule(field)):
        return _empty(field)
    if rule == YEAR:
        return date(value.year, 1, 1) if value else value
    if kind in ("DateField", "DateTimeField") and field.name not in unique_dates:
        return _month(value) if value else value
    return _SAME


def _empty(field):
    if field.null:
        return None
    if field.get_internal_type() == "JSONField":
        default = field.get_default()
        return type(default)() if isinstance(default, (list, dict)) else {}
    return ""


def _month(value):
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return value.replace(day=1)


def _month_end(value):
    if value is None:
        return value
    following = date(value.year + value.month // 12, value.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _fields_in_unique_constraints(model) -> set[str]:
    names = set()
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            names |= set(constraint.fields)
    for together in model._meta.unique_together:
        names |= set(together)
    return names


def _scrub_documents(model, pks: list[int]) -> set[int]:
    """Empty the versions of the person's signed documents; return their stored files."""
    content_type = ContentType.objects.get_for_model(model)
    revisions = DocumentRevision.objects.filter(content_type=content_type, object_id__in=pks)
    files = set()
    for pdf, scan in revisions.values_list("pdf_id", "scan_id"):
        files |= {pk for pk in (pdf, scan) if pk}
    Signature.objects.filter(revision__in=revisions).update(signer_name="", slot_label="")
    revisions.update(snapshot=None, reason="")
    return files


def _scrub_audit(participant, touched: dict[type, list[int]], number: str) -> None:
    """Keep who did what when to which record; lose what it said."""
    about = Q(additional_data__participant_id=participant.pk)
    admin = Q(pk__in=[])
    for model, pks in touched.items():
        content_type = ContentType.objects.get_for_model(model)
        keys = [str(pk) for pk in pks]
        about |= Q(content_type=content_type, object_pk__in=keys)
        admin |= Q(content_type=content_type, object_id__in=keys)
    entries = LogEntry.objects.filter(about)
    for entry in entries.only("pk", "additional_data"):
        data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
        kept = {key: data[key] for key in ("participant_id", "access") if key in data}
        LogEntry.objects.filter(pk=entry.pk).update(
            changes=None,
            changes_text="",
            serialized_data=None,
            object_repr=number,
            additional_data={**kept, "anonymised": True},
        )
    AdminLogEntry.objects.filter(admin).update(object_repr=number, change_message="")


def identifiers(participant) -> list[str]:
    """The person's identifying strings, to find them in drafts and sessions."""
    values = [
        f"{participant.first_name} {participant.last_name}",
        participant.last_name,
        participant.pesel or "",
        participant.phone,
        participant.email,
        participant.street,
        participant.id_document_number,
    ]
    return [value for value in values if value and len(value.strip()) >= 3]


def _remove_drafts_and_sessions(markers: list[str]) -> None:
    """Drafts of forms and sessions that hold the person's identifiers are removed (a draft is
    not a record; a session ends: its user logs in again)."""
    if not markers:
        return
    lowered = [marker.lower() for marker in markers]

    def holds(data) -> bool:
        text = json.dumps(data, ensure_ascii=False, default=str).lower()
        return any(marker in text for marker in lowered)

    for draft in PendingForm.objects.all().only("pk", "data", "path"):
        if holds(draft.data):
            draft.delete()
    for session in Session.objects.all():
        try:
            decoded = session.get_decoded()
        except Exception:
            decoded = {"unreadable": True}
        if holds(decoded):
            session.delete()

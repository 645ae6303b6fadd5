"""Anonymisation of a participant's file: the one module that overwrites a person's identity.

Two steps: ``propose`` (the case manager or the manager, with a ground and a justification) and
``confirm_together`` (the manager alone, one or several proposals at once, with the archive's
consent reference where the retention rule of a file's kind requires one), which carries them
out in one transaction and draws up one destruction record (a signed document) listing them:

- every model holding participant data (``kis_site.access.participant_data_registry``) is walked
  for the person's rows; each field is treated by ``FIELD_RULES`` or by its kind: free texts
  (TextField) are emptied, coded values (fields with choices), numbers, hours and links are kept,
  dates become the first day of their month (dates in a unique constraint stay); every short
  text or JSON field without choices has an explicit rule (``tests/test_anonymise.py`` guards it);
- the person: name replaced by the case number, PESEL, document, address, phone, e-mail emptied,
  date of birth reduced to the age band (``kanon.representative_birth_date``: the band at the
  end of every year of the participation is unchanged); sex, education and the primary group
  kept; the detailed risk groups (``group`` emptied, ended)
  and the municipality removed, unless the k-anonymity rule (``retention.kanon``) keeps them
  where five anonymised people of the club share the same combination of kept fields;
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
from kis_site.search import normalise, polish_sort_key
from retention import journal, kanon
from retention.models import (
    Anonymisation,
    AnonymisationState,
    DestructionRecord,
    Ground,
    RecordKind,
    RetentionRule,
)

KEEP, CLEAR, MONTH = "keep", "clear", "month"

# Short texts and JSON fields without choices: each has a rule, chosen by what it holds (a name,
# an employer, a free answer: CLEAR; a code list or a figure the statistics need: KEEP). A
# callable gets (row, case number) and returns the new value. TextFields are always emptied.
FIELD_RULES: dict[str, dict[str, object]] = {
    "participants.Participant": {
        "first_name": lambda row, number: "—",
        "last_name": lambda row, number: number,
        "pesel": CLEAR,
        "birth_date": lambda row, number: kanon.representative_birth_date(
            row.birth_date, kanon.reference_years([row.pk])[row.pk]
        ),  # the age band in every year the reports count the person
        "id_document_type": CLEAR,
        "id_document_number": CLEAR,
        "street": CLEAR,
        "postal_code": CLEAR,
        "city": CLEAR,  # the municipality: kept only under the k-anonymity rule (``keep``)
        "phone": CLEAR,
        "email": CLEAR,
        "risk_group_other": CLEAR,
        "search_text": lambda row, number: normalise(f"— {number}"),
        "sort_name": lambda row, number: polish_sort_key(f"{number} —"),
        "restricted_on": KEEP,
    },
    "participants.ParticipantRiskGroup": {
        # The detailed risk groups leave with the identity unless the k-anonymity rule keeps
        # the current ones (``keep``); a group that had ended goes in any case.
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
        "details_kept": KEEP,  # names of the details kept ("risk_groups", "municipality")
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


def confirm(*, anonymisation: Anonymisation, archive_reference: str, by) -> DestructionRecord:
    """Confirm one proposal: a batch of one (``confirm_together``)."""
    return confirm_together(
        anonymisations=[anonymisation], archive_reference=archive_reference, by=by
    )


def confirm_together(*, anonymisations, archive_reference: str, by) -> DestructionRecord:
    """Confirm proposals together and anonymise their files in one transaction (the manager's;
    ``Action.ANONYMISE``): the k-anonymity rule (``retention.kanon``) decides on the batch which
    details each person keeps, and one destruction record lists every file of the batch."""
    from participants.models import Participant

    archive_reference = (archive_reference or "").strip()
    anonymisations = list(anonymisations)
    if not anonymisations:
        raise ValidationError(_("Choose the files to anonymise."))
    if any(item.state != AnonymisationState.PROPOSED for item in anonymisations):
        raise ValidationError(_("This anonymisation is not waiting for confirmation."))
    kinds = {item.participant_id: file_kind(item.participant) for item in anonymisations}
    if not archive_reference and any(
        RetentionRule.for_kind(kind).archive_consent_required for kind in set(kinds.values())
    ):
        raise ValidationError(
            {
                "archive_reference": _(
                    "The records rules require the archive's consent: give its reference."
                )
            }
        )
    with transaction.atomic():
        ids = [item.participant_id for item in anonymisations]
        locked = {
            person.pk: person
            for person in Participant.objects.select_for_update().filter(pk__in=ids).order_by("pk")
        }
        if any(person.anonymised_on is not None for person in locked.values()):
            raise ValidationError(_("This file is already anonymised."))
        fresh = Anonymisation.objects.select_for_update().filter(
            pk__in=[item.pk for item in anonymisations], state=AnonymisationState.PROPOSED
        )
        if fresh.count() != len(anonymisations):
            raise ValidationError(_("This anonymisation is not waiting for confirmation."))
        keep = kanon.decide(ids)
        # Taken before the walk overwrites them: done once for the whole batch below.
        names: dict[str, str] = {}
        markers: list[str] = []
        for person in locked.values():
            names.update(full_names(person))
            markers += identifiers(person)
        record = _new_record(archive_reference=archive_reference, by=by)
        entries = []
        for item in sorted(anonymisations, key=lambda item: item.participant_id):
            summary = anonymise(
                locked[item.participant_id], keep=keep[item.participant_id], alone=False
            )
            keys = summary.pop("keys")
            kept = sorted(keep[item.participant_id])
            Anonymisation.objects.filter(pk=item.pk).update(
                state=AnonymisationState.DONE,
                archive_reference=archive_reference,
                confirmed_by=by,
                confirmed_at=timezone.now(),
                summary=summary,
                details_kept=kept,
                destruction=record,
            )
            item.refresh_from_db()
            try:
                journal.write(item, keys)  # next to the backups
            except OSError as error:  # no anonymisation without its line: all is rolled back
                raise ValidationError(
                    _("The journal of anonymisations cannot be written: nothing was anonymised.")
                ) from error
            entries.append(
                {
                    "case_number": item.case_number,
                    "ground": item.ground,
                    "kind": kinds[item.participant_id],
                    "proposed_on": timezone.localtime(item.proposed_at).date().isoformat(),
                    "records": summary["records"],
                    "files": summary["files"],
                    "details_kept": kept,
                }
            )
            LogEntry.objects.log_create(
                item,
                force_log=True,
                action=LogEntry.Action.UPDATE,
                actor=by,
                changes={"state": ["proposed", "done"]},
                additional_data={"participant_id": item.participant_id, "anonymised": True},
            )
        mentioned = replace_mentions(names)
        _remove_drafts_and_sessions(markers)
        for entry in entries:
            entry["mentions"] = mentioned[f"[{entry['case_number']}]"]
        DestructionRecord.objects.filter(pk=record.pk).update(entries=entries)
        record.entries = entries
    return record


def _new_record(*, archive_reference: str, by) -> DestructionRecord:
    """The next destruction record of the year (inside the confirming transaction)."""
    year = timezone.localdate().year
    last = (
        DestructionRecord.objects.select_for_update()
        .filter(year=year)
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
    )
    try:
        with transaction.atomic():
            record = DestructionRecord.objects.create(
                year=year,
                sequence=(last or 0) + 1,
                archive_reference=archive_reference,
                drawn_up_by=by,
            )
    except IntegrityError as error:  # someone confirmed at the same moment
        raise ValidationError(
            _("Another destruction record was drawn up at the same moment: try again.")
        ) from error
    documents.document_created(document=record, by=by)
    return record


def record_context(record: DestructionRecord, sections=None) -> dict:
    """What the destruction record prints: each file by its case number, what was destroyed."""
    from django.apps import apps

    grounds = dict(Ground.choices)
    kinds = dict(RecordKind.choices)
    rules = {kind: RetentionRule.for_kind(kind) for kind in RecordKind}
    details = {"risk_groups": _("detailed risk groups"), "municipality": _("municipality")}
    files = []
    for entry in record.entries:
        entry = {"mentions": 0, **entry}
        rows = []
        for label, count in (entry.get("records") or {}).items():
            try:
                name = apps.get_model(label)._meta.verbose_name_plural
            except LookupError:
                name = label
            rows.append((str(name), count))
        rule = rules.get(entry.get("kind"))
        files.append(
            {
                "case_number": entry["case_number"],
                "ground": grounds.get(entry.get("ground"), entry.get("ground")),
                "kind": kinds.get(entry.get("kind"), entry.get("kind")),
                "rule": rule,
                "rows": sorted(rows),
                "files": entry.get("files", 0),
                "mentions": entry["mentions"],
                "details_kept": [str(details[key]) for key in entry.get("details_kept", [])],
            }
        )
    return {
        "title": _("Destruction record no. %(number)s") % {"number": record.number},
        "record": record,
        "files": files,
        "drawn_up_by": _person(record.drawn_up_by),
        "k": kanon.K,
    }


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


# --- The walk ---------------------------------------------------------------------------------


# What the k-anonymity rule (``retention.kanon``) lets a person keep: the rules it replaces.
KEPT_DETAILS: dict[str, dict[str, dict[str, object]]] = {
    kanon.MUNICIPALITY: {"participants.Participant": {"city": lambda row, n: row.city.strip()}},
    kanon.GROUPS: {
        "participants.ParticipantRiskGroup": {
            "group": lambda row, n: row.group if row.ended_on is None else ""
        }
    },
}


def anonymise(participant, keep: frozenset[str] = frozenset(), *, alone: bool = True) -> dict:
    """Overwrite every identifying trace of ``participant`` (see the module's text), keeping the
    details in ``keep`` (decided by ``retention.kanon``); returns the kinds of records and
    their counts (no personal data). Call inside a transaction. ``alone``: also replace the
    person's name in other records and remove drafts and sessions holding their identifiers
    (a batch does both once for all its people, ``confirm_together``)."""
    markers = identifiers(participant)
    names = full_names(participant)
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
            rules = dict(FIELD_RULES.get(model._meta.label, {}))
            for detail in keep:
                rules.update(KEPT_DETAILS[detail].get(model._meta.label, {}))
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
        if alone:
            mentions = replace_mentions(names)[f"[{number}]"]
            _remove_drafts_and_sessions(markers)
    participant.refresh_from_db()
    keys = {model._meta.label: pks for model, pks in touched.items()}
    summary = {"records": dict(sorted(counts.items())), "files": len(files), "keys": keys}
    if alone:
        summary["mentions"] = mentions
    return summary


def full_names(participant) -> dict[str, str]:
    """The person's full name, in either order, and what replaces it in other records."""
    first, last = participant.first_name.strip(), participant.last_name.strip()
    names = {f"{first} {last}", f"{last} {first}"} if first and last else set()
    marker = f"[{case_number(participant)}]"
    return {name: marker for name in names if len(name) >= 5}


def replace_mentions(names: dict[str, str]) -> Counter:
    """People named in free texts elsewhere (another participant's note, a group session's
    notes, a meeting's minutes, the audit's text): each full name in ``names`` is replaced by
    its case number in square brackets. One pass over each free-text column for the whole
    batch; returns the rows changed per marker. The stored PDFs and scans of other people's
    documents are not altered (they are those people's signed originals)."""
    from django.apps import apps

    changed: Counter = Counter()
    if not names:
        return changed
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if field.get_internal_type() != "TextField" or field.choices:
                continue
            found = Q()
            for name in names:
                found |= Q(**{f"{field.name}__contains": name})
            rows = model._base_manager.filter(found).values_list("pk", field.attname)
            for pk, text in rows:
                new, markers = text, set()
                for name, marker in names.items():
                    if name in new:
                        new, markers = new.replace(name, marker), markers | {marker}
                if new != text:
                    model._base_manager.filter(pk=pk).update(**{field.attname: new})
                    changed.update(markers)
    return changed


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
        kept = {key: data[key] for key in ("participant_id", "access", "roles") if key in data}
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

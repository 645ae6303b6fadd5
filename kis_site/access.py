"""The access vocabulary and the policy interface.

``kis_site`` says *what* can be asked (actions, sections, which models hold participant data and
how to reach the participant from them); ``participants.access`` answers (it is the lowest app that
knows a participant) and registers its policy at start-up. Views, PDFs, exports and the admin ask
``policy()``; none decides on its own.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured

from kis_site.audit import register_audited
from kis_site.vocabulary import Role, Section

if TYPE_CHECKING:
    from django.db.models import Model, Q, QuerySet


class Action(enum.StrEnum):
    VIEW = "view"  # open a participant's file and records (sensitive parts per section)
    VIEW_BASIC = "view_basic"  # name, cohort and attendance only (trainers, for their rosters)
    CREATE = "create"  # record a new person or application
    EDIT = "edit"  # change personal data, family, applications; edit a record
    ENROL = "enrol"  # qualify, enrol, run cohorts
    CHANGE_STATUS = "change_status"  # suspend, resume, close an enrolment; record follow-ups
    ADD_NOTE = "add_note"
    SIGN = "sign"
    ATTENDANCE = "attendance"
    VIEW_AUDIT = "view_audit"
    EXPORT = "export"
    RECRUIT = "recruit"  # see the waiting list and record applications
    NETWORK = "network"  # run the local network: agreements, meetings, their tasks
    ASSIGN_CASE_MANAGER = "assign_case_manager"  # give a person their case manager (the manager)
    RESTRICT = "restrict"  # restrict processing of a file and lift it (GDPR art. 18)
    # Prepare a person's copy of their data (GDPR art. 15) and review what it withholds; the
    # copy is released (downloaded for handing over) with EXPORT.
    PREPARE_COPY = "prepare_copy"
    # Anonymise a file at the end of its retention (retention.anonymise): proposed by the case
    # manager or the manager, confirmed by the manager alone.
    PROPOSE_ANONYMISATION = "propose_anonymisation"
    ANONYMISE = "anonymise"
    # The keeping of a signed document (its keepers: participants.access.DOCUMENT_KEEPERS).
    REVISE = "revise"  # open a new version of a signed document
    RECORD_PAPER = "record_paper"  # record signatures given by hand on the printed document
    UPLOAD_SCAN = "upload_scan"  # keep the scan of the signed original


# Actions on a document that belong to its keepers (who draw it up and answer for it).
KEEPING = frozenset({Action.REVISE, Action.RECORD_PAPER, Action.UPLOAD_SCAN})

# What remains possible on a file whose processing is restricted (GDPR art. 18): reading it,
# giving the person their data (art. 15), and lifting the restriction.
WHILE_RESTRICTED = frozenset(
    {
        Action.VIEW,
        Action.VIEW_BASIC,
        Action.VIEW_AUDIT,
        Action.EXPORT,
        Action.PREPARE_COPY,
        Action.RESTRICT,
        Action.PROPOSE_ANONYMISATION,
        Action.ANONYMISE,
    }
)

# What remains possible on an anonymised file (retention.anonymise): reading what is left.
WHILE_ANONYMISED = frozenset({Action.VIEW, Action.VIEW_BASIC, Action.VIEW_AUDIT})


class AccessPolicy(Protocol):
    def roles(self, user) -> frozenset[Role]: ...

    def can(self, user, action: Action, obj: Model | None = None) -> bool: ...

    def sections_for(self, user, participant) -> frozenset[Section]: ...

    def participants_visible_to(self, user) -> QuerySet: ...

    def section_scope(self, user, section: Section) -> Q | None:
        """Participants for whom ``user`` sees ``section``: a Q on Participant, or None."""
        ...

    def responsible_for(self, user, obj) -> bool:
        """Is ``obj`` on ``user``'s own to-do lists (the manager: everything; a case manager:
        the records of the people they manage)?"""
        ...

    def may_record_paper(self, user, document, slot) -> bool:
        """May ``user`` record that ``slot`` signed ``document`` by hand?"""
        ...

    def sees_whole(self, user, document) -> bool:
        """Does ``user`` see every section ``document`` holds (its original PDF, its scan)?"""
        ...

    def section_readers(self, section: Section) -> list[str]:
        """Who sees ``section``, in words ("psychologist, the person's case manager, …")."""
        ...

    def reaches_sensitive_sections(self, role: Role) -> bool:
        """Does ``role`` see any sensitive section, in every file or in the files of the people
        it manages? (Such roles must log in with a second factor by default.)"""
        ...

    def follows_cases(self, user) -> bool:
        """Does ``user`` keep the case to-do lists (reports due, unsigned plans and diagnoses,
        exits to assess): the manager and the case managers."""
        ...

    def runs_club(self, user) -> bool:
        """Does ``user`` run the club (the manager): the whole club's follow-up, the network's
        agreements, the certificates to sign, the club's figures?"""
        ...

    def works_from_rosters(self, user) -> bool:
        """Does ``user`` see people only through the rosters of the sessions they lead (the
        trainer): their start page is their sessions."""
        ...

    def caseload(self, user) -> int | None:
        """The staff id whose people are ``user``'s own follow-up (a case manager's), or None
        when the user's lists cover everyone they see (the manager, the specialists)."""
        ...

    def may_start(self, user, model: type[Model], participant) -> bool:
        """May ``user`` open a new record of ``model`` (a diagnosis, a plan, a change report)
        for ``participant``: the question pages ask before offering "start", answered by the
        same rules as editing one (writers, signers, the sections a new one holds)."""
        ...

    def responsible_q(self, user, path: str) -> Q | None:
        """The same as a filter on records whose participant is reached by ``path`` (Q() for
        everything, None for nothing)."""
        ...

    def gate(self, user, obj, action: Action) -> None:
        """Raise Http404 when ``obj`` is outside the user's scope (or hidden by its section),
        PermissionDenied when the action is forbidden; return quietly when allowed."""
        ...


_policy: AccessPolicy | None = None


def register_policy(new_policy: AccessPolicy) -> None:
    global _policy
    _policy = new_policy


def policy() -> AccessPolicy:
    if _policy is None:
        raise ImproperlyConfigured("No access policy is registered (participants app missing?).")
    return _policy


# --- Which models hold participant data -------------------------------------------------------


@dataclass(frozen=True)
class ParticipantData:
    """How a model reaches its participant, and which of its fields are sensitive."""

    model: type[Model]
    path: str  # lookup path to the participant ("" for Participant itself)
    sections: Mapping[str, Section] = field(default_factory=dict)  # field -> section
    section_field: str | None = None  # a field whose value makes the whole record sensitive
    masked: tuple[str, ...] = ()  # fields masked in the audit log besides the sensitive ones
    section: Section | None = None  # the whole record belongs to this section
    # Roles that may EDIT it instead of the general rule: a set, or a function of the record
    # (a plan's goal: the roles of its sphere).
    writers: frozenset | Callable[[Model], frozenset] | None = None

    def participant_id(self, instance) -> int | None:
        if not self.path:
            return instance.pk
        *through, last = self.path.split("__")
        obj = instance
        for name in through:
            obj = getattr(obj, name)
            if obj is None:
                return None
        return getattr(obj, f"{last}_id")

    def participant(self, instance):
        """The participant object (walks cached relations; select_related them in lists)."""
        obj = instance
        for name in self.path.split("__") if self.path else []:
            obj = getattr(obj, name)
            if obj is None:
                return None
        return obj

    def writers_of(self, instance) -> frozenset | None:
        if callable(self.writers):
            return frozenset(self.writers(instance))
        return self.writers

    def record_section(self, instance) -> Section | None:
        if self.section is not None:
            return self.section
        if not self.section_field:
            return None
        value = getattr(instance, self.section_field)
        return Section(value) if value else None

    def fields_in(self, sections: frozenset[Section]) -> set[str]:
        """Names of the fields of this model that ``sections`` allow to be seen."""
        return {name for name, section in self.sections.items() if section in sections}


_participant_data: dict[type, ParticipantData] = {}


def register_participant_data(
    model,
    *,
    path: str,
    sections: Mapping[str, Section] | None = None,
    section_field: str | None = None,
    masked: tuple[str, ...] = (),
    audit_exclude: tuple[str, ...] = (),
    section: Section | None = None,
    writers=None,
) -> ParticipantData:
    """Declare that ``model`` holds participant data; also registers it with the audit log.

    Sensitive fields and ``masked`` fields are masked whole in audit diffs.
    """
    sections = dict(sections or {})
    for name in [*sections, *masked, *([section_field] if section_field else [])]:
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist as error:
            raise ImproperlyConfigured(f"{model.__name__} has no field {name!r}") from error
    entry = ParticipantData(
        model=model,
        path=path,
        sections=sections,
        section_field=section_field,
        masked=masked,
        section=section,
        writers=writers if writers is None or callable(writers) else frozenset(writers),
    )
    _participant_data[model] = entry
    masked_fields = [*sections, *masked]
    if section_field:
        # A record whose section is sensitive has all its free text masked.
        masked_fields += [
            f.name for f in model._meta.concrete_fields if f.get_internal_type() == "TextField"
        ]
    if section:
        # A record that is sensitive as a whole has every answer masked (lists, short texts).
        masked_fields += [
            f.name
            for f in model._meta.concrete_fields
            if f.get_internal_type() in ("TextField", "CharField", "JSONField")
        ]
    register_audited(model, mask=masked_fields, exclude=audit_exclude)
    return entry


def participant_data_registry() -> dict[type, ParticipantData]:
    return dict(_participant_data)


def participant_data_for(model) -> ParticipantData | None:
    return _participant_data.get(model if isinstance(model, type) else type(model))


# --- Who read what: access events in the audit log ----------------------------------------------


class AccessKind:
    VIEW = "view"
    PDF = "pdf"
    EXPORT = "export"
    AUDIT = "audit"


def log_access(*, user, instance, kind: str = AccessKind.VIEW, what: str = "") -> LogEntry:
    """Record that ``user`` read ``instance`` (a participant's file, a PDF, an export)."""
    data = {"access": kind}
    if what:
        data["what"] = what
    registration = participant_data_for(instance)
    if registration is not None:
        data["participant_id"] = registration.participant_id(instance)
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        actor=user if getattr(user, "is_authenticated", False) else None,
        changes=None,
        additional_data=data,
    )

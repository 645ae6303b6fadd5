"""Who may see and do what with participants' files: the one table of rules, and the gates.

``kis_site.access`` defines the vocabulary and the interface; this module implements it and is
registered at start-up (``ParticipantsConfig.ready``). Every page, PDF, export and admin screen asks
``policy()`` or the gates below.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils.translation import gettext as _

from kis_site import hooks
from kis_site.access import (
    KEEPING,
    WHILE_ANONYMISED,
    WHILE_RESTRICTED,
    Action,
    participant_data_for,
    policy,
)
from kis_site.documents import is_required_signer, matches_slot, sections_of
from kis_site.registries import document_kind_for
from kis_site.roles import user_roles, user_staff_id
from kis_site.vocabulary import ALL_SECTIONS, Role, Section, Sphere

ALL, ROSTER, NONE = "all", "roster", "none"

_FILE_WORK = frozenset({Action.VIEW, Action.ADD_NOTE, Action.SIGN, Action.ATTENDANCE})


# Whose cases a role follows on its to-do lists: the whole club's, or the people it manages.
CLUB, OWN = "club", "own"


@dataclass(frozen=True)
class RoleRule:
    scope: str  # which files: ALL, ROSTER (people on the rosters of their sessions) or NONE
    sections: frozenset[Section]  # sensitive sections seen in every file in scope
    own_sections: frozenset[Section]  # ... and in the files of the people they manage
    actions: frozenset[Action]
    follows: str = ""  # CLUB, OWN or "": whose cases are on the role's to-do lists


# The default table, in one place (issue: "Foundation", roles and access).
RULES: dict[Role, RoleRule] = {
    Role.MANAGER: RoleRule(ALL, ALL_SECTIONS, frozenset(), frozenset(Action), follows=CLUB),
    Role.CASE_MANAGER: RoleRule(
        ALL,
        frozenset(),
        ALL_SECTIONS,
        _FILE_WORK
        | {
            Action.CREATE,
            Action.EDIT,
            Action.ENROL,
            Action.CHANGE_STATUS,
            Action.RECRUIT,
            Action.NETWORK,
            Action.PREPARE_COPY,
            Action.PROPOSE_ANONYMISATION,
        },
        follows=OWN,
    ),
    Role.SOCIAL_WORKER: RoleRule(
        ALL,
        frozenset({Section.LEGAL, Section.RISK_GROUPS}),
        frozenset(),
        _FILE_WORK | {Action.CREATE, Action.EDIT, Action.RECRUIT},
    ),
    Role.PSYCHOLOGIST: RoleRule(
        ALL,
        frozenset({Section.HEALTH, Section.PSYCHOLOGICAL, Section.RISK_GROUPS}),
        frozenset(),
        _FILE_WORK,
    ),
    Role.THERAPIST: RoleRule(
        ALL, frozenset({Section.HEALTH, Section.PSYCHOLOGICAL}), frozenset(), _FILE_WORK
    ),
    Role.CAREER_ADVISOR: RoleRule(ALL, frozenset(), frozenset(), _FILE_WORK),
    Role.PEDAGOGUE: RoleRule(ALL, frozenset(), frozenset(), _FILE_WORK),
    Role.LAWYER: RoleRule(
        ALL, frozenset({Section.LEGAL}), frozenset(), frozenset({Action.VIEW, Action.ADD_NOTE})
    ),
    Role.TRAINER: RoleRule(
        ROSTER, frozenset(), frozenset(), frozenset({Action.VIEW_BASIC, Action.ATTENDANCE})
    ),
    Role.ADMINISTRATOR: RoleRule(NONE, frozenset(), frozenset(), frozenset()),
}

_CHIEF = frozenset({Role.MANAGER, Role.CASE_MANAGER})

# Who writes each sphere of the individual action plan and of the change report: the case
# managers and the manager, and the sphere's specialists (each sensitive sphere only where they
# also see its section). The pedagogue, the lawyer and the trainer write in no sphere.
SPHERE_WRITERS: dict[str, frozenset[Role]] = {
    Sphere.SOCIO_LIVING: _CHIEF | {Role.SOCIAL_WORKER},
    Sphere.HEALTH: _CHIEF | {Role.PSYCHOLOGIST, Role.THERAPIST},
    Sphere.SOCIAL: _CHIEF | {Role.SOCIAL_WORKER},
    Sphere.PSYCHOLOGICAL: _CHIEF | {Role.PSYCHOLOGIST, Role.THERAPIST},
    Sphere.VOCATIONAL: _CHIEF | {Role.CAREER_ADVISOR},
}


def sphere_writers(sphere) -> frozenset[Role]:
    return SPHERE_WRITERS.get(sphere, _CHIEF)


# The keepers of each kind of signed document: they open its new versions, record the
# signatures given by hand of those who have no login (the participant, a family member, the
# OPS worker) and keep the scan of the signed original — and they must see the whole document.
# A staff member may also record their own signature given by hand.
DOCUMENT_KEEPERS: dict[str, frozenset[Role]] = {
    "contract": _CHIEF | {Role.SOCIAL_WORKER},
    "referral": _CHIEF | {Role.SOCIAL_WORKER},
    "certificate": _CHIEF,
    "diagnosis": _CHIEF,
    "ipd": _CHIEF,
    "change_report": _CHIEF,
    "referrer_letter": _CHIEF,
    "agreement": _CHIEF,
    "destruction_record": frozenset({Role.MANAGER}),
}

# Actions that need the whole file, not only the basics a trainer sees.
_FULL_FILE_ACTIONS = frozenset(Action) - {Action.VIEW_BASIC, Action.ATTENDANCE}


staff_id = user_staff_id


class ParticipantPolicy:
    """The implementation of ``kis_site.access.AccessPolicy``."""

    def roles(self, user) -> frozenset[Role]:
        return user_roles(user)

    def _rules(self, user) -> list[RoleRule]:
        return [RULES[role] for role in user_roles(user)]

    def _scope(self, user) -> str:
        scopes = {rule.scope for rule in self._rules(user)}
        return ALL if ALL in scopes else ROSTER if ROSTER in scopes else NONE

    # --- files in scope ---

    def participants_visible_to(self, user):
        """The files ``user`` works with: those in their scope, less the restricted ones
        (GDPR art. 18: out of every list, to-do, roster and statement)."""
        from participants.restriction import in_processing

        return self.participants_reachable_by(user).filter(in_processing(""))

    def participants_reachable_by(self, user):
        """The files in ``user``'s scope, restricted ones too: a restricted file still opens
        by its address, read-only (``participants.restriction``)."""
        from participants.models import Participant

        scope = self._scope(user)
        if scope == ALL:
            return Participant.objects.all()
        if scope == ROSTER:
            return Participant.objects.filter(pk__in=_roster_ids(user))
        return Participant.objects.none()

    def in_scope(self, user, participant) -> bool:
        scope = self._scope(user)
        if scope == ALL:
            return True
        if scope == ROSTER:
            return _roster_ids(user).filter(pk=participant.pk).exists()
        return False

    # --- sections ---

    def sections_for(self, user, participant) -> frozenset[Section]:
        seen: set[Section] = set()
        for rule in self._rules(user):
            seen |= rule.sections
            if rule.own_sections and _manages(user, participant):
                seen |= rule.own_sections
        return frozenset(seen)

    def section_scope(self, user, section: Section) -> Q | None:
        rules = self._rules(user)
        if any(section in rule.sections for rule in rules):
            return Q()
        if any(section in rule.own_sections for rule in rules):
            return Q(case_manager_id=staff_id(user))
        return None

    def creation_sections(self, user) -> frozenset[Section]:
        """What a person may record when opening a new file (they tell us what they know)."""
        seen: set[Section] = set()
        for rule in self._rules(user):
            seen |= rule.sections | rule.own_sections
        return frozenset(seen)

    # --- actions ---

    def can(self, user, action: Action, obj=None) -> bool:
        if action not in WHILE_RESTRICTED and obj is not None and _restricted(obj):
            return False
        if action not in WHILE_ANONYMISED and obj is not None and _anonymised(obj):
            return False
        kind = document_kind_for(obj) if obj is not None else None
        if action in KEEPING:
            return self._keeps(user, obj, kind) or (
                action == Action.RECORD_PAPER and kind is not None and is_required_signer(user, obj)
            )
        if self._can(user, action, obj, kind, signer=False):
            return True
        if kind is None or not is_required_signer(user, obj):
            return False
        # A required signer may always open the whole document they sign, and sign it.
        return action == Action.VIEW or self._can(user, action, obj, kind, signer=True)

    def _keeps(self, user, document, kind) -> bool:
        """Is ``user`` a keeper of ``document``, seeing the whole of it?"""
        if kind is None:
            return False
        if not (user_roles(user) & DOCUMENT_KEEPERS.get(kind.key, frozenset())):
            return False
        return self._can(user, Action.VIEW, document, kind, signer=False)

    def sees_whole(self, user, document) -> bool:
        return self._can(user, Action.VIEW, document, document_kind_for(document), signer=False)

    def section_readers(self, section: Section) -> list[str]:
        def name(role):
            label = str(role.label)
            return label[:1].lower() + label[1:]  # "kierownik KIS" within a sentence

        readers = []
        for role, rule in RULES.items():
            if section in rule.sections:
                readers.append(name(role))
            elif section in rule.own_sections:
                readers.append(_("the person's %(role)s") % {"role": name(role)})
        return readers

    def reaches_sensitive_sections(self, role: Role) -> bool:
        rule = RULES.get(role)
        return rule is not None and bool(rule.sections | rule.own_sections)

    def may_record_paper(self, user, document, slot) -> bool:
        """May ``user`` record that ``slot`` signed ``document`` by hand: its keepers anyone's,
        a staff member their own signature."""
        if _restricted(document):
            return False
        kind = document_kind_for(document)
        return self._keeps(user, document, kind) or matches_slot(user, document, slot)

    def _can(self, user, action: Action, obj, kind, *, signer: bool) -> bool:
        rules = self._rules(user)
        registration = participant_data_for(obj) if obj is not None else None
        writers = registration.writers_of(obj) if registration is not None else None
        if action == Action.EDIT and writers is not None:
            # Records with named writers (a diagnosis sphere: its specialists) are edited by them.
            if not (user_roles(user) & writers):
                return False
        elif not any(action in rule.actions for rule in rules):
            return False
        if obj is None:
            return True
        if registration is None:
            if _is_retention_record(obj):
                # The destruction records are the manager's, as is every anonymisation.
                return any(Action.ANONYMISE in rule.actions for rule in rules)
            # Not participant data (a cohort, an institution): the network's own records
            # (agreements, meetings) are changed and signed by those who run the network.
            if action in (Action.EDIT, Action.SIGN) and _is_network_record(obj):
                return any(Action.NETWORK in rule.actions for rule in rules)
            return True
        participant = registration.participant(obj)
        if participant is None:
            return True
        if action in _FULL_FILE_ACTIONS and self._scope(user) != ALL:
            return False
        if not self.in_scope(user, participant):
            return False
        sections = self.sections_for(user, participant)
        section = registration.record_section(obj)
        if section is not None and section not in sections:
            return False
        if kind is not None and not signer and not sections_of(obj) <= sections:
            # A document with sensitive sections opens whole or not at all: no partial copies.
            return False
        return self._record_rule(user, action, obj)

    def _follows(self, user) -> set[str]:
        return {rule.follows for rule in self._rules(user)}

    def follows_cases(self, user) -> bool:
        return bool(self._follows(user) & {CLUB, OWN})

    def runs_club(self, user) -> bool:
        return CLUB in self._follows(user)

    def works_from_rosters(self, user) -> bool:
        return self._scope(user) == ROSTER

    def caseload(self, user) -> int | None:
        follows = self._follows(user)
        return staff_id(user) if OWN in follows and CLUB not in follows else None

    def may_start(self, user, model, participant) -> bool:
        # The rules are asked about the record as it would be opened: its kind's writers, its
        # signers (a required signer may open what they sign) and the sections a new one holds.
        return self.can(user, Action.EDIT, model(participant=participant))

    def responsible_q(self, user, path: str) -> Q | None:
        if self.runs_club(user):
            return Q()
        mine = staff_id(user)
        if mine is None:
            return None
        return Q(**{f"{path}__case_manager_id" if path else "case_manager_id": mine})

    def responsible_for(self, user, obj) -> bool:
        if self.runs_club(user):
            return True
        registration = participant_data_for(obj)
        participant = registration.participant(obj) if registration else None
        return participant is not None and _manages(user, participant)

    def gate(self, user, obj, action: Action) -> None:
        registration = participant_data_for(obj)
        participant = registration.participant(obj) if registration else None
        signer = document_kind_for(obj) is not None and is_required_signer(user, obj)
        if participant is not None and not signer and not self.in_scope(user, participant):
            raise Http404
        if self.can(user, action, obj):
            return
        section = registration.record_section(obj) if registration else None
        if section is not None and section not in self.sections_for(user, participant):
            raise Http404
        raise PermissionDenied

    def _record_rule(self, user, action: Action, obj) -> bool:
        from participants.models import CaseNote

        if isinstance(obj, CaseNote) and action == Action.EDIT:
            # A note is edited by its author; the manager may correct any.
            return self.runs_club(user) or obj.author_id == staff_id(user)
        if action == Action.PROPOSE_ANONYMISATION:
            from retention.models import Anonymisation

            if isinstance(obj, Anonymisation):
                # A proposal is withdrawn by its author, or by who confirms anonymisations.
                return obj.proposed_by_id == user.pk or any(
                    Action.ANONYMISE in rule.actions for rule in self._rules(user)
                )
            # A case manager proposes for the people they manage; the manager for anyone.
            return self.responsible_for(user, obj)
        if action in (Action.PREPARE_COPY, Action.EXPORT):
            # The copy of a person's data holds every section: it is prepared (and released,
            # EXPORT) by those who see the whole file (the manager; a case manager prepares it
            # for the people they manage).
            participant = participant_data_for(obj).participant(obj)
            return self.sections_for(user, participant) == ALL_SECTIONS
        return True


def _restricted(obj) -> bool:
    """Is ``obj`` a record of a person whose processing is restricted (GDPR art. 18)?"""
    registration = participant_data_for(obj)
    participant = registration.participant(obj) if registration is not None else None
    return participant is not None and participant.restricted_on is not None


def _anonymised(obj) -> bool:
    """Is ``obj`` a record of an anonymised person (retention.anonymise)? Read-only for good."""
    registration = participant_data_for(obj)
    participant = registration.participant(obj) if registration is not None else None
    return participant is not None and getattr(participant, "anonymised_on", None) is not None


def _is_network_record(obj) -> bool:
    from partners.models import Agreement, Meeting, MeetingTask

    return isinstance(obj, (Agreement, Meeting, MeetingTask))


def _is_retention_record(obj) -> bool:
    from retention.models import DestructionRecord

    return isinstance(obj, DestructionRecord)


def _manages(user, participant) -> bool:
    manager_id = getattr(participant, "case_manager_id", None)
    return manager_id is not None and manager_id == staff_id(user)


def _roster_ids(user):
    from participants.models import Participant

    rostered = hooks.rostered_participant_ids(user)
    if rostered is None:
        return Participant.objects.none()
    return Participant.objects.filter(pk__in=rostered)


# --- Gates ----------------------------------------------------------------------------------


def participants_visible_to(user):
    """The files ``user`` works with (lists, to-dos, rosters): restricted ones left out."""
    return policy().participants_visible_to(user)


def participants_reachable_by(user):
    """The files ``user`` may open by their address, restricted ones too (read-only)."""
    return policy().participants_reachable_by(user)


def records_of(participants, path: str = "participant") -> Q:
    """The filter "the records whose participant (at ``path``) is one of ``participants``" (a
    queryset of participants, or a list), the same rows as ``{path}__in=participants``.

    SQLite answers ``IN (SELECT id FROM participants ...)`` by looking up the records of each
    person of the list in turn, some 10 ms a to-do tile over the club's 50,000 files. So the
    whole table (the files of a role that sees everyone) narrows nothing but the records without
    a participant; a part of it (the people a case manager manages) is an EXISTS, checked for
    the records the other conditions leave."""
    from django.db.models import QuerySet

    from participants.models import Participant
    from participants.restriction import in_processing

    plain = (
        isinstance(participants, QuerySet)
        and participants.model is Participant
        and not participants.query.is_sliced
        and not participants.query.combinator
    )
    if not plain:
        return Q(**{f"{path}__in": participants})
    if not participants.query.where:
        return Q(**{f"{path}__isnull": False})
    in_processing_only = Participant.objects.filter(in_processing(""))
    if participants.query.where == in_processing_only.query.where:
        # Every file but the few restricted or anonymised ones (the manager's lists): those few
        # listed once and left out, rather than each record joined to its person.
        out = Participant.objects.exclude(in_processing("")).values("pk")
        return Q(**{f"{path}__isnull": False}) & ~Q(**{f"{path}__in": out})
    return Q(Exists(participants.filter(pk=OuterRef(path))))


def managed_participants(user):
    """Whose follow-up is the user's: the manager's the whole club in scope, anyone else's the
    people whose case manager they are (to-do lists of cases, unsigned documents)."""
    visible = participants_visible_to(user)
    if policy().runs_club(user):
        return visible
    return visible.filter(case_manager_id=staff_id(user))


def get_participant_for_user(user, pk, action: Action = Action.VIEW, *, prepare=None):
    """The participant, or 404 outside the user's scope, or 403 for a forbidden action.

    ``prepare`` may add select_related/prefetch_related to the query (the file page does).
    """
    visible = participants_reachable_by(user).select_related("case_manager")
    if prepare is not None:
        visible = prepare(visible)
    try:
        participant = visible.get(pk=pk)
    except (ValueError, TypeError, visible.model.DoesNotExist) as error:
        raise Http404 from error
    if not policy().can(user, action, participant):
        raise PermissionDenied
    return participant


def get_record_for_user(user, queryset, pk, action: Action = Action.VIEW):
    """A participant-data record (note, enrolment...) through its participant's gates."""
    registration = participant_data_for(queryset.model)
    path = registration.path
    visible = participants_reachable_by(user)
    lookup = {f"{path}__in": visible} if path else {"pk__in": visible}
    obj = queryset.filter(**lookup).filter(pk=pk).first()
    if obj is None:
        raise Http404
    participant = registration.participant(obj)
    if not policy().can(user, Action.VIEW, participant) or not policy().can(user, action, obj):
        # A record hidden by its section answers like one that does not exist.
        section = registration.record_section(obj)
        if section is not None and section not in policy().sections_for(user, participant):
            raise Http404
        raise PermissionDenied
    return obj


def institution_hidden(user, participant, institution) -> bool:
    """Does naming ``institution`` beside ``participant`` tell ``user`` a risk group they may not
    see (the probation service, a prison, addiction treatment, psychiatric care)?"""
    return (
        institution is not None
        and institution.reveals_risk_group
        and Section.RISK_GROUPS not in policy().sections_for(user, participant)
    )


def referrer_hidden(user, application) -> bool:
    """Is who referred the person, and why, hidden from ``user``? (Application.referrer_section)"""
    return institution_hidden(user, application.participant, application.institution)

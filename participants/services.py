"""Every write about a participant that is more than one save().

Keyword-only functions named ``<entity>_<action>``; each validates, runs in one transaction and
leaves its trace in the audit log (django-auditlog records the saves; the actor comes from the
request). Status changes happen only here, with a date and a reason.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kis_site import hooks
from kis_site.access import Action, policy
from kis_site.documents import document_changed, document_created, ensure_editable
from kis_site.locking import save_versioned
from kis_site.models import KisSettings
from kis_site.roles import user_roles, user_staff_id
from kis_site.vocabulary import RiskGroup, Role
from participants.models import (
    FOLLOW_UP_MONTHS,
    STANDARD_MAX_MONTHS,
    Application,
    BasisKind,
    CaseNote,
    Certificate,
    ContractEvaluation,
    ContractOrigin,
    DataCategory,
    Decision,
    Enrolment,
    EnrolmentStatus,
    EnrolmentStatusChange,
    ExitOutcome,
    FollowUp,
    LegalBasis,
    OutgoingReferral,
    Participant,
    ParticipantRiskGroup,
    ReferralStatus,
    SocialContract,
)

# --- Participants ---------------------------------------------------------------------------


CASE_MANAGER_ASSIGNED_BY_MANAGER = gettext_lazy(
    "Only the KIS manager assigns or changes a person's case manager."
)


def participant_create(*, participant: Participant, risk_groups=None, by) -> Participant:
    """Open a file. A case manager who registers the person becomes their case manager; only
    the manager names someone else."""
    with transaction.atomic():
        participant.created_by = by
        registering = user_staff_id(by)
        if participant.case_manager_id is None:
            if Role.CASE_MANAGER in user_roles(by) and registering is not None:
                participant.case_manager_id = registering
        elif participant.case_manager_id != registering and not policy().can(
            by, Action.ASSIGN_CASE_MANAGER
        ):
            raise ValidationError({"case_manager": CASE_MANAGER_ASSIGNED_BY_MANAGER})
        participant.full_clean()
        try:
            with transaction.atomic():
                participant.save()
        except IntegrityError as error:
            raise ValidationError(
                {"pesel": _("A participant with this PESEL already exists.")}
            ) from error
        if risk_groups is not None:
            participant_set_risk_groups(participant=participant, groups=risk_groups)
    return participant


def participant_update(
    *, participant: Participant, expected_version: int | None, risk_groups=None, by
) -> Participant:
    """Save the edited file; ``risk_groups`` None leaves them as they are (hidden from the user).
    A changed case manager is refused unless ``by`` may assign one (the manager)."""
    with transaction.atomic():
        stored = (
            Participant.objects.filter(pk=participant.pk)
            .values_list("case_manager_id", flat=True)
            .first()
        )
        if stored != participant.case_manager_id and not policy().can(
            by, Action.ASSIGN_CASE_MANAGER, participant
        ):
            raise ValidationError({"case_manager": CASE_MANAGER_ASSIGNED_BY_MANAGER})
        save_versioned(participant, expected_version=expected_version)
        if risk_groups is not None:
            participant_set_risk_groups(participant=participant, groups=risk_groups)
    return participant


def participant_set_risk_groups(*, participant: Participant, groups, on: date | None = None):
    """Make ``groups`` the current risk groups: new rows for added, an end date for removed."""
    on = on or timezone.localdate()
    wanted = {RiskGroup(group) for group in groups}
    current = {
        RiskGroup(row.group): row
        for row in participant.risk_group_rows.filter(ended_on__isnull=True)
    }
    for group, row in current.items():
        if group not in wanted:
            row.ended_on = on
            row.save()
    for group in wanted - set(current):
        ParticipantRiskGroup.objects.create(participant=participant, group=group, since=on)


def current_risk_groups(participant: Participant) -> list[str]:
    return sorted(
        participant.risk_group_rows.filter(ended_on__isnull=True).values_list("group", flat=True)
    )


def family_member_save(*, member, expected_version: int | None):
    return save_versioned(member, expected_version=expected_version)


# --- Recruitment ----------------------------------------------------------------------------


def application_create(*, application: Application, by) -> Application:
    with transaction.atomic():
        application.created_by = by
        application.full_clean()
        application.save()
    return application


def application_update(*, application: Application, expected_version: int | None):
    if application.decision != Decision.PENDING and application.enrolments.exists():
        raise ValidationError(
            _("The person has been enrolled on this application: it can no longer be changed.")
        )
    if application.decision == Decision.QUALIFIED:
        # The eligibility check stays as it was when the person was qualified.
        stored = Application.objects.get(pk=application.pk)
        for name in ELIGIBILITY_FIELDS:
            setattr(application, name, getattr(stored, name))
    return save_versioned(application, expected_version=expected_version)


ELIGIBILITY_FIELDS = (
    "eligible_groups",
    *Application.EXCLUDING_BENEFITS,
    "receives_incapacity_pension",
)


def application_decide(
    *,
    application: Application,
    decision: str,
    decided_on: date,
    decided_by,
    reason: str,
    expected_version: int | None,
) -> Application:
    """Record the qualification decision; a qualified person must be eligible under the act."""
    errors = {}
    if decision == Decision.PENDING:
        errors["decision"] = _("Choose a decision.")
    if not (reason or "").strip():
        errors["decision_reason"] = _("Write down why the decision was taken.")
    if decided_on and decided_on < application.received_on:
        errors["decided_on"] = _("The decision cannot come before the application was received.")
    if decided_on and decided_on > timezone.localdate():
        errors["decided_on"] = _("The decision date cannot be in the future.")
    if decision == Decision.QUALIFIED:
        if application.exclusions:
            errors["decision"] = _(
                "The act does not apply to people receiving: %(benefits)s (art. 1 sec. 3). "
                "This person cannot be qualified."
            ) % {"benefits": ", ".join(application.exclusions)}
        elif not application.eligible_groups:
            errors["decision"] = _(
                "Record in the eligibility check which groups of art. 1 sec. 2 apply before "
                "qualifying the person."
            )
    if application.enrolments.exists() and decision != Decision.QUALIFIED:
        errors["decision"] = _("The person has been enrolled on this application already.")
    if errors:
        raise ValidationError(errors)
    application.decision = decision
    application.decided_on = decided_on
    application.decided_by = decided_by
    application.decision_reason = reason.strip()
    return save_versioned(application, expected_version=expected_version)


# --- Enrolment ------------------------------------------------------------------------------


def default_planned_end(starts_on: date, cohort=None) -> date:
    months = KisSettings.load().participation_months
    end = starts_on + relativedelta(months=months) - relativedelta(days=1)
    if cohort is not None and cohort.ends_on >= starts_on:
        end = min(end, cohort.ends_on)
    return end


def check_period(*, starts_on, planned_end_on, extension_reason) -> dict:
    errors = {}
    if starts_on and planned_end_on:
        if planned_end_on < starts_on:
            errors["planned_end_on"] = _("The planned end cannot be earlier than the start.")
        limit = starts_on + relativedelta(months=STANDARD_MAX_MONTHS) - relativedelta(days=1)
        if planned_end_on > limit and not (extension_reason or "").strip():
            errors["extension_reason"] = _(
                "The participation would last more than 12 months (until %(date)s at the "
                "latest without a justification). Write down why it needs longer."
            ) % {"date": limit.strftime("%d.%m.%Y")}
    return errors


def enrolment_create(*, enrolment: Enrolment, by) -> Enrolment:
    """Enrol a qualified person: in a cohort or individually, for their own period."""
    participant = enrolment.participant
    application = enrolment.application
    errors = {}
    if application is None or application.decision != Decision.QUALIFIED:
        errors["application"] = _(
            "Enrol on a qualified application: record the qualification decision first."
        )
    elif application.participant_id != participant.pk:
        errors["application"] = _("This application belongs to another person.")
    elif application.enrolments.exists():
        errors["application"] = _("This application has been used for an enrolment already.")
    if participant.enrolments.open().exists():
        errors["__all__"] = _(
            "This person already has an open participation. Close it before enrolling again."
        )
    cohort = enrolment.cohort
    if cohort is not None:
        if enrolment.starts_on and not (cohort.starts_on <= enrolment.starts_on <= cohort.ends_on):
            errors["starts_on"] = _(
                "The start must fall within the cohort's dates (%(start)s – %(end)s)."
            ) % {
                "start": cohort.starts_on.strftime("%d.%m.%Y"),
                "end": cohort.ends_on.strftime("%d.%m.%Y"),
            }
        taken = cohort.enrolments.open().count()
        if taken >= cohort.capacity:
            errors["cohort"] = _(
                "The cohort is full (%(capacity)s places). Choose another cohort or raise its "
                "number of places."
            ) % {"capacity": cohort.capacity}
    errors.update(
        check_period(
            starts_on=enrolment.starts_on,
            planned_end_on=enrolment.planned_end_on,
            extension_reason=enrolment.extension_reason,
        )
    )
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    enrolment.status = (
        EnrolmentStatus.ACTIVE if enrolment.starts_on <= today else EnrolmentStatus.CANDIDATE
    )
    enrolment.status_changed_on = min(enrolment.starts_on, today)
    enrolment.created_by = by
    with transaction.atomic():
        enrolment.full_clean()
        try:
            with transaction.atomic():
                enrolment.save()
        except IntegrityError as error:
            raise ValidationError(_("This person already has an open participation.")) from error
        participant_refresh_current_enrolment(participant=participant)
        EnrolmentStatusChange.objects.create(
            enrolment=enrolment,
            from_status="",
            to_status=enrolment.status,
            changed_on=enrolment.status_changed_on,
            reason=_("Enrolment"),
            changed_by=by,
        )
    return enrolment


def participant_refresh_current_enrolment(*, participant: Participant) -> None:
    """Point the participant at their latest participation and its status (derived columns for
    the lists); called by every service that opens a participation or changes its status."""
    latest, status = (
        Enrolment.objects.filter(participant=participant)
        .order_by("-starts_on", "-pk")
        .values_list("pk", "status")
        .first()
    ) or (None, "")
    Participant.objects.filter(pk=participant.pk).update(
        current_enrolment_id=latest, current_status=status
    )
    participant.current_enrolment_id = latest
    participant.current_status = status


def enrolment_update(*, enrolment: Enrolment, expected_version: int | None) -> Enrolment:
    """Change the period, cohort or funding of an enrolment (not its status)."""
    errors = check_period(
        starts_on=enrolment.starts_on,
        planned_end_on=enrolment.planned_end_on,
        extension_reason=enrolment.extension_reason,
    )
    if not enrolment.is_open:
        errors["__all__"] = _("A closed participation cannot be changed.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        saved = save_versioned(enrolment, expected_version=expected_version)
        participant_refresh_current_enrolment(participant=enrolment.participant)  # a new start
    return saved


# Which status may follow which. Closing statuses need the exit outcome.
TRANSITIONS: dict[str, set[str]] = {
    EnrolmentStatus.CANDIDATE: {
        EnrolmentStatus.ACTIVE,
        EnrolmentStatus.DROPPED_OUT,
        EnrolmentStatus.REMOVED,
    },
    EnrolmentStatus.ACTIVE: {
        EnrolmentStatus.SUSPENDED,
        EnrolmentStatus.COMPLETED,
        EnrolmentStatus.DROPPED_OUT,
        EnrolmentStatus.REMOVED,
    },
    EnrolmentStatus.SUSPENDED: {
        EnrolmentStatus.ACTIVE,
        EnrolmentStatus.COMPLETED,
        EnrolmentStatus.DROPPED_OUT,
        EnrolmentStatus.REMOVED,
    },
}

# Outcomes that do not fit a closing status.
_OUTCOMES_NOT_ALLOWED = {
    EnrolmentStatus.COMPLETED: {ExitOutcome.RESIGNATION, ExitOutcome.REMOVAL},
    EnrolmentStatus.DROPPED_OUT: {ExitOutcome.REMOVAL},
    EnrolmentStatus.REMOVED: set(ExitOutcome) - {ExitOutcome.REMOVAL},
}


def allowed_transitions(enrolment: Enrolment) -> list[str]:
    return [status for status in EnrolmentStatus if status in TRANSITIONS.get(enrolment.status, ())]


def enrolment_change_status(
    *,
    enrolment: Enrolment,
    to_status: str,
    changed_on: date,
    reason: str,
    by,
    expected_version: int | None,
    exit_outcome: str = "",
    exit_notes: str = "",
) -> Enrolment:
    errors = {}
    if to_status not in TRANSITIONS.get(enrolment.status, set()):
        errors["to_status"] = _(
            "A participation with status “%(from)s” cannot become “%(to)s”."
        ) % {
            "from": enrolment.get_status_display(),
            "to": EnrolmentStatus(to_status).label if to_status in EnrolmentStatus else to_status,
        }
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason for the change.")
    if changed_on is None:
        errors["changed_on"] = _("Give the date of the change.")
    else:
        if changed_on < enrolment.starts_on and to_status != EnrolmentStatus.DROPPED_OUT:
            errors["changed_on"] = _("The date cannot be earlier than the start (%(date)s).") % {
                "date": enrolment.starts_on.strftime("%d.%m.%Y")
            }
        if changed_on > timezone.localdate():
            errors["changed_on"] = _("The date cannot be in the future.")
        if changed_on < enrolment.status_changed_on:
            errors["changed_on"] = _(
                "The date cannot be earlier than the last status change (%(date)s)."
            ) % {"date": enrolment.status_changed_on.strftime("%d.%m.%Y")}
    closing = to_status in EnrolmentStatus.closed()
    if to_status == EnrolmentStatus.REMOVED:
        exit_outcome = ExitOutcome.REMOVAL
    if closing and not exit_outcome:
        errors["exit_outcome"] = _("Choose the outcome of the participation.")
    elif closing and exit_outcome in _OUTCOMES_NOT_ALLOWED.get(to_status, set()):
        errors["exit_outcome"] = _("This outcome does not fit the status “%(status)s”.") % {
            "status": EnrolmentStatus(to_status).label
        }
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        from_status = enrolment.status
        enrolment.status = to_status
        enrolment.status_changed_on = changed_on
        if closing:
            enrolment.ended_on = max(changed_on, enrolment.starts_on)
            enrolment.exit_outcome = exit_outcome
            enrolment.exit_notes = exit_notes
        save_versioned(enrolment, expected_version=expected_version)
        participant_refresh_current_enrolment(participant=enrolment.participant)
        EnrolmentStatusChange.objects.create(
            enrolment=enrolment,
            from_status=from_status,
            to_status=to_status,
            changed_on=changed_on,
            reason=reason.strip(),
            changed_by=by,
        )
        if closing:
            for months in FOLLOW_UP_MONTHS:
                FollowUp.objects.create(
                    enrolment=enrolment,
                    months=months,
                    due_on=enrolment.ended_on + relativedelta(months=months),
                )
    return enrolment


def follow_up_record(
    *, follow_up: FollowUp, recorded_by_id: int | None, expected_version: int | None
) -> FollowUp:
    errors = {}
    if follow_up.checked_on is None:
        errors["checked_on"] = _("Give the date of the check.")
    elif follow_up.checked_on < follow_up.enrolment.ended_on:
        errors["checked_on"] = _("The check cannot come before the end of participation.")
    elif follow_up.checked_on > timezone.localdate():
        errors["checked_on"] = _("The date cannot be in the future.")
    if not follow_up.result:
        errors["result"] = _("Choose the result of the check.")
    if errors:
        raise ValidationError(errors)
    follow_up.recorded_by_id = recorded_by_id
    return save_versioned(follow_up, expected_version=expected_version)


# --- Notes ----------------------------------------------------------------------------------


def note_create(*, note: CaseNote) -> CaseNote:
    if note.happened_on and note.happened_on > timezone.localdate():
        raise ValidationError({"happened_on": _("The date cannot be in the future.")})
    note.full_clean()
    note.save()
    return note


def note_update(*, note: CaseNote, expected_version: int | None) -> CaseNote:
    if note.happened_on and note.happened_on > timezone.localdate():
        raise ValidationError({"happened_on": _("The date cannot be in the future.")})
    return save_versioned(note, expected_version=expected_version)


# --- Social contract and other bases of participation ---------------------------------------


def _check_contract(contract: SocialContract) -> None:
    errors = {}
    if contract.valid_from and contract.valid_until and contract.valid_until < contract.valid_from:
        errors["valid_until"] = _("The contract cannot end before it starts.")
    if contract.concluded_on and contract.concluded_on > timezone.localdate():
        errors["concluded_on"] = _("The date cannot be in the future.")
    if (
        contract.basis_kind == BasisKind.SOCIAL_CONTRACT
        and contract.origin == ContractOrigin.RECORDED
        and not (contract.ops_worker or "").strip()
    ):
        errors["ops_worker"] = _(
            "Give the social worker of the social welfare centre who concluded the contract."
        )
    if errors:
        raise ValidationError(errors)


def contract_create(*, contract: SocialContract, family_parties=(), by) -> SocialContract:
    _check_contract(contract)
    with transaction.atomic():
        contract.created_by = by
        contract.full_clean()
        contract.save()
        contract.family_parties.set(family_parties)
        document_created(document=contract, by=by)
    return contract


def contract_update(
    *, contract: SocialContract, family_parties=None, expected_version: int | None, by
) -> SocialContract:
    """Edit a draft contract; signatures it already had are cleared (the form warned)."""
    ensure_editable(contract)
    _check_contract(contract)
    with transaction.atomic():
        save_versioned(contract, expected_version=expected_version)
        if family_parties is not None:
            contract.family_parties.set(family_parties)
        document_changed(document=contract, by=by)
    return contract


def contract_plan_evaluation(
    *, contract: SocialContract, planned_on: date, by
) -> ContractEvaluation:
    """Add an evaluation date: part of the contract's content, so only while it is a draft."""
    ensure_editable(contract)
    if planned_on < contract.valid_from or planned_on > contract.valid_until:
        raise ValidationError(
            {"planned_on": _("The evaluation must fall within the contract's term.")}
        )
    with transaction.atomic():
        evaluation = ContractEvaluation.objects.create(contract=contract, planned_on=planned_on)
        document_changed(document=contract, by=by)
    return evaluation


def contract_cancel_evaluation(*, evaluation: ContractEvaluation, by) -> ContractEvaluation:
    ensure_editable(evaluation.contract)
    with transaction.atomic():
        evaluation.cancelled = True
        evaluation.save()
        document_changed(document=evaluation.contract, by=by)
    return evaluation


def contract_record_evaluation(
    *, evaluation: ContractEvaluation, done_on: date, result: str, expected_version: int | None
) -> ContractEvaluation:
    """Record that an evaluation took place (allowed on a signed contract: it is not content)."""
    errors = {}
    if done_on is None:
        errors["done_on"] = _("Give the date of the evaluation.")
    elif done_on > timezone.localdate():
        errors["done_on"] = _("The date cannot be in the future.")
    if not (result or "").strip():
        errors["result"] = _("Write down the result of the evaluation.")
    if errors:
        raise ValidationError(errors)
    evaluation.done_on = done_on
    evaluation.result = result.strip()
    return save_versioned(evaluation, expected_version=expected_version)


def bases_covering(participant: Participant, day: date):
    return participant.contracts.valid_on(day)


# --- Certificate of participation -------------------------------------------------------------


def certificate_issue(*, enrolment: Enrolment, issued_on: date, by) -> Certificate:
    """Issue the certificate for a completed participation, with the next number of the year."""
    if enrolment.status != EnrolmentStatus.COMPLETED:
        raise ValidationError(
            _("A certificate is issued when the participation has been completed.")
        )
    if Certificate.objects.filter(enrolment=enrolment).exists():
        raise ValidationError(_("A certificate has already been issued for this participation."))
    if issued_on < enrolment.ended_on or issued_on > timezone.localdate():
        raise ValidationError(
            {"issued_on": _("Issue the certificate between the end of participation and today.")}
        )
    lines = hooks.certificate_lines(enrolment)
    programme = (
        str(_("programme of the cohort %(name)s") % {"name": enrolment.cohort.name})
        if enrolment.cohort
        else str(_("individual reintegration programme"))
    )
    for _attempt in range(3):
        try:
            with transaction.atomic():
                last = (
                    Certificate.objects.filter(year=issued_on.year)
                    .order_by("-sequence")
                    .values_list("sequence", flat=True)
                    .first()
                )
                certificate = Certificate.objects.create(
                    enrolment=enrolment,
                    year=issued_on.year,
                    sequence=(last or 0) + 1,
                    issued_on=issued_on,
                    place=KisSettings.load().city,
                    programme=programme,
                    lines=[
                        {"label": str(line["label"]), "hours": str(line["hours"])} for line in lines
                    ],
                    issued_by=by,
                )
                document_created(document=certificate, by=by)
                return certificate
        except IntegrityError:
            continue  # someone took the same number at the same moment: take the next one
    raise ValidationError(_("Could not give the certificate a number. Try again."))


# --- Referrals to partner institutions --------------------------------------------------------


def _check_referral(referral: OutgoingReferral) -> None:
    errors = {}
    institution = referral.institution
    if institution is not None and institution.is_archived:
        errors["institution"] = _(
            "%(name)s is archived: choose an institution the KIS works with now."
        ) % {"name": institution.name}
    if referral.service_id and referral.service.institution_id != referral.institution_id:
        errors["service"] = _("This service is offered by another institution.")
    if referral.contact_person_id and (
        referral.contact_person.institution_id != referral.institution_id
    ):
        errors["contact_person"] = _("This person works in another institution.")
    data = set(referral.data_passed or [])
    if DataCategory.IDENTITY not in data:
        errors["data_passed"] = _(
            "A referral always names the person: keep first name, last name and date of birth."
        )
    if referral.legal_basis == LegalBasis.CONSENT:
        if referral.consent_on is None:
            errors["consent_on"] = _("Give the date the participant gave the consent.")
        elif referral.referred_on and referral.consent_on > referral.referred_on:
            errors["consent_on"] = _("The consent must come before the referral.")
        not_covered = data - set(referral.consent_categories or [])
        if not_covered:
            labels = dict(DataCategory.choices)
            errors["data_passed"] = _(
                "The consent does not cover: %(data)s. Pass on less, or record the wider consent."
            ) % {"data": ", ".join(str(labels[code]) for code in sorted(not_covered))}
    elif referral.legal_basis == LegalBasis.STATUTORY:
        if len((referral.statutory_basis or "").strip()) < 5:
            errors["statutory_basis"] = _(
                "Name the statutory task and its provision that allows passing the data."
            )
    else:
        errors["legal_basis"] = _("Record the legal basis for passing on the personal data.")
    if referral.legal_basis != LegalBasis.CONSENT:
        referral.consent_on = None
        referral.consent_categories = []
    if referral.legal_basis != LegalBasis.STATUTORY:
        referral.statutory_basis = ""
    if errors:
        raise ValidationError(errors)


def referral_create(*, referral: OutgoingReferral, by) -> OutgoingReferral:
    _check_referral(referral)
    with transaction.atomic():
        referral.created_by = by
        referral.full_clean()
        referral.save()
        document_created(document=referral, by=by)
    return referral


def referral_update(
    *, referral: OutgoingReferral, expected_version: int | None, by
) -> OutgoingReferral:
    if referral.status != ReferralStatus.PREPARED:
        raise ValidationError(_("A referral that has been sent cannot be changed."))
    ensure_editable(referral)
    _check_referral(referral)
    with transaction.atomic():
        save_versioned(referral, expected_version=expected_version)
        document_changed(document=referral, by=by)
    return referral


REFERRAL_FLOW = {
    ReferralStatus.PREPARED: {ReferralStatus.SENT, ReferralStatus.CANCELLED},
    ReferralStatus.SENT: {
        ReferralStatus.ACCEPTED,
        ReferralStatus.REJECTED,
        ReferralStatus.CANCELLED,
    },
    ReferralStatus.ACCEPTED: {ReferralStatus.COMPLETED, ReferralStatus.CANCELLED},
}


def referral_next_statuses(referral: OutgoingReferral) -> list[str]:
    allowed = REFERRAL_FLOW.get(referral.status, set())
    return [status for status in ReferralStatus if status in allowed]


def referral_change_status(
    *,
    referral: OutgoingReferral,
    to_status: str,
    on: date,
    note: str,
    expected_version: int | None,
) -> OutgoingReferral:
    """Move a referral along: sent, the institution's answer, completion or cancellation."""
    errors = {}
    if to_status not in REFERRAL_FLOW.get(referral.status, set()):
        errors["to_status"] = _("A referral “%(from)s” cannot become “%(to)s”.") % {
            "from": referral.get_status_display(),
            "to": ReferralStatus(to_status).label if to_status in ReferralStatus else to_status,
        }
    if on is None:
        errors["on"] = _("Give the date.")
    elif on > timezone.localdate():
        errors["on"] = _("The date cannot be in the future.")
    elif on < referral.referred_on:
        errors["on"] = _("The date cannot come before the referral.")
    if to_status == ReferralStatus.SENT and not referral.is_locked:
        errors["to_status"] = _("Sign the referral letter before sending it.")
    if to_status in (ReferralStatus.ACCEPTED, ReferralStatus.REJECTED) and not note.strip():
        errors["note"] = _("Write down the institution's answer.")
    if to_status == ReferralStatus.COMPLETED and not note.strip():
        errors["note"] = _("Write down the outcome.")
    if errors:
        raise ValidationError(errors)
    referral.status = to_status
    if to_status == ReferralStatus.SENT:
        referral.sent_on = on
    elif to_status in (ReferralStatus.ACCEPTED, ReferralStatus.REJECTED):
        referral.answered_on, referral.answer = on, note.strip()
    elif to_status == ReferralStatus.COMPLETED:
        referral.completed_on, referral.outcome = on, note.strip()
    elif to_status == ReferralStatus.CANCELLED:
        referral.cancelled_on = on
        if note.strip():
            referral.outcome = note.strip()
    return save_versioned(referral, expected_version=expected_version)

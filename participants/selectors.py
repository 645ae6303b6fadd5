"""Reads shared by the pages, the to-do tiles and the reports."""

from datetime import timedelta

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.utils import timezone

from participants.access import records_of
from participants.models import (
    Application,
    CaseNote,
    Cohort,
    ContractEvaluation,
    Decision,
    Enrolment,
    EnrolmentStatus,
    EnrolmentStatusChange,
    FamilyMember,
    FollowUp,
    OutgoingReferral,
    Participant,
    SocialContract,
)


def with_file_records(queryset):
    """Participants with everything the file page shows above the fold, in a fixed number of
    queries (their risk groups: ``current_risk_groups_of``; the notes and the timeline below the
    fold load with ``with_notes`` and ``with_timeline_records``)."""
    # The lists read only what the page shows of them (and what the access policy asks of a
    # referral): their many other columns cost more to turn into objects than to fetch.
    return queryset.select_related("case_manager").prefetch_related(
        Prefetch("family_members", queryset=FamilyMember.objects.all()),
        Prefetch(
            "applications",
            queryset=Application.objects.select_related("institution").only(
                "participant", "received_on", "decision", "institution__name", "institution__kind"
            ),
        ),
        Prefetch("enrolments", queryset=Enrolment.objects.select_related("cohort")),
        Prefetch(
            "contracts",
            queryset=SocialContract.objects.only(
                "participant", "basis_kind", "number", "valid_from", "valid_until", "state"
            ),
        ),
        Prefetch(
            "outgoing_referrals",
            queryset=OutgoingReferral.objects.select_related("institution").only(
                "participant",
                "referred_on",
                "status",
                "data_passed",
                "created_by",
                "institution__name",
                "institution__kind",
            ),
        ),
    )


def with_enrolments(queryset):
    """Participants with their participations (what every panel of the file asks)."""
    return queryset.select_related("case_manager").prefetch_related(
        Prefetch("enrolments", queryset=Enrolment.objects.select_related("cohort"))
    )


def with_notes(queryset):
    """Participants with their case notes and the notes' authors."""
    return queryset.prefetch_related(
        Prefetch("notes", queryset=CaseNote.objects.select_related("author"))
    )


def with_timeline_records(queryset):
    """Participants with what their timeline shows (the rest: ``enrolment_events``)."""
    return queryset.prefetch_related(
        Prefetch("applications", queryset=Application.objects.select_related("institution")),
        Prefetch("enrolments", queryset=Enrolment.objects.only("pk", "participant_id")),
        Prefetch("notes", queryset=CaseNote.objects.select_related("author")),
    )


def current_risk_groups_of(participant) -> list[str]:
    """The person's current risk groups (one query: the file asks it only of who sees them)."""
    rows = participant.risk_group_rows.filter(ended_on__isnull=True)
    return sorted(rows.values_list("group", flat=True))


def enrolment_events(participant) -> list[tuple]:
    """The status changes and the checked follow-ups of every participation of ``participant``,
    in one query: rows (``"status"`` or ``"follow_up"``, enrolment id, day, status or result,
    months, reason or notes), each participation's status changes newest first, then its
    follow-ups by due date; the participations in the order of ``participant.enrolments``."""
    changes = EnrolmentStatusChange.objects.filter(enrolment__participant=participant).values_list(
        Value("status"),
        "enrolment_id",
        "changed_on",
        "to_status",
        Value(None, output_field=IntegerField()),
        "reason",
        "pk",
        "changed_on",
    )
    checked = FollowUp.objects.filter(
        enrolment__participant=participant, checked_on__isnull=False
    ).values_list(
        Value("follow_up"),
        "enrolment_id",
        "checked_on",
        "result",
        "months",
        "notes",
        "pk",
        "due_on",
    )
    position = {enrolment.pk: index for index, enrolment in enumerate(participant.enrolments.all())}

    def order(row):
        kind, enrolment_id, *_shown, pk, day = row
        if kind == "status":  # as EnrolmentStatusChange.Meta.ordering: newest first
            return (position.get(enrolment_id, len(position)), 0, -day.toordinal(), -pk)
        return (position.get(enrolment_id, len(position)), 1, day.toordinal(), pk)  # as FollowUp

    rows = sorted(changes.order_by().union(checked.order_by(), all=True), key=order)
    return [row[:6] for row in rows]


def waiting_list(visible_participants, decision=None):
    """Applications by date received, with the person and whether they were enrolled."""
    latest_enrolment = Enrolment.objects.filter(application=OuterRef("pk")).order_by("-pk")
    applications = (
        Application.objects.filter(participant__in=visible_participants)
        .select_related("participant", "institution", "decided_by")
        .annotate(enrolment_status=Subquery(latest_enrolment.values("status")[:1]))
        .order_by("received_on", "pk")
    )
    if decision == "waiting":
        # Still in the queue: no decision yet, the reserve list, qualified but not enrolled.
        applications = applications.filter(
            Q(decision__in=[Decision.PENDING, Decision.RESERVE])
            | Q(decision=Decision.QUALIFIED, enrolments__isnull=True)
        )
    elif decision:
        applications = applications.filter(decision=decision)
    return applications


def follow_ups_due(visible_participants, *, within_days=14, case_manager_id=None):
    horizon = timezone.localdate() + timedelta(days=within_days)
    due = FollowUp.objects.filter(
        records_of(visible_participants, "enrolment__participant"),
        checked_on__isnull=True,
        due_on__lte=horizon,
    ).select_related("enrolment__participant")
    if case_manager_id is not None:
        due = due.filter(enrolment__participant__case_manager_id=case_manager_id)
    return due.order_by("due_on", "pk")


def enrolments_ending(visible_participants, *, within_days=30, case_manager_id=None):
    today = timezone.localdate()
    ending = Enrolment.objects.filter(
        records_of(visible_participants),
        status__in=[EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED],
        planned_end_on__lte=today + timedelta(days=within_days),
    ).select_related("participant", "cohort")
    if case_manager_id is not None:
        ending = ending.filter(participant__case_manager_id=case_manager_id)
    return ending.order_by("planned_end_on", "pk")


def pending_applications(visible_participants):
    return Application.objects.filter(records_of(visible_participants), decision=Decision.PENDING)


def cohorts_with_counts():
    return Cohort.objects.with_counts().select_related("lead_social_worker", "funding_source")


def cohort_members(cohort, visible_participants):
    return (
        Enrolment.objects.filter(cohort=cohort, participant__in=visible_participants)
        .select_related("participant", "participant__case_manager")
        .order_by("participant__sort_name", "participant__pk")
    )


def participants_managed_by(staff_id):
    return Participant.objects.filter(
        case_manager_id=staff_id,
        enrolments__status__in=EnrolmentStatus.open(),
    ).distinct()


def status_counts(visible_participants):
    """How many participations are open, by status."""
    return dict(
        Enrolment.objects.filter(participant__in=visible_participants)
        .values_list("status")
        .annotate(n=Count("pk"))
        .filter(~Q(status__in=EnrolmentStatus.closed()))
    )


def _managed(queryset, path, case_manager_id):
    if case_manager_id is None:
        return queryset
    return queryset.filter(**{f"{path}__case_manager_id": case_manager_id})


def contracts_ending(visible_participants, *, within_days=30, case_manager_id=None):
    """Bases of participation of people in an open participation that end soon."""
    today = timezone.localdate()
    contracts = SocialContract.objects.filter(
        records_of(visible_participants),
        participant__enrolments__status__in=EnrolmentStatus.open(),
        valid_until__gte=today,
        valid_until__lte=today + timedelta(days=within_days),
    ).select_related("participant")
    return _managed(contracts, "participant", case_manager_id).distinct().order_by("valid_until")


def basis_ending_early(enrolment: Enrolment) -> SocialContract | None:
    """The rule: an open participation whose planned end comes after the end of the person's
    latest-ending basis of participation (a social contract, a referral) is not covered to its
    end. Returns that basis, or None when the participation is covered, closed, or has no basis
    at all (the enrolment page says that separately)."""
    if enrolment.status not in EnrolmentStatus.open():
        return None
    latest = (
        SocialContract.objects.filter(participant_id=enrolment.participant_id)
        .order_by("-valid_until", "-pk")
        .first()
    )
    if latest is not None and latest.valid_until < enrolment.planned_end_on:
        return latest
    return None


def participation_outlasting(contract: SocialContract) -> Enrolment | None:
    """The open participation that goes on after ``contract`` ends, when ``contract`` is what
    ``basis_ending_early`` finds for it."""
    for enrolment in Enrolment.objects.filter(
        participant_id=contract.participant_id,
        status__in=EnrolmentStatus.open(),
        planned_end_on__gt=contract.valid_until,
    ).order_by("-planned_end_on"):
        if basis_ending_early(enrolment) == contract:
            return enrolment
    return None


def contracts_ending_early(visible_participants, *, case_manager_id=None):
    """``basis_ending_early`` for a list: the bases that end before the planned end of their
    person's open participation (annotated with ``participation_end``), soonest first."""
    latest_end = (
        SocialContract.objects.filter(participant=OuterRef("participant"))
        .order_by("-valid_until")
        .values("valid_until")[:1]
    )
    participation_end = (
        Enrolment.objects.filter(
            participant=OuterRef("participant"), status__in=EnrolmentStatus.open()
        )
        .order_by("-planned_end_on")
        .values("planned_end_on")[:1]
    )
    contracts = (
        SocialContract.objects.filter(records_of(visible_participants))
        .annotate(latest_end=Subquery(latest_end), participation_end=Subquery(participation_end))
        .filter(valid_until=F("latest_end"), valid_until__lt=F("participation_end"))
        .select_related("participant")
    )
    return _managed(contracts, "participant", case_manager_id).order_by("valid_until", "pk")


def evaluations_due(visible_participants, *, within_days=7, case_manager_id=None):
    today = timezone.localdate()
    due = ContractEvaluation.objects.filter(
        records_of(visible_participants, "contract__participant"),
        done_on__isnull=True,
        cancelled=False,
        planned_on__lte=today + timedelta(days=within_days),
    ).select_related("contract", "contract__participant")
    return _managed(due, "contract__participant", case_manager_id).order_by("planned_on")


def referrals_waiting(visible_participants, *, days=14, case_manager_id=None):
    """Referrals sent more than ``days`` ago without the institution's answer."""
    from participants.models import OutgoingReferral, ReferralStatus

    waiting = OutgoingReferral.objects.filter(
        records_of(visible_participants),
        status=ReferralStatus.SENT,
        sent_on__lt=timezone.localdate() - timedelta(days=days),
    ).select_related("participant", "institution")
    return _managed(waiting, "participant", case_manager_id).order_by("sent_on")

"""The participants' part of a person's copy of their data (GDPR art. 15): the registry, the
family, recruitment, participations, contracts, certificates, referrals (the recipients of the
data), notes, follow-ups and restrictions of processing (``kis_site.subject_access``)."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from kis_site.subject_access import (
    Contribution,
    Copy,
    Field,
    Paragraph,
    Table,
    add_document,
    others_mark,
    plain,
)
from participants.models import (
    Application,
    ApplicationSource,
    BasisKind,
    CaseNote,
    Certificate,
    ContractEvaluation,
    ContractOrigin,
    DataCategory,
    Enrolment,
    EnrolmentStatusChange,
    FamilyMember,
    FollowUp,
    LegalBasis,
    OutgoingReferral,
    Participant,
    ParticipantRiskGroup,
    ProcessingRestriction,
    ReferralStatus,
    SocialContract,
)

# A referral in these states has passed the data on to the institution.
PASSED_ON = (
    ReferralStatus.SENT,
    ReferralStatus.ACCEPTED,
    ReferralStatus.REJECTED,
    ReferralStatus.COMPLETED,
)


def _prepare(copy: Copy) -> None:
    """The names the copy must not show: family members withheld, and the people who took
    part in the same groups."""
    participant = copy.participant
    for member in participant.family_members.all():
        if copy.withholds(_family_key(member), True):
            copy.withhold_name(first_name=member.first_name)
    cohorts = Enrolment.objects.filter(participant=participant, cohort__isnull=False).values(
        "cohort_id"
    )
    others = (
        Participant.objects.filter(enrolments__cohort__in=cohorts)
        .exclude(pk=participant.pk)
        .values_list("first_name", "last_name")
        .distinct()
    )
    for first, last in others:
        copy.withhold_name(f"{first} {last}")


def _family_key(member) -> str:
    return f"family:{member.pk}"


def _build(copy: Copy) -> None:
    participant = copy.participant
    _registry(copy, participant)
    _family(copy, participant)
    _recruitment(copy, participant)
    _participation(copy, participant)
    _contracts(copy, participant)
    _referrals(copy, participant)
    _notes(copy, participant)
    _follow_ups(copy, participant)
    _restrictions(copy, participant)


def _registry(copy, participant) -> None:
    section = copy.section(
        "registry",
        _("Personal data"),
        purpose="participation",
        retention="file",
        order=10,
    )
    section.add(copy.record(participant, kind="participant", title=_("Personal data")))
    rows = ParticipantRiskGroup.objects.filter(participant=participant).order_by("since", "pk")
    if rows:
        table = section.add(
            Table(
                "risk_groups",
                _("Risk groups (sensitive data)"),
                [
                    ("group", _("Risk group")),
                    ("since", _("Since")),
                    ("ended_on", _("No longer applies since")),
                ],
            )
        )
        for row in rows:
            table.add((row.get_group_display(), row.group), plain(row.since), plain(row.ended_on))


def _family(copy, participant) -> None:
    section = copy.section(
        "family",
        _("Family and household"),
        purpose="participation",
        retention="file",
        order=20,
        empty=_("No family members recorded."),
    )
    for member in participant.family_members.all():
        title = _("Family member: %(relation)s") % {"relation": member.get_relation_display()}
        born = f", {member.birth_year}" if member.birth_year else ""
        withheld = copy.review(
            _family_key(member),
            group=_("Family members"),
            label=member.get_relation_display(),  # what the copy says it withholds: no name
            preview=f"{member.first_name}{born}",
            detail=_(
                "Another person's data: released only when they agree or the person already "
                "knows it."
            ),
            others=True,
            default_withheld=True,
            record=member,
        )
        if withheld:
            mark = others_mark()
            record = copy.record(
                member,
                kind="family_member",
                title=title,
                exclude=("first_name", "birth_year", "notes"),
            )
            record.fields[:0] = [
                Field("first_name", _("First name"), mark, mark),
                Field("birth_year", _("Year of birth"), mark, mark),
            ]
        else:
            record = copy.record(member, kind="family_member", title=title)
        section.add(record)


def _recruitment(copy, participant) -> None:
    section = copy.section(
        "recruitment",
        _("Referrals and applications to the club"),
        purpose="recruitment",
        retention="recruitment",
        order=30,
        empty=_("No application recorded."),
    )
    for application in participant.applications.select_related(
        "institution", "contact_person", "decided_by"
    ):
        section.add(
            copy.record(
                application,
                kind="application",
                title=str(application).capitalize(),
                texts={"eligible_groups": ", ".join(application.eligible_groups_display)},
            )
        )
        if application.source == ApplicationSource.REFERRAL and application.institution_id:
            copy.source(
                application.institution.name,
                _("referral to the club received on %(date)s")
                % {"date": plain(application.received_on)[0]},
            )
        else:
            copy.source(
                _("You yourself"),
                _("application received on %(date)s") % {"date": plain(application.received_on)[0]},
            )


def _participation(copy, participant) -> None:
    section = copy.section(
        "participation",
        _("Participation in the club"),
        purpose="participation",
        retention="file",
        order=40,
        empty=_("Not enrolled."),
    )
    enrolments = list(
        participant.enrolments.select_related("cohort", "application", "funding_source").order_by(
            "starts_on", "pk"
        )
    )
    for enrolment in enrolments:
        section.add(copy.record(enrolment, kind="enrolment", title=str(enrolment).capitalize()))
    changes = (
        EnrolmentStatusChange.objects.filter(enrolment__participant=participant)
        .select_related("enrolment")
        .order_by("changed_on", "pk")
    )
    if changes:
        table = section.add(
            Table(
                "status_changes",
                _("Changes of the participation's status"),
                [
                    ("enrolment", _("Participation")),
                    ("changed_on", _("Date")),
                    ("from_status", _("Previous status")),
                    ("to_status", _("New status")),
                    ("reason", _("Reason")),
                ],
            )
        )
        for change in changes:
            table.add(
                (str(change.enrolment), change.enrolment_id),
                plain(change.changed_on),
                (change.get_from_status_display(), change.from_status),
                (change.get_to_status_display(), change.to_status),
                plain(copy.mask(change.reason)),
            )
    for certificate in Certificate.objects.filter(enrolment__participant=participant).order_by(
        "issued_on", "pk"
    ):
        title = str(certificate).capitalize()
        lines = "; ".join(
            _("%(label)s: %(hours)s h") % {"label": line.get("label"), "hours": line.get("hours")}
            for line in certificate.lines
        )
        section.add(
            copy.record(
                certificate,
                kind="certificate",
                title=title,
                exclude=("enrolment",),
                texts={"lines": lines},
            )
        )
        add_document(copy, section, certificate, title=title)


def _contracts(copy, participant) -> None:
    section = copy.section(
        "contracts",
        _("Social contract and basis of participation"),
        purpose="participation",
        retention="file",
        order=50,
        empty=_("No social contract or other basis of participation has been recorded."),
    )
    contracts = participant.contracts.select_related("ops_department").prefetch_related(
        "family_parties",
        Prefetch("evaluations", queryset=ContractEvaluation.objects.order_by("planned_on")),
    )
    for contract in contracts.order_by("valid_from", "pk"):
        title = str(contract)
        parties = list(contract.family_parties.all())
        names = ", ".join(copy.mask(str(member)) for member in parties)
        section.add(
            copy.record(
                contract,
                kind="contract",
                title=title,
                extra=[
                    Field(
                        "family_parties",
                        _("Family members who are parties"),
                        names or "—",
                        [copy.mask(str(member)) for member in parties],
                    )
                ],
            )
        )
        evaluations = contract.evaluations.all()
        if evaluations:
            table = section.add(
                Table(
                    "contract_evaluations",
                    _("Evaluations of %(contract)s") % {"contract": title},
                    [
                        ("contract", _("Contract")),
                        ("planned_on", _("Planned on")),
                        ("done_on", _("Held on")),
                        ("result", _("Result of the evaluation")),
                        ("cancelled", _("Cancelled")),
                    ],
                )
            )
            for evaluation in evaluations:
                table.add(
                    (title, contract.pk),
                    plain(evaluation.planned_on),
                    plain(evaluation.done_on),
                    plain(copy.mask(evaluation.result)),
                    plain(evaluation.cancelled),
                )
        others = (
            _("The family members who are parties to the contract are named in it.")
            if parties
            else ""
        )
        add_document(copy, section, contract, title=title, others=others)
        if contract.basis_kind == BasisKind.SOCIAL_CONTRACT and (
            contract.origin == ContractOrigin.RECORDED
        ):
            copy.source(
                contract.ops_department.name
                if contract.ops_department_id
                else _("the social welfare centre (OPS)"),
                _("social contract concluded on %(date)s")
                % {"date": plain(contract.concluded_on)[0]},
            )
        elif contract.basis_kind == BasisKind.PUP_REFERRAL:
            copy.source(
                _("the district labour office (PUP)"),
                _("referral of %(date)s") % {"date": plain(contract.concluded_on)[0]},
            )


def _referrals(copy, participant) -> None:
    section = copy.section(
        "referrals",
        _("Referrals to institutions (recipients of the data)"),
        purpose="referrals",
        retention="file",
        order=110,
        empty=_("No referrals to other institutions."),
    )
    categories = dict(DataCategory.choices)
    referrals = participant.outgoing_referrals.select_related(
        "institution", "service", "contact_person"
    ).order_by("referred_on", "pk")
    for referral in referrals:
        title = str(referral).capitalize()
        section.add(
            copy.record(
                referral,
                kind="referral",
                title=title,
                texts={
                    "data_passed": ", ".join(referral.data_passed_display),
                    "consent_categories": ", ".join(
                        str(categories.get(code, code)) for code in referral.consent_categories
                    ),
                },
            )
        )
        add_document(copy, section, referral, title=title)
        if referral.status in PASSED_ON:
            if referral.legal_basis == LegalBasis.CONSENT:
                basis = _("your consent of %(date)s") % {"date": plain(referral.consent_on)[0]}
            else:
                basis = _("a statutory task: %(provision)s") % {
                    "provision": referral.statutory_basis or "—"
                }
            copy.recipient(
                name=referral.institution.name,
                on=referral.sent_on or referral.referred_on,
                what=", ".join(referral.data_passed_display),
                basis=basis,
                kind="referral",
            )


def _notes(copy, participant) -> None:
    section = copy.section(
        "notes",
        _("Case notes"),
        purpose="participation",
        retention="file",
        order=160,
        empty=_("No notes."),
    )
    notes = CaseNote.objects.filter(participant=participant).select_related("author", "enrolment")
    for note in notes:
        title = str(note).capitalize()
        names_others = copy.names_others(note.text)
        withheld = copy.review(
            f"note:{note.pk}",
            group=_("Case notes"),
            label=title,
            detail=_("Names other people: their names are replaced.") if names_others else "",
            others=names_others,
            preview=note.text,
            record=note,
        )
        sensitive = [
            Field(
                "section",
                _("Sensitive content"),
                note.get_section_display() or "—",
                note.section,
            )
        ]
        if withheld:
            record = copy.record(note, kind="note", title=title, exclude=("text",), extra=sensitive)
            record.note = _("The content of this note is withheld: it concerns other people.")
        else:
            record = copy.record(note, kind="note", title=title, extra=sensitive)
        section.add(record)


def _follow_ups(copy, participant) -> None:
    follow_ups = FollowUp.objects.filter(enrolment__participant=participant).select_related(
        "enrolment"
    )
    section = copy.section(
        "follow_ups",
        _("Follow-ups after the participation"),
        purpose="participation",
        retention="file",
        order=150,
        empty=_("No follow-ups."),
    )
    if not follow_ups:
        return
    section.add(
        Paragraph(_("The club checks how the person is doing 3, 6 and 12 months after the exit."))
    )
    table = section.add(
        Table(
            "follow_ups",
            _("Checks after the exit"),
            [
                ("enrolment", _("Participation")),
                ("months", _("Months after exit")),
                ("due_on", _("Due on")),
                ("checked_on", _("Checked on")),
                ("result", _("Result")),
                ("notes", _("Notes")),
            ],
        )
    )
    for follow_up in follow_ups.order_by("due_on", "pk"):
        table.add(
            (str(follow_up.enrolment), follow_up.enrolment_id),
            plain(follow_up.months),
            plain(follow_up.due_on),
            plain(follow_up.checked_on),
            (follow_up.get_result_display() or "", follow_up.result),
            plain(copy.mask(follow_up.notes)),
        )


def _restrictions(copy, participant) -> None:
    restrictions = ProcessingRestriction.objects.filter(participant=participant).select_related(
        "paused_enrolment"
    )
    section = copy.section(
        "restrictions",
        _("Restriction of processing (GDPR art. 18)"),
        purpose="rights",
        retention="requests",
        order=170,
        empty=_("Processing of the data has never been restricted."),
    )
    for restriction in restrictions.order_by("restricted_on", "pk"):
        section.add(
            copy.record(restriction, kind="restriction", title=str(restriction).capitalize())
        )


part = Contribution(
    "participants",
    models={
        Participant: "participation",
        ParticipantRiskGroup: "participation",
        FamilyMember: "participation",
        Application: "recruitment",
        Enrolment: "participation",
        EnrolmentStatusChange: "participation",
        FollowUp: "participation",
        CaseNote: "participation",
        SocialContract: "participation",
        ContractEvaluation: "participation",
        Certificate: "participation",
        OutgoingReferral: "referrals",
        ProcessingRestriction: "rights",
    },
    build=_build,
    prepare=_prepare,
)

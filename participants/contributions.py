"""What the participants app adds to the shared pages: navigation, to-do tiles, timeline, export."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from kis_site import hooks
from kis_site.access import Action, policy
from kis_site.registries import (
    DocumentKind,
    Panel,
    TodoCount,
    TodoItem,
    document_kinds,
    todo_items,
)
from kis_site.vocabulary import ALL_SECTIONS, RiskGroup, Section
from participants.access import participants_visible_to, records_of
from participants.models import (
    Certificate,
    Decision,
    Enrolment,
    EnrolmentStatus,
    OutgoingReferral,
    ReferralStatus,
    SocialContract,
)


def register():
    _register_todo_items()
    _register_documents()
    _register_network()


def _scope_for_tiles(user):
    """The manager counts the whole club; a case manager the people they manage."""
    return policy().caseload(user)


def _pending_applications(user):
    if not policy().can(user, Action.ENROL):
        return None
    from participants.selectors import pending_applications

    count = pending_applications(participants_visible_to(user))
    return TodoCount(
        count, reverse("recruitment:list") + f"?decision={Decision.PENDING}", "warning"
    )


def _follow_ups(user):
    if not policy().can(user, Action.CHANGE_STATUS):
        return None
    from participants.selectors import follow_ups_due

    count = follow_ups_due(participants_visible_to(user), case_manager_id=_scope_for_tiles(user))
    return TodoCount(count, reverse("participants:follow-ups"), "warning")


def _ending(user):
    if not policy().can(user, Action.CHANGE_STATUS):
        return None
    from participants.selectors import enrolments_ending

    count = enrolments_ending(participants_visible_to(user), case_manager_id=_scope_for_tiles(user))
    return TodoCount(count, reverse("participants:ending"), "info")


def _my_participants(user):
    mine = policy().caseload(user)
    if mine is None:
        return None
    from participants.selectors import participants_managed_by

    count = participants_managed_by(mine)
    return TodoCount(count, reverse("participants:list") + f"?case_manager={mine}", "info")


def _missing_rodo_clause(user):
    if not policy().can(user, Action.EDIT):
        return None
    # The people without the clause in an open participation, counted by their open
    # participations: a person has one at most (one_open_enrolment_per_participant), and the
    # few open ones are read rather than every file of the club.
    count = Enrolment.objects.filter(
        records_of(participants_visible_to(user)),
        status__in=EnrolmentStatus.open(),
        participant__rodo_clause_given_on__isnull=True,
    )
    mine = _scope_for_tiles(user)
    if mine is not None:
        count = count.filter(participant__case_manager_id=mine)
    return TodoCount(count, reverse("participants:list") + "?rodo=missing", "danger")


def _contracts_ending(user):
    if not policy().can(user, Action.CHANGE_STATUS):
        return None
    from participants.selectors import contracts_ending

    count = contracts_ending(participants_visible_to(user), case_manager_id=_scope_for_tiles(user))
    return TodoCount(count, reverse("participants:contracts-due"), "warning")


def _contracts_ending_early(user):
    if not policy().can(user, Action.CHANGE_STATUS):
        return None
    from participants.selectors import contracts_ending_early

    count = contracts_ending_early(
        participants_visible_to(user), case_manager_id=_scope_for_tiles(user)
    )
    return TodoCount(count, reverse("participants:contracts-due") + "#ending-early", "warning")


def _evaluations_due(user):
    if not policy().can(user, Action.CHANGE_STATUS):
        return None
    from participants.selectors import evaluations_due

    count = evaluations_due(participants_visible_to(user), case_manager_id=_scope_for_tiles(user))
    return TodoCount(count, reverse("participants:contracts-due") + "#evaluations", "warning")


def _certificates_to_sign(user):
    if not policy().runs_club(user):
        return None
    count = Certificate.objects.filter(state="draft")
    return TodoCount(count, reverse("participants:certificates") + "?state=draft", "warning")


def _referrals_waiting(user):
    if not policy().can(user, Action.EDIT):
        return None
    from participants.selectors import referrals_waiting

    count = referrals_waiting(participants_visible_to(user), case_manager_id=_scope_for_tiles(user))
    return TodoCount(count, reverse("participants:referrals-waiting"), "warning")


def _register_todo_items():
    todo_items.register(
        TodoItem("my-participants", gettext_lazy("My participants"), _my_participants, 10)
    )
    todo_items.register(
        TodoItem(
            "pending-applications",
            gettext_lazy("Applications awaiting a decision"),
            _pending_applications,
            20,
        )
    )
    todo_items.register(
        TodoItem(
            "rodo-missing",
            gettext_lazy("GDPR information clause not handed over"),
            _missing_rodo_clause,
            30,
        )
    )
    todo_items.register(
        TodoItem("ending", gettext_lazy("Participations ending within 30 days"), _ending, 40)
    )
    todo_items.register(
        TodoItem("follow-ups", gettext_lazy("Follow-ups due (3/6/12 months)"), _follow_ups, 50)
    )
    todo_items.register(
        TodoItem(
            "contracts-ending",
            gettext_lazy("Social contracts ending within 30 days"),
            _contracts_ending,
            42,
        )
    )
    todo_items.register(
        TodoItem(
            "contracts-ending-early",
            gettext_lazy("Social contracts ending before the participation's planned end"),
            _contracts_ending_early,
            42,
        )
    )
    todo_items.register(
        TodoItem(
            "referrals-waiting",
            gettext_lazy("Referrals waiting more than 14 days for an answer"),
            _referrals_waiting,
            43,
        )
    )
    todo_items.register(
        TodoItem("evaluations-due", gettext_lazy("Contract evaluations due"), _evaluations_due, 44)
    )
    todo_items.register(
        TodoItem(
            "certificates-to-sign",
            gettext_lazy("Certificates waiting for the manager's signature"),
            _certificates_to_sign,
            46,
        )
    )


# --- Document kinds ---------------------------------------------------------------------------


def _contract_pdf(contract, sections=ALL_SECTIONS) -> dict:
    return {
        "contract": contract,
        "participant": contract.participant,
        "evaluations": contract.evaluations.filter(cancelled=False),
        "family_parties": contract.family_parties.all(),
        "title": contract.get_basis_kind_display(),
    }


def _certificate_pdf(certificate, sections=ALL_SECTIONS) -> dict:
    return {
        "certificate": certificate,
        "participant": certificate.enrolment.participant,
        "enrolment": certificate.enrolment,
        "title": _("Certificate of participation"),
    }


def _slug(*parts) -> str:
    from django.utils.text import slugify

    from kis_site.search import normalise

    return slugify(normalise(" ".join(str(part) for part in parts if part)))


def _referral_pdf(referral, sections=ALL_SECTIONS) -> dict:
    from participants.models import CATEGORY_SECTIONS

    participant = referral.participant
    # A copy without a section leaves out the data of that section it passes on.
    passed = {
        category
        for category in referral.data_passed
        if CATEGORY_SECTIONS.get(category, set()) <= sections
    }
    risk_labels = dict(RiskGroup.choices)
    return {
        "referral": referral,
        "participant": participant,
        "passed": passed,
        "risk_groups": [
            risk_labels[row.group]
            for row in participant.risk_group_rows.filter(ended_on__isnull=True)
        ]
        if "risk_groups" in passed
        else [],
        "title": _("Referral"),
    }


def _register_documents():
    document_kinds.register(
        DocumentKind(
            key="contract",
            title=gettext_lazy("Social contract or basis of participation"),
            model=SocialContract,
            pdf_context=_contract_pdf,
            url=lambda c: reverse("participants:contract", args=[c.pk]),
            filename=lambda c: _slug("kontrakt", c.participant.last_name, c.number or c.pk),
            subject=lambda c: c.participant.full_name,
            order=10,
        )
    )
    document_kinds.register(
        DocumentKind(
            key="certificate",
            title=gettext_lazy("Certificate of participation"),
            model=Certificate,
            pdf_context=_certificate_pdf,
            url=lambda c: reverse("participants:certificate", args=[c.pk]),
            filename=lambda c: _slug(
                "zaswiadczenie", c.sequence, c.year, c.enrolment.participant.last_name
            ),
            subject=lambda c: c.enrolment.participant.full_name,
            order=90,
        )
    )
    document_kinds.register(
        DocumentKind(
            key="referral",
            title=gettext_lazy("Referral to an institution"),
            model=OutgoingReferral,
            pdf_context=_referral_pdf,
            url=lambda r: reverse("participants:referral", args=[r.pk]),
            filename=lambda r: _slug("skierowanie", r.participant.last_name, r.pk),
            subject=lambda r: r.participant.full_name,
            order=20,
        )
    )


# --- The network: referrals each way on an institution's page, numbers for the overview ------


def _institution_referrals(request, institution):
    user = request.user
    if not policy().can(user, Action.VIEW):
        return None
    visible = participants_visible_to(user)
    if institution.reveals_risk_group:
        # Who is referred from or to the probation service, a prison, addiction treatment or
        # psychiatric care tells their risk group: listed only for those who see it.
        scope = policy().section_scope(user, Section.RISK_GROUPS)
        visible = visible.none() if scope is None else visible.filter(scope)
    outgoing = [
        referral
        for referral in OutgoingReferral.objects.filter(
            institution=institution, participant__in=visible
        )
        # The institution too: what a referral reveals (its sections) depends on its kind.
        .select_related("participant", "participant__case_manager", "service", "institution")
        .order_by("-referred_on")[:50]
        if policy().can(user, Action.VIEW, referral)
    ]
    incoming = []
    if policy().can(user, Action.RECRUIT):
        from participants.models import Application

        incoming = list(
            Application.objects.filter(institution=institution, participant__in=visible)
            .select_related("participant")
            .order_by("-received_on")[:50]
        )
    return {"outgoing": outgoing, "incoming": incoming, "institution": institution}


def _referral_numbers(user):
    from django.db.models import Count, Q

    from participants.models import Application

    visible = participants_visible_to(user)
    rows = {}
    for row in (
        OutgoingReferral.objects.filter(participant__in=visible)
        .exclude(status=ReferralStatus.CANCELLED)
        .values("institution_id")
        .annotate(
            total=Count("pk"),
            accepted=Count(
                "pk", filter=Q(status__in=[ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED])
            ),
            completed=Count("pk", filter=Q(status=ReferralStatus.COMPLETED)),
        )
    ):
        rows[row["institution_id"]] = [row["total"], row["accepted"], row["completed"], 0]
    for row in (
        Application.objects.filter(participant__in=visible, institution__isnull=False)
        .values("institution_id")
        .annotate(total=Count("pk"))
    ):
        rows.setdefault(row["institution_id"], [0, 0, 0, 0])[3] = row["total"]
    return rows


REFERRAL_COLUMNS = [
    gettext_lazy("Referrals sent"),
    pgettext_lazy("referrals", "accepted"),
    pgettext_lazy("referrals", "completed"),
    gettext_lazy("People referred to the KIS"),
]


def _network_numbers(user):
    """The referrals each way per institution, for who works with the network."""
    if not policy().can(user, Action.NETWORK):
        return [], {}
    return REFERRAL_COLUMNS, _referral_numbers(user)


def _register_network():
    hooks.institution_panel.provide(
        Panel(
            key="referrals",
            title=gettext_lazy("Referrals"),
            template="participants/_institution_referrals.html",
            context=_institution_referrals,
        )
    )
    hooks.network_numbers.provide(_network_numbers)

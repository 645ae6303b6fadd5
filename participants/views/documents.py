"""The participant's documents: social contracts (and other bases of participation) and the
certificate of participation. Signing, printing and scans go through kis_site.documents."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kis_site import gdpr
from kis_site.access import AccessKind, Action, log_access, policy
from kis_site.documents import active_signatures, document_panel
from kis_site.editing import save_form
from kis_site.models import DocumentState, KisSettings
from kis_site.pdf import render_pdf
from kis_site.pending import form_data
from participants import services
from participants.access import get_participant_for_user, get_record_for_user, institution_hidden
from participants.forms import (
    CertificateForm,
    EvaluationPlanForm,
    EvaluationRecordForm,
    ReferralForm,
    ReferralStatusForm,
    SocialContractForm,
)
from participants.models import (
    BasisKind,
    Certificate,
    ContractEvaluation,
    ContractOrigin,
    Enrolment,
    OutgoingReferral,
    ReferralStatus,
    SocialContract,
)
from participants.selectors import participation_outlasting
from participants.views.file import breadcrumbs, file_crumb, file_form_page


def _contract(request, pk, action):
    return get_record_for_user(
        request.user,
        SocialContract.objects.select_related(
            "participant", "participant__case_manager", "ops_department"
        ),
        pk,
        action,
    )


@require_http_methods(["GET", "POST"])
def contract_new(request, pk):
    participant = get_participant_for_user(request.user, pk, Action.EDIT)
    sections = policy().sections_for(request.user, participant)
    origin = request.GET.get("origin", ContractOrigin.RECORDED)
    today = timezone.localdate()
    initial = {
        "origin": origin if origin in ContractOrigin.values else ContractOrigin.RECORDED,
        "basis_kind": BasisKind.SOCIAL_CONTRACT,
        "concluded_on": today,
        "valid_from": today,
    }
    form = SocialContractForm(
        form_data(request),
        instance=SocialContract(participant=participant),
        participant=participant,
        sections=sections,
        initial=initial,
    )
    done = save_form(
        request,
        form,
        lambda form: services.contract_create(
            contract=form.instance,
            family_parties=form.cleaned_data.get("family_parties", []),
            by=request.user,
        ),
        success_url=lambda contract: reverse("participants:contract", args=[contract.pk]),
        success_message=_("Recorded. Print it for signatures or record the signatures."),
    )
    return done or file_form_page(
        request,
        form,
        participant,
        _("Social contract or other basis: %(name)s") % {"name": participant.full_name},
    )


@require_safe
def contract_detail(request, pk):
    contract = _contract(request, pk, Action.VIEW)
    log_access(user=request.user, instance=contract)
    participant = contract.participant
    can_edit = policy().can(request.user, Action.EDIT, contract)
    return render(
        request,
        "participants/contract.html",
        {
            "contract": contract,
            "participant": participant,
            "evaluations": contract.evaluations.all(),
            "family_parties": contract.family_parties.all(),
            "panel": document_panel(request, contract),
            "can_edit": can_edit and not contract.is_locked,
            "can_evaluate": can_edit,
            "plan_form": EvaluationPlanForm(),
            "covers_today": contract.covers(timezone.localdate()),
            "outlasting": participation_outlasting(contract),
            "is_contract": contract.basis_kind == BasisKind.SOCIAL_CONTRACT,
            "title": capfirst(str(contract)),
            "breadcrumbs": breadcrumbs(file_crumb(participant)),
        },
    )


@require_http_methods(["GET", "POST"])
def contract_edit(request, pk):
    contract = _contract(request, pk, Action.EDIT)
    participant = contract.participant
    if contract.is_locked:
        messages.info(request, _("The contract is signed. To change it, open a new version."))
        return redirect("participants:contract", pk=contract.pk)
    form = SocialContractForm(
        form_data(request),
        instance=contract,
        participant=participant,
        sections=policy().sections_for(request.user, participant),
    )
    done = save_form(
        request,
        form,
        lambda form: services.contract_update(
            contract=form.instance,
            family_parties=form.cleaned_data.get("family_parties")
            if "family_parties" in form.fields
            else None,
            expected_version=form.cleaned_data.get("expected_version"),
            by=request.user,
        ),
        success_url=reverse("participants:contract", args=[contract.pk]),
        success_message=_("The contract has been saved."),
    )
    signed = len(active_signatures(contract))
    return done or file_form_page(
        request,
        form,
        participant,
        _("Edit: %(contract)s") % {"contract": contract},
        cancel_url=reverse("participants:contract", args=[contract.pk]),
        signatures_warning=signed,
    )


@require_POST
def evaluation_plan(request, pk):
    contract = _contract(request, pk, Action.EDIT)
    form = EvaluationPlanForm(request.POST)
    if form.is_valid():
        try:
            services.contract_plan_evaluation(
                contract=contract, planned_on=form.cleaned_data["planned_on"], by=request.user
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The evaluation date has been added."))
    else:
        messages.error(request, _("Give the date of the evaluation."))
    return redirect("participants:contract", pk=contract.pk)


def _evaluation(request, pk):
    """An evaluation is part of its contract: it opens to those who may edit the contract."""
    evaluation = get_record_for_user(
        request.user,
        ContractEvaluation.objects.select_related(
            "contract", "contract__participant", "contract__participant__case_manager"
        ),
        pk,
        Action.EDIT,
    )
    policy().gate(request.user, evaluation.contract, Action.EDIT)
    return evaluation


@require_POST
def evaluation_cancel(request, pk):
    evaluation = _evaluation(request, pk)
    try:
        services.contract_cancel_evaluation(evaluation=evaluation, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The evaluation date has been cancelled."))
    return redirect("participants:contract", pk=evaluation.contract_id)


@require_http_methods(["GET", "POST"])
def evaluation_record(request, pk):
    evaluation = _evaluation(request, pk)
    form = EvaluationRecordForm(form_data(request), instance=evaluation)
    if not form.is_bound:
        form.initial.setdefault("done_on", timezone.localdate())
    done = save_form(
        request,
        form,
        lambda form: services.contract_record_evaluation(
            evaluation=form.instance,
            done_on=form.cleaned_data["done_on"],
            result=form.cleaned_data["result"],
            expected_version=form.cleaned_data.get("expected_version"),
        ),
        success_url=reverse("participants:contract", args=[evaluation.contract_id]),
        success_message=_("The evaluation has been recorded."),
    )
    return done or file_form_page(
        request,
        form,
        evaluation.contract.participant,
        _("Evaluation of the contract planned for %(date)s")
        % {"date": evaluation.planned_on.strftime("%d.%m.%Y")},
        cancel_url=reverse("participants:contract", args=[evaluation.contract_id]),
    )


# --- Certificate ------------------------------------------------------------------------------


@require_POST
def certificate_issue(request, pk):
    enrolment = get_record_for_user(
        request.user,
        Enrolment.objects.select_related("participant", "participant__case_manager", "cohort"),
        pk,
        Action.ENROL,
    )
    form = CertificateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date of issue."))
        return redirect("participants:enrolment", pk=enrolment.pk)
    try:
        certificate = services.certificate_issue(
            enrolment=enrolment, issued_on=form.cleaned_data["issued_on"], by=request.user
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("participants:enrolment", pk=enrolment.pk)
    messages.success(
        request,
        _(
            "Certificate no. %(number)s has been prepared. It is final when the KIS manager "
            "signs it."
        )
        % {"number": certificate.number},
    )
    return redirect("participants:certificate", pk=certificate.pk)


@require_safe
def certificate_detail(request, pk):
    certificate = get_record_for_user(
        request.user,
        Certificate.objects.select_related(
            "enrolment", "enrolment__participant", "enrolment__cohort"
        ),
        pk,
        Action.VIEW,
    )
    log_access(user=request.user, instance=certificate)
    participant = certificate.enrolment.participant
    return render(
        request,
        "participants/certificate.html",
        {
            "certificate": certificate,
            "participant": participant,
            "enrolment": certificate.enrolment,
            "panel": document_panel(request, certificate),
            "title": _("Certificate no. %(number)s") % {"number": certificate.number},
            "breadcrumbs": breadcrumbs(file_crumb(participant)),
        },
    )


@require_safe
def rodo_clause_pdf(request, pk):
    """The GDPR information clause (the text of the KIS settings) with the person's name, for
    their signature; the date it was handed over is then kept on the file."""
    participant = get_participant_for_user(request.user, pk, Action.VIEW)
    log_access(user=request.user, instance=participant, kind=AccessKind.PDF, what="GDPR clause")
    kis = KisSettings.load()
    content = render_pdf(
        "participants/pdf/rodo_clause.html",
        {
            "participant": participant,
            "paragraphs": gdpr.paragraphs(kis),
            "title": _("GDPR information clause"),
            "signature_slots": [
                {"label": _("Participant"), "expected_name": participant.full_name},
                {"label": _("For the KIS")},
            ],
        },
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="klauzula-rodo-{participant.pk}.pdf"'
    return response


@require_safe
def certificate_register(request):
    """The register of issued certificates, by number."""
    if not policy().can(request.user, Action.ENROL):
        raise PermissionDenied
    certificates = Certificate.objects.select_related(
        "enrolment__participant", "enrolment__cohort"
    ).filter(enrolment__participant__in=policy().participants_visible_to(request.user))
    state = request.GET.get("state")
    if state in DocumentState.values:
        certificates = certificates.filter(state=state)
    page = Paginator(certificates, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "participants/certificates.html",
        {"page": page, "title": _("Register of certificates"), "breadcrumbs": breadcrumbs()},
    )


# --- Referrals to partner institutions --------------------------------------------------------


@require_http_methods(["GET", "POST"])
def referral_new(request, pk):
    participant = get_participant_for_user(request.user, pk, Action.EDIT)
    sections = policy().sections_for(request.user, participant)
    initial = {}
    service_id = request.GET.get("service", "")
    if service_id.isdigit():
        from partners.models import Service

        service = Service.objects.filter(pk=service_id).select_related("institution").first()
        if service:
            initial = {
                "service": service.pk,
                "institution": service.institution_id,
                "contact_person": service.contact_id,
            }
    form = ReferralForm(
        form_data(request),
        instance=OutgoingReferral(participant=participant),
        sections=sections,
        initial=initial,
    )
    done = save_form(
        request,
        form,
        lambda form: services.referral_create(referral=form.instance, by=request.user),
        success_url=lambda referral: reverse("participants:referral", args=[referral.pk]),
        success_message=_("The referral has been prepared. Sign the letter, then send it."),
    )
    return done or file_form_page(
        request,
        form,
        participant,
        _("Referral to an institution: %(name)s") % {"name": participant.full_name},
    )


def _referral(request, pk, action):
    return get_record_for_user(
        request.user,
        OutgoingReferral.objects.select_related(
            "participant",
            "participant__case_manager",
            "institution",
            "service",
            "contact_person",
        ),
        pk,
        action,
    )


@require_http_methods(["GET", "POST"])
def referral_detail(request, pk):
    referral = _referral(request, pk, Action.VIEW)
    user = request.user
    allowed = services.referral_next_statuses(referral)
    can_change = policy().can(user, Action.EDIT, referral)
    form = None
    if can_change and allowed:
        form = ReferralStatusForm(form_data(request), allowed=allowed, version=referral.version)
        done = save_form(
            request,
            form,
            lambda form: services.referral_change_status(
                referral=referral,
                to_status=form.cleaned_data["to_status"],
                on=form.cleaned_data["on"],
                note=form.cleaned_data.get("note", ""),
                expected_version=form.cleaned_data.get("expected_version"),
            ),
            success_url=reverse("participants:referral", args=[referral.pk]),
            success_message=_("The status of the referral has been changed."),
            current=referral,
        )
        if done:
            return done
    elif request.method == "POST":
        raise PermissionDenied
    log_access(user=user, instance=referral)
    return render(
        request,
        "participants/referral.html",
        {
            "referral": referral,
            "participant": referral.participant,
            "panel": document_panel(request, referral),
            "form": form,
            "can_edit": can_change
            and not referral.is_locked
            and referral.status == ReferralStatus.PREPARED,
            "title": capfirst(str(referral)),
            "breadcrumbs": breadcrumbs(file_crumb(referral.participant)),
        },
    )


@require_http_methods(["GET", "POST"])
def referral_edit(request, pk):
    referral = _referral(request, pk, Action.EDIT)
    if referral.is_locked or referral.status != ReferralStatus.PREPARED:
        messages.info(request, _("This referral can no longer be changed."))
        return redirect("participants:referral", pk=referral.pk)
    form = ReferralForm(
        form_data(request),
        instance=referral,
        sections=policy().sections_for(request.user, referral.participant),
    )
    done = save_form(
        request,
        form,
        lambda form: services.referral_update(
            referral=form.instance,
            expected_version=form.cleaned_data.get("expected_version"),
            by=request.user,
        ),
        success_url=reverse("participants:referral", args=[referral.pk]),
        success_message=_("The referral has been saved."),
    )
    return done or file_form_page(
        request,
        form,
        referral.participant,
        _("Edit the referral"),
        cancel_url=reverse("participants:referral", args=[referral.pk]),
        signatures_warning=len(active_signatures(referral)),
    )


@require_safe
def referrals_waiting(request):
    """Referrals sent more than 14 days ago still waiting for the institution's answer."""
    if not policy().can(request.user, Action.EDIT):
        raise PermissionDenied
    from participants.selectors import referrals_waiting as waiting
    from participants.views.enrolment import _mine_only

    mine = _mine_only(request)
    referrals = list(waiting(policy().participants_visible_to(request.user), case_manager_id=mine))
    for referral in referrals:
        referral.hidden_name = institution_hidden(
            request.user, referral.participant, referral.institution
        )
    return render(
        request,
        "participants/referrals_waiting.html",
        {
            "referrals": referrals,
            "mine": mine is not None,
            "title": _("Referrals waiting for an answer"),
            "breadcrumbs": breadcrumbs(),
        },
    )

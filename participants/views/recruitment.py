"""Recruitment: incoming referrals and applications, eligibility, the qualification decision."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from kis_site.access import Action, log_access, policy
from kis_site.editing import add_errors, save_form
from kis_site.pending import form_data
from kis_site.vocabulary import RiskGroup
from participants import services
from participants.access import (
    get_participant_for_user,
    get_record_for_user,
    participants_visible_to,
    referrer_hidden,
    staff_id,
)
from participants.forms import ApplicationForm, DecisionForm, ParticipantBasicsForm
from participants.models import Application, Decision
from participants.selectors import waiting_list
from participants.views.file import file_form_page


def _crumbs(*items):
    return [(_("Recruitment"), reverse("recruitment:list")), *items]


@require_safe
def application_list(request):
    """The waiting list: applications by the date received, each person's status."""
    if not policy().can(request.user, Action.RECRUIT):
        raise PermissionDenied
    decision = request.GET.get("decision", "waiting")
    if decision not in [*Decision.values, "waiting", "all"]:
        decision = "waiting"
    applications = waiting_list(
        participants_visible_to(request.user), None if decision == "all" else decision
    )
    page = Paginator(applications, 50).get_page(request.GET.get("page"))
    for application in page:
        application.referrer_hidden = referrer_hidden(request.user, application)
    return render(
        request,
        "participants/recruitment/list.html",
        {
            "page": page,
            "decision": decision,
            "tabs": [("waiting", _("waiting list")), *Decision.choices, ("all", _("all"))],
            "title": _("Recruitment and waiting list"),
            "breadcrumbs": [],
            "can_create": policy().can(request.user, Action.CREATE),
        },
    )


@sensitive_post_parameters("person-pesel", "person-id_document_number")
@require_http_methods(["GET", "POST"])
def application_new(request):
    """A referral or application of someone without a file yet: the person and the application."""
    user = request.user
    if not (policy().can(user, Action.RECRUIT) and policy().can(user, Action.CREATE)):
        raise PermissionDenied
    sections = policy().creation_sections(user)
    data = form_data(request)
    person_form = ParticipantBasicsForm(data, prefix="person")
    application_form = ApplicationForm(data, prefix="app", sections=sections)
    if request.method == "POST" and person_form.is_valid() and application_form.is_valid():
        try:
            with transaction.atomic():
                groups = list(application_form.cleaned_data.get("eligible_groups") or [])
                person = person_form.instance
                person.primary_risk_group = _first_statutory(groups)
                participant = services.participant_create(
                    participant=person, risk_groups=groups, by=user
                )
                application = application_form.instance
                application.participant = participant
                services.application_create(application=application, by=user)
        except ValidationError as error:
            add_errors(person_form, error)
        else:
            messages.success(
                request,
                _("The application has been recorded and a file opened for %(name)s.")
                % {"name": participant.full_name},
            )
            return redirect("recruitment:detail", pk=application.pk)
    return render(
        request,
        "participants/recruitment/new.html",
        {
            "person_form": person_form,
            "form": application_form,
            "title": _("New referral or application"),
            "breadcrumbs": _crumbs(),
            "cancel_url": reverse("recruitment:list"),
        },
    )


def _first_statutory(groups):
    for group in groups:
        if group != RiskGroup.OTHER:
            return group
    return groups[0] if groups else ""


@require_http_methods(["GET", "POST"])
def application_add(request, pk):
    """A new application of a person who already has a file (e.g. a second participation)."""
    participant = get_participant_for_user(request.user, pk, Action.RECRUIT)
    sections = policy().sections_for(request.user, participant)
    form = ApplicationForm(
        form_data(request), instance=Application(participant=participant), sections=sections
    )
    done = save_form(
        request,
        form,
        lambda form: services.application_create(application=form.instance, by=request.user),
        success_url=lambda application: reverse("recruitment:detail", args=[application.pk]),
        success_message=_("The application has been recorded."),
    )
    return done or file_form_page(
        request, form, participant, _("New application: %(name)s") % {"name": participant.full_name}
    )


def _application(request, pk, action):
    return get_record_for_user(
        request.user,
        Application.objects.select_related(
            "participant",
            "participant__case_manager",
            "institution",
            "contact_person",
            "decided_by",
        ),
        pk,
        action,
    )


@require_safe
def application_detail(request, pk):
    application = _application(request, pk, Action.VIEW)
    participant = application.participant
    user = request.user
    log_access(user=user, instance=application)
    sections = policy().sections_for(user, participant)
    application.referrer_hidden = referrer_hidden(user, application)
    can_decide = policy().can(user, Action.ENROL, participant)
    decision_form = None
    if can_decide:
        decision_form = DecisionForm(
            instance=application,
            initial={"decided_on": timezone.localdate(), "decided_by": staff_id(user)}
            if application.decision == Decision.PENDING
            else None,
        )
    enrolled = application.enrolments.first()
    return render(
        request,
        "participants/recruitment/detail.html",
        {
            "application": application,
            "participant": participant,
            "sections": sections,
            "decision_form": decision_form,
            "enrolled": enrolled,
            "can_enrol": can_decide
            and application.decision == Decision.QUALIFIED
            and enrolled is None,
            "can_edit": policy().can(user, Action.RECRUIT, participant),
            "title": _("Application of %(name)s") % {"name": participant.full_name},
            "breadcrumbs": _crumbs(),
        },
    )


@require_http_methods(["GET", "POST"])
def application_edit(request, pk):
    application = _application(request, pk, Action.RECRUIT)
    sections = policy().sections_for(request.user, application.participant)
    form = ApplicationForm(form_data(request), instance=application, sections=sections)
    done = save_form(
        request,
        form,
        lambda form: services.application_update(
            application=form.instance,
            expected_version=form.cleaned_data.get("expected_version"),
        ),
        success_url=reverse("recruitment:detail", args=[application.pk]),
        success_message=_("The application has been saved."),
    )
    return done or render(
        request,
        "participants/form.html",
        {
            "form": form,
            "participant": application.participant,
            "title": _("Edit the application"),
            "breadcrumbs": _crumbs(
                (str(application), reverse("recruitment:detail", args=[application.pk]))
            ),
            "cancel_url": reverse("recruitment:detail", args=[application.pk]),
        },
    )


def _check_link(user, application):
    """A refused qualification without groups leads to the form where they are ticked."""
    if application.eligible_groups or not policy().can(
        user, Action.RECRUIT, application.participant
    ):
        return None
    return format_html(
        '<a href="{}">{}</a>',
        reverse("recruitment:edit", args=[application.pk]),
        _("Complete the eligibility check"),
    )


@require_http_methods(["GET", "POST"])
def application_decide(request, pk):
    application = _application(request, pk, Action.ENROL)
    form = DecisionForm(form_data(request), instance=application)

    def save(form):
        data = form.cleaned_data
        return services.application_decide(
            application=form.instance,
            decision=data["decision"],
            decided_on=data["decided_on"],
            decided_by=data["decided_by"],
            reason=data["decision_reason"],
            expected_version=data.get("expected_version"),
        )

    done = save_form(
        request,
        form,
        save,
        success_url=reverse("recruitment:detail", args=[application.pk]),
        success_message=_("The decision has been recorded."),
    )
    return done or render(
        request,
        "participants/form.html",
        {
            "form": form,
            "participant": application.participant,
            "title": _("Qualification decision: %(name)s")
            % {"name": application.participant.full_name},
            "breadcrumbs": _crumbs(
                (str(application), reverse("recruitment:detail", args=[application.pk]))
            ),
            "cancel_url": reverse("recruitment:detail", args=[application.pk]),
            "sections": policy().sections_for(request.user, application.participant),
            "intro": _check_link(request.user, application),
        },
    )

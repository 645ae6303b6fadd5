"""Cohorts, enrolments, status changes, exits and follow-ups."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kis_site.access import Action, log_access, policy
from kis_site.editing import save_form
from kis_site.locking import save_versioned
from kis_site.pending import form_data
from kis_site.registries import enrolment_panels, panels_for
from participants import services
from participants.access import (
    get_participant_for_user,
    get_record_for_user,
    participants_visible_to,
    staff_id,
)
from participants.forms import (
    CertificateForm,
    CohortForm,
    EnrolmentEditForm,
    EnrolmentForm,
    FollowUpForm,
    StatusChangeForm,
)
from participants.models import Certificate, Cohort, Enrolment, EnrolmentStatus, FollowUp
from participants.selectors import (
    basis_ending_early,
    cohort_members,
    cohorts_with_counts,
    contracts_ending,
    contracts_ending_early,
    enrolments_ending,
    evaluations_due,
    follow_ups_due,
)
from participants.views.file import breadcrumbs, file_crumb, file_form_page

# --- Cohorts --------------------------------------------------------------------------------


def _cohort_crumbs(*items):
    return [(_("Cohorts"), reverse("cohorts:list")), *items]


@require_safe
def cohort_list(request):
    if not policy().can(request.user, Action.VIEW):
        raise PermissionDenied
    today = timezone.localdate()
    cohorts = cohorts_with_counts()
    return render(
        request,
        "participants/cohorts/list.html",
        {
            "current": [c for c in cohorts if c.ends_on >= today],
            "past": [c for c in cohorts if c.ends_on < today],
            "can_manage": policy().can(request.user, Action.ENROL),
            "title": _("Cohorts"),
            "breadcrumbs": [],
        },
    )


@require_safe
def cohort_detail(request, pk):
    if not policy().can(request.user, Action.VIEW):
        raise PermissionDenied
    cohort = get_object_or_404(cohorts_with_counts(), pk=pk)
    members = cohort_members(cohort, participants_visible_to(request.user))
    return render(
        request,
        "participants/cohorts/detail.html",
        {
            "cohort": cohort,
            "members": members,
            "can_manage": policy().can(request.user, Action.ENROL),
            # The group's programme (activities), through the reverse relation: no import.
            "programme": getattr(cohort, "programme", None),
            "title": cohort.name,
            "breadcrumbs": _cohort_crumbs(),
        },
    )


@require_http_methods(["GET", "POST"])
def cohort_new(request):
    if not policy().can(request.user, Action.ENROL):
        raise PermissionDenied
    form = CohortForm(form_data(request))
    done = save_form(
        request,
        form,
        lambda form: save_versioned(form.instance, expected_version=None),
        success_url=lambda cohort: reverse("cohorts:detail", args=[cohort.pk]),
        success_message=_("The cohort has been created."),
    )
    return done or render(
        request,
        "participants/form.html",
        {
            "form": form,
            "title": _("New cohort"),
            "breadcrumbs": _cohort_crumbs(),
            "cancel_url": reverse("cohorts:list"),
        },
    )


@require_http_methods(["GET", "POST"])
def cohort_edit(request, pk):
    if not policy().can(request.user, Action.ENROL):
        raise PermissionDenied
    cohort = get_object_or_404(Cohort, pk=pk)
    form = CohortForm(form_data(request), instance=cohort)
    done = save_form(
        request,
        form,
        lambda form: save_versioned(
            form.instance, expected_version=form.cleaned_data.get("expected_version")
        ),
        success_url=reverse("cohorts:detail", args=[cohort.pk]),
        success_message=_("The cohort has been saved."),
    )
    return done or render(
        request,
        "participants/form.html",
        {
            "form": form,
            "title": _("Edit cohort: %(name)s") % {"name": cohort.name},
            "breadcrumbs": _cohort_crumbs((cohort.name, reverse("cohorts:detail", args=[pk]))),
            "cancel_url": reverse("cohorts:detail", args=[cohort.pk]),
        },
    )


# --- Enrolment ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def enrolment_new(request, pk):
    participant = get_participant_for_user(request.user, pk, Action.ENROL)
    data = form_data(request)
    initial = {"starts_on": timezone.localdate()}
    application_id = request.GET.get("application")
    if application_id and application_id.isdigit():
        initial["application"] = int(application_id)
    form = EnrolmentForm(
        data, instance=Enrolment(participant=participant), participant=participant, initial=initial
    )

    def save(form):
        enrolment = form.instance
        if not enrolment.planned_end_on and enrolment.starts_on:
            enrolment.planned_end_on = services.default_planned_end(
                enrolment.starts_on, enrolment.cohort
            )
        return services.enrolment_create(enrolment=enrolment, by=request.user)

    done = save_form(
        request,
        form,
        save,
        success_url=reverse("participants:detail", args=[participant.pk]),
        success_message=_("%(name)s has been enrolled.") % {"name": participant.full_name},
    )
    return done or file_form_page(
        request,
        form,
        participant,
        _("Enrol: %(name)s") % {"name": participant.full_name},
        no_choice_message=None
        if form.fields["application"].queryset.exists()
        else _(
            "This person has no qualified application that has not been used yet. "
            "Record an application and the qualification decision first."
        ),
    )


def _enrolment(request, pk, action):
    return get_record_for_user(
        request.user,
        Enrolment.objects.select_related(
            "participant", "participant__case_manager", "cohort", "funding_source", "application"
        ),
        pk,
        action,
    )


@require_http_methods(["GET", "POST"])
def enrolment_detail(request, pk):
    """One participation: its data, its status history, the status change and the follow-ups."""
    enrolment = _enrolment(request, pk, Action.VIEW)
    user = request.user
    can_change = policy().can(user, Action.CHANGE_STATUS, enrolment)
    allowed = services.allowed_transitions(enrolment)
    form = None
    if can_change and allowed:
        form = StatusChangeForm(form_data(request), allowed=allowed, version=enrolment.version)

        def save(form):
            data = form.cleaned_data
            return services.enrolment_change_status(
                enrolment=enrolment,
                to_status=data["to_status"],
                changed_on=data["changed_on"],
                reason=data["reason"],
                by=user,
                expected_version=data.get("expected_version"),
                exit_outcome=data.get("exit_outcome", ""),
                exit_notes=data.get("exit_notes", ""),
            )

        done = save_form(
            request,
            form,
            save,
            success_url=reverse("participants:enrolment", args=[enrolment.pk]),
            success_message=_("The status has been changed."),
            current=enrolment,
        )
        if done:
            return done
    elif request.method == "POST":
        if not can_change:
            raise PermissionDenied
        messages.error(request, _("This participation has ended: its status no longer changes."))
        return redirect("participants:enrolment", pk=enrolment.pk)
    log_access(user=user, instance=enrolment)
    day = timezone.localdate() if enrolment.is_open else enrolment.starts_on
    certificate = Certificate.objects.filter(enrolment=enrolment).first()
    panels = panels_for(enrolment_panels, request, enrolment)
    return render(
        request,
        "participants/enrolment.html",
        {
            "enrolment": enrolment,
            "participant": enrolment.participant,
            "history": enrolment.status_changes.select_related("changed_by"),
            "follow_ups": enrolment.follow_ups.select_related("recorded_by"),
            "form": form,
            "can_edit": can_change and enrolment.is_open,
            "can_follow_up": can_change,
            "bases": services.bases_covering(enrolment.participant, day),
            "basis_ending_early": basis_ending_early(enrolment),
            "basis_day": day,
            "certificate": certificate,
            "panels": panels,
            "can_issue_certificate": certificate is None
            and enrolment.status == EnrolmentStatus.COMPLETED
            and policy().can(user, Action.ENROL, enrolment),
            "certificate_form": CertificateForm(initial={"issued_on": timezone.localdate()}),
            "title": _("Participation of %(name)s") % {"name": enrolment.participant.full_name},
            "breadcrumbs": breadcrumbs(file_crumb(enrolment.participant)),
        },
    )


@require_http_methods(["GET", "POST"])
def enrolment_edit(request, pk):
    enrolment = _enrolment(request, pk, Action.CHANGE_STATUS)
    form = EnrolmentEditForm(form_data(request), instance=enrolment)
    done = save_form(
        request,
        form,
        lambda form: services.enrolment_update(
            enrolment=form.instance, expected_version=form.cleaned_data.get("expected_version")
        ),
        success_url=reverse("participants:enrolment", args=[enrolment.pk]),
        success_message=_("The participation has been saved."),
    )
    return done or file_form_page(
        request,
        form,
        enrolment.participant,
        _("Change the period of participation"),
        cancel_url=reverse("participants:enrolment", args=[enrolment.pk]),
    )


@require_http_methods(["GET", "POST"])
def follow_up_edit(request, pk):
    follow_up = get_record_for_user(
        request.user,
        FollowUp.objects.select_related("enrolment", "enrolment__participant"),
        pk,
        Action.CHANGE_STATUS,
    )
    form = FollowUpForm(form_data(request), instance=follow_up)
    if not form.is_bound:
        form.initial.setdefault("checked_on", timezone.localdate())
    done = save_form(
        request,
        form,
        lambda form: services.follow_up_record(
            follow_up=form.instance,
            recorded_by_id=staff_id(request.user),
            expected_version=form.cleaned_data.get("expected_version"),
        ),
        success_url=reverse("participants:enrolment", args=[follow_up.enrolment_id]),
        success_message=_("The follow-up has been recorded."),
    )
    participant = follow_up.enrolment.participant
    return done or file_form_page(
        request,
        form,
        participant,
        _("Follow-up %(months)s months after the exit: %(name)s")
        % {"months": follow_up.months, "name": participant.full_name},
        cancel_url=reverse("participants:enrolment", args=[follow_up.enrolment_id]),
    )


# --- Lists behind the to-do tiles -----------------------------------------------------------


def _mine_only(request):
    """Case managers see their own people by default; the manager sees everyone's."""
    if request.GET.get("all") == "1":
        return None
    return policy().caseload(request.user)


@require_safe
def follow_up_list(request):
    if not policy().can(request.user, Action.CHANGE_STATUS):
        raise PermissionDenied
    mine = _mine_only(request)
    due = follow_ups_due(participants_visible_to(request.user), case_manager_id=mine)
    return render(
        request,
        "participants/follow_ups.html",
        {
            "follow_ups": due,
            "mine": mine is not None,
            "today": timezone.localdate(),
            "title": _("Follow-ups due"),
            "breadcrumbs": breadcrumbs(),
        },
    )


@require_safe
def ending_list(request):
    if not policy().can(request.user, Action.CHANGE_STATUS):
        raise PermissionDenied
    mine = _mine_only(request)
    ending = enrolments_ending(participants_visible_to(request.user), case_manager_id=mine)
    return render(
        request,
        "participants/ending.html",
        {
            "enrolments": ending,
            "mine": mine is not None,
            "today": timezone.localdate(),
            "title": _("Participations ending within 30 days"),
            "breadcrumbs": breadcrumbs(),
        },
    )


@require_safe
def contracts_due(request):
    """Contracts ending within 30 days and evaluations due: the case manager's contract work."""
    if not policy().can(request.user, Action.CHANGE_STATUS):
        raise PermissionDenied
    mine = _mine_only(request)
    visible = participants_visible_to(request.user)
    return render(
        request,
        "participants/contracts_due.html",
        {
            "contracts": contracts_ending(visible, case_manager_id=mine),
            "ending_early": contracts_ending_early(visible, case_manager_id=mine),
            "evaluations": evaluations_due(visible, case_manager_id=mine),
            "mine": mine is not None,
            "today": timezone.localdate(),
            "title": _("Social contracts: ending soon and evaluations due"),
            "breadcrumbs": breadcrumbs(),
        },
    )

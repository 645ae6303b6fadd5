"""Placements: work outside the KIS and the hours recorded for it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from activities import selectors, services
from activities.forms import PlacementForm, PlacementHoursForm
from activities.models import Placement, PlacementKind
from kis_site.access import Action, log_access, policy
from kis_site.editing import add_errors, save_form
from kis_site.locking import save_versioned
from kis_site.pending import form_data
from participants.access import get_participant_for_user, get_record_for_user


@require_http_methods(["GET", "POST"])
def placement_edit(request, pk=None, participant=None):
    if pk is not None:
        placement = get_record_for_user(
            request.user, Placement.objects.select_related("participant"), pk, Action.EDIT
        )
        person = placement.participant
    else:
        person = get_participant_for_user(request.user, participant, Action.EDIT)
        placement = Placement(participant=person)
    form = PlacementForm(form_data(request), instance=placement)
    done = save_form(
        request,
        form,
        lambda form: save_versioned(
            form.instance, expected_version=form.cleaned_data.get("expected_version")
        ),
        success_url=lambda saved: reverse("activities:placement", args=[saved.pk]),
        success_message=_("The placement has been saved."),
    )
    return done or render(
        request,
        "participants/form.html",
        {
            "form": form,
            "title": capfirst(str(placement))
            if placement.pk
            else _("New placement: %(name)s") % {"name": person.full_name},
            "intro": _("Work outside the KIS: its hours are kept apart from the programme's."),
            "cancel_url": reverse("activities:hour-card", args=[person.pk]),
            "breadcrumbs": [
                (_("Participants"), reverse("participants:list")),
                (person.full_name, reverse("participants:detail", args=[person.pk])),
            ],
        },
    )


@require_http_methods(["GET", "POST"])
def placement_detail(request, pk):
    placement = get_record_for_user(
        request.user,
        Placement.objects.select_related("participant", "institution"),
        pk,
        Action.VIEW,
    )
    can_edit = policy().can(request.user, Action.EDIT, placement)
    form = PlacementHoursForm(
        form_data(request) if can_edit else None, initial={"day": timezone.localdate()}
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.placement_hours_record(
                    placement=placement, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("The hours have been recorded."))
                return redirect("activities:placement", pk=placement.pk)
    log_access(user=request.user, instance=placement)
    return render(
        request,
        "activities/placement.html",
        {
            "placement": placement,
            "participant": placement.participant,
            "months": services.placement_months(placement),
            "psu_rates": selectors.psu_rates_on(timezone.localdate())
            if placement.kind == PlacementKind.PSU
            else None,
            "records": placement.hours.order_by("-day")[:62],
            "form": form if can_edit else None,
            "can_edit": can_edit,
            "title": capfirst(str(placement)),
            "breadcrumbs": [
                (_("Participants"), reverse("participants:list")),
                (
                    placement.participant.full_name,
                    reverse("participants:detail", args=[placement.participant_id]),
                ),
            ],
        },
    )

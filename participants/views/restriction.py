"""Restricting processing of a file and lifting it (GDPR art. 18): the manager's, audited.
The rules of a restricted file are in ``participants.restriction``."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kis_site.access import Action, policy
from kis_site.editing import save_form
from kis_site.pending import form_data
from participants import restriction
from participants.access import get_participant_for_user, participants_reachable_by, records_of
from participants.forms import LiftRestrictionForm, RestrictionForm
from participants.models import ProcessingRestriction
from participants.views.file import breadcrumbs, file_form_page


@require_http_methods(["GET", "POST"])
def restrict(request, pk):
    participant = get_participant_for_user(request.user, pk, Action.RESTRICT)
    if participant.restricted_on is not None:
        return redirect("participants:lift-restriction", pk=participant.pk)
    form = RestrictionForm(form_data(request))
    done = save_form(
        request,
        form,
        lambda form: restriction.restrict(
            participant=participant,
            restricted_on=form.cleaned_data["restricted_on"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        ),
        success_url=reverse("participants:detail", args=[participant.pk]),
        success_message=_("Processing of the file is restricted."),
    )
    return done or file_form_page(
        request,
        form,
        participant,
        _("Restrict processing (GDPR art. 18)"),
        intro=_(
            "From the date given the file is read-only for everyone and the person leaves every "
            "list, roster and statement; an active participation is suspended on that day. The "
            "club's reports of the periods before still count them."
        ),
    )


@require_http_methods(["GET", "POST"])
def lift(request, pk):
    participant = get_participant_for_user(request.user, pk, Action.RESTRICT)
    current = restriction.in_force(participant)
    if current is None:
        return redirect("participants:detail", pk=participant.pk)
    form = LiftRestrictionForm(form_data(request))
    done = save_form(
        request,
        form,
        lambda form: restriction.lift(
            participant=participant,
            person_told_on=form.cleaned_data["person_told_on"],
            note=form.cleaned_data["note"],
            by=request.user,
        ),
        success_url=reverse("participants:detail", args=[participant.pk]),
        success_message=_("The restriction of processing has been lifted."),
    )
    return done or file_form_page(
        request,
        form,
        participant,
        _("Lift the restriction of processing"),
        intro=_("Restricted since %(date)s. Reason: %(reason)s")
        % {"date": current.restricted_on.strftime("%d.%m.%Y"), "reason": current.reason},
    )


@require_safe
def restricted_files(request):
    """The files whose processing is restricted: out of every other list, they are found here."""
    if not policy().can(request.user, Action.RESTRICT):
        raise PermissionDenied
    restrictions = (
        ProcessingRestriction.objects.filter(
            records_of(participants_reachable_by(request.user)),
            lifted_on__isnull=True,
            participant__anonymised_on__isnull=True,  # nothing left to restrict or lift
        )
        .select_related("participant")
        .order_by("participant__sort_name", "pk")
    )
    page = Paginator(restrictions, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "participants/restricted.html",
        {
            "page": page,
            "title": _("Files with restricted processing"),
            "breadcrumbs": breadcrumbs(),
        },
    )

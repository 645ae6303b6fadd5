"""The hour ledger's pages: a person's hour card (page and PDF), the group's hours and the people
below the 2/3 rule."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from activities import ledger
from activities.models import Placement
from activities.views._common import _crumbs
from kis_site.access import AccessKind, Action, log_access, policy
from kis_site.pdf import render_pdf
from participants.access import (
    get_participant_for_user,
    managed_participants,
    participants_visible_to,
)
from participants.models import Cohort


def _hour_card_context(participant) -> dict:
    rows = ledger.module_rows(participant.pk)
    placements = list(
        Placement.objects.filter(participant=participant)
        .select_related("institution")
        .annotate(worked=Sum("hours__hours"))
    )
    return {
        "placements": placements,
        "participant": participant,
        "rows": rows,
        "totals": ledger.totals(rows),
        "weeks": ledger.weeks(participant.pk),
        "share": ledger.SHARE,
    }


@require_safe
def hour_card(request, pk):
    """A participant's hours: per module planned and done, absences, the weekly 2/3 share."""
    participant = get_participant_for_user(request.user, pk, Action.VIEW)
    log_access(user=request.user, instance=participant, what="hour card")
    return render(
        request,
        "activities/hour_card.html",
        {
            **_hour_card_context(participant),
            "title": _("Hours: %(name)s") % {"name": participant.full_name},
            "breadcrumbs": [
                (_("Participants"), reverse("participants:list")),
                (participant.full_name, reverse("participants:detail", args=[participant.pk])),
            ],
        },
    )


@require_safe
def hour_card_pdf(request, pk):
    participant = get_participant_for_user(request.user, pk, Action.VIEW)
    log_access(user=request.user, instance=participant, kind=AccessKind.PDF, what="hour card")
    content = render_pdf(
        "activities/pdf/hour_card.html",
        {**_hour_card_context(participant), "title": _("Hour card")},
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="karta-godzin-{participant.pk}.pdf"'
    return response


@require_safe
def two_thirds(request):
    """The people whose weekly share of social reintegration fell below 2/3 in the last four
    weeks, each with the weeks below and a link to their hour card."""
    breaches = ledger.below_two_thirds_for(request.user, today=timezone.localdate())
    if breaches is None:
        raise PermissionDenied
    people = (
        managed_participants(request.user)
        .filter(pk__in=list(breaches))
        .select_related("case_manager")
        .only("first_name", "last_name", "case_manager__first_name", "case_manager__last_name")
        .order_by("sort_name", "pk")
    )
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    for person in page:
        person.weeks_below = breaches[person.pk]
        person.lowest = min(week.done_window_share for week in person.weeks_below)
    mondays = ledger.last_weeks(timezone.localdate())
    return render(
        request,
        "activities/two_thirds.html",
        {
            "page": page,
            "first": mondays[0],
            "last": mondays[-1] + timedelta(days=6),
            "title": _("2/3 rule: people below in the last four weeks"),
            "breadcrumbs": [(_("Participants"), reverse("participants:list"))],
        },
    )


@require_safe
def cohort_hours(request, pk):
    """The group's ledger: who is behind their plan at this point of the cycle."""
    if not policy().can(request.user, Action.VIEW):
        raise PermissionDenied
    cohort = get_object_or_404(Cohort, pk=pk)
    people = (
        participants_visible_to(request.user)
        .filter(enrolments__cohort=cohort)
        .distinct()
        .order_by("sort_name")
    )
    today = timezone.localdate()
    rows = ledger.cohort_rows(cohort, list(people), today=today)
    return render(
        request,
        "activities/cohort_hours.html",
        {
            "cohort": cohort,
            "rows": rows,
            "behind": ledger.BEHIND,
            "today": today,
            "title": _("Hours of the group: %(cohort)s") % {"cohort": cohort.name},
            "breadcrumbs": _crumbs((cohort.name, reverse("cohorts:detail", args=[cohort.pk]))),
        },
    )

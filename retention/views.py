"""Retention and anonymisation pages: the files past retention with the proposals waiting for
confirmation (the manager), proposing an anonymisation (the case manager of the person or the
manager), confirming it (the manager). The rules are in ``retention.anonymise``."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kis_site.access import Action, policy
from kis_site.editing import save_form
from kis_site.pending import form_data
from kis_site.serving import stored_file_response
from participants.access import get_participant_for_user, get_record_for_user
from participants.views.file import file_form_page
from retention import anonymise
from retention.forms import ConfirmForm, ProposeForm
from retention.models import Anonymisation, AnonymisationState, RecordKind, RetentionRule
from retention.schedule import past_retention


@require_safe
def due(request):
    """The files whose every retention period has passed, and the proposals to confirm."""
    if not policy().can(request.user, Action.ANONYMISE):
        raise PermissionDenied
    proposals = Anonymisation.objects.filter(state=AnonymisationState.PROPOSED).select_related(
        "participant", "proposed_by"
    )
    anonymised = Anonymisation.objects.filter(state=AnonymisationState.DONE).order_by(
        "-confirmed_at", "-pk"
    )
    return render(
        request,
        "retention/due.html",
        {
            "title": _("Files past retention"),
            "files": past_retention(),
            "proposals": proposals,
            "rules": [RetentionRule.for_kind(kind) for kind in RecordKind],
            "anonymised": anonymised[:50],
            "done": anonymised.count(),
        },
    )


@require_http_methods(["GET", "POST"])
def propose(request, pk):
    participant = get_participant_for_user(request.user, pk, Action.PROPOSE_ANONYMISATION)
    if not policy().responsible_for(request.user, participant):
        raise PermissionDenied  # a case manager proposes for the people they manage
    if participant.anonymised_on is not None:
        return redirect("participants:detail", pk=participant.pk)
    waiting = anonymise.pending(participant)
    form = ProposeForm(form_data(request))
    done = save_form(
        request,
        form,
        lambda form: anonymise.propose(
            participant=participant,
            ground=form.cleaned_data["ground"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        ),
        success_url=reverse("participants:detail", args=[participant.pk]),
        success_message=_("The anonymisation is proposed; the manager confirms it."),
    )
    return done or file_form_page(
        request,
        form,
        participant,
        _("Propose anonymisation"),
        intro=_("An anonymisation of this file is already proposed.")
        if waiting is not None
        else _(
            "Once the manager confirms it, the person's identity is removed from the file for "
            "good: their name, PESEL, address and contacts, every free text, the signed PDFs "
            "and scans, and the content of the audit log. What the statistics need stays in a "
            "coarse form."
        ),
    )


@require_http_methods(["GET", "POST"])
def confirm(request, pk):
    anonymisation = get_record_for_user(
        request.user, Anonymisation.objects.select_related("participant"), pk, Action.ANONYMISE
    )
    participant = anonymisation.participant
    if anonymisation.state != AnonymisationState.PROPOSED:
        return redirect("retention:due")
    form = ConfirmForm(form_data(request))
    done = save_form(
        request,
        form,
        lambda form: anonymise.confirm(
            anonymisation=anonymisation,
            archive_reference=form.cleaned_data["archive_reference"],
            by=request.user,
        ),
        success_url=reverse("retention:due"),
        success_message=_("The file %(number)s is anonymised.")
        % {"number": anonymisation.case_number},
    )
    rule = RetentionRule.for_kind(anonymise.file_kind(participant))
    return done or file_form_page(
        request,
        form,
        participant,
        _("Confirm the anonymisation"),
        cancel_url=reverse("retention:due"),
        intro=_("Proposed by %(name)s on %(date)s: %(ground)s. %(reason)s")
        % {
            "name": anonymisation.proposed_by.get_full_name() or anonymisation.proposed_by,
            "date": anonymisation.proposed_at.strftime("%d.%m.%Y"),
            "ground": anonymisation.get_ground_display(),
            "reason": anonymisation.reason,
        }
        + (
            " " + _("The records rules require the archive's consent for this file.")
            if rule.archive_consent_required
            else ""
        ),
    )


@require_safe
def record(request, pk):
    """The destruction record of a confirmed anonymisation (the manager's)."""
    anonymisation = get_record_for_user(request.user, Anonymisation.objects.all(), pk)
    if not policy().can(request.user, Action.ANONYMISE):
        raise PermissionDenied
    if anonymisation.record is None:
        raise Http404
    return stored_file_response(anonymisation.record)


@require_POST
def withdraw(request, pk):
    """Withdraw a proposal: its author, or the manager."""
    anonymisation = get_record_for_user(
        request.user, Anonymisation.objects.all(), pk, Action.PROPOSE_ANONYMISATION
    )
    is_author = anonymisation.proposed_by_id == request.user.pk
    if not (is_author or policy().can(request.user, Action.ANONYMISE)):
        raise PermissionDenied
    if anonymisation.state == AnonymisationState.PROPOSED:
        anonymise.withdraw(anonymisation=anonymisation, by=request.user)
        messages.success(request, _("The proposal is withdrawn."))
    return redirect("participants:detail", pk=anonymisation.participant_id)

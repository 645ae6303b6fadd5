"""Retention and anonymisation pages: the files past retention with the proposals waiting for
confirmation (the manager), proposing an anonymisation (the case manager of the person or the
manager), confirming it (the manager). The rules are in ``retention.anonymise``."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kis_site.access import Action, policy
from kis_site.documents import document_panel
from kis_site.editing import save_form
from kis_site.pending import form_data
from participants.access import get_participant_for_user, get_record_for_user
from participants.views.file import file_form_page
from retention import anonymise
from retention.forms import ConfirmForm, ProposeForm
from retention.models import (
    Anonymisation,
    AnonymisationState,
    DestructionRecord,
    Ground,
    RecordKind,
    RetentionRule,
)
from retention.schedule import past_retention


@require_safe
def due(request):
    """The files whose every retention period has passed, and the proposals to confirm."""
    if not policy().can(request.user, Action.ANONYMISE):
        raise PermissionDenied
    proposals = Anonymisation.objects.filter(state=AnonymisationState.PROPOSED).select_related(
        "participant", "proposed_by"
    )
    anonymised = Anonymisation.objects.filter(state=AnonymisationState.DONE)
    records = DestructionRecord.objects.prefetch_related("anonymisations")
    return render(
        request,
        "retention/due.html",
        {
            "title": _("Files past retention"),
            "files": past_retention(),
            "proposals": proposals,
            "proposed": {item.participant_id for item in proposals},
            "rules": [RetentionRule.for_kind(kind) for kind in RecordKind],
            "records": records[:50],
            "done": anonymised.count(),
        },
    )


@require_POST
def propose_together(request):
    """The manager proposes the ticked files past retention at once, each with the retention
    that passed as its justification; they are then confirmed together."""
    if not policy().can(request.user, Action.ANONYMISE):
        raise PermissionDenied
    wanted = {int(value) for value in request.POST.getlist("participant") if value.isdigit()}
    waiting = set(
        Anonymisation.objects.filter(
            participant_id__in=wanted, state=AnonymisationState.PROPOSED
        ).values_list("participant_id", flat=True)
    )
    passed = past_retention(participant_ids=wanted - waiting)
    for person, retention in passed:
        anonymise.propose(
            participant=person,
            ground=Ground.RETENTION,
            reason=_("Every retention period has passed (kept until %(date)s).")
            % {"date": retention.until.strftime("%d.%m.%Y")},
            by=request.user,
        )
    proposed = len(passed)
    if proposed:
        messages.success(
            request,
            ngettext(
                "%(count)d anonymisation proposed: confirm it below.",
                "%(count)d anonymisations proposed: confirm them below.",
                proposed,
            )
            % {"count": proposed},
        )
    else:
        messages.info(request, _("Tick the files past retention to propose."))
    return redirect("retention:due")


@require_http_methods(["GET", "POST"])
def propose(request, pk):
    participant = get_participant_for_user(request.user, pk, Action.PROPOSE_ANONYMISATION)
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
    """Confirm one proposal (the same page as confirming several, with one file)."""
    anonymisation = get_record_for_user(
        request.user, Anonymisation.objects.select_related("participant"), pk, Action.ANONYMISE
    )
    if anonymisation.state != AnonymisationState.PROPOSED:
        return redirect("retention:due")
    return _confirm_page(request, [anonymisation.pk], fixed=True)


@require_http_methods(["GET", "POST"])
def confirm_together(request):
    """Confirm the proposals ticked on the list of files past retention, together: one
    destruction record, and the k-anonymity rule applied to them as a batch."""
    if not policy().can(request.user, Action.ANONYMISE):
        raise PermissionDenied
    return _confirm_page(request, request.GET.getlist("id"))


def _confirm_page(request, chosen, *, fixed=False):
    data = form_data(request)
    if data is not None and fixed:  # the file is the one in the address
        data = data.copy()
        data.setlist("proposals", [str(pk) for pk in chosen])
    form = ConfirmForm(data, initial={"proposals": chosen})
    done = save_form(
        request,
        form,
        lambda form: anonymise.confirm_together(
            anonymisations=list(form.cleaned_data["proposals"]),
            archive_reference=form.cleaned_data["archive_reference"],
            by=request.user,
        ),
        success_url=lambda record: reverse("retention:record", args=[record.pk]),
        success_message=_(
            "The files are anonymised. Sign the destruction record, print it for the commission "
            "and keep its scan."
        ),
    )
    if done:
        return done
    chosen = form.data.getlist("proposals") if form.is_bound else chosen
    proposals = form.fields["proposals"].queryset.filter(
        pk__in=[value for value in map(str, chosen) if value.isdigit()]
    )
    if "proposals" in form.errors:  # a hidden field: its message leads the form
        form.add_error(None, form.errors.pop("proposals"))
    rules = {kind: RetentionRule.for_kind(kind) for kind in RecordKind}
    files = [
        {
            "anonymisation": item,
            "kind": rules[anonymise.file_kind(item.participant)],
        }
        for item in proposals
    ]
    return render(
        request,
        "participants/form.html",
        {
            "form": form,
            "title": _("Confirm the anonymisation"),
            "intro": _(
                "The identity of the people below is removed from their files for good. The "
                "files confirmed together are listed in one destruction record; their details "
                "(detailed risk groups, municipality) are kept only where at least five "
                "anonymised people share them."
            ),
            "aside_template": "retention/_chosen.html",
            "submit_label": _("Anonymise for good"),
            "submit_class": "btn-danger",
            "files": files,
            "needs_consent": any(item["kind"].archive_consent_required for item in files),
            "breadcrumbs": _crumbs(),
            "cancel_url": reverse("retention:due"),
        },
    )


def _crumbs(*items):
    return [
        (_("Participants"), reverse("participants:list")),
        (_("Files past retention"), reverse("retention:due")),
        *items,
    ]


@require_safe
def record(request, pk):
    """A destruction record: the files it lists, its signatures, its PDF and scan."""
    destruction = get_object_or_404(DestructionRecord.objects.select_related("drawn_up_by"), pk=pk)
    if not policy().can(request.user, Action.VIEW, destruction):  # the manager's alone
        raise PermissionDenied
    context = anonymise.record_context(destruction)
    return render(
        request,
        "retention/record.html",
        {
            **context,
            "panel": document_panel(request, destruction),
            "breadcrumbs": _crumbs(),
        },
    )


@require_POST
def withdraw(request, pk):
    """Withdraw a proposal: its author, or the manager (participants.access)."""
    anonymisation = get_record_for_user(
        request.user, Anonymisation.objects.all(), pk, Action.PROPOSE_ANONYMISATION
    )
    if anonymisation.state == AnonymisationState.PROPOSED:
        anonymise.withdraw(anonymisation=anonymisation, by=request.user)
        messages.success(request, _("The proposal is withdrawn."))
    return redirect("participants:detail", pk=anonymisation.participant_id)

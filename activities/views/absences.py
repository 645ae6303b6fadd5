"""The absence rule: the open cases, one case with its follow-ups, the letters printed for
signature, and the justification of an absence."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from activities import absences
from activities.forms import AbsenceActionForm, CloseCaseForm, ExcuseForm
from activities.models import AbsenceCase, Attendance, Mark
from activities.views._common import _crumbs
from kis_site.access import AccessKind, Action, log_access, policy
from kis_site.editing import add_errors
from kis_site.models import KisSettings
from kis_site.pdf import render_pdf
from kis_site.pending import form_data
from participants.access import get_record_for_user


def _case_scope(user):
    if not policy().can(user, Action.CHANGE_STATUS):
        raise PermissionDenied
    return absences.cases_in_scope(user)


@require_safe
def absence_cases(request):
    """Open cases, one per participation, with the absences counted now. The manager's list
    also holds the cases of people without a case manager, said so."""
    cases = list(
        absences.with_counts(
            _case_scope(request.user)
            .filter(closed_on__isnull=True)
            .select_related("participant__case_manager", "enrolment", "attendance__session__module")
            .annotate(follow_ups=Count("actions", distinct=True))
        ).order_by("opened_at")
    )
    rules = KisSettings.load()
    for case in cases:
        case.streak = absences.consecutive_absences(case.participant_id)
        case.counts = absences.counts_text(
            case.justified_now, case.unjustified_now, rules.justified_absence_limit
        )
    return render(
        request,
        "activities/absence_cases.html",
        {
            "cases": cases,
            "rules": rules,
            "rule_sentences": absences.rule_sentences(rules),
            "title": _("Absence rule: open cases"),
            "breadcrumbs": _crumbs(),
        },
    )


def _absence_case(user, pk):
    return get_record_for_user(
        user,
        AbsenceCase.objects.select_related(
            "participant__case_manager", "enrolment__cohort", "attendance__session"
        ),
        pk,
        Action.CHANGE_STATUS,
    )


@require_http_methods(["GET", "POST"])
def absence_case(request, pk):
    case = _absence_case(request.user, pk)
    data = form_data(request)
    action_form = AbsenceActionForm(
        data if request.POST.get("form") == "action" else None,
        initial={"taken_on": timezone.localdate()},
        prefix="action",
    )
    close_form = CloseCaseForm(
        data if request.POST.get("form") == "close" else None, prefix="close"
    )
    if request.method == "POST":
        form = action_form if request.POST.get("form") == "action" else close_form
        if form.is_valid():
            try:
                if form is action_form:
                    absences.case_action(case=case, by=request.user, **form.cleaned_data)
                    messages.success(request, _("The follow-up has been recorded."))
                else:
                    absences.case_close(case=case, by=request.user, **form.cleaned_data)
                    messages.success(request, _("The case has been closed."))
            except ValidationError as error:
                add_errors(form, error)
            else:
                return redirect("activities:absence-case", pk=case.pk)
    rules = KisSettings.load()
    absent = absences.absences_of(case.enrolment)
    entries = {entry.attendance_id: entry for entry in case.entries.all()}
    return render(
        request,
        "activities/absence_case.html",
        {
            "case": case,
            "actions": case.actions.select_related("recorded_by"),
            "absences": [(mark, entries.get(mark.pk)) for mark in absent],
            "counts": absences.counts_text(
                sum(mark.mark == Mark.EXCUSED for mark in absent),
                sum(mark.mark == Mark.ABSENT for mark in absent),
                rules.justified_absence_limit,
            ),
            "warning": absences.warning_given(case),
            "action_form": action_form,
            "close_form": close_form,
            "streak": absences.consecutive_absences(case.participant_id),
            "rules": rules,
            "rule_sentences": absences.rule_sentences(rules),
            "title": str(case),
            "breadcrumbs": _crumbs((_("Absence rule"), reverse("activities:absence-cases"))),
        },
    )


ABSENCE_LETTERS = {
    # kind: (template, file name)
    "warning": ("activities/pdf/absence_warning.html", "upomnienie"),
    "decision": ("activities/pdf/absence_decision.html", "decyzja-skreslenie"),
}


def _absence_letter(request, pk, kind):
    """The warning letter (upomnienie) or the decision on removal from the list of participants,
    printed for signature: the person, every absence of the participation and the rule."""
    case = _absence_case(request.user, pk)
    template, filename = ABSENCE_LETTERS[kind]
    log_access(user=request.user, instance=case, kind=AccessKind.PDF, what=filename)
    rules = KisSettings.load()
    absent = absences.absences_of(case.enrolment)
    content = render_pdf(
        template,
        {
            "case": case,
            "participant": case.participant,
            "enrolment": case.enrolment,
            "absences": absent,
            "counts": absences.counts_text(
                sum(mark.mark == Mark.EXCUSED for mark in absent),
                sum(mark.mark == Mark.ABSENT for mark in absent),
                rules.justified_absence_limit,
            ),
            "limit_sentence": absences.limit_sentence(rules),
            "rules": rules,
            "warning": absences.warning_given(case),
            "today": timezone.localdate(),
            "title": _("Warning") if kind == "warning" else _("Decision on removal"),
            "signature_slots": absences.letter_signers(case, kind),
        },
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}-{case.pk}.pdf"'
    return response


@require_safe
def absence_case_warning(request, pk):
    return _absence_letter(request, pk, "warning")


@require_safe
def absence_case_decision(request, pk):
    return _absence_letter(request, pk, "decision")


@require_http_methods(["GET", "POST"])
def excuse(request, pk):
    """Record the document justifying an absence (a sick note or other, its date, a scan)."""
    attendance = get_record_for_user(
        request.user,
        Attendance.objects.select_related("session__module__programme__cohort", "participant"),
        pk,
        Action.VIEW,
    )
    session = attendance.session
    if not policy().can(request.user, Action.CHANGE_STATUS, attendance):
        # A justification weighs a sick note: the person's case managers and the manager.
        raise PermissionDenied
    form = ExcuseForm(
        form_data(request),
        request.FILES or None,
        initial={
            "excuse": attendance.excuse or "sick_note",
            "excuse_date": attendance.excuse_date,
            "excuse_note": attendance.excuse_note,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            absences.excuse_record(
                attendance=attendance,
                kind=form.cleaned_data["excuse"],
                date=form.cleaned_data["excuse_date"],
                note=form.cleaned_data["excuse_note"],
                scan=form.cleaned_data.get("scan"),
                by=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The justification has been recorded."))
            return redirect("activities:session", pk=session.pk)
    return render(
        request,
        "participants/form.html",
        {
            "form": form,
            "title": _("Justified absence: %(name)s") % {"name": attendance.participant.full_name},
            "intro": str(session),
            "cancel_url": reverse("activities:session", args=[session.pk]),
            "breadcrumbs": _crumbs(),
        },
    )

"""Pages of the diagnosis: start it, fill each sphere, the tools and the Holland test, compare."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from diagnosis import services
from diagnosis.form_spec import SIGNATURE_LABELS, SPEC_BY_SPHERE, SPHERES
from diagnosis.forms import (
    HollandForm,
    IncomeFormSet,
    JobFormSet,
    RecommendationsForm,
    ReportStartForm,
    ToolForm,
    sphere_form_class,
)
from diagnosis.models import (
    SIGNERS,
    SPHERE_RELATED,
    DiagnosisKind,
    DiagnosticReport,
    HollandResult,
    Rating,
    ToolUse,
)
from diagnosis.selectors import (
    DiagnosisState,
    active_signatures_by_report,
    holland_of,
    report_for_page,
    signer_keys,
    spheres_to_fill,
    state_of,
    unsigned_diagnoses,
    visible_spheres,
    waiting_for_signature,
)
from kis_site.access import Action, log_access, policy
from kis_site.documents import active_signatures, document_panel
from kis_site.editing import add_errors, mark_conflict, save_form
from kis_site.locking import ConflictError
from kis_site.models import KisSettings
from kis_site.pending import form_data
from kis_site.roles import user_staff_id
from kis_site.vocabulary import Sphere
from participants.access import get_participant_for_user, get_record_for_user
from participants.models import EnrolmentStatus
from participants.views.file import breadcrumbs, file_crumb, file_form_page


def _report(request, pk) -> DiagnosticReport:
    """A diagnosis opens for everyone who may see the file; each sphere shows per its section."""
    report = DiagnosticReport.objects.select_related("enrolment").filter(pk=pk).first()
    if report is None:
        raise Http404
    report.participant = get_participant_for_user(request.user, report.participant_id)
    return report


def _full_report(request, pk) -> DiagnosticReport:
    """The report with everything its page shows (report_for_page), behind the same gate."""
    try:
        report = report_for_page(pk)
    except DiagnosticReport.DoesNotExist as error:
        raise Http404 from error
    get_participant_for_user(request.user, report.participant_id)
    return report


def _crumbs(report):
    return breadcrumbs(
        file_crumb(report.participant),
        (capfirst(str(report)), reverse("diagnosis:report", args=[report.pk])),
    )


@require_http_methods(["GET", "POST"])
def report_start(request, pk):
    participant = get_participant_for_user(request.user, pk, Action.VIEW)
    if not policy().may_start(request.user, DiagnosticReport, participant):
        raise PermissionDenied
    enrolment = participant.enrolments.order_by("-starts_on", "-pk").first()
    if enrolment is None:
        messages.error(
            request, _("Enrol the person first: a diagnosis belongs to a participation.")
        )
        return redirect("participants:detail", pk=participant.pk)
    has_initial = enrolment.diagnoses.filter(kind=DiagnosisKind.INITIAL).exists()
    initial = {
        "kind": DiagnosisKind.FINAL
        if has_initial and enrolment.status not in EnrolmentStatus.open()
        else (DiagnosisKind.OTHER if has_initial else DiagnosisKind.INITIAL),
        "started_on": timezone.localdate(),
    }
    form = ReportStartForm(form_data(request), initial=initial)
    done = save_form(
        request,
        form,
        lambda form: services.report_start(
            enrolment=enrolment,
            kind=form.cleaned_data["kind"],
            started_on=form.cleaned_data["started_on"],
            by=request.user,
        ),
        success_url=lambda report: reverse("diagnosis:report", args=[report.pk]),
        success_message=_("The diagnosis has been started: fill in the spheres in any order."),
    )
    return done or file_form_page(
        request, form, participant, _("New diagnosis: %(name)s") % {"name": participant.full_name}
    )


@require_safe
def report_detail(request, pk):
    user = request.user
    report = _full_report(request, pk)
    participant = report.participant
    log_access(user=user, instance=report)
    sections = policy().sections_for(user, participant)
    spheres = visible_spheres(user, report, sections=sections)
    for entry in spheres:
        entry["can_edit"] = not report.is_locked and policy().can(user, Action.EDIT, entry["part"])
    panel = document_panel(request, report)
    holland = holland_of(report)
    return render(
        request,
        "diagnosis/report.html",
        {
            "report": report,
            "participant": participant,
            "spheres": spheres,
            "hidden_spheres": len(SPHERES) - len(spheres),
            "tools": report.current_tools,
            "holland": holland,
            "tool_form": ToolForm(
                initial={"used_on": timezone.localdate(), "used_by": user_staff_id(user)}
            ),
            "can_edit_report": not report.is_locked and policy().can(user, Action.EDIT, report),
            "can_edit_tools": not report.is_locked
            and policy().can(user, Action.EDIT, ToolUse(report=report)),
            "can_edit_holland": not report.is_locked
            and policy().can(user, Action.EDIT, HollandResult(report=report)),
            "panel": panel,
            "programme": KisSettings.load().programme_name,
            "rating_legend": Rating.choices,
            "title": capfirst(str(report)),
            "breadcrumbs": breadcrumbs(file_crumb(participant)),
        },
    )


@require_http_methods(["GET", "POST"])
def sphere_edit(request, pk, sphere):
    if sphere not in SPHERE_RELATED:
        raise Http404
    report = _full_report(request, pk)
    part = getattr(report, SPHERE_RELATED[sphere])
    policy().gate(request.user, part, Action.EDIT)
    if report.is_locked:
        messages.info(request, _("The diagnosis is signed. To change it, open a new version."))
        return redirect("diagnosis:report", pk=report.pk)
    sections = policy().sections_for(request.user, report.participant)
    data = form_data(request)
    programme = KisSettings.load().programme_name
    form = sphere_form_class(sphere, sections, programme)(data, instance=part)
    incomes = jobs = None
    if sphere == Sphere.SOCIO_LIVING:
        incomes = IncomeFormSet(
            data,
            prefix="incomes",
            initial=[
                {"kind": row.kind, "amount": row.amount, "regular": row.regular}
                for row in part.current_incomes
            ],
        )
    if sphere == Sphere.VOCATIONAL:
        jobs = JobFormSet(
            data,
            prefix="jobs",
            initial=[
                {
                    "employer": job.employer,
                    "position": job.position,
                    "started_on": job.started_on,
                    "ended_on": job.ended_on,
                }
                for job in part.current_jobs
            ],
        )
    formsets = [formset for formset in (incomes, jobs) if formset is not None]
    if request.method == "POST":
        valid = form.is_valid()
        valid = all([formset.is_valid() for formset in formsets]) and valid  # noqa: C419 (all run)
        if valid:
            try:
                services.sphere_save(
                    part=form.instance,
                    expected_version=form.cleaned_data.get("expected_version"),
                    by=request.user,
                    incomes=_rows(incomes, "kind"),
                    jobs=_rows(jobs, "employer"),
                )
            except ConflictError as conflict:
                mark_conflict(form, conflict.current)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("The sphere has been saved."))
                return redirect(reverse("diagnosis:report", args=[report.pk]) + f"#sphere-{sphere}")
    spec = SPEC_BY_SPHERE[sphere]
    shown = set(form.fields)
    return render(
        request,
        "diagnosis/sphere_form.html",
        {
            "form": form,
            "spec": spec,
            "items": [
                {"item": item, "fields": [form[name] for name in item.fields]}
                for item in spec.items
                if all(name in shown for name in item.fields)
            ],
            "incomes": incomes,
            "jobs": jobs,
            "holland": holland_of(report) if sphere == Sphere.VOCATIONAL else None,
            "report": report,
            "participant": report.participant,
            "programme": KisSettings.load().programme_name,
            "signed_count": len(active_signatures(report)),
            "rating_legend": Rating.choices,
            "title": f"{spec.numeral}. {spec.sphere.label}",
            "breadcrumbs": _crumbs(report),
            "cancel_url": reverse("diagnosis:report", args=[report.pk]) + f"#sphere-{sphere}",
        },
    )


def _rows(formset, required_field):
    if formset is None:
        return None
    return [row for row in formset.cleaned_data if row.get(required_field)]


@require_POST
def tool_add(request, pk):
    report = _report(request, pk)
    tool = ToolUse(report=report)
    policy().gate(request.user, tool, Action.EDIT)
    form = ToolForm(request.POST, instance=tool)
    if form.is_valid():
        try:
            services.tool_add(tool=form.instance, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The tool has been recorded."))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    return redirect(reverse("diagnosis:report", args=[report.pk]) + "#tools")


@require_POST
def tool_remove(request, pk):
    tool = get_record_for_user(
        request.user, ToolUse.objects.select_related("report"), pk, Action.EDIT
    )
    try:
        services.tool_remove(tool=tool, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect(reverse("diagnosis:report", args=[tool.report_id]) + "#tools")


def _report_part_page(
    request, report, record, form_class, save, *, anchor, message, title, intro=""
):
    """A page that edits one part of a draft report (the Holland result, the recommendations)."""
    policy().gate(request.user, record, Action.EDIT)
    if report.is_locked:
        messages.info(request, _("The diagnosis is signed. To change it, open a new version."))
        return redirect("diagnosis:report", pk=report.pk)
    form = form_class(form_data(request), instance=record)
    back = reverse("diagnosis:report", args=[report.pk])
    done = save_form(
        request,
        form,
        lambda form: save(
            form.instance,
            expected_version=form.cleaned_data.get("expected_version"),
            by=request.user,
        ),
        success_url=f"{back}#{anchor}",
        success_message=message,
    )
    return done or render(
        request,
        "participants/form.html",
        {
            "form": form,
            "report": report,
            "title": title,
            "intro": intro,
            "breadcrumbs": _crumbs(report),
            "cancel_url": back,
        },
    )


@require_http_methods(["GET", "POST"])
def holland_edit(request, pk):
    report = _report(request, pk)
    result = holland_of(report) or HollandResult(
        tested_on=timezone.localdate(), tested_by_id=user_staff_id(request.user)
    )
    result.report = report
    return _report_part_page(
        request,
        report,
        result,
        HollandForm,
        lambda result, **kwargs: services.holland_save(result=result, **kwargs),
        anchor="holland",
        message=_("The Holland test result has been saved."),
        title=_("Holland test (RIASEC)"),
        intro=_(
            "Enter the six scores from the paper test. The code is the three highest "
            "scales; equal scores are ordered R, I, A, S, E, C and marked as a tie."
        ),
    )


@require_http_methods(["GET", "POST"])
def recommendations_edit(request, pk):
    report = _report(request, pk)
    return _report_part_page(
        request,
        report,
        report,
        RecommendationsForm,
        lambda report, **kwargs: services.recommendations_save(report=report, **kwargs),
        anchor="recommendations",
        message=_("The recommendations have been saved."),
        title=_("Recommendations and remarks"),
    )


@require_safe
def compare(request, pk):
    """The initial and the final diagnosis of one participation, side by side."""
    participant = get_participant_for_user(request.user, pk, Action.VIEW)
    reports = list(
        DiagnosticReport.objects.filter(participant=participant)
        .exclude(kind=DiagnosisKind.OTHER)
        .order_by("-enrolment__starts_on", "-pk")
    )
    initial = next((r for r in reports if r.kind == DiagnosisKind.INITIAL), None)
    final = next(
        (
            r
            for r in reports
            if r.kind == DiagnosisKind.FINAL and initial and r.enrolment_id == initial.enrolment_id
        ),
        None,
    )
    if initial is None:
        raise Http404
    before = {s["sphere"]: s for s in visible_spheres(request.user, report_for_page(initial.pk))}
    after = (
        {s["sphere"]: s for s in visible_spheres(request.user, report_for_page(final.pk))}
        if final
        else {}
    )
    rows = []
    for spec in SPHERES:
        if spec.sphere not in before:
            continue
        first = before[spec.sphere]["part"]
        last = after.get(spec.sphere, {}).get("part")
        change = None
        if first.rating and last is not None and last.rating:
            change = last.rating - first.rating
        rows.append(
            {
                "spec": spec,
                "before": first,
                "after": last,
                "change": change,
                "items": before[spec.sphere]["items"],
                "after_items": after.get(spec.sphere, {}).get("items", []),
            }
        )
    log_access(user=request.user, instance=initial, what="comparison")
    return render(
        request,
        "diagnosis/compare.html",
        {
            "participant": participant,
            "initial": initial,
            "final": final,
            "rows": rows,
            "programme": KisSettings.load().programme_name,
            "title": _("Initial and final diagnosis: %(name)s") % {"name": participant.full_name},
            "breadcrumbs": breadcrumbs(file_crumb(participant)),
        },
    )


def _report_list(request, reports, title, intro):
    page = Paginator(
        reports.select_related(
            "participant", "participant__case_manager", *SPHERE_RELATED.values()
        ).order_by("started_on", "pk"),
        50,
    ).get_page(request.GET.get("page"))
    reports = list(page)
    signed = active_signatures_by_report(reports)
    labels = dict(SIGNATURE_LABELS)
    rows = [
        {
            "report": report,
            "state_label": DiagnosisState.LABELS[state_of(report, signed[report.pk])],
            "missing": [labels[key] for key in SIGNERS if key not in signed[report.pk]],
            "filled": sum(
                1 for related in SPHERE_RELATED.values() if getattr(report, related).is_filled
            ),
        }
        for report in reports
    ]
    return render(
        request,
        "diagnosis/list.html",
        {
            "rows": rows,
            "page": page,
            "title": title,
            "intro": intro,
            "breadcrumbs": breadcrumbs(),
        },
    )


@require_safe
def to_sign(request):
    if not signer_keys(request.user):
        raise PermissionDenied
    return _report_list(
        request,
        waiting_for_signature(request.user),
        _("Diagnoses waiting for my signature"),
        _(
            "Diagnoses not signed yet in the role you sign the form in. Open one, read it whole "
            "and sign, or record that it was signed by hand."
        ),
    )


@require_safe
def to_fill(request):
    if not signer_keys(request.user):
        raise PermissionDenied
    return _report_list(
        request,
        spheres_to_fill(request.user),
        _("Diagnosis spheres for me to fill in"),
        _(
            "Diagnoses in preparation where a sphere you write has no rating yet. Fill it in; "
            "the diagnosis then waits for your signature."
        ),
    )


@require_safe
def unsigned(request):
    if not policy().follows_cases(request.user):
        raise PermissionDenied
    return _report_list(
        request,
        unsigned_diagnoses(request.user),
        _("Diagnoses not signed yet"),
        _("Diagnoses still in preparation or waiting for signatures, oldest first."),
    )

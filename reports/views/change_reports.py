"""Pages of the change report: open it for a month, the grid of spheres, the participant's view and
recommendations, the new plan version it calls for; the list of what is due and overdue."""

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

from ipd.models import ActionPlan
from kis_site.access import Action, log_access, policy
from kis_site.documents import active_signatures, document_panel
from kis_site.editing import add_errors, mark_conflict, save_form
from kis_site.locking import ConflictError
from kis_site.models import KisSettings
from kis_site.pending import form_data
from kis_site.vocabulary import Sphere
from participants.access import (
    get_participant_for_user,
    get_record_for_user,
    managed_participants,
)
from participants.views.file import breadcrumbs, file_crumb, file_form_page
from reports import services
from reports.forms import ReportForm, ReportStartForm, SphereForm
from reports.models import EFFECT_GROUPS, ChangeReport, ChangeSphere, Dimension
from reports.monitoring import monitoring_page
from reports.selectors import (
    cosigner_keys,
    due_states,
    load_enrolments,
    period_facts,
    reports_to_sign,
    trajectory,
    visible_parts,
)


def _report(request, pk, *, parts=False) -> ChangeReport:
    """The report with its participant (behind the participant's gate) and participation; with
    ``parts`` its spheres and the participation's plan too (the report's pages)."""
    reports = ChangeReport.objects.select_related(
        "participant__case_manager", "enrolment__cohort"
    ).filter(pk=pk)
    if parts:
        reports = reports.select_related("enrolment__action_plan").prefetch_related("spheres")
    report = reports.first()
    if report is None:
        raise Http404
    policy().gate(request.user, report.participant, Action.VIEW)
    return report


def _url(report_id, anchor=""):
    url = reverse("reports:change-report", args=[report_id])
    return f"{url}#{anchor}" if anchor else url


def _crumbs(report):
    return breadcrumbs(file_crumb(report.participant), (capfirst(str(report)), _url(report.pk)))


@require_http_methods(["GET", "POST"])
def report_start(request, pk):
    participant = get_participant_for_user(request.user, pk, Action.VIEW)
    if not policy().may_start(request.user, ChangeReport, participant):
        raise PermissionDenied
    enrolment = participant.enrolments.order_by("-starts_on", "-pk").first()
    if enrolment is None:
        messages.error(request, _("Enrol the person first: a report belongs to a participation."))
        return redirect("participants:detail", pk=participant.pk)
    form = ReportStartForm(form_data(request))
    done = save_form(
        request,
        form,
        lambda form: services.report_start(
            enrolment=enrolment,
            period_start=form.cleaned_data["period_start"],
            months=form.cleaned_data["months"],
            by=request.user,
        ),
        success_url=lambda report: _url(report.pk),
        success_message=_(
            "The report has been opened with the previous ratings and the plan's goals."
        ),
    )
    return done or file_form_page(
        request,
        form,
        participant,
        _("New change report: %(name)s") % {"name": participant.full_name},
    )


@require_safe
def report_detail(request, pk):
    user = request.user
    report = _report(request, pk, parts=True)
    log_access(user=user, instance=report)
    sections = policy().sections_for(user, report.participant)
    parts, hidden = visible_parts(report, sections)
    for part in parts:
        part.can_edit = not report.is_locked and policy().can(user, Action.EDIT, part)
        part.show_legal = part.legal_notes_shown(sections)
    can_edit_report = not report.is_locked and policy().can(user, Action.EDIT, report)
    points, spheres = trajectory([report.enrolment_id], sections)
    plan = getattr(report.enrolment, "action_plan", None) if report.enrolment_id else None
    return render(
        request,
        "reports/change_report.html",
        {
            "report": report,
            "participant": report.participant,
            "parts": parts,
            "hidden_spheres": hidden,
            "dimensions": Dimension.choices,
            "facts": period_facts(report),
            "effect_groups": EFFECT_GROUPS,
            "points": points,
            "spheres": spheres,
            "plan": plan,
            "can_fill": can_edit_report or any(part.can_edit for part in parts),
            "can_revise_plan": report.is_locked
            and plan is not None
            and plan.is_locked
            and policy().can(user, Action.SIGN, plan),
            "panel": document_panel(request, report),
            "title": capfirst(str(report)),
            "breadcrumbs": breadcrumbs(file_crumb(report.participant)),
        },
    )


def _grid_url(report_id, anchor=""):
    url = reverse("reports:change-report-edit", args=[report_id])
    return f"{url}#{anchor}" if anchor else url


@require_safe
def sphere_edit(request, pk, sphere):
    """The former form of one sphere: now the sphere's row of the grid."""
    if sphere not in Sphere.values:
        raise Http404
    report = _report(request, pk)
    part = ChangeSphere.objects.filter(report=report, sphere=sphere).first()
    if part is None:
        raise Http404
    part.report = report
    policy().gate(request.user, part, Action.EDIT)
    return redirect(_grid_url(report.pk, f"sphere-{sphere}"))


def _typed(form) -> dict:
    """What a form holds as the person typed it (posted) or as it was shown."""
    return {name: form[name].value() for name in form.fields}


def _bound(data, prefix) -> bool:
    """A part of the grid is read from the POST only when the page showed it as a form."""
    return data is not None and f"{prefix}-expected_version" in data


def _grid_forms(report, parts, sections, *, data, edits_report):
    for part in parts:
        part.form = None
        if part.can_edit:
            part.form = SphereForm(
                data if _bound(data, part.sphere) else None,
                instance=part,
                prefix=part.sphere,
                sections=sections,
            )
    report_form = None
    if edits_report:
        report_form = ReportForm(
            data if _bound(data, "report") else None, instance=report, prefix="report"
        )
    return report_form


def _fresh(form, **kwargs):
    """The form again, unbound, from what is stored now (a part the person left as it was)."""
    return type(form)(instance=form.instance, prefix=form.prefix, **kwargs)


def _same_as_before(request, report, parts, sections, report_form):
    """Fill one row as in the previous period; every other part keeps what was typed."""
    wanted = request.POST.get("same_as_before")
    for part in parts:
        if part.form is None:
            continue
        typed = _typed(part.form)
        if part.sphere == wanted:
            typed = services.same_as_before(part=part, typed=typed)
        part.form = SphereForm(instance=part, prefix=part.sphere, sections=sections, initial=typed)
        if part.sphere == wanted:
            part.form.fields["rating"].widget.attrs["autofocus"] = True
            messages.info(
                request,
                _("%(sphere)s: filled in as in %(source)s. Check the row and save the report.")
                % {
                    "sphere": part.get_sphere_display(),
                    "source": part.previous_source or _("the previous period"),
                },
            )
    if report_form is not None:
        report_form = ReportForm(instance=report, prefix="report", initial=_typed(report_form))
    return report_form


def _grid_save(request, report, parts, sections, report_form):
    """Save what the person changed, all or nothing. Returns the redirect, or None to show the
    page again with the errors and conflicts (and everything typed)."""
    rows = [part for part in parts if part.form is not None]
    changed = [part for part in rows if part.form.typed_changes()]
    for part in rows:
        if part not in changed:  # shown as stored now: someone may have saved it meanwhile
            part.form = _fresh(part.form, sections=sections)
    report_changed = report_form is not None and report_form.typed_changes()
    if report_form is not None and not report_changed:
        report_form = _fresh(report_form)
    forms = [part.form for part in changed] + ([report_form] if report_changed else [])
    checked = [form.is_valid() for form in forms]  # every form: every error shown at once
    valid = all(checked)
    current = {
        part.pk: part for part in ChangeSphere.objects.filter(pk__in=[part.pk for part in changed])
    }
    stale = False
    for part in changed:
        if _version(part.form) != current[part.pk].version:
            mark_conflict(part.form, current[part.pk])
            stale = True
    if report_changed:
        stored = ChangeReport.objects.get(pk=report.pk)
        if _version(report_form) != stored.version:
            mark_conflict(report_form, stored)
            stale = True
    if not valid or stale:
        return None, report_form
    if not forms:
        messages.info(request, _("Nothing has changed: there was nothing to save."))
        return redirect(_url(report.pk)), report_form
    try:
        services.report_grid_save(
            report=report_form.instance if report_changed else report,
            parts=[(part.form.instance, _version(part.form)) for part in changed],
            save_report=report_changed,
            report_version=_version(report_form) if report_changed else None,
            by=request.user,
        )
    except ConflictError as conflict:
        late = conflict.current
        form = report_form if isinstance(late, ChangeReport) else None
        form = form or next(part.form for part in changed if part.pk == late.pk)
        mark_conflict(form, late)
        return None, report_form
    except ValidationError as error:
        add_errors(report_form if report_changed else changed[0].form, error)
        return None, report_form
    messages.success(request, _("The report has been saved."))
    return redirect(_url(report.pk)), report_form


def _version(form) -> int | None:
    value = form.data.get(form.add_prefix("expected_version"))
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_http_methods(["GET", "POST"])
def report_edit(request, pk):
    """The change report in one screen: the grid of the five spheres by the three dimensions and
    the report's own part, in one form saved at once. Each person writes the rows of the spheres
    they may write (the others are shown, the sensitive ones only to those who see them);
    "same as last month" fills a row from the previous period. A signed report is shown
    read-only."""
    user = request.user
    report = _report(request, pk, parts=True)
    sections = policy().sections_for(user, report.participant)
    parts, hidden = visible_parts(report, sections)
    for part in parts:
        part.report = report
        part.can_edit = policy().can(user, Action.EDIT, part)
        part.show_legal = part.legal_notes_shown(sections)
    edits_report = policy().can(user, Action.EDIT, report)
    if not edits_report and not any(part.can_edit for part in parts):
        policy().gate(user, report, Action.EDIT)
        raise PermissionDenied
    if report.is_locked:
        if request.method == "POST":
            return redirect(_grid_url(report.pk))
        for part in parts:
            part.can_edit = False
        edits_report = False
    if request.method == "GET":
        log_access(user=user, instance=report)
    data = form_data(request)
    report_form = _grid_forms(report, parts, sections, data=data, edits_report=edits_report)
    if request.method == "POST":
        if "same_as_before" in request.POST:
            report_form = _same_as_before(request, report, parts, sections, report_form)
        else:
            done, report_form = _grid_save(request, report, parts, sections, report_form)
            if done is not None:
                return done
    grid_forms = []
    for part in parts:
        if part.form is not None:
            part.form.grid_title = part.get_sphere_display()
            grid_forms.append(part.form)
    if report_form is not None:
        report_form.grid_title = _("The participant's view, effects and recommendations")
        grid_forms.append(report_form)
    return render(
        request,
        "reports/change_report_grid.html",
        {
            "report": report,
            "participant": report.participant,
            "parts": parts,
            "hidden_spheres": hidden,
            "report_form": report_form,
            "grid_forms": grid_forms,
            "has_errors": any(form.is_bound and form.errors for form in grid_forms),
            "facts": period_facts(report),
            "signatures_warning": 0 if report.is_locked else len(active_signatures(report)),
            "heading": capfirst(str(report)),
            "title": _("Fill in the report"),
            "breadcrumbs": _crumbs(report),
        },
    )


@require_POST
def plan_revision(request, pk):
    report = get_record_for_user(
        request.user,
        ChangeReport.objects.select_related("participant"),
        pk,
        Action.VIEW,
    )
    plan = ActionPlan.objects.filter(enrolment_id=report.enrolment_id).first()
    if not policy().can(request.user, Action.REVISE, plan if plan is not None else report):
        # The plan's new version is opened by its keepers.
        raise PermissionDenied
    try:
        plan = services.plan_revision_from(report=report, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_url(report.pk))
    messages.success(
        request,
        _("Version %(number)s of the plan is open, with the report as its reason.")
        % {"number": plan.revision},
    )
    return redirect("ipd:plan", pk=plan.pk)


@require_safe
def monitoring(request):
    """Participations that fell out of monitoring: no signed diagnosis or plan by now."""
    if not policy().follows_cases(request.user):
        raise PermissionDenied
    settings = KisSettings.load()
    page = monitoring_page(
        managed_participants(request.user), timezone.localdate(), request.GET.get("page")
    )
    return render(
        request,
        "reports/monitoring.html",
        {
            "page": page,
            "settings": settings,
            "title": _("Participants falling out of monitoring"),
        },
    )


@require_safe
def due(request):
    """The change reports due: this month's (the start page's tile), the overdue, or every
    participation with a month not covered yet."""
    if not policy().can(request.user, Action.VIEW):
        raise PermissionDenied
    states = due_states(managed_participants(request.user), timezone.localdate(), load=False)
    show = request.GET.get("show", "")
    if request.GET.get("overdue") == "1":
        show = "overdue"
    chosen = {
        "month": lambda state: state.due_this_month and not state.overdue,
        "overdue": lambda state: state.overdue,
    }.get(show, lambda state: state.overdue or bool(state.missing))
    rows = [state for state in states if chosen(state)]
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    load_enrolments(page.object_list)
    titles = {
        "month": _("Change reports due this month"),
        "overdue": _("Change reports overdue"),
    }
    show = show if show in titles else ""
    tabs = [
        ("month", _("Due this month")),
        ("overdue", _("Overdue")),
        ("", _("Every month without a report")),
    ]
    return render(
        request,
        "reports/due.html",
        {
            "page": page,
            "tabs": [(key, label, key == show) for key, label in tabs],
            "title": titles.get(show, _("Change reports due")),
        },
    )


@require_safe
def to_sign(request):
    """The change reports waiting for the user's signature as a co-signer the KIS chose."""
    if not cosigner_keys(request.user):
        raise PermissionDenied
    reports = (
        reports_to_sign(request.user)
        .select_related("participant__case_manager")
        .order_by("period_start", "pk")
    )
    return render(
        request,
        "reports/to_sign.html",
        {
            "page": Paginator(reports, 50).get_page(request.GET.get("page")),
            "title": _("Change reports waiting for my signature"),
        },
    )

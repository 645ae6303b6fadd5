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
from kis_site.access import Action, policy
from kis_site.audit import log_access
from kis_site.documents import active_signatures, document_panel
from kis_site.editing import save_form
from kis_site.models import KisSettings
from kis_site.pending import form_data
from kis_site.vocabulary import Sphere
from participants.access import (
    get_participant_for_user,
    get_record_for_user,
    managed_participants,
)
from participants.views import breadcrumbs, file_crumb, file_form_page
from reports import services
from reports.forms import ReportForm, ReportStartForm, SphereForm
from reports.models import EFFECT_GROUPS, ChangeReport, ChangeSphere, Dimension
from reports.monitoring import monitoring_gaps
from reports.selectors import (
    cosigner_keys,
    due_states,
    period_facts,
    reports_to_sign,
    trajectory,
    visible_parts,
)


def _report(request, pk) -> ChangeReport:
    report = (
        ChangeReport.objects.select_related("participant", "enrolment", "enrolment__cohort")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    report.participant = get_participant_for_user(request.user, report.participant_id)
    return report


def _url(report_id, anchor=""):
    url = reverse("reports:change-report", args=[report_id])
    return f"{url}#{anchor}" if anchor else url


def _crumbs(report):
    return breadcrumbs(file_crumb(report.participant), (capfirst(str(report)), _url(report.pk)))


@require_http_methods(["GET", "POST"])
def report_start(request, pk):
    participant = get_participant_for_user(request.user, pk, Action.VIEW)
    if not policy().can(request.user, Action.EDIT, ChangeReport(participant=participant)):
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
    report = _report(request, pk)
    log_access(user=user, instance=report)
    sections = policy().sections_for(user, report.participant)
    parts, hidden = visible_parts(report, sections)
    for part in parts:
        part.can_edit = not report.is_locked and policy().can(user, Action.EDIT, part)
        part.show_legal = part.legal_notes_shown(sections)
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
            "can_edit_report": not report.is_locked and policy().can(user, Action.EDIT, report),
            "can_revise_plan": report.is_locked
            and plan is not None
            and plan.is_locked
            and policy().can(user, Action.SIGN, plan),
            "panel": document_panel(request, report),
            "title": capfirst(str(report)),
            "breadcrumbs": breadcrumbs(file_crumb(report.participant)),
        },
    )


def _form_page(request, form, report, title, *, anchor, intro=""):
    return file_form_page(
        request,
        form,
        report.participant,
        title,
        cancel_url=_url(report.pk, anchor),
        intro=intro,
        breadcrumbs=_crumbs(report),
        signatures_warning=len(active_signatures(report)),
    )


@require_http_methods(["GET", "POST"])
def sphere_edit(request, pk, sphere):
    if sphere not in Sphere.values:
        raise Http404
    report = _report(request, pk)
    part = ChangeSphere.objects.filter(report=report, sphere=sphere).first()
    if part is None:
        raise Http404
    part.report = report
    policy().gate(request.user, part, Action.EDIT)
    if report.is_locked:
        messages.info(request, _("The report is signed. To change it, open a new version."))
        return redirect(_url(report.pk))
    form = SphereForm(
        form_data(request),
        instance=part,
        sections=policy().sections_for(request.user, report.participant),
    )
    done = save_form(
        request,
        form,
        lambda form: services.sphere_save(
            part=form.instance,
            expected_version=form.cleaned_data.get("expected_version"),
            by=request.user,
        ),
        success_url=_url(report.pk, f"sphere-{sphere}"),
        success_message=_("The sphere has been saved."),
    )
    intro = ""
    if part.previous_rating:
        intro = _("Previous rating: %(rating)s/5 (%(source)s).") % {
            "rating": part.previous_rating,
            "source": part.previous_source,
        }
    return done or _form_page(
        request, form, report, Sphere(sphere).label, anchor=f"sphere-{sphere}", intro=intro
    )


@require_http_methods(["GET", "POST"])
def report_edit(request, pk):
    report = _report(request, pk)
    policy().gate(request.user, report, Action.EDIT)
    if report.is_locked:
        messages.info(request, _("The report is signed. To change it, open a new version."))
        return redirect(_url(report.pk))
    form = ReportForm(form_data(request), instance=report)
    done = save_form(
        request,
        form,
        lambda form: services.report_save(
            report=form.instance,
            expected_version=form.cleaned_data.get("expected_version"),
            by=request.user,
        ),
        success_url=_url(report.pk, "summary"),
        success_message=_("The report has been saved."),
    )
    return done or _form_page(
        request,
        form,
        report,
        _("The participant's view, effects and recommendations"),
        anchor="summary",
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
    gaps = monitoring_gaps(managed_participants(request.user), timezone.localdate())
    return render(
        request,
        "reports/monitoring.html",
        {
            "page": Paginator(gaps, 50).get_page(request.GET.get("page")),
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
    states = due_states(managed_participants(request.user), timezone.localdate())
    show = request.GET.get("show", "")
    if request.GET.get("overdue") == "1":
        show = "overdue"
    chosen = {
        "month": lambda state: state.due_this_month and not state.overdue,
        "overdue": lambda state: state.overdue,
    }.get(show, lambda state: state.overdue or bool(state.missing))
    rows = [state for state in states if chosen(state)]
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
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

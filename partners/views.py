"""Pages of the local reintegration network: institutions, agreements, services, meetings."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, Prefetch, Q, Value, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kis_site import hooks
from kis_site.access import Action, policy
from kis_site.documents import document_panel
from kis_site.editing import save_form
from kis_site.pdf import render_pdf
from kis_site.pending import form_data
from kis_site.registries import panels_for
from kis_site.search import normalise
from partners import services
from partners.forms import (
    AgreementForm,
    InstitutionFilterForm,
    MeetingForm,
    ServiceFilterForm,
    TaskForm,
)
from partners.models import (
    Agreement,
    Institution,
    InstitutionType,
    Meeting,
    MeetingTask,
    Service,
    TaskStatus,
)


def _require(request, action):
    if not policy().can(request.user, action):
        raise PermissionDenied


def _crumbs(*items):
    return [(_("Partners"), reverse("partners:list")), *items]


def _institution_crumb(institution):
    return (institution.name, reverse("partners:detail", args=[institution.pk]))


@require_safe
def institution_list(request):
    _require(request, Action.VIEW)
    form = InstitutionFilterForm(request.GET or None)
    institutions = Institution.objects.select_related("main_contact").annotate(
        agreements_in_force=Count(
            "agreements",
            filter=Q(agreements__valid_from__lte=timezone.localdate())
            & (
                Q(agreements__valid_until__isnull=True)
                | Q(agreements__valid_until__gte=timezone.localdate())
            ),
            distinct=True,
        ),
        services_offered=Count("services", filter=Q(services__is_active=True), distinct=True),
    )
    show_archived = False
    if form.is_valid():
        data = form.cleaned_data
        institutions = institutions.search(data.get("q", ""))
        if data.get("kind"):
            institutions = institutions.filter(kind=data["kind"])
        show_archived = data.get("archived")
    if not show_archived:
        institutions = institutions.filter(is_archived=False)
    page = Paginator(institutions.order_by("name", "pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/list.html",
        {
            "page": page,
            "form": form if form.is_bound else InstitutionFilterForm(),
            "can_network": policy().can(request.user, Action.NETWORK),
            "title": _("Partner institutions"),
            "breadcrumbs": [],
        },
    )


@require_safe
def institution_detail(request, pk):
    _require(request, Action.VIEW)
    institution = get_object_or_404(
        Institution.objects.select_related("main_contact").prefetch_related(
            "contacts",
            Prefetch("services", queryset=Service.objects.prefetch_related("sphere_rows")),
            "agreements",
        ),
        pk=pk,
    )
    panel = hooks.institution_panel.value
    panels = panels_for([panel] if panel is not None else [], request, institution)
    contacts = list(institution.contacts.all())
    tasks = (
        MeetingTask.objects.filter(owner_contact__institution=institution)
        .exclude(status__in=[TaskStatus.DONE, TaskStatus.CANCELLED])
        .select_related("meeting", "owner_contact")
    )
    return render(
        request,
        "partners/detail.html",
        {
            "institution": institution,
            "contacts": contacts,
            "agreements": institution.agreements.all(),
            "services": institution.services.all(),
            "meetings": institution.meetings.order_by("-held_on")[:10],
            "tasks": tasks,
            "panels": panels,
            "today": timezone.localdate(),
            "can_network": policy().can(request.user, Action.NETWORK),
            "can_admin": request.user.has_perm("partners.change_institution"),
            "title": institution.name,
            "breadcrumbs": _crumbs(),
        },
    )


@require_POST
def institution_archive(request, pk):
    _require(request, Action.NETWORK)
    institution = get_object_or_404(Institution, pk=pk)
    archived = request.POST.get("archived") == "1"
    services.institution_archive(institution=institution, archived=archived)
    messages.success(
        request,
        _("The institution has been archived: its history stays.")
        if archived
        else _("The institution is active again."),
    )
    return redirect("partners:detail", pk=pk)


# --- Agreements ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def agreement_new(request):
    _require(request, Action.NETWORK)
    initial = {"concluded_on": timezone.localdate(), "valid_from": timezone.localdate()}
    institution_id = request.GET.get("institution", "")
    if institution_id.isdigit():
        initial["institution"] = int(institution_id)
    form = AgreementForm(form_data(request), initial=initial)
    done = save_form(
        request,
        form,
        lambda form: services.agreement_create(agreement=form.instance, by=request.user),
        success_url=lambda agreement: reverse("partners:agreement", args=[agreement.pk]),
        success_message=_("The agreement has been recorded. Print it for signatures."),
    )
    return done or render(
        request,
        "partners/form.html",
        {
            "form": form,
            "title": _("New agreement"),
            "breadcrumbs": _crumbs(),
            "cancel_url": reverse("partners:list"),
        },
    )


def _agreement(request, pk, action):
    agreement = get_object_or_404(Agreement.objects.select_related("institution"), pk=pk)
    policy().gate(request.user, agreement, action)
    return agreement


@require_safe
def agreement_detail(request, pk):
    agreement = _agreement(request, pk, Action.VIEW)
    return render(
        request,
        "partners/agreement.html",
        {
            "agreement": agreement,
            "panel": document_panel(request, agreement),
            "can_edit": not agreement.is_locked
            and policy().can(request.user, Action.EDIT, agreement),
            "title": str(agreement)[:1].upper() + str(agreement)[1:],
            "breadcrumbs": _crumbs(_institution_crumb(agreement.institution)),
        },
    )


@require_http_methods(["GET", "POST"])
def agreement_edit(request, pk):
    agreement = _agreement(request, pk, Action.EDIT)
    if agreement.is_locked:
        messages.info(request, _("The agreement is signed. To change it, open a new version."))
        return redirect("partners:agreement", pk=pk)
    form = AgreementForm(form_data(request), instance=agreement)
    done = save_form(
        request,
        form,
        lambda form: services.agreement_update(
            agreement=form.instance,
            expected_version=form.cleaned_data.get("expected_version"),
            by=request.user,
        ),
        success_url=reverse("partners:agreement", args=[pk]),
        success_message=_("The agreement has been saved."),
    )
    return done or render(
        request,
        "partners/form.html",
        {
            "form": form,
            "title": _("Edit the agreement"),
            "breadcrumbs": _crumbs(_institution_crumb(agreement.institution)),
            "cancel_url": reverse("partners:agreement", args=[pk]),
        },
    )


# --- Services -----------------------------------------------------------------------------------


@require_safe
def service_catalogue(request):
    _require(request, Action.VIEW)
    form = ServiceFilterForm(request.GET or None)
    catalogue = (
        Service.objects.filter(is_active=True, institution__is_archived=False)
        .select_related("institution", "contact")
        .prefetch_related("sphere_rows")
        .order_by("institution__name", "name")
    )
    if form.is_valid():
        if form.cleaned_data.get("sphere"):
            catalogue = catalogue.filter(sphere_rows__sphere=form.cleaned_data["sphere"])
        if form.cleaned_data.get("q"):
            text = form.cleaned_data["q"]
            catalogue = catalogue.filter(
                Q(name__icontains=text) | Q(institution__search_text__contains=normalise(text))
            )
    page = Paginator(catalogue.distinct(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/services.html",
        {
            "page": page,
            "form": form if form.is_bound else ServiceFilterForm(),
            "title": _("Catalogue of partners' services"),
            "breadcrumbs": _crumbs(),
        },
    )


# --- Meetings and their tasks -------------------------------------------------------------------


@require_safe
def meeting_list(request):
    _require(request, Action.VIEW)
    meetings = Meeting.objects.annotate(
        institutions_count=Count("institutions", distinct=True),
        open_tasks=Count(
            "tasks",
            filter=Q(tasks__status__in=[TaskStatus.OPEN, TaskStatus.IN_PROGRESS]),
            distinct=True,
        ),
    )
    page = Paginator(meetings, 30).get_page(request.GET.get("page"))
    open_tasks = MeetingTask.objects.filter(
        status__in=[TaskStatus.OPEN, TaskStatus.IN_PROGRESS]
    ).select_related("meeting", "owner_staff", "owner_contact__institution")
    return render(
        request,
        "partners/meetings.html",
        {
            "page": page,
            "open_tasks": open_tasks,
            "today": timezone.localdate(),
            "can_network": policy().can(request.user, Action.NETWORK),
            "title": _("Meetings of the local reintegration network"),
            "breadcrumbs": _crumbs(),
        },
    )


def _meeting_relations(form):
    return {
        name: form.cleaned_data.get(name, [])
        for name in ("institutions", "contacts_present", "staff_present")
    }


@require_http_methods(["GET", "POST"])
def meeting_new(request):
    _require(request, Action.NETWORK)
    form = MeetingForm(form_data(request), initial={"held_on": timezone.localdate()})
    done = save_form(
        request,
        form,
        lambda form: services.meeting_save(
            meeting=form.instance, expected_version=None, relations=_meeting_relations(form)
        ),
        success_url=lambda meeting: reverse("partners:meeting", args=[meeting.pk]),
        success_message=_("The meeting has been recorded."),
    )
    return done or _meeting_form_page(request, form, _("New network meeting"))


@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    _require(request, Action.NETWORK)
    meeting = get_object_or_404(Meeting, pk=pk)
    form = MeetingForm(form_data(request), instance=meeting)
    done = save_form(
        request,
        form,
        lambda form: services.meeting_save(
            meeting=form.instance,
            expected_version=form.cleaned_data.get("expected_version"),
            relations=_meeting_relations(form),
        ),
        success_url=reverse("partners:meeting", args=[pk]),
        success_message=_("The meeting has been saved."),
    )
    return done or _meeting_form_page(request, form, _("Edit the meeting"))


def _meeting_form_page(request, form, title):
    return render(
        request,
        "partners/form.html",
        {
            "form": form,
            "title": title,
            "breadcrumbs": _crumbs((_("Meetings"), reverse("partners:meetings"))),
            "cancel_url": reverse("partners:meetings"),
        },
    )


# Tasks still to do first, then done, then cancelled.
_OPEN_FIRST = Case(
    When(status__in=[TaskStatus.OPEN, TaskStatus.IN_PROGRESS], then=Value(0)),
    When(status=TaskStatus.DONE, then=Value(1)),
    default=Value(2),
)


def _meeting_context(pk):
    return get_object_or_404(
        Meeting.objects.prefetch_related(
            "institutions",
            "contacts_present__institution",
            "staff_present",
            Prefetch(
                "tasks",
                queryset=MeetingTask.objects.select_related(
                    "owner_staff", "owner_contact__institution"
                ).order_by(_OPEN_FIRST, "due_on", "pk"),
            ),
        ),
        pk=pk,
    )


@require_safe
def meeting_detail(request, pk):
    _require(request, Action.VIEW)
    meeting = _meeting_context(pk)
    return render(
        request,
        "partners/meeting.html",
        {
            "meeting": meeting,
            "task_form": TaskForm(prefix="task"),
            "can_network": policy().can(request.user, Action.NETWORK),
            "today": timezone.localdate(),
            "title": str(meeting)[:1].upper() + str(meeting)[1:],
            "breadcrumbs": _crumbs((_("Meetings"), reverse("partners:meetings"))),
        },
    )


@require_safe
def meeting_minutes(request, pk):
    _require(request, Action.VIEW)
    meeting = _meeting_context(pk)
    content = render_pdf(
        "partners/pdf/minutes.html",
        {"meeting": meeting, "title": _("Minutes of the network meeting")},
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="protokol-lsr-{meeting.held_on.isoformat()}.pdf"'
    )
    return response


@require_POST
def task_add(request, pk):
    _require(request, Action.NETWORK)
    meeting = get_object_or_404(Meeting, pk=pk)
    form = TaskForm(request.POST, prefix="task", instance=MeetingTask(meeting=meeting))
    done = save_form(
        request,
        form,
        lambda form: services.task_save(task=form.instance, expected_version=None),
        success_url=reverse("partners:meeting", args=[pk]) + "#tasks",
        success_message=_("The task has been added."),
    )
    return done or render(
        request,
        "partners/form.html",
        {
            "form": form,
            "title": _("New task of the network"),
            "breadcrumbs": _crumbs((_("Meetings"), reverse("partners:meetings"))),
            "cancel_url": reverse("partners:meeting", args=[pk]),
        },
    )


@require_http_methods(["GET", "POST"])
def task_edit(request, pk):
    _require(request, Action.NETWORK)
    task = get_object_or_404(MeetingTask.objects.select_related("meeting"), pk=pk)
    form = TaskForm(form_data(request), instance=task)
    done = save_form(
        request,
        form,
        lambda form: services.task_save(
            task=form.instance, expected_version=form.cleaned_data.get("expected_version")
        ),
        success_url=reverse("partners:meeting", args=[task.meeting_id]) + "#tasks",
        success_message=_("The task has been saved."),
    )
    return done or render(
        request,
        "partners/form.html",
        {
            "form": form,
            "title": _("Task of the network"),
            "breadcrumbs": _crumbs(
                (_("Meetings"), reverse("partners:meetings")),
                (str(task.meeting), reverse("partners:meeting", args=[task.meeting_id])),
            ),
            "cancel_url": reverse("partners:meeting", args=[task.meeting_id]),
        },
    )


# --- Overview -----------------------------------------------------------------------------------


@require_safe
def network_overview(request):
    """For the manager: the network by type, agreements in force, referrals per institution."""
    _require(request, Action.NETWORK)
    today = timezone.localdate()
    by_type = dict(
        Institution.objects.active().values_list("kind").annotate(n=Count("pk")).order_by()
    )
    types = [
        {"label": label, "count": by_type.get(value, 0)}
        for value, label in InstitutionType.choices
        if by_type.get(value)
    ]
    in_force = (
        Agreement.objects.filter(valid_from__lte=today)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("institution")
        .order_by("valid_until", "institution__name")
    )
    columns, values = hooks.network_numbers(request.user)
    names = dict(Institution.objects.filter(pk__in=values).values_list("pk", "name"))
    table = sorted(
        ({"pk": pk, "name": names.get(pk, "?"), "values": row} for pk, row in values.items()),
        key=lambda item: (-item["values"][0] if item["values"] else 0, item["name"]),
    )
    return render(
        request,
        "partners/network.html",
        {
            "types": types,
            "agreements": in_force,
            "columns": columns,
            "table": table,
            "today": today,
            "title": _("The local reintegration network"),
            "breadcrumbs": _crumbs(),
        },
    )

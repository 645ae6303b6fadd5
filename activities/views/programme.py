"""The programme of a group (or of one person enrolled outside any group) and its modules."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from activities import ledger, services
from activities.forms import ModuleForm, ProgrammeStartForm
from activities.models import Attendance, Consultation, Mark, Programme, ProgrammeModule, Session
from activities.views._common import _crumbs, _may_schedule, _schedule_gate
from kis_site.access import Action, policy
from kis_site.editing import save_form
from kis_site.locking import save_versioned
from kis_site.pending import form_data
from participants.access import get_record_for_user
from participants.models import Cohort, Enrolment


@require_http_methods(["GET", "POST"])
def cohort_programme(request, pk):
    if not policy().can(request.user, Action.VIEW):
        raise PermissionDenied
    cohort = get_object_or_404(Cohort, pk=pk)
    return _programme_page(
        request,
        owner={"cohort": cohort},
        here=reverse("activities:programme", args=[cohort.pk]),
        title=_("Programme: %(cohort)s") % {"cohort": cohort.name},
        crumb=(cohort.name, reverse("cohorts:detail", args=[cohort.pk])),
        extra={"cohort": cohort},
    )


@require_http_methods(["GET", "POST"])
def enrolment_programme(request, pk):
    """An individual programme, for a person enrolled outside any cohort (rolling intake)."""
    enrolment = get_record_for_user(
        request.user, Enrolment.objects.select_related("participant"), pk, Action.VIEW
    )
    if enrolment.cohort_id:
        return redirect("activities:programme", pk=enrolment.cohort_id)
    person = enrolment.participant
    return _programme_page(
        request,
        owner={"enrolment": enrolment},
        here=reverse("activities:enrolment-programme", args=[enrolment.pk]),
        title=_("Individual programme: %(name)s") % {"name": person.full_name},
        crumb=(person.full_name, reverse("participants:detail", args=[person.pk])),
        extra={"enrolment": enrolment},
    )


def _programme_page(request, *, owner, here, title, crumb, extra):
    programme = Programme.objects.filter(**owner).first()
    form = None
    if request.method == "POST":
        if not _may_schedule(request.user):
            raise PermissionDenied
        if programme is not None:
            return redirect(here)  # copied already: nothing to post
    if programme is None and _may_schedule(request.user):
        form = ProgrammeStartForm(form_data(request))
        done = save_form(
            request,
            form,
            lambda form: services.programme_copy(template=form.cleaned_data["template"], **owner),
            success_url=here,
            success_message=_("The programme has been copied: adjust its modules if needed."),
        )
        if done:
            return done
    modules = []
    if programme is not None:
        modules = list(programme.modules.all())
        planned = {}
        for session in Session.objects.filter(module__programme=programme, cancelled=False).only(
            "module_id", "date", "last_date", "starts_at", "ends_at"
        ):
            count, hours = planned.get(session.module_id, (0, 0))
            planned[session.module_id] = (count + 1, hours + session.hours)
        consulted = dict(
            Consultation.objects.filter(module__programme=programme)
            .values("module_id")
            .annotate(total=Sum("duration"))
            .values_list("module_id", "total")
        )
        done = {
            row["session__module_id"]: row
            for row in Attendance.objects.filter(session__module__programme=programme)
            .values("session__module_id")
            .annotate(
                hours=Sum("hours"),
                people=Count("participant", distinct=True),
                marked=Count("id"),
                attended=Count("id", filter=Q(mark__in=[Mark.PRESENT, Mark.LATE])),
            )
            .order_by()
        }
        for module in modules:
            row = done.get(module.pk)
            module.done_average = row["hours"] / row["people"] if row and row["people"] else None
            module.rate = round(100 * row["attended"] / row["marked"]) if row else None
            module.planned, module.planned_hours = planned.get(module.pk, (0, 0))
            module.consulted = consulted.get(module.pk, 0)
            module.pool_left = module.hours - module.consulted if module.basis == "pool" else None
    return render(
        request,
        "activities/programme.html",
        {
            **extra,
            "programme": programme,
            "modules": modules,
            "hours": ledger.programme_hours(modules) if programme is not None else None,
            "share": ledger.SHARE,
            "form": form,
            "can_manage": _may_schedule(request.user),
            "title": title,
            "breadcrumbs": _crumbs(crumb),
        },
    )


@require_http_methods(["GET", "POST"])
def module_edit(request, pk=None, programme=None):
    _schedule_gate(request.user)
    if pk is not None:
        module = get_object_or_404(ProgrammeModule.objects.select_related("programme"), pk=pk)
    else:
        owner = get_object_or_404(Programme, pk=programme)
        module = ProgrammeModule(programme=owner, order=owner.modules.count() + 1)
    cohort = module.programme.cohort
    form = ModuleForm(form_data(request), instance=module)
    back = (
        reverse("activities:programme", args=[cohort.pk])
        if cohort
        else reverse("activities:enrolment-programme", args=[module.programme.enrolment_id])
    )
    done = save_form(
        request,
        form,
        lambda form: save_versioned(
            form.instance, expected_version=form.cleaned_data.get("expected_version")
        ),
        success_url=back,
        success_message=_("The module has been saved."),
    )
    return done or render(
        request,
        "participants/form.html",
        {
            "form": form,
            "title": module.name or _("New module"),
            "cancel_url": back,
            "breadcrumbs": _crumbs(),
        },
    )

"""Sessions: planning one or a series, editing and cancelling; the attendance screen, walk-ins,
the attendance lists to sign (a session's, a group's month) and the scan of the signed list."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from activities import absences, services, statements
from activities.forms import SeriesForm, SessionEditForm, SessionForm
from activities.models import Attendance, Mark, Programme, RosterEntry, Session
from activities.views._common import _crumbs, _may_schedule, _schedule_gate
from kis_site.access import Action, policy
from kis_site.editing import add_errors, save_form
from kis_site.pdf import render_pdf
from kis_site.pending import form_data
from kis_site.roles import user_staff_id
from kis_site.serving import stored_file_response
from participants.access import participants_visible_to
from participants.models import Cohort
from participants.restriction import in_processing


def may_take_attendance(user, session) -> bool:
    """Staff who work with every file take any session's attendance; a trainer their own."""
    if not policy().can(user, Action.ATTENDANCE):
        return False
    if policy().can(user, Action.VIEW):
        return True
    return session.leader_id is not None and session.leader_id == user_staff_id(user)


@require_http_methods(["GET", "POST"])
def session_new(request, programme):
    _schedule_gate(request.user)
    programme = get_object_or_404(Programme.objects.select_related("cohort"), pk=programme)
    form = SessionForm(
        form_data(request),
        programme=programme,
        initial={"date": request.GET.get("date") or timezone.localdate()},
    )
    done = save_form(
        request,
        form,
        lambda form: services.session_create(session=form.instance),
        success_url=lambda session: reverse("activities:session", args=[session.pk]),
        success_message=_("The session has been planned with the group's roster."),
    )
    return done or render(
        request,
        "participants/form.html",
        {
            "form": form,
            "title": _("New session"),
            "intro": str(programme),
            "cancel_url": _week_url(programme),
            "breadcrumbs": _crumbs(),
        },
    )


def _week_url(programme, day=None):
    url = reverse("activities:week")
    query = f"?cohort={programme.cohort_id}" if programme.cohort_id else "?"
    return f"{url}{query}&week={day.isoformat()}" if day else f"{url}{query}"


@require_http_methods(["GET", "POST"])
def series_new(request, programme):
    _schedule_gate(request.user)
    programme = get_object_or_404(Programme.objects.select_related("cohort"), pk=programme)
    form = SeriesForm(form_data(request), programme=programme)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        dates = services.pattern_dates(
            pattern=data["pattern"],
            start=data["date"],
            end=data["until"],
            weekdays=data["weekdays"],
            week_of_month=data["week_of_month"],
        )
        try:
            result = services.series_create(template=form.instance, dates=dates)
        except ValidationError as error:
            add_errors(form, error)
        else:
            if result.created:
                messages.success(
                    request,
                    _("Sessions planned: %(count)s.") % {"count": len(result.created)},
                )
            if not (result.holidays or result.clashes or result.outside):
                return redirect(_week_url(programme, data["date"]))
    return render(
        request,
        "activities/series.html",
        {
            "form": form,
            "result": result,
            "programme": programme,
            "title": _("Plan a series of sessions"),
            "cancel_url": _week_url(programme),
            "week_url": _week_url(programme, form.cleaned_data.get("date")) if result else None,
            "breadcrumbs": _crumbs(),
        },
    )


def _session(request, pk) -> Session:
    session = get_object_or_404(
        Session.objects.select_related("module__programme__cohort", "leader"), pk=pk
    )
    if not may_take_attendance(request.user, session) and not policy().can(
        request.user, Action.VIEW
    ):
        raise PermissionDenied
    return session


@require_http_methods(["GET", "POST"])
def session_attendance(request, pk):
    """The screen used every day: the roster, everyone present by default, saved at once."""
    session = _session(request, pk)
    user = request.user
    can_mark = may_take_attendance(user, session)
    roster = list(
        RosterEntry.objects.filter(session=session)
        .filter(in_processing())  # a restricted file leaves the roster (GDPR art. 18)
        .select_related("participant")
        .order_by("participant__sort_name")
    )
    saved = {a.participant_id: a for a in Attendance.objects.filter(session=session)}
    posted = {}  # what the user sent, shown again when it is refused
    errors, reason_errors = [], []
    reason = ""
    if request.method == "POST":
        if not can_mark:
            raise PermissionDenied
        reason = request.POST.get("reason", "")
        inputs = []
        for entry in roster:
            mark = request.POST.get(f"mark-{entry.participant_id}", Mark.PRESENT)
            late = request.POST.get(f"late-{entry.participant_id}", "").strip()
            posted[entry.participant_id] = (mark, late)
            inputs.append(
                services.MarkInput(entry.participant_id, mark, int(late) if late.isdigit() else 0)
            )
        try:
            result = services.attendance_save(session=session, marks=inputs, by=user, reason=reason)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                by_field = error.message_dict  # a new dict on each access: read it once
                reason_errors = by_field.pop("reason", [])
                errors = [item for items in by_field.values() for item in items]
            else:
                errors = error.messages
        else:
            messages.success(
                request,
                _("Attendance saved (%(created)s new, %(changed)s changed).") % result,
            )
            if result["cases"]:
                messages.warning(
                    request,
                    _("The absence rule opened cases for the case managers: %(cases)s.") % result,
                )
            return redirect("activities:session", pk=session.pk)
    rows = []
    for entry in roster:
        attendance = saved.get(entry.participant_id)
        if entry.participant_id in posted:  # nothing typed is lost: the page shows what was posted
            mark, minutes_late = posted[entry.participant_id]
        elif attendance is not None:
            mark, minutes_late = attendance.mark, attendance.minutes_late or ""
        else:
            mark, minutes_late = Mark.PRESENT, ""
        changed = attendance is not None and (
            attendance.mark != mark
            or (mark == Mark.LATE and str(attendance.minutes_late) != str(minutes_late))
        )
        rows.append(
            {
                "entry": entry,
                "mark": mark,
                "minutes_late": minutes_late,
                "saved": attendance is not None,
                "attendance": attendance,
                "changed": changed,
                "hours": attendance.hours if attendance is not None else None,
            }
        )
    return render(
        request,
        "activities/attendance.html",
        {
            "session": session,
            "rows": rows,
            "marks": Mark.choices,
            "errors": errors,
            "reason": reason,
            "reason_errors": reason_errors,
            "has_saved": any(row["saved"] for row in rows),
            "upcoming": session.is_ahead,
            "can_mark": can_mark and not session.cancelled and not session.is_ahead,
            "can_add": can_mark,
            # What justified an absence (a sick note...) is for those who record it.
            "can_excuse": policy().can(user, Action.CHANGE_STATUS),
            "can_manage": _may_schedule(user),
            "walk_in_choices": _walk_in_choices(user, session, roster) if can_mark else [],
            "title": session.module.name,
            "breadcrumbs": _crumbs(),
        },
    )


def _walk_in_choices(user, session, roster):
    if not policy().can(user, Action.VIEW):
        return []
    taken = {entry.participant_id for entry in roster}
    return [
        person
        for person in participants_visible_to(user)
        .filter(enrolments__status__in=["active", "suspended"])
        .distinct()
        .order_by("sort_name")[:300]
        if person.pk not in taken
    ]


@require_POST
def walk_in(request, pk):
    session = _session(request, pk)
    if not may_take_attendance(request.user, session) or not policy().can(
        request.user, Action.VIEW
    ):
        raise PermissionDenied
    person = request.POST.get("participant", "")
    if (
        not person.isdigit()
        or not participants_visible_to(request.user).filter(pk=int(person)).exists()
    ):
        messages.error(request, _("Choose a person."))
    else:
        try:
            services.roster_add(session=session, participant_id=int(person), by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The person has been added to the roster."))
    return redirect("activities:session", pk=session.pk)


@require_POST
def session_cancel(request, pk):
    _schedule_gate(request.user)
    session = get_object_or_404(Session, pk=pk)
    if session.attendance.exists():
        messages.error(request, _("Attendance has already been taken: the session took place."))
    else:
        session.cancelled = True
        session.version += 1
        session.save(update_fields=["cancelled", "version"])
        messages.success(request, _("The session has been cancelled."))
    return redirect("activities:session", pk=session.pk)


@require_safe
def attendance_list_pdf(request, pk):
    """The paper the participants sign in the room: a row and a signature box per person."""
    session = _session(request, pk)
    roster = (
        RosterEntry.objects.filter(session=session)
        .filter(in_processing())
        .select_related("participant")
        .order_by("participant__sort_name")
    )
    marks = {a.participant_id: a for a in Attendance.objects.filter(session=session)}
    content = render_pdf(
        "activities/pdf/attendance_list.html",
        {
            "session": session,
            "rows": [(entry, marks.get(entry.participant_id)) for entry in roster],
            "title": _("Attendance list"),
        },
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="lista-obecnosci-{session.date.isoformat()}-{session.pk}.pdf"'
    )
    return response


@require_POST
def list_scan_upload(request, pk):
    """Attach the scan of the attendance list the participants signed in the room."""
    session = _session(request, pk)
    if not may_take_attendance(request.user, session):
        raise PermissionDenied
    upload = request.FILES.get("scan")
    if upload is None:
        messages.error(request, _("Choose the file with the scan."))
    else:
        try:
            session.list_scan = absences.stored_scan(upload, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            session.version += 1
            session.save(update_fields=["list_scan", "version"])
            messages.success(request, _("The scan of the signed list has been attached."))
    return redirect("activities:session", pk=session.pk)


@require_safe
def list_scan(request, pk):
    session = _session(request, pk)
    if session.list_scan_id is None:
        raise Http404
    return stored_file_response(session.list_scan, filename=f"lista-obecnosci-skan-{session.pk}")


@require_http_methods(["GET", "POST"])
def session_edit(request, pk):
    _schedule_gate(request.user)
    session = get_object_or_404(Session.objects.select_related("module__programme"), pk=pk)
    form = SessionEditForm(
        form_data(request),
        instance=session,
        programme=session.module.programme,
        candidates=services.roster_candidates(session),
    )
    done = save_form(
        request,
        form,
        lambda form: services.session_update(
            session=form.instance,
            expected_version=form.cleaned_data.get("expected_version"),
            roster=[person.pk for person in form.cleaned_data["roster"]],
        ),
        success_url=reverse("activities:session", args=[session.pk]),
        success_message=_("The session has been saved."),
    )
    return done or render(
        request,
        "participants/form.html",
        {
            "form": form,
            "title": str(session),
            "cancel_url": reverse("activities:session", args=[session.pk]),
            "breadcrumbs": _crumbs(),
        },
    )


@require_safe
def cohort_month_list_pdf(request, pk):
    """The monthly attendance list of a group: a row per participant, a signature box per
    session of the month."""
    if not policy().can(request.user, Action.VIEW):
        raise PermissionDenied
    cohort = get_object_or_404(Cohort, pk=pk)
    try:
        month = date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        month = timezone.localdate().replace(day=1)
    first, last = statements.month_bounds(month)
    sessions = list(
        Session.objects.filter(
            module__programme__cohort=cohort, date__range=(first, last), cancelled=False
        ).select_related("module")
    )
    people = list(
        participants_visible_to(request.user)
        .filter(roster_entries__session__in=sessions)
        .distinct()
        .order_by("sort_name")
    )
    rostered = set(
        RosterEntry.objects.filter(session__in=sessions).values_list("session_id", "participant_id")
    )
    rows = [
        (person, [(session.pk, person.pk) in rostered for session in sessions]) for person in people
    ]
    content = render_pdf(
        "activities/pdf/month_list.html",
        {
            "cohort": cohort,
            "month": first,
            "sessions": sessions,
            "rows": rows,
            "title": _("Attendance list"),
        },
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="lista-obecnosci-{cohort.pk}-{first:%Y-%m}.pdf"'
    )
    return response

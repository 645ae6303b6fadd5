"""Pages of the activities: a group's programme, its week, sessions and the attendance screen."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from activities import absences, ledger, selectors, services, statements
from activities.forms import (
    AbsenceActionForm,
    CloseCaseForm,
    ConsultationForm,
    ExcuseForm,
    ModuleForm,
    PlacementForm,
    PlacementHoursForm,
    ProgrammeStartForm,
    SeriesForm,
    SessionEditForm,
    SessionForm,
)
from activities.models import (
    CONSULTATION_SECTIONS,
    AbsenceCase,
    Attendance,
    Consultation,
    ConsultationKind,
    Mark,
    Placement,
    PlacementKind,
    Programme,
    ProgrammeModule,
    RosterEntry,
    Session,
)
from kis_site.access import AccessKind, Action, log_access, policy
from kis_site.editing import add_errors, save_form
from kis_site.locking import save_versioned
from kis_site.models import KisSettings
from kis_site.pdf import render_pdf
from kis_site.pending import form_data
from kis_site.roles import user_staff_id
from participants.access import (
    get_participant_for_user,
    get_record_for_user,
    managed_participants,
    participants_visible_to,
)
from participants.models import Cohort, Enrolment


def _crumbs(*items):
    return [(_("Timetable"), reverse("activities:week")), *items]


def _may_schedule(user) -> bool:
    return policy().can(user, Action.ENROL)


def _schedule_gate(user):
    if not _may_schedule(user):
        raise PermissionDenied


def may_take_attendance(user, session) -> bool:
    """Staff who work with every file take any session's attendance; a trainer their own."""
    if not policy().can(user, Action.ATTENDANCE):
        return False
    if policy().can(user, Action.VIEW):
        return True
    return session.leader_id is not None and session.leader_id == user_staff_id(user)


# --- The programme of a group ----------------------------------------------------------------


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


# --- The week --------------------------------------------------------------------------------


def _monday(value: str | None) -> date:
    try:
        day = date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    return day - timedelta(days=day.weekday())


@require_safe
def week(request):
    """A week of sessions: one group's, or the ones I lead (a trainer's default)."""
    user = request.user
    if not policy().can(user, Action.ATTENDANCE) and not policy().can(user, Action.VIEW):
        raise PermissionDenied
    monday = _monday(request.GET.get("week"))
    cohorts = list(Cohort.objects.filter(ends_on__gte=monday - timedelta(days=60)))
    cohort_id = request.GET.get("cohort")
    sessions = Session.objects.filter(date__range=(monday, monday + timedelta(days=6)))
    mine = not policy().can(user, Action.VIEW) or request.GET.get("mine") == "1"
    if mine:
        sessions = sessions.filter(leader_id=user_staff_id(user))
    elif cohort_id and cohort_id.isdigit():
        sessions = sessions.filter(module__programme__cohort_id=int(cohort_id))
    sessions = list(
        sessions.select_related("module", "module__programme__cohort", "leader").annotate(
            expected=Count("roster", distinct=True), marked=Count("attendance", distinct=True)
        )
    )
    days = [
        {
            "date": monday + timedelta(days=offset),
            "sessions": [s for s in sessions if s.date == monday + timedelta(days=offset)],
        }
        for offset in range(7)
    ]
    days = [day for day in days if day["sessions"] or day["date"].weekday() < 5]
    holidays = services.polish_holidays(monday, monday + timedelta(days=6))
    for day in days:
        day["holiday"] = holidays.get(day["date"], "")
    programmes = {
        p.cohort_id: p for p in Programme.objects.filter(cohort__in=cohorts).only("cohort_id")
    }
    chosen = next((c for c in cohorts if str(c.pk) == cohort_id), None)
    return render(
        request,
        "activities/week.html",
        {
            "days": days,
            "monday": monday,
            "previous": (monday - timedelta(weeks=1)).isoformat(),
            "next": (monday + timedelta(weeks=1)).isoformat(),
            "cohorts": cohorts,
            "chosen": chosen,
            "chosen_programme": programmes.get(chosen.pk) if chosen else None,
            "mine": mine,
            "can_manage": _may_schedule(user),
            "title": _("Timetable: week of %(date)s")
            % {"date": date_format(monday, "SHORT_DATE_FORMAT")},
        },
    )


# --- Sessions --------------------------------------------------------------------------------


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


# --- The 2/3 rule by person ------------------------------------------------------------------


@require_safe
def two_thirds(request):
    """The people whose weekly share of social reintegration fell below 2/3 in the last four
    weeks, each with the weeks below and a link to their hour card."""
    breaches = ledger.below_two_thirds_for(request.user, today=timezone.localdate())
    if breaches is None:
        raise PermissionDenied
    people = list(
        managed_participants(request.user)
        .filter(pk__in=list(breaches))
        .select_related("case_manager")
        .order_by("sort_name")
    )
    for person in people:
        person.weeks_below = breaches[person.pk]
        person.lowest = min(week.done_window_share for week in person.weeks_below)
    mondays = ledger.last_weeks(timezone.localdate())
    return render(
        request,
        "activities/two_thirds.html",
        {
            "people": people,
            "first": mondays[0],
            "last": mondays[-1] + timedelta(days=6),
            "title": _("2/3 rule: people below in the last four weeks"),
            "breadcrumbs": [(_("Participants"), reverse("participants:list"))],
        },
    )


# --- The absence rule ------------------------------------------------------------------------


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


# --- Individual consultations ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def consultations(request, pk):
    """A participant's consultations and interviews (sensitive ones only for those who see
    them), and the form to record one."""
    user = request.user
    participant = get_participant_for_user(user, pk, Action.VIEW)
    sections = policy().sections_for(user, participant)
    log_access(user=user, instance=participant, what="consultations")
    kinds = [
        (value, label)
        for value, label in ConsultationKind.choices
        if CONSULTATION_SECTIONS.get(value) is None or CONSULTATION_SECTIONS[value] in sections
    ]
    can_add = policy().can(user, Action.ADD_NOTE, participant)
    form = None
    if can_add:
        day = timezone.localdate()
        modules, _enrolment = services.consultation_modules(participant.pk, day)
        form = ConsultationForm(
            form_data(request),
            instance=Consultation(participant=participant),
            modules=modules,
            kinds=kinds,
            initial={"date": day, "specialist": user_staff_id(user)},
        )
        if request.method == "POST" and form.is_valid():
            consultation = form.instance
            try:
                policy().gate(user, consultation, Action.ADD_NOTE)
                services.consultation_save(consultation=consultation, by=user)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("The consultation has been recorded."))
                return redirect("activities:consultations", pk=participant.pk)
    elif request.method == "POST":
        raise PermissionDenied
    records = [
        c
        for c in Consultation.objects.filter(participant=participant).select_related(
            "module", "specialist"
        )
        if not c.section or c.section in sections
    ]
    return render(
        request,
        "activities/consultations.html",
        {
            "participant": participant,
            "records": records,
            "form": form,
            "title": _("Consultations: %(name)s") % {"name": participant.full_name},
            "breadcrumbs": [
                (_("Participants"), reverse("participants:list")),
                (participant.full_name, reverse("participants:detail", args=[participant.pk])),
            ],
        },
    )


# --- Placements ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def placement_edit(request, pk=None, participant=None):
    if pk is not None:
        placement = get_record_for_user(
            request.user, Placement.objects.select_related("participant"), pk, Action.EDIT
        )
        person = placement.participant
    else:
        person = get_participant_for_user(request.user, participant, Action.EDIT)
        placement = Placement(participant=person)
    form = PlacementForm(form_data(request), instance=placement)
    done = save_form(
        request,
        form,
        lambda form: save_versioned(
            form.instance, expected_version=form.cleaned_data.get("expected_version")
        ),
        success_url=lambda saved: reverse("activities:placement", args=[saved.pk]),
        success_message=_("The placement has been saved."),
    )
    return done or render(
        request,
        "participants/form.html",
        {
            "form": form,
            "title": capfirst(str(placement))
            if placement.pk
            else _("New placement: %(name)s") % {"name": person.full_name},
            "intro": _("Work outside the KIS: its hours are kept apart from the programme's."),
            "cancel_url": reverse("activities:hour-card", args=[person.pk]),
            "breadcrumbs": [
                (_("Participants"), reverse("participants:list")),
                (person.full_name, reverse("participants:detail", args=[person.pk])),
            ],
        },
    )


@require_http_methods(["GET", "POST"])
def placement_detail(request, pk):
    placement = get_record_for_user(
        request.user,
        Placement.objects.select_related("participant", "institution"),
        pk,
        Action.VIEW,
    )
    can_edit = policy().can(request.user, Action.EDIT, placement)
    form = PlacementHoursForm(
        form_data(request) if can_edit else None, initial={"day": timezone.localdate()}
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.placement_hours_record(
                    placement=placement, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("The hours have been recorded."))
                return redirect("activities:placement", pk=placement.pk)
    log_access(user=request.user, instance=placement)
    return render(
        request,
        "activities/placement.html",
        {
            "placement": placement,
            "participant": placement.participant,
            "months": services.placement_months(placement),
            "psu_rates": selectors.psu_rates_on(timezone.localdate())
            if placement.kind == PlacementKind.PSU
            else None,
            "records": placement.hours.order_by("-day")[:62],
            "form": form if can_edit else None,
            "can_edit": can_edit,
            "title": capfirst(str(placement)),
            "breadcrumbs": [
                (_("Participants"), reverse("participants:list")),
                (
                    placement.participant.full_name,
                    reverse("participants:detail", args=[placement.participant_id]),
                ),
            ],
        },
    )


# --- Monthly statements ----------------------------------------------------------------------


@require_safe
def monthly_statements(request):
    """Choose a statement, a month and a group; see it, print it (PDF) or download it (XLSX)."""
    _schedule_gate(request.user)
    kind = request.GET.get("kind", "ops")
    if kind not in statements.BUILDERS:
        kind = "ops"
    today = timezone.localdate()
    try:
        month = date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    cohorts = list(Cohort.objects.filter(ends_on__gte=month).order_by("-starts_on"))
    cohort_id = request.GET.get("cohort", "")
    people = participants_visible_to(request.user)
    chosen = next((c for c in cohorts if str(c.pk) == cohort_id), None)
    if chosen is not None:
        people = people.filter(enrolments__cohort=chosen).distinct()
    statement = statements.BUILDERS[kind](month, people)
    output = request.GET.get("format")
    if output in ("pdf", "xlsx"):
        for person in statement.participants:
            log_access(user=request.user, instance=person, kind=AccessKind.EXPORT, what=kind)
        name = f"zestawienie-{kind}-{month:%Y-%m}"
        if output == "pdf":
            content = render_pdf(
                "activities/pdf/statement.html",
                {"statement": statement, "cohort": chosen, "title": statement.title},
            )
            response = HttpResponse(content, content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
        else:
            content = statements.xlsx(statement, kis_name=KisSettings.load().name)
            response = HttpResponse(
                content,
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    return render(
        request,
        "activities/statements.html",
        {
            "statement": statement,
            "kinds": statements.KINDS.items(),
            "kind": kind,
            "month": month,
            "cohorts": cohorts,
            "chosen": chosen,
            "query": request.GET.urlencode(),
            "title": _("Monthly statements"),
            "breadcrumbs": _crumbs(),
        },
    )


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
    stored = session.list_scan
    response = HttpResponse(bytes(stored.data), content_type=stored.content_type)
    response["Content-Disposition"] = f'inline; filename="lista-obecnosci-skan-{session.pk}"'
    return response


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
def participant_timetable(request, pk):
    """A person's individual timetable: the sessions they are on the roster of."""
    participant = get_participant_for_user(request.user, pk, Action.VIEW)
    monday = _monday(request.GET.get("week"))
    until = monday + timedelta(weeks=4)
    entries = (
        RosterEntry.objects.filter(
            participant=participant, session__date__range=(monday, until - timedelta(days=1))
        )
        .select_related("session__module", "session__leader")
        .order_by("session__date", "session__starts_at")
    )
    marks = dict(
        Attendance.objects.filter(
            participant=participant, session__date__range=(monday, until)
        ).values_list("session_id", "mark")
    )
    labels = dict(Mark.choices)
    rows = [
        {"session": entry.session, "mark": labels.get(marks.get(entry.session_id), "")}
        for entry in entries
    ]
    return render(
        request,
        "activities/timetable.html",
        {
            "participant": participant,
            "rows": rows,
            "monday": monday,
            "previous": (monday - timedelta(weeks=4)).isoformat(),
            "next": until.isoformat(),
            "title": _("Timetable: %(name)s") % {"name": participant.full_name},
            "breadcrumbs": [
                (_("Participants"), reverse("participants:list")),
                (participant.full_name, reverse("participants:detail", args=[participant.pk])),
            ],
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


@require_safe
def month(request):
    """A month of sessions as a calendar: one group's, or the ones I lead."""
    user = request.user
    if not policy().can(user, Action.ATTENDANCE) and not policy().can(user, Action.VIEW):
        raise PermissionDenied
    try:
        first = date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        first = timezone.localdate().replace(day=1)
    first, last = statements.month_bounds(first)
    sessions = Session.objects.filter(date__range=(first, last))
    mine = not policy().can(user, Action.VIEW) or request.GET.get("mine") == "1"
    cohort_id = request.GET.get("cohort", "")
    chosen = None
    if mine:
        sessions = sessions.filter(leader_id=user_staff_id(user))
    elif cohort_id.isdigit():
        chosen = Cohort.objects.filter(pk=int(cohort_id)).first()
        sessions = sessions.filter(module__programme__cohort_id=int(cohort_id))
    by_day = {}
    for session in sessions.select_related("module", "module__programme__cohort"):
        by_day.setdefault(session.date, []).append(session)
    holidays = services.polish_holidays(first, last)
    start = first - timedelta(days=first.weekday())
    weeks = []
    day = start
    while day <= last:
        weeks.append(
            [
                {
                    "date": day + timedelta(days=offset),
                    "in_month": (day + timedelta(days=offset)).month == first.month,
                    "sessions": by_day.get(day + timedelta(days=offset), []),
                    "holiday": holidays.get(day + timedelta(days=offset), ""),
                }
                for offset in range(7)
            ]
        )
        day += timedelta(weeks=1)
    query = f"&cohort={chosen.pk}" if chosen else ("&mine=1" if mine else "")
    return render(
        request,
        "activities/month.html",
        {
            "weeks": weeks,
            "first": first,
            "query": query,
            "previous": (first - timedelta(days=1)).strftime("%Y-%m"),
            "next": (last + timedelta(days=1)).strftime("%Y-%m"),
            "chosen": chosen,
            "mine": mine,
            "title": _("Timetable: %(month)s") % {"month": date_format(first, "F Y")},
            "breadcrumbs": _crumbs(),
        },
    )

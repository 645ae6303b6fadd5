"""Writes of the activities: programmes copied from templates, sessions one by one or as a series
(skipping Polish public holidays, reporting clashes), rosters, and attendance saved in one go."""

import calendar
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import holidays
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from activities.absences import apply_rule
from activities.enrolments import enrolment_on
from activities.models import (
    Attendance,
    Mark,
    PlacementKind,
    Programme,
    ProgrammeModule,
    ProgrammeTemplate,
    RosterEntry,
    Session,
)
from kis_site import hooks
from kis_site.audit import log_bulk_change
from participants.models import Enrolment, EnrolmentStatus

# --- Programmes ------------------------------------------------------------------------------


def programme_copy(*, template: ProgrammeTemplate, cohort=None, enrolment=None) -> Programme:
    """Give a cohort (or one person enrolled individually) its own copy of a template."""
    owner = cohort or enrolment
    if owner is None or (cohort is not None and enrolment is not None):
        raise ValueError("a programme belongs to a cohort or to an enrolment")
    if Programme.objects.filter(Q(cohort=cohort) if cohort else Q(enrolment=enrolment)).exists():
        raise ValidationError(_("This group already has its programme."))
    with transaction.atomic():
        programme = Programme.objects.create(
            cohort=cohort, enrolment=enrolment, copied_from=template
        )
        ProgrammeModule.objects.bulk_create(
            [
                ProgrammeModule(
                    programme=programme,
                    **{name: getattr(module, name) for name in module.COPIED},
                )
                for module in template.modules.all()
            ]
        )
    return programme


# --- Dates: holidays and patterns ------------------------------------------------------------


def polish_holidays(start: date, end: date) -> dict[date, str]:
    """Public holidays in Poland between the dates (Wigilia included from 2025)."""
    return {
        day: name
        for day, name in holidays.Poland(
            years=range(start.year, end.year + 1), language="pl"
        ).items()
        if start <= day <= end
    }


class Pattern:
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"
    WORKDAYS = "workdays"


def pattern_dates(
    *, pattern: str, start: date, end: date, weekdays=(), week_of_month: int = 1
) -> list[date]:
    """Dates of a series. ``weekdays``: 0 = Monday. Monthly: the n-th given weekday (n=-1: last)."""
    days = []
    if pattern == Pattern.WORKDAYS:
        weekdays, pattern = (0, 1, 2, 3, 4), Pattern.WEEKLY
    if pattern in (Pattern.WEEKLY, Pattern.BIWEEKLY):
        step = 2 if pattern == Pattern.BIWEEKLY else 1
        monday = start - timedelta(days=start.weekday())
        week = 0
        while monday <= end:
            if week % step == 0:
                days += [monday + timedelta(days=d) for d in sorted(weekdays)]
            monday += timedelta(weeks=1)
            week += 1
    elif pattern == Pattern.MONTHLY:
        year, month = start.year, start.month
        while date(year, month, 1) <= end:
            for weekday in weekdays:
                matching = [
                    week[weekday]
                    for week in calendar.Calendar().monthdatescalendar(year, month)
                    if week[weekday].month == month
                ]
                if week_of_month == -1:
                    days.append(matching[-1])
                elif week_of_month <= len(matching):
                    days.append(matching[week_of_month - 1])
            month += 1
            if month == 13:
                year, month = year + 1, 1
    return sorted(day for day in days if start <= day <= end)


# --- Sessions --------------------------------------------------------------------------------


def clashes(session: Session):
    """Other sessions at overlapping times with the same leader or in the same place."""
    others = Session.objects.filter(
        date=session.date,
        cancelled=False,
        starts_at__lt=session.ends_at,
        ends_at__gt=session.starts_at,
    ).exclude(pk=session.pk)
    condition = Q()
    if session.leader_id:
        condition |= Q(leader_id=session.leader_id)
    if session.place.strip():
        condition |= Q(place__iexact=session.place.strip())
    if not condition:
        return Session.objects.none()
    return others.filter(condition).select_related("module")


def _period(module: ProgrammeModule) -> tuple[date, date | None]:
    programme = module.programme
    if programme.cohort_id:
        return programme.cohort.starts_on, programme.cohort.ends_on
    enrolment = programme.enrolment
    return enrolment.starts_on, enrolment.ended_on or enrolment.planned_end_on


def check_session(session: Session) -> None:
    """Dates inside the cohort's or the enrolment's, not a public holiday, no clash."""
    session.full_clean()
    errors = {}
    first, last = _period(session.module)
    end = session.last_date or session.date
    if session.date < first or (last and end > last):
        errors["date"] = _(
            "The session must fall within the dates of the group (%(first)s – %(last)s)."
        ) % {
            "first": date_format(first, "SHORT_DATE_FORMAT"),
            "last": date_format(last, "SHORT_DATE_FORMAT") if last else "…",
        }
    holiday = polish_holidays(session.date, end)
    if holiday:
        day, name = next(iter(sorted(holiday.items())))
        errors["date"] = _("%(date)s is a public holiday (%(name)s).") % {
            "date": date_format(day, "SHORT_DATE_FORMAT"),
            "name": name,
        }
    clash = clashes(session).first()
    if clash is not None:
        errors.setdefault(
            "starts_at",
            _("At that time there is already: %(session)s (the same leader or place).")
            % {"session": clash},
        )
    if errors:
        raise ValidationError(errors)


def default_roster(session: Session) -> list[int]:
    """The people expected: the cohort's members active that day, or the one person of an
    individual programme; and on a group's session those whose plan puts them on it (see
    ``kis_site.hooks.planned_enrolments``, which the plans provide), active that day too.

    Nobody else: a person enrolled individually (rolling intake) joins a group's session only
    on purpose, through their plan, the roster's edit or as a walk-in.
    """
    programme = session.module.programme
    if programme.enrolment_id:
        return [programme.enrolment.participant_id]
    day = session.date
    expected = Q(cohort_id=programme.cohort_id)
    planned = hooks.planned_enrolments(session)
    if planned is not None:
        expected |= Q(pk__in=planned)
    return list(
        Enrolment.objects.filter(expected, status=EnrolmentStatus.ACTIVE, starts_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .order_by()
        .values_list("participant_id", flat=True)
        .distinct()
    )


def session_create(*, session: Session, roster: list[int] | None = None) -> Session:
    with transaction.atomic():
        check_session(session)
        session.save()
        ids = default_roster(session) if roster is None else roster
        RosterEntry.objects.bulk_create(
            [RosterEntry(session=session, participant_id=pk) for pk in ids]
        )
    return session


@dataclass
class SeriesResult:
    created: list = field(default_factory=list)
    holidays: list = field(default_factory=list)  # (date, name)
    clashes: list = field(default_factory=list)  # (date, the other session)
    outside: list = field(default_factory=list)  # dates outside the group's period


def series_plan_dates(*, module: ProgrammeModule, dates: list[date]) -> list[date]:
    """The dates a series would take: without public holidays and the days outside the group's
    (or the enrolment's) period, which ``series_create`` skips."""
    if not dates:
        return []
    off = polish_holidays(min(dates), max(dates))
    first, last = _period(module)
    return [day for day in dates if day not in off and first <= day and (not last or day <= last)]


def series_create(*, template: Session, dates: list[date], roster: list[int] | None = None):
    """Create the session on each date; holidays, clashes and dates outside the group's period
    are skipped and reported."""
    result = SeriesResult()
    if not dates:
        return result
    off = polish_holidays(min(dates), max(dates))
    first, last = _period(template.module)
    series = str(uuid.uuid4())
    with transaction.atomic():
        for day in dates:
            if day in off:
                result.holidays.append((day, off[day]))
                continue
            if day < first or (last and day > last):
                result.outside.append(day)
                continue
            session = Session(
                module=template.module,
                date=day,
                starts_at=template.starts_at,
                ends_at=template.ends_at,
                leader=template.leader,
                leader_name=template.leader_name,
                leader_institution=template.leader_institution,
                place=template.place,
                topic=template.topic,
                series=series,
            )
            session.full_clean()
            clash = clashes(session).first()
            if clash is not None:
                result.clashes.append((day, clash))
                continue
            session.save()
            ids = default_roster(session) if roster is None else roster
            RosterEntry.objects.bulk_create(
                [RosterEntry(session=session, participant_id=pk) for pk in ids]
            )
            result.created.append(session)
    return result


def roster_add(*, session: Session, participant_id: int, by) -> RosterEntry:
    """Add a walk-in: someone not expected, enrolled that day."""
    if enrolment_on(participant_id, session.date) is None:
        raise ValidationError(_("This person is not enrolled on the day of the session."))
    entry, _created = RosterEntry.objects.get_or_create(
        session=session, participant_id=participant_id, defaults={"walk_in": True}
    )
    return entry


# --- Attendance ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkInput:
    participant_id: int
    mark: str
    minutes_late: int = 0


def attendance_save(*, session: Session, marks: list[MarkInput], by, reason: str = "") -> dict:
    """Save the marks of a session in one transaction; returns counts of created and changed.

    Only people on the roster get marks. Changing a mark already saved is a correction: it needs
    the reason, and the audit log keeps who changed what.
    """
    errors = []
    # Who is on the roster, and since when their processing is restricted (GDPR art. 18).
    on_roster = dict(session.roster.values_list("participant_id", "participant__restricted_on"))
    for item in marks:
        if item.participant_id not in on_roster:
            errors.append(_("A mark for someone who is not on the roster of this session."))
        elif on_roster[item.participant_id] is not None:
            errors.append(
                _("Processing of a person's data is restricted: no attendance is recorded.")
            )
        if item.mark not in Mark.values:
            errors.append(_("Choose present, late, justified or unjustified absence."))
        if item.mark == Mark.LATE:
            if item.minutes_late <= 0:
                errors.append(_("Give how many minutes late."))
            elif item.minutes_late >= session.hours_per_day * 60:
                errors.append(_("Late by more than the session lasts: mark an absence instead."))
    if session.cancelled:
        errors.append(_("The session was cancelled."))
    if session.is_ahead:
        errors.append(_("Attendance is taken on the day of the session or later."))
    if errors:
        raise ValidationError(sorted(set(errors)))
    with transaction.atomic():
        Session.objects.select_for_update().filter(pk=session.pk).first()  # one save at a time
        existing = {a.participant_id: a for a in Attendance.objects.filter(session=session)}
        new, changed = [], []
        for item in marks:
            minutes = item.minutes_late if item.mark == Mark.LATE else 0
            current = existing.get(item.participant_id)
            if current is None:
                row = Attendance(
                    session=session,
                    participant_id=item.participant_id,
                    mark=item.mark,
                    minutes_late=minutes,
                    recorded_by=by,
                )
                row.hours = row.credited_hours(session)
                new.append(row)
            elif (current.mark, current.minutes_late) != (item.mark, minutes):
                current.mark, current.minutes_late = item.mark, minutes
                current.hours = current.credited_hours(session)
                current.recorded_by, current.recorded_at = by, timezone.now()
                current.version += 1
                changed.append(current)
        if changed and not reason.strip():
            raise ValidationError(
                {"reason": _("Marks already saved are being changed: give the reason.")}
            )
        try:
            with transaction.atomic():
                Attendance.objects.bulk_create(new)
        except IntegrityError as error:
            raise ValidationError(
                _("Someone saved this attendance at the same moment. Reload the page.")
            ) from error
        for row in changed:
            row._change_reason = reason
            row.save()
        if new:
            log_bulk_change(user=by, instance=session, what="attendance", count=len(new))
        looked_at = [row for row in new if row.mark in (Mark.EXCUSED, Mark.ABSENT)] + changed
        cases = apply_rule(session=session, marks=looked_at)
    return {"created": len(new), "changed": len(changed), "cases": len(cases)}


# --- Individual consultations ----------------------------------------------------------------


def consultation_modules(participant_id: int, day: date):
    """The consultation and interview modules of the programme the person follows that day."""
    enrolment = enrolment_on(participant_id, day)
    if enrolment is None:
        return ProgrammeModule.objects.none(), None
    owner = Q(programme__enrolment=enrolment)
    if enrolment.cohort_id:
        owner |= Q(programme__cohort_id=enrolment.cohort_id)
    modules = ProgrammeModule.objects.filter(
        owner, form__in=["consultation", "interview"], is_retired=False
    )
    return modules, enrolment


def pool_left(module: ProgrammeModule, participant_id: int, *, exclude=None):
    """Hours left: of the group's pool, or of the person's own hours (an interview)."""
    from django.db.models import Sum

    from activities.models import Consultation, HoursBasis

    used = Consultation.objects.filter(module=module)
    if module.basis != HoursBasis.POOL:
        used = used.filter(participant_id=participant_id)
    if exclude is not None:
        used = used.exclude(pk=exclude)
    return module.hours - (used.aggregate(total=Sum("duration"))["total"] or 0)


def consultation_save(*, consultation, by):
    """Record a consultation; it draws on its module's hours and may not exceed them."""
    consultation.recorded_by = by if getattr(by, "is_authenticated", False) else None
    consultation.full_clean()
    modules, enrolment = consultation_modules(consultation.participant_id, consultation.date)
    if enrolment is None:
        raise ValidationError({"date": _("The person is not enrolled on that day.")})
    if not modules.filter(pk=consultation.module_id).exists():
        raise ValidationError(
            {"module": _("Choose a consultation module of the person's programme.")}
        )
    with transaction.atomic():
        ProgrammeModule.objects.select_for_update().filter(pk=consultation.module_id).first()
        left = pool_left(consultation.module, consultation.participant_id, exclude=consultation.pk)
        if consultation.duration > left:
            raise ValidationError(
                {
                    "duration": _("Only %(left)s h of this module's hours are left.")
                    % {"left": left.normalize() if left > 0 else 0}
                }
            )
        consultation.save()
    return consultation


# --- Placements ------------------------------------------------------------------------------


def psu_day_off(day: date) -> str:
    """Why socially useful work is not done on ``day`` (a public holiday, a Sunday), or ""."""
    holiday = polish_holidays(day, day).get(day)
    when = date_format(day, "SHORT_DATE_FORMAT")
    if holiday:
        return _(
            "%(date)s is a public holiday (%(name)s): socially useful work is not done on it."
        ) % {"date": when, "name": holiday}
    if day.weekday() == 6:
        return _("%(date)s is a Sunday: socially useful work is not done on it.") % {"date": when}
    return ""


def psu_over_limit(*, placement, day: date, hours) -> str:
    """Why ``hours`` more on ``day`` would break the monthly limit of socially useful work in
    force that day (every PSU placement of the person counts; the day's earlier record is
    replaced), or ""."""
    from django.template.defaultfilters import floatformat

    from activities import selectors
    from activities.models import PlacementHours

    rates = selectors.psu_rates_on(day)
    if rates is None:
        return ""
    earlier = PlacementHours.objects.filter(placement=placement, day=day).first()
    done = selectors.psu_hours_in_month(
        participant_id=placement.participant_id, month=day, exclude=earlier
    )
    if done + Decimal(str(hours)) <= rates.monthly_hours_limit:
        return ""
    return _(
        "Socially useful work is limited to %(limit)s hours a month (from %(since)s). "
        "For %(month)s %(done)s hours are already recorded, so at most %(left)s more can be added."
    ) % {
        "limit": floatformat(rates.monthly_hours_limit, -1),
        "since": date_format(rates.valid_from, "SHORT_DATE_FORMAT"),
        "month": date_format(day, "F Y").lower(),  # mid-sentence
        "done": floatformat(done, -2),
        "left": floatformat(max(rates.monthly_hours_limit - done, Decimal(0)), -2),
    }


def placement_hours_record(*, placement, day: date, hours, whole_month: bool = False, by=None):
    """Hours worked on a day, or a month's total (kept on the month's first day). PSU is not
    done on a public holiday or a Sunday, nor over the monthly limit in force: such hours are
    refused."""
    from activities.models import PlacementHours

    if whole_month:
        day = day.replace(day=1)
    errors = {}
    last = placement.ends_on or timezone.localdate()
    first = placement.starts_on.replace(day=1) if whole_month else placement.starts_on
    if day < first or day > last:
        errors["day"] = _("The day must fall within the placement.")
    if day > timezone.localdate():
        errors["day"] = _("The date cannot be in the future.")
    if not whole_month and hours > 12:
        errors["hours"] = _("At most 12 hours a day.")
    if not whole_month and placement.kind == PlacementKind.PSU and "day" not in errors:
        off = psu_day_off(day)
        if off:
            errors["day"] = off
    if placement.kind == PlacementKind.PSU and not errors:
        over = psu_over_limit(placement=placement, day=day, hours=hours)
        if over:
            errors["hours"] = over
    if errors:
        raise ValidationError(errors)
    record, _created = PlacementHours.objects.update_or_create(
        placement=placement,
        day=day,
        defaults={"hours": hours, "whole_month": whole_month},
    )
    return record


def placement_months(placement) -> list[dict]:
    """Hours per month (one aggregated query)."""
    from django.db.models import Sum
    from django.db.models.functions import TruncMonth

    return list(
        placement.hours.annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(total=Sum("hours"))
        .order_by("month")
    )


def session_update(*, session: Session, expected_version, roster: list[int]) -> Session:
    """Change a session and its roster. People who already have a mark stay on it."""
    from kis_site.locking import save_versioned

    with transaction.atomic():
        check_session(session)
        save_versioned(session, expected_version=expected_version)
        current = set(session.roster.values_list("participant_id", flat=True))
        wanted = set(roster)
        marked = set(session.attendance.values_list("participant_id", flat=True))
        if (current - wanted) & marked:
            raise ValidationError(
                {"roster": _("People who already have a mark cannot be taken off the roster.")}
            )
        session.roster.filter(participant_id__in=current - wanted).delete()
        RosterEntry.objects.bulk_create(
            [RosterEntry(session=session, participant_id=pk) for pk in wanted - current]
        )
    return session


def roster_candidates(session: Session):
    """Who can be on a session's roster: the group's people enrolled that day (or the one person
    of an individual programme), and whoever is on it already."""
    from participants.models import Participant

    programme = session.module.programme
    day = session.date or timezone.localdate()
    enrolled = (
        Enrolment.objects.filter(starts_on__lte=day)
        .exclude(status=EnrolmentStatus.CANDIDATE)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
    )
    if programme.cohort_id:
        enrolled = enrolled.filter(cohort_id=programme.cohort_id)
    else:
        enrolled = enrolled.filter(pk=programme.enrolment_id)
    condition = Q(pk__in=enrolled.values("participant_id"))
    if session.pk:
        condition |= Q(roster_entries__session=session)
    return Participant.objects.filter(condition).distinct().order_by("sort_name")


def module_sessions(module: ProgrammeModule):
    """The sessions a person following ``module`` attends: its own, and for a module of an
    individual programme (rolling intake) the group sessions of a module of the same name."""
    condition = Q(module=module)
    if module.programme.enrolment_id:
        condition |= Q(
            module__name=module.name,
            module__programme__cohort__isnull=False,
            module__is_retired=False,
        )
    return Session.objects.filter(condition)


def followed_modules(session: Session) -> Q:
    """The inverse of ``module_sessions``, as a condition on ``module``: the modules whose
    followers attend ``session`` — its own, and for a group's module still offered, the modules
    of individual programmes of the same name."""
    module = session.module
    condition = Q(module_id=module.pk)
    if module.programme.cohort_id and not module.is_retired:
        condition |= Q(module__name=module.name, module__programme__enrolment__isnull=False)
    return condition


def roster_plan(*, participant_id: int, module: ProgrammeModule, start: date, end: date) -> int:
    """Put the person on the rosters of ``module``'s sessions from ``start`` (never in the past)
    to ``end`` (the individual timetable an action plan asks for). Returns how many were added."""
    first = max(start, timezone.localdate())
    if end < first:
        return 0
    sessions = (
        module_sessions(module)
        .filter(date__gte=first, date__lte=end, cancelled=False)
        .exclude(roster__participant_id=participant_id)
        .values_list("pk", flat=True)
    )
    entries = [RosterEntry(session_id=pk, participant_id=participant_id) for pk in sessions]
    RosterEntry.objects.bulk_create(entries, ignore_conflicts=True)
    return len(entries)

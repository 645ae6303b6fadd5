"""The regulations' absence rule (KIS settings): justified absences count against the limit, and
an unjustified absence is a breach when the KIS says so. Either opens a case for the case manager,
who records what follows; the decision itself goes through the enrolment's status services."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.enrolments import enrolment_on
from activities.models import (
    AbsenceAction,
    AbsenceCase,
    Attendance,
    CaseReason,
    Mark,
    Session,
)
from kis_site.documents import stored_scan
from kis_site.models import KisSettings


def justified_absences(enrolment) -> int:
    marks = Attendance.objects.filter(
        participant_id=enrolment.participant_id,
        mark=Mark.EXCUSED,
        session__date__gte=enrolment.starts_on,
    )
    if enrolment.ended_on:
        marks = marks.filter(session__date__lte=enrolment.ended_on)
    return marks.count()


def apply_rule(*, session: Session, marks: list[Attendance]) -> list[AbsenceCase]:
    """Open (or close) cases for the marks just saved. Only absences, and marks that changed
    from an absence, are looked at: a session where everyone came costs nothing."""
    rules = KisSettings.load()
    opened = []
    for mark in marks:
        if mark.mark == Mark.ABSENT and rules.unjustified_absence_is_breach:
            enrolment = enrolment_on(mark.participant_id, session.date)
            if enrolment is not None:
                case, created = AbsenceCase.objects.get_or_create(
                    reason=CaseReason.BREACH,
                    attendance=mark,
                    defaults={"participant_id": mark.participant_id, "enrolment": enrolment},
                )
                if created:
                    opened.append(case)
        elif mark.mark != Mark.ABSENT:
            AbsenceCase.objects.filter(
                reason=CaseReason.BREACH,
                attendance=mark,
                closed_on__isnull=True,
                actions__isnull=True,
            ).update(closed_on=timezone.localdate(), outcome=_("The mark was corrected."))
        if mark.mark == Mark.EXCUSED:
            enrolment = enrolment_on(mark.participant_id, session.date)
            if enrolment is None:
                continue
            count = justified_absences(enrolment)
            if count >= rules.justified_absence_limit:
                case, created = AbsenceCase.objects.get_or_create(
                    reason=CaseReason.LIMIT,
                    enrolment=enrolment,
                    defaults={"participant_id": mark.participant_id, "absences": count},
                )
                if created:
                    opened.append(case)
    return opened


def consecutive_absences(participant_id: int) -> int:
    """Absences in a row, counted back from the latest marked session."""
    recent = Attendance.objects.filter(participant_id=participant_id).order_by(
        "-session__date", "-session__starts_at"
    )[:50]
    streak = 0
    for mark in recent.values_list("mark", flat=True):
        if mark not in (Mark.EXCUSED, Mark.ABSENT):
            break
        streak += 1
    return streak


def excuse_record(*, attendance: Attendance, kind: str, date, note: str, scan=None, by):
    """The document justifying an absence; the mark becomes a justified absence."""
    if date and date > timezone.localdate():
        raise ValidationError({"excuse_date": _("The date cannot be in the future.")})
    with transaction.atomic():
        attendance.excuse, attendance.excuse_date, attendance.excuse_note = kind, date, note
        changed = attendance.mark != Mark.EXCUSED
        attendance.mark, attendance.minutes_late, attendance.hours = Mark.EXCUSED, 0, 0
        if scan is not None:
            attendance.excuse_scan = stored_scan(scan, by=by)
        attendance.version += 1
        attendance._change_reason = _("Justified absence recorded.") if changed else ""
        attendance.save()
        apply_rule(session=attendance.session, marks=[attendance])
    return attendance


def case_action(*, case: AbsenceCase, kind: str, taken_on, note: str, by) -> AbsenceAction:
    action = AbsenceAction(case=case, kind=kind, taken_on=taken_on, note=note, recorded_by=by)
    action.full_clean()
    action.save()
    return action


def case_close(*, case: AbsenceCase, outcome: str, by) -> AbsenceCase:
    if not outcome.strip():
        raise ValidationError({"outcome": _("Say how the case ended.")})
    case.closed_on = timezone.localdate()
    case.outcome = outcome
    case.version += 1
    case.save()
    return case


def cases_in_scope(user):
    """The manager sees every case; a case manager those of the people they manage."""
    from participants.access import managed_participants

    return AbsenceCase.objects.filter(participant__in=managed_participants(user))

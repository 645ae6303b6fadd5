"""The regulations' absence rule (KIS settings).

The limit is the number of justified absences the regulations allow in one participation: the
case opens at the next one (limit + 1), or already at the last allowed one when the KIS wants a
warning first. An unjustified absence is a breach when the KIS says so. One participation has at
most one open case: each further absence is added to it as an entry (its history), and the counts
shown are computed from the attendance now. The case manager records what follows; the decision
itself goes through the enrolment's status services."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, DateField, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activities.enrolments import enrolment_on
from activities.models import (
    AbsenceAction,
    AbsenceCase,
    AbsenceCaseEntry,
    Attendance,
    CaseReason,
    FollowUpKind,
    Mark,
    Session,
)
from kis_site.documents import stored_scan
from kis_site.models import KisSettings


def _absences_in(enrolment):
    marks = Attendance.objects.filter(
        participant_id=enrolment.participant_id,
        mark__in=(Mark.EXCUSED, Mark.ABSENT),
        session__date__gte=enrolment.starts_on,
    )
    if enrolment.ended_on:
        marks = marks.filter(session__date__lte=enrolment.ended_on)
    return marks


def justified_absences(enrolment) -> int:
    return _absences_in(enrolment).filter(mark=Mark.EXCUSED).count()


def absence_counts(enrolment) -> tuple[int, int]:
    """(justified, unjustified) absences of the participation now, in one query."""
    counts = _absences_in(enrolment).aggregate(
        justified=Count("pk", filter=Q(mark=Mark.EXCUSED)),
        unjustified=Count("pk", filter=Q(mark=Mark.ABSENT)),
    )
    return counts["justified"], counts["unjustified"]


def absences_of(enrolment) -> list[Attendance]:
    """Every absence of the participation, oldest first (the case page and the letters)."""
    return list(
        _absences_in(enrolment)
        .select_related("session__module")
        .order_by("session__date", "session__starts_at")
    )


def with_counts(cases):
    """Cases annotated with the participation's justified and unjustified absences now."""

    def count(mark):
        marks = (
            Attendance.objects.filter(
                participant_id=OuterRef("participant_id"),
                mark=mark,
                session__date__gte=OuterRef("enrolment__starts_on"),
                session__date__lte=Coalesce(
                    OuterRef("enrolment__ended_on"), Value(date.max, output_field=DateField())
                ),
            )
            .order_by()
            .values("participant_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(marks, output_field=IntegerField()), 0)

    return cases.annotate(justified_now=count(Mark.EXCUSED), unjustified_now=count(Mark.ABSENT))


def reason_for(*, mark: Attendance, justified: int, rules: KisSettings) -> str | None:
    """Why this absence counts in a case, or None when it does not (yet)."""
    if mark.mark == Mark.ABSENT:
        return CaseReason.BREACH if rules.unjustified_absence_is_breach else None
    if mark.mark != Mark.EXCUSED:
        return None
    if justified > rules.justified_absence_limit:
        return CaseReason.LIMIT
    if justified == rules.justified_absence_limit and rules.absence_warning_at_limit:
        return CaseReason.WARNING
    return None


def still_warranted(case: AbsenceCase, rules: KisSettings) -> bool:
    """Whether the case's absences still call for it, counted now (after a correction)."""
    justified = justified_absences(case.enrolment)
    if justified > rules.justified_absence_limit:
        return True
    if justified == rules.justified_absence_limit and rules.absence_warning_at_limit:
        return True
    return (
        rules.unjustified_absence_is_breach
        and case.entries.filter(attendance__mark=Mark.ABSENT).exists()
    )


def apply_rule(*, session: Session, marks: list[Attendance]) -> list[AbsenceCase]:
    """Add the marks just saved to their participation's open case (opening it if needed), and
    close a case a correction has emptied. Only absences, and marks that changed from an
    absence, are looked at: a session where everyone came costs nothing."""
    rules = KisSettings.load()
    opened = []
    for mark in marks:
        enrolment = None
        if mark.mark in (Mark.EXCUSED, Mark.ABSENT):
            enrolment = enrolment_on(mark.participant_id, session.date)
        if enrolment is not None:
            justified = justified_absences(enrolment) if mark.mark == Mark.EXCUSED else 0
            reason = reason_for(mark=mark, justified=justified, rules=rules)
            if reason:
                case = _count_in_case(enrolment, mark, reason, justified)
                if case is not None:
                    opened.append(case)
        if mark.mark != Mark.ABSENT:
            _after_correction(mark, rules)
    return opened


def _count_in_case(enrolment, mark: Attendance, reason: str, justified: int):
    """Add the absence to the participation's open case, opening one if there is none; returns
    the case when it was opened. An absence counts once: an excuse moves a breach on to the
    limit in the same case, and an absence of a closed case is not counted again."""
    entries = list(
        AbsenceCaseEntry.objects.filter(case__enrolment=enrolment, attendance=mark).select_related(
            "case"
        )
    )
    if any(entry.reason == reason or not entry.case.is_open for entry in entries):
        return None
    if entries:
        entry = entries[0]
        entry.reason = reason
        entry.save(update_fields=["reason"])
        return None
    case = AbsenceCase.objects.filter(enrolment=enrolment, closed_on__isnull=True).first()
    created = case is None
    if created:
        try:
            with transaction.atomic():
                case = AbsenceCase.objects.create(
                    participant_id=mark.participant_id,
                    enrolment=enrolment,
                    reason=reason,
                    attendance=mark,
                    absences=justified,
                )
        except IntegrityError:  # opened by a save of another session at the same moment
            case, created = AbsenceCase.objects.get(enrolment=enrolment, closed_on=None), False
    AbsenceCaseEntry.objects.create(case=case, attendance=mark, reason=reason)
    return case if created else None


def _after_correction(mark: Attendance, rules: KisSettings) -> None:
    """A breach whose mark was corrected: its case closes when nothing else keeps it open and
    nobody has acted on it yet."""
    for entry in AbsenceCaseEntry.objects.filter(
        attendance=mark, reason=CaseReason.BREACH, case__closed_on__isnull=True
    ).select_related("case__enrolment"):
        case = entry.case
        if case.actions.exists() or still_warranted(case, rules):
            continue
        case.closed_on = timezone.localdate()
        case.outcome = _("The mark was corrected.")
        case.version += 1
        case.save()


def counts_text(justified: int, unjustified: int, limit: int) -> str:
    """ "5 justified (allowed 3), 1 unjustified": the participation's absences now."""
    text = ngettext(
        "%(count)d justified (allowed %(limit)d)",
        "%(count)d justified (allowed %(limit)d)",
        justified,
    ) % {"count": justified, "limit": limit}
    if unjustified:
        text += ", " + ngettext("%(count)d unjustified", "%(count)d unjustified", unjustified) % {
            "count": unjustified
        }
    return text


def limit_sentence(rules: KisSettings) -> str:
    return ngettext(
        "The regulations allow %(limit)d justified absence in one participation.",
        "The regulations allow %(limit)d justified absences in one participation.",
        rules.justified_absence_limit,
    ) % {"limit": rules.justified_absence_limit}


def rule_sentences(rules: KisSettings) -> list[str]:
    """The rule as the pages say it: what the limit is and when the case opens."""
    sentences = [limit_sentence(rules), _("The case opens at the next justified absence.")]
    if rules.absence_warning_at_limit:
        sentences.append(_("At the last allowed one it opens for a warning (upomnienie)."))
    if rules.unjustified_absence_is_breach:
        sentences.append(_("An unjustified absence breaches the regulations."))
    return sentences


def warning_given(case: AbsenceCase) -> AbsenceAction | None:
    """The latest warning recorded in the case (the decision refers to it)."""
    return case.actions.filter(kind=FollowUpKind.WARNING).order_by("-taken_on", "-pk").first()


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
    from participants.access import managed_participants, records_of

    return AbsenceCase.objects.filter(records_of(managed_participants(user)))


def letter_signers(case: AbsenceCase, kind: str) -> list[dict]:
    """Signature lines of the warning letter and the decision: the manager signs, the person
    acknowledges receipt."""
    return [
        {"label": _("KIS manager")},
        {
            "label": _("Participant: acknowledgement of receipt"),
            "expected_name": case.participant.full_name,
        },
    ]

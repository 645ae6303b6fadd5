"""Reporting back to the institution that referred the person in (an OPS department, the PUP):
which letters are due to whom, and drawing one up from the records — attendance, the stage of
the cycle, the ratings it may pass on."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from diagnosis.models import DiagnosisKind, DiagnosticReport
from ipd.models import ActionPlan
from kis_site.documents import (
    document_changed,
    document_created,
    ensure_editable,
    with_signed_on,
)
from kis_site.locking import save_versioned
from kis_site.models import DocumentState, KisSettings
from kis_site.vocabulary import Section, Sphere
from participants.models import ApplicationSource, Enrolment, EnrolmentStatus
from reports.models import ChangeReport, LetterKind, ReferrerLetter
from reports.months import add_months, first_day, last_day, months_between, period_label
from reports.selectors import period_attendance, trajectory

# An exit notice is still asked for when the participation ended within this many days.
EXIT_NOTICE_WINDOW = 365
HEALTH_SECTIONS = frozenset({Section.HEALTH, Section.PSYCHOLOGICAL})


def referrer_of(enrolment: Enrolment):
    """(institution, contact person) that referred the person into this participation, or None
    for an own application."""
    application = enrolment.application
    if (
        application is None
        or application.source != ApplicationSource.REFERRAL
        or application.institution_id is None
    ):
        return None
    return application.institution, application.contact_person


def progress_periods(starts_on: date, until: date, every: int) -> list[tuple[date, date]]:
    """The letter periods of a participation: blocks of ``every`` calendar months from the month
    it began, the first from its first day; those that ended before ``until``."""
    if every <= 0:
        return []
    periods = []
    block = first_day(starts_on)
    while True:
        end = last_day(add_months(block, every - 1))
        if end >= until:
            return periods
        periods.append((max(block, starts_on), end))
        block = add_months(block, every)


@dataclass
class LetterDue:
    enrolment: Enrolment
    institution: object
    contact: object
    kind: str
    period_start: date
    period_end: date

    @property
    def due_since(self) -> date:
        return self.period_end + timedelta(days=1)

    @property
    def label(self) -> str:
        if self.kind == LetterKind.EXIT:
            return str(LetterKind.EXIT.label)
        period = period_label(self.period_start, self.period_end)
        return _("Progress letter for %(period)s") % {"period": period}


def letters_due(participants, today=None) -> tuple[list[LetterDue], list[ReferrerLetter]]:
    """What is due to the referring institutions of ``participants`` (progress letters for
    ended periods of open participations, the notice of an exit) and the signed letters not
    sent yet; three queries."""
    from participants.access import records_of

    today = today or timezone.localdate()
    every = KisSettings.load().referrer_letter_months
    enrolments = list(
        Enrolment.objects.filter(
            records_of(participants),
            application__source=ApplicationSource.REFERRAL,
            application__institution__isnull=False,
        )
        .exclude(status=EnrolmentStatus.CANDIDATE)
        .exclude(ended_on__lt=today - timedelta(days=EXIT_NOTICE_WINDOW))
        .select_related("participant", "application__institution", "application__contact_person")
        .order_by("application__institution__name", "participant__sort_name", "pk")
    )
    letters: dict[int, list] = {}
    for row in ReferrerLetter.objects.filter(enrolment__in=[e.pk for e in enrolments]).values_list(
        "enrolment_id", "kind", "period_start", "period_end"
    ):
        letters.setdefault(row[0], []).append(row[1:])
    due = []
    for enrolment in enrolments:
        institution, contact = referrer_of(enrolment)
        written = letters.get(enrolment.pk, [])
        if enrolment.status in EnrolmentStatus.closed():
            if enrolment.ended_on and not any(kind == LetterKind.EXIT for kind, *_r in written):
                due.append(
                    LetterDue(
                        enrolment,
                        institution,
                        contact,
                        LetterKind.EXIT,
                        enrolment.starts_on,
                        enrolment.ended_on,
                    )
                )
            continue
        covered = set()
        for kind, start, end in written:
            if kind == LetterKind.PROGRESS:
                covered.update(months_between(first_day(start), first_day(end)))
        for start, end in progress_periods(enrolment.starts_on, today, every):
            if first_day(end) not in covered:
                due.append(
                    LetterDue(enrolment, institution, contact, LetterKind.PROGRESS, start, end)
                )
    to_send = list(
        with_signed_on(
            ReferrerLetter.objects.filter(
                records_of(participants), state=DocumentState.LOCKED, sent_on__isnull=True
            )
        )
        .select_related("participant", "institution")
        .order_by("institution__name", "written_on")
    )
    return due, to_send


# --- Drawing up a letter ---------------------------------------------------------------------


def attendance_summary(enrolment: Enrolment, start: date, end: date) -> dict:
    """Hours per module in the period and the absences, as plain numbers the letter keeps."""
    facts = period_attendance(enrolment.participant_id, start, end)
    rows = facts["modules"]
    return {
        "modules": [
            {
                "name": row.name,
                "planned": float(row.planned),
                "done": float(row.done),
                "rate": row.rate,
            }
            for row in rows
        ],
        "planned": float(sum(row.planned for row in rows)),
        "done": float(sum(row.done for row in rows)),
        "absent": facts["absent"],
        "excused": facts["excused"],
    }


def rating_rows(enrolment: Enrolment, until: date, include_health: bool) -> list[dict]:
    """Per sphere the letter may show: the rating of the initial diagnosis and the latest one up
    to ``until`` (a change report or the final diagnosis)."""
    sections = frozenset(Section) if include_health else frozenset(Section) - HEALTH_SECTIONS
    points, spheres = trajectory([enrolment.pk], sections)
    points = [point for point in points if point.day <= until or point.rank == 0]
    if not points or points[0].rank != 0:
        return []
    rows = []
    labels = dict(Sphere.choices)
    for sphere in spheres:
        first = points[0].ratings.get(sphere)
        latest = next(
            (p.ratings[sphere] for p in reversed(points) if p.ratings.get(sphere) is not None),
            None,
        )
        rows.append({"sphere": sphere, "label": str(labels[sphere]), "first": first, "now": latest})
    return rows


def stage_text(enrolment: Enrolment, until: date) -> str:
    """Where the person is in the cycle, from the records: diagnosis, plan, change reports, and
    the exit."""

    def day(value):
        return date_format(value, "SHORT_DATE_FORMAT")

    lines = []
    diagnoses = {
        d.kind: d
        for d in DiagnosticReport.objects.filter(enrolment=enrolment).exclude(
            kind=DiagnosisKind.OTHER
        )
    }
    initial = diagnoses.get(DiagnosisKind.INITIAL)
    if initial is None:
        lines.append(_("The initial diagnosis has not been started yet."))
    elif initial.is_locked:
        lines.append(
            _("Initial diagnosis signed on %(date)s.")
            % {"date": day(initial.signed_by_everyone_on)}
        )
    else:
        lines.append(_("Initial diagnosis in preparation."))
    plan = ActionPlan.objects.filter(enrolment=enrolment).first()
    if plan is not None and plan.locked_at:
        lines.append(
            _("Individual action plan signed (version %(number)s).") % {"number": plan.revision}
        )
    elif plan is not None:
        lines.append(_("Individual action plan in preparation."))
    reports = ChangeReport.objects.filter(
        enrolment=enrolment, state=DocumentState.LOCKED, period_end__lte=until
    ).order_by("-period_end")
    count = reports.count()
    if count:
        lines.append(
            _("Change reports signed: %(count)s (the latest for %(period)s).")
            % {"count": count, "period": reports[0].period_label}
        )
    final = diagnoses.get(DiagnosisKind.FINAL)
    if final is not None and final.is_locked:
        lines.append(
            _("Final diagnosis signed on %(date)s.") % {"date": day(final.signed_by_everyone_on)}
        )
    if enrolment.ended_on:
        text = _("The participation ended on %(date)s (status: %(status)s).") % {
            "date": day(enrolment.ended_on),
            "status": enrolment.get_status_display(),
        }
        if enrolment.exit_outcome:
            text += " " + _("Outcome: %(outcome)s.") % {
                "outcome": enrolment.get_exit_outcome_display()
            }
        lines.append(text)
    else:
        lines.append(
            _("Status: %(status)s; the participation is planned until %(date)s.")
            % {"status": enrolment.get_status_display(), "date": day(enrolment.planned_end_on)}
        )
    return "\n".join(lines)


def _fill(letter: ReferrerLetter) -> None:
    letter.attendance = attendance_summary(letter.enrolment, letter.period_start, letter.period_end)
    letter.ratings = rating_rows(letter.enrolment, letter.period_end, letter.include_health)


def letter_start(*, enrolment: Enrolment, kind: str, period_start=None, by) -> ReferrerLetter:
    """Draw up a letter to the referring institution, filled in from the records."""
    referrer = referrer_of(enrolment)
    if referrer is None:
        raise ValidationError(
            _("The person came on their own application: there is no referring institution.")
        )
    today = timezone.localdate()
    if kind == LetterKind.EXIT:
        if enrolment.status not in EnrolmentStatus.closed() or enrolment.ended_on is None:
            raise ValidationError(_("The participation has not ended: there is no exit to notify."))
        start, end = enrolment.starts_on, enrolment.ended_on
    elif kind == LetterKind.PROGRESS:
        if period_start is None:
            raise ValidationError(_("Choose the period of the letter."))
        every = max(KisSettings.load().referrer_letter_months, 1)
        block = first_day(enrolment.starts_on)
        while add_months(block, every) <= first_day(period_start):
            block = add_months(block, every)
        start = max(block, enrolment.starts_on)
        end = last_day(add_months(block, every - 1))
        if period_start < enrolment.starts_on:
            raise ValidationError(
                _("The participation began later (%(date)s).")
                % {"date": date_format(enrolment.starts_on, "SHORT_DATE_FORMAT")}
            )
        if start > today:
            raise ValidationError(_("The period has not begun yet."))
        # A letter asked for before the period ends covers it until today.
        end = min(end, today, enrolment.ended_on or end)
    else:
        raise ValidationError(_("Unknown kind of letter."))
    institution, contact = referrer
    letter = ReferrerLetter(
        participant=enrolment.participant,
        enrolment=enrolment,
        kind=kind,
        institution=institution,
        contact_person=contact,
        period_start=start,
        period_end=end,
        written_on=today,
        stage=stage_text(enrolment, end),
        created_by=by,
    )
    _fill(letter)
    with transaction.atomic():
        letter.full_clean()
        letter.save()
        document_created(document=letter, by=by)
    return letter


def letter_save(*, letter: ReferrerLetter, expected_version: int | None, sections, by):
    """Save a draft; the attendance and ratings are read again (the basis may have changed)."""
    ensure_editable(letter)
    if letter.include_health and not set(sections) >= HEALTH_SECTIONS:
        raise ValidationError(
            {
                "include_health": _(
                    "You may not see the health and psychological spheres, so you cannot pass "
                    "them on."
                )
            }
        )
    _fill(letter)
    with transaction.atomic():
        save_versioned(letter, expected_version=expected_version)
        document_changed(document=letter, by=by)
    return letter


def letter_sent(
    *, letter: ReferrerLetter, sent_on: date, expected_version: int | None, by
) -> ReferrerLetter:
    """Record when a signed letter went out (the content stays as signed)."""
    if not letter.is_locked:
        raise ValidationError(_("Sign the letter first; then record when it was sent."))
    if sent_on is None or sent_on > timezone.localdate():
        raise ValidationError(_("Give the date the letter was sent (not in the future)."))
    if sent_on < letter.written_on:
        raise ValidationError(_("The letter cannot be sent before it was written."))
    letter.sent_on = sent_on
    save_versioned(letter, expected_version=expected_version)
    return letter

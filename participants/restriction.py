"""Restriction of processing (GDPR art. 18): the one place that restricts a file and lifts it.

While a file is restricted (``Participant.restricted_on`` is set):
- the access policy refuses every write on the person's records, to everyone
  (``participants.access``: only reads, the subject-access export and lifting remain);
- the person leaves every list, start page, to-do, roster and statement: they are left out of
  ``participants_visible_to`` (the work lists) while their file stays reachable by its address
  (``participants_reachable_by``) and says it is restricted wherever it is reached;
- an active participation is suspended on the restriction's date (no new attendance,
  documents or referrals), and resumed when the restriction is lifted;
- the club's reports of periods before the date count the person as before (they read the
  records, not the lists).
Restricting and lifting are the manager's (``Action.RESTRICT``), and both are audited.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.models import EnrolmentStatus, Participant, ProcessingRestriction


def in_processing(path: str = "participant") -> Q:
    """The records (of the person at ``path``; "" for participants) whose processing is not
    restricted, nor ended by anonymisation (retention.anonymise): what rosters and attendance
    keep."""
    prefix = f"{path}__" if path else ""
    return Q(**{f"{prefix}restricted_on__isnull": True, f"{prefix}anonymised_on__isnull": True})


def in_force(participant) -> ProcessingRestriction | None:
    """The restriction in force on ``participant``'s file, or None."""
    if participant.restricted_on is None:
        return None
    return participant.restrictions.filter(lifted_on__isnull=True).first()


def restrict(*, participant: Participant, restricted_on: date, reason: str, by):
    """Restrict processing of ``participant``'s file from ``restricted_on``; an active
    participation is suspended on that day."""
    from participants import services

    errors = {}
    today = timezone.localdate()
    reason = (reason or "").strip()
    if participant.restricted_on is not None:
        errors["__all__"] = _("Processing of this file is already restricted.")
    if not reason:
        errors["reason"] = _("Give the reason for the restriction (e.g. the person's request).")
    if restricted_on is None:
        errors["restricted_on"] = _("Give the date from which processing is restricted.")
    elif restricted_on > today:
        errors["restricted_on"] = _("The date cannot be in the future.")
    enrolment = participant.current_enrolment
    pause = enrolment is not None and enrolment.status == EnrolmentStatus.ACTIVE
    if pause and restricted_on is not None and restricted_on < enrolment.status_changed_on:
        errors["restricted_on"] = _(
            "The date cannot be earlier than the last change of the participation's status "
            "(%(date)s)."
        ) % {"date": enrolment.status_changed_on.strftime("%d.%m.%Y")}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if pause:
            services.enrolment_change_status(
                enrolment=enrolment,
                to_status=EnrolmentStatus.SUSPENDED,
                changed_on=restricted_on,
                reason=_("Processing restricted (GDPR art. 18): %(reason)s") % {"reason": reason},
                by=by,
                expected_version=enrolment.version,
            )
        try:
            with transaction.atomic():
                restriction = ProcessingRestriction.objects.create(
                    participant=participant,
                    restricted_on=restricted_on,
                    reason=reason,
                    recorded_by=by,
                    paused_enrolment=enrolment if pause else None,
                )
        except IntegrityError as error:  # someone restricted the file a moment ago
            raise ValidationError(_("Processing of this file is already restricted.")) from error
        Participant.objects.filter(pk=participant.pk).update(restricted_on=restricted_on)
        participant.restricted_on = restricted_on
    return restriction


def lift(*, participant: Participant, person_told_on: date, note: str, by):
    """Lift the restriction in force, recording when the person was told beforehand
    (art. 18 ust. 3); a participation the restriction suspended is resumed today."""
    from participants import services

    restriction = in_force(participant)
    if restriction is None:
        raise ValidationError(_("Processing of this file is not restricted."))
    today = timezone.localdate()
    errors = {}
    if person_told_on is None:
        errors["person_told_on"] = _(
            "Give the date the person was told that the restriction will be lifted."
        )
    elif person_told_on > today:
        errors["person_told_on"] = _("The date cannot be in the future.")
    elif person_told_on < restriction.restricted_on:
        errors["person_told_on"] = _(
            "The date cannot be earlier than the restriction (%(date)s)."
        ) % {"date": restriction.restricted_on.strftime("%d.%m.%Y")}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        restriction.lifted_on = today
        restriction.person_told_on = person_told_on
        restriction.lift_note = (note or "").strip()
        restriction.lifted_by = by
        restriction.save()
        Participant.objects.filter(pk=participant.pk).update(restricted_on=None)
        participant.restricted_on = None
        paused = restriction.paused_enrolment
        if paused is not None:
            paused.refresh_from_db()
            if paused.status == EnrolmentStatus.SUSPENDED:
                services.enrolment_change_status(
                    enrolment=paused,
                    to_status=EnrolmentStatus.ACTIVE,
                    changed_on=today,
                    reason=_("Restriction of processing lifted (GDPR art. 18)."),
                    by=by,
                    expected_version=paused.version,
                )
    return restriction

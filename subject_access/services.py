"""Preparing a copy of a person's data (GDPR art. 15) and releasing it: the one place that
writes the request. Both are audited: the request's changes (who, when, what was withheld) by
the audit log, the release also as an export of the person's data."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kis_site.access import AccessKind, log_access
from kis_site.subject_access import COPY_ACCESS, is_withheld
from participants.models import Participant
from subject_access.models import AccessRequest


def open_request(participant) -> AccessRequest | None:
    """The request being prepared (not released yet), or None."""
    return AccessRequest.objects.filter(participant=participant, released_at__isnull=True).first()


def prepare(
    *, participant, received_on, items, withheld_keys, reviewed_keys, reason: str, by
) -> AccessRequest:
    """Record the review of the copy: the date of the request and which of ``items`` (the
    copy's review items) are withheld, and why. An item the reviewer did not see (not in
    ``reviewed_keys``: it appeared while the page was open) keeps its default."""
    reviewed_keys = set(reviewed_keys)
    withheld = [
        {"key": item.key, "label": f"{item.group}: {item.label}"}
        for item in items
        if is_withheld(
            item.key, item.default_withheld, withheld=withheld_keys, reviewed=reviewed_keys
        )
    ]
    reason = (reason or "").strip()
    errors = {}
    if received_on is None:
        errors["received_on"] = _("Give the date the request was received.")
    elif received_on > timezone.localdate():
        errors["received_on"] = _("The date cannot be in the future.")
    if withheld and not reason:
        errors["reason"] = _(
            "Say why the withheld items are not released (e.g. they are other people's data)."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # One request in preparation per person: the file's row is the lock.
        Participant.objects.select_for_update().filter(pk=participant.pk).first()
        request = open_request(participant) or AccessRequest(participant=participant)
        reviewed = sorted(item.key for item in items if item.key in reviewed_keys)
        unchanged = request.pk is not None and (
            request.received_on == received_on
            and request.reviewed == reviewed
            and request.withheld == withheld
            and request.reason == reason
        )
        if unchanged:
            return request  # released as prepared: who prepared it stays on record
        request.received_on = received_on
        request.reviewed = reviewed
        request.withheld = withheld
        request.reason = reason
        request.prepared_at = timezone.now()
        request.prepared_by = by
        request.save()
    return request


def release(*, request: AccessRequest, by) -> AccessRequest:
    """The manager releases the prepared copy: recorded on the request and as an export of the
    person's data."""
    with transaction.atomic():
        request.released_at = timezone.now()
        request.released_by = by
        request.save(update_fields=["released_at", "released_by"])
        log_access(
            user=by,
            instance=request.participant,
            kind=AccessKind.EXPORT,
            what=f"{COPY_ACCESS}: released (request {request.pk}, "
            f"{len(request.withheld)} withheld)",
        )
    return request

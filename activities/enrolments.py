"""Which participation covers a day (rosters, consultations and the absence rule all ask)."""

from django.db.models import Q

from participants.models import Enrolment, EnrolmentStatus


def enrolment_on(participant_id: int, day):
    """The person's participation running on ``day`` (the latest if two overlap), or None."""
    return (
        Enrolment.objects.filter(participant_id=participant_id, starts_on__lte=day)
        .exclude(status=EnrolmentStatus.CANDIDATE)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .order_by("-starts_on")
        .first()
    )

"""Reads of the network that more than one page asks."""

from datetime import timedelta

from django.utils import timezone

from partners.models import Agreement


def agreements_ending(within_days=60):
    """Agreements whose term ends within ``within_days`` from today."""
    today = timezone.localdate()
    return Agreement.objects.filter(
        valid_until__gte=today, valid_until__lte=today + timedelta(days=within_days)
    ).select_related("institution")

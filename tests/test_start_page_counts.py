"""The start page counts its tiles in one query (``kis_site.counts.count_all``), and every
tile shows the number its own queryset counts."""

from datetime import date

import pytest
from django.db.models import QuerySet
from django.urls import reverse

from kis_site.counts import count_all
from kis_site.registries import todo_items
from participants.models import Participant
from tests.factories import EnrolmentFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def test_count_all_counts_like_count(case_manager):
    for number in range(5):
        ParticipantFactory(last_name=f"Nowak{number}", case_manager=case_manager.staff)
    EnrolmentFactory(starts_on=date(2026, 9, 1))
    querysets = [
        Participant.objects.all(),
        Participant.objects.filter(last_name__startswith="Nowak"),
        Participant.objects.filter(enrolments__isnull=False).distinct(),
        Participant.objects.filter(pk=-1),
    ]
    assert count_all(querysets) == [queryset.count() for queryset in querysets]
    assert count_all([]) == []


@pytest.mark.parametrize("persona", ["manager", "case_manager", "psychologist", "trainer"])
def test_every_tile_shows_its_own_count(persona, request, client_for, participant):
    user = request.getfixturevalue(persona)
    expected = {}
    for item in todo_items:
        result = item.count(user)
        if result is not None:
            count = result.count
            expected[str(item.title)] = count.count() if isinstance(count, QuerySet) else count
    page = client_for(user).get(reverse("home"))
    assert page.status_code == 200
    shown = {str(tile["title"]): tile["count"] for tile in page.context["tiles"]}
    assert shown == expected

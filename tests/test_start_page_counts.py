"""The start page counts its tiles in one query (``kis_site.counts.count_all``), and every
tile shows the number its own queryset counts."""

from datetime import date

import pytest
from django.db.models import QuerySet
from django.urls import reverse

from kis_site.counts import count_all
from kis_site.registries import todo_items
from participants.access import records_of
from participants.models import Application, Enrolment, FollowUp, Participant
from participants.restriction import in_processing
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


def test_records_of_is_the_filter_in(case_manager, other_case_manager):
    """``records_of`` leaves out the subquery of the whole table, asks EXISTS of a part of it,
    and finds the same records as ``participant__in``."""
    mine = ParticipantFactory(case_manager=case_manager.staff)
    theirs = ParticipantFactory(case_manager=other_case_manager.staff)
    # Restricted (GDPR art. 18): out of the files in processing, the manager's lists.
    restricted = ParticipantFactory(case_manager=case_manager.staff, restricted_on=date(2026, 1, 5))
    for person in (mine, theirs, restricted):
        enrolment = EnrolmentFactory(participant=person)
        FollowUp.objects.create(enrolment=enrolment, months=3, due_on=date(2027, 3, 1))
    for participants in [
        Participant.objects.all(),
        Participant.objects.filter(case_manager=case_manager.staff),
        Participant.objects.filter(in_processing("")),
        Participant.objects.filter(in_processing(""), case_manager=case_manager.staff),
        Participant.objects.none(),
        [mine],
        [theirs.pk],
    ]:
        for model, path in [(Enrolment, "participant"), (Application, "participant")]:
            assert set(model.objects.filter(records_of(participants, path))) == set(
                model.objects.filter(**{f"{path}__in": participants})
            )
        assert set(
            FollowUp.objects.filter(records_of(participants, "enrolment__participant"))
        ) == set(FollowUp.objects.filter(enrolment__participant__in=participants))


@pytest.mark.parametrize("persona", ["manager", "case_manager", "psychologist", "trainer"])
def test_the_start_page_asks_the_database_a_fixed_number_of_times(
    persona, request, client_for, participant, django_assert_max_num_queries
):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    client.get(reverse("home"))
    with django_assert_max_num_queries(15):
        assert client.get(reverse("home")).status_code == 200

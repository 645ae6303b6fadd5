"""Restriction of processing (GDPR art. 18): the manager restricts a file with a reason and a
date; it becomes read-only for everyone, leaves lists, start pages, rosters and statements, its
active participation is suspended, it still counts in the reports of the periods before, and
it says so wherever it is reached. Lifting it records when the person was told, audited."""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from activities import services as activity_services
from activities.hours import hours_done
from activities.models import Mark, Session
from kis_site.access import Action, policy
from participants.access import managed_participants, participants_visible_to
from participants.models import EnrolmentStatus, ProcessingRestriction
from reports import figures
from tests.conftest import PERSONAS
from tests.cycle import (  # noqa: F401 - fixtures
    _frozen,
    cohort,
    enrolment,
    programme,
)
from tests.records import pdf_words

pytestmark = pytest.mark.django_db

HELD_ON = date(2026, 11, 16)  # a Monday before the restriction
RESTRICTED_ON = date(2026, 11, 20)


@pytest.fixture
def attended(enrolment, programme, manager):
    """A session of the person's group held before the restriction, attended."""
    session = activity_services.session_create(
        session=Session(
            module=programme.modules.get(name="Psychoedukacja"),
            date=HELD_ON,
            starts_at="09:00",
            ends_at="13:00",
            leader_name="Trener",
        )
    )
    activity_services.attendance_save(
        session=session,
        marks=[activity_services.MarkInput(enrolment.participant_id, Mark.PRESENT)],
        by=manager,
    )
    return session


def restrict(client, participant):
    return client.post(
        reverse("participants:restrict", args=[participant.pk]),
        {"restricted_on": "2026-11-20", "reason": "Osoba kwestionuje prawidłowość danych."},
    )


def test_a_restricted_file_is_read_only_and_leaves_every_list(
    participant, enrolment, attended, manager, case_manager, client_for
):
    boss, own = client_for(manager), client_for(case_manager)
    assert restrict(boss, participant).status_code == 302
    participant.refresh_from_db()
    enrolment.refresh_from_db()
    assert participant.restricted_on == RESTRICTED_ON
    # The active participation is suspended on the restriction's day, with the reason.
    assert enrolment.status == EnrolmentStatus.SUSPENDED
    change = enrolment.status_changes.latest("pk")
    assert change.changed_on == RESTRICTED_ON and "art. 18" in change.reason

    # Read-only for everyone, the manager too; the file still opens and says why.
    page = own.get(reverse("participants:detail", args=[participant.pk]))
    assert page.status_code == 200
    assert "Przetwarzanie danych z tej teczki jest ograniczone od 20.11.2026" in (
        page.content.decode()
    )
    for client in (boss, own):
        assert client.get(reverse("participants:edit", args=[participant.pk])).status_code == 403
        response = client.post(
            reverse("participants:note-add", args=[participant.pk]), {"text": "x"}
        )
        assert response.status_code == 403
    for user in (manager, case_manager):
        for action in (Action.EDIT, Action.ENROL, Action.ADD_NOTE, Action.CHANGE_STATUS):
            assert not policy().can(user, action, participant)
        assert not policy().can(user, Action.EDIT, enrolment)
        assert policy().can(user, Action.VIEW, participant)

    # Out of the lists, the to-dos and the rosters; the manager finds it among the restricted.
    for user, client in ((manager, boss), (case_manager, own)):
        assert (
            participant.last_name not in client.get(reverse("participants:list")).content.decode()
        )
        assert not participants_visible_to(user).filter(pk=participant.pk).exists()
        assert not managed_participants(user).filter(pk=participant.pk).exists()
    assert participant.last_name in boss.get(reverse("participants:restricted")).content.decode()
    assert own.get(reverse("participants:restricted")).status_code == 403
    screen = boss.get(reverse("activities:session", args=[attended.pk])).content.decode()
    assert participant.last_name not in screen
    with pytest.raises(ValidationError, match="ograniczone"):
        activity_services.attendance_save(
            session=attended,
            marks=[activity_services.MarkInput(participant.pk, Mark.ABSENT)],
            by=manager,
            reason="Korekta",
        )
    # Its PDFs say so too.
    pdf = boss.get(reverse("activities:hour-card-pdf", args=[participant.pk]))
    assert "ograniczone od 20.11.2026" in pdf_words(pdf.content)


def test_the_reports_of_the_periods_before_still_count_the_person(
    participant, enrolment, attended, manager, client_for
):
    before = figures.yearly(2026)
    hours_before = hours_done(participants=[participant.pk])
    restrict(client_for(manager), participant)
    after = figures.yearly(2026)
    assert after.groups_total == before.groups_total and after.groups_total["people"] >= 1
    assert after.activities == before.activities
    assert hours_done(participants=[participant.pk]) == hours_before


def test_lifting_records_when_the_person_was_told_and_both_are_audited(
    participant, enrolment, manager, client_for
):
    client = client_for(manager)
    restrict(client, participant)
    url = reverse("participants:lift-restriction", args=[participant.pk])
    refused = client.post(url, {"person_told_on": "", "note": ""})
    assert refused.status_code == 200
    assert "To pole jest wymagane" in refused.content.decode()
    too_early = client.post(url, {"person_told_on": "2026-11-19"})
    assert "nie może być wcześniejsza niż ograniczenie" in too_early.content.decode()
    assert (
        client.post(url, {"person_told_on": "2026-11-21", "note": "Dane poprawione."}).status_code
        == 302
    )

    participant.refresh_from_db()
    enrolment.refresh_from_db()
    assert participant.restricted_on is None
    assert enrolment.status == EnrolmentStatus.ACTIVE  # resumed
    restriction = ProcessingRestriction.objects.get(participant=participant)
    assert restriction.person_told_on == date(2026, 11, 21) and restriction.lifted_by == manager
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ProcessingRestriction),
        object_pk=str(restriction.pk),
    )
    assert {entry.action for entry in entries} >= {LogEntry.Action.CREATE, LogEntry.Action.UPDATE}
    assert all(entry.actor == manager for entry in entries)
    # Writable again.
    assert policy().can(manager, Action.EDIT, participant)


@pytest.mark.parametrize("persona", [name for name in PERSONAS if name != "manager"])
def test_only_the_manager_restricts_and_lifts(persona, request, participant, manager, client_for):
    client = client_for(request.getfixturevalue(persona))
    assert restrict(client, participant).status_code in (403, 404)
    assert not ProcessingRestriction.objects.exists()
    restrict(client_for(manager), participant)
    url = reverse("participants:lift-restriction", args=[participant.pk])
    assert client.post(url, {"person_told_on": "2026-11-21"}).status_code in (403, 404)
    participant.refresh_from_db()
    assert participant.restricted_on == RESTRICTED_ON

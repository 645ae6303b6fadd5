"""Audit: reads and changes are recorded with the actor; PESEL and sensitive values are masked."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from kis_site.audit import MASK

pytestmark = pytest.mark.django_db


def entries_for(participant):
    return LogEntry.objects.filter(additional_data__participant_id=participant.pk)


def test_opening_a_file_is_recorded_as_a_read_by_that_person(client_for, lawyer, participant):
    before = entries_for(participant).filter(action=LogEntry.Action.ACCESS).count()
    client_for(lawyer).get(reverse("participants:detail", args=[participant.pk]))
    reads = entries_for(participant).filter(action=LogEntry.Action.ACCESS)
    assert reads.count() == before + 1
    read = reads.latest("timestamp")
    assert read.actor == lawyer
    assert read.additional_data["access"] == "view"


def test_an_edit_is_recorded_with_who_and_what_and_the_pesel_masked(
    client_for, social_worker, participant
):
    client = client_for(social_worker)
    client.post(
        reverse("participants:edit", args=[participant.pk]),
        {
            "first_name": "Łukasz",
            "last_name": "Żółkiewski",
            "pesel": "02122401358",
            "city": "Kozienice",
            "risk_groups": ["alcohol"],
            "primary_risk_group": "alcohol",
            "expected_version": participant.version,
        },
    )
    change = (
        entries_for(participant)
        .filter(action=LogEntry.Action.UPDATE, content_type__model="participant")
        .latest("timestamp")
    )
    assert change.actor == social_worker
    assert change.changes_dict["city"] == ["Radom", "Kozienice"]
    assert change.changes_dict["pesel"] == [MASK, MASK]
    # Ending a risk group is logged, its value masked.
    risk_change = LogEntry.objects.filter(
        content_type__model="participantriskgroup", action=LogEntry.Action.UPDATE
    ).latest("timestamp")
    assert risk_change.additional_data["participant_id"] == participant.pk


def test_no_pesel_and_no_sensitive_value_anywhere_in_the_log(client_for, manager, participant):
    client_for(manager).get(reverse("participants:detail", args=[participant.pk]))
    for entry in LogEntry.objects.all():
        text = f"{entry.object_repr} {entry.changes} {entry.additional_data}"
        assert "44051401359" not in text
        assert "Sekretna notatka" not in text
        assert "alcohol" not in text


def test_manager_reads_the_participants_audit_trail_and_the_read_is_logged_too(
    client_for, manager, participant
):
    client = client_for(manager)
    client.get(reverse("participants:detail", args=[participant.pk]))
    response = client.get(reverse("participants:audit", args=[participant.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Anna Nowak" in html
    assert "zmieniono (wartość ukryta)" in html or "***" not in html
    assert entries_for(participant).filter(additional_data__access="audit").exists()


def test_audit_log_filters_by_person_and_date(client_for, manager, lawyer, participant):
    client_for(lawyer).get(reverse("participants:detail", args=[participant.pk]))
    client = client_for(manager)
    response = client.get(reverse("audit-log"), {"actor": lawyer.pk})
    rows = response.context["rows"]
    assert rows and all(row["entry"].actor == lawyer for row in rows)
    response = client.get(
        reverse("audit-log"), {"date_from": "2001-01-01", "date_to": "2001-01-02"}
    )
    assert list(response.context["rows"]) == []


def test_no_screen_edits_or_deletes_audit_entries(client_for, manager):
    from django.contrib import admin

    model_admin = admin.site._registry.get(LogEntry)
    if model_admin is not None:
        from django.test import RequestFactory

        request = RequestFactory().get("/admin/auditlog/logentry/")
        request.user = manager
        request.resolver_match = None
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)

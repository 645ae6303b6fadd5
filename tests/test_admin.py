"""The manager's admin: reference data editable, case records read-only and scoped."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_manager_runs_reference_data_in_the_admin(client_for, manager):
    client = client_for(manager)
    for name in [
        "admin:index",
        "admin:kis_site_staffmember_changelist",
        "admin:partners_institution_changelist",
        "admin:auth_user_changelist",
        "admin:kis_site_fundingsource_changelist",
        "admin:participants_cohort_changelist",
        "admin:participants_participant_changelist",
    ]:
        assert client.get(reverse(name)).status_code == 200, name
    html = client.get(reverse("admin:index")).content.decode()
    assert "Uczestnicy" in html


def test_case_records_are_read_only_without_delete(client_for, manager, participant):
    client = client_for(manager)
    response = client.get(reverse("admin:participants_participant_change", args=[participant.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="_save"' not in html
    assert "Łukasz" in html
    changelist = client.get(reverse("admin:participants_participant_changelist"))
    assert "delete_selected" not in changelist.content.decode()
    assert (
        client.get(
            reverse("admin:participants_participant_delete", args=[participant.pk])
        ).status_code
        == 403
    )


def test_admin_case_records_follow_the_policy(client_for, administrator, participant):
    client = client_for(administrator)
    assert client.get(reverse("admin:participants_participant_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200


def test_manager_cannot_grant_superuser(client_for, manager, case_manager):
    client = client_for(manager)
    response = client.get(reverse("admin:auth_user_change", args=[case_manager.pk]))
    assert response.status_code == 200
    assert 'name="is_superuser"' not in response.content.decode()
    assert 'name="groups"' in response.content.decode()


def test_admin_opening_a_participant_is_audited(client_for, manager, participant):
    from auditlog.models import LogEntry

    client_for(manager).get(reverse("admin:participants_participant_change", args=[participant.pk]))
    assert LogEntry.objects.filter(
        additional_data__participant_id=participant.pk, additional_data__what="admin"
    ).exists()


def test_institution_nip_and_regon_are_validated(client_for, manager):
    client = client_for(manager)
    response = client.post(
        reverse("admin:partners_institution_add"),
        {
            "name": "PUP Radom",
            "kind": "pup",
            "nip": "1234563219",
            "regon": "12345",
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "NIP jest nieprawidłowy" in html or "Ten NIP" in html
    response = client.post(
        reverse("admin:partners_institution_add"),
        {
            "name": "PUP Radom",
            "kind": "pup",
            "nip": "123-456-32-18",
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    from partners.models import Institution

    assert Institution.objects.get().nip == "1234563218"


def test_the_audit_log_screens_of_the_admin_are_in_polish(manager, participant, client_for):
    from auditlog.models import LogEntry

    client = client_for(manager)
    listing = client.get("/admin/auditlog/logentry/").content.decode()
    assert "Identyfikator powiązania" in listing and "Correlation ID" not in listing
    assert "utworzenie" in listing and " zmian: " in listing
    assert " changes: " not in listing
    entry = LogEntry.objects.filter(action=LogEntry.Action.CREATE).first()
    page = client.get(f"/admin/auditlog/logentry/{entry.pk}/change/").content.decode()
    assert "Utworzono:" in page and "Created " not in page

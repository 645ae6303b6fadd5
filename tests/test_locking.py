"""Optimistic locking: two people editing one record never silently overwrite each other."""

import pytest
from django.urls import reverse

from participants.models import CaseNote

pytestmark = pytest.mark.django_db


def note_data(note, text, version):
    return {
        "kind": note.kind,
        "happened_on": note.happened_on.isoformat(),
        "text": text,
        "section": note.section,
        "expected_version": version,
    }


def test_stale_save_shows_both_versions_and_loses_nothing(
    client_for, manager, case_manager, participant
):
    note = participant.notes.get(section="")
    url = reverse("participants:note-edit", args=[note.pk])
    first, second = client_for(case_manager), client_for(manager)
    # Both open the form at version 1; the case manager saves first.
    assert first.post(url, note_data(note, "Wersja Marka.", 1)).status_code == 302
    response = second.post(url, note_data(note, "Wersja Anny.", 1))
    assert response.status_code == 200
    html = response.content.decode()
    assert "ktoś inny zapisał zmiany w tym rekordzie" in html
    assert "Wersja Marka." in html  # what the other person saved
    assert "Wersja Anny." in html  # the text of the person who came second, still in the form
    assert CaseNote.objects.get(pk=note.pk).text == "Wersja Marka."
    # Saving again, knowingly, replaces it.
    form_version = response.context["form"].data["expected_version"]
    assert second.post(url, note_data(note, "Wersja Anny.", form_version)).status_code == 302
    assert CaseNote.objects.get(pk=note.pk).text == "Wersja Anny."


def test_stale_participant_edit_is_refused(client_for, social_worker, manager, participant):
    url = reverse("participants:edit", args=[participant.pk])
    base = {
        "first_name": "Łukasz",
        "last_name": "Żółkiewski",
        "pesel": "44051401359",
        "expected_version": 1,
        "risk_groups": ["alcohol"],
        "primary_risk_group": "alcohol",
    }
    assert client_for(social_worker).post(url, {**base, "city": "Kozienice"}).status_code == 302
    response = client_for(manager).post(url, {**base, "city": "Pionki"})
    assert response.status_code == 200
    participant.refresh_from_db()
    assert participant.city == "Kozienice"
    rows = response.context["form"].conflict["rows"]
    assert {"label": "Miejscowość", "theirs": "Kozienice", "mine": "Pionki"} in [
        {key: str(value) for key, value in row.items()} for row in rows
    ]


def test_admin_refuses_a_stale_form(client_for, manager):
    from kis_site.models import KisSettings

    settings_record = KisSettings.load()
    url = reverse("admin:kis_site_kissettings_change", args=[settings_record.pk])
    client = client_for(manager)
    data = {
        "name": "KIS Radom",
        "programme_name": "KIS",
        "justified_absence_limit": 4,
        "unjustified_absence_is_breach": "on",
        "participation_months": 12,
        "change_report_interval_months": 1,
        "change_report_overdue_months": 2,
        "referrer_letter_months": 3,
        "diagnosis_due_days": 30,
        "plan_due_days": 45,
        "expected_version": settings_record.version,
    }
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "name": "KIS Kozienice"})
    assert response.status_code == 200
    assert "ktoś inny zdążył go zapisać" in response.content.decode()
    assert KisSettings.load().name == "KIS Radom"


def test_two_status_changes_from_the_same_page_do_not_both_happen(
    client_for, manager, case_manager
):
    from django.utils import timezone

    from participants.models import EnrolmentStatusChange
    from tests.factories import EnrolmentFactory

    enrolment = EnrolmentFactory()
    url = reverse("participants:enrolment", args=[enrolment.pk])
    data = {
        "to_status": "suspended",
        "changed_on": timezone.localdate().isoformat(),
        "reason": "Choroba.",
        "expected_version": enrolment.version,
    }
    assert client_for(case_manager).post(url, data).status_code == 302
    response = client_for(manager).post(url, {**data, "reason": "Wyjazd."})
    assert response.status_code == 200
    assert "ktoś inny zapisał zmiany" in response.content.decode()
    assert (
        EnrolmentStatusChange.objects.filter(enrolment=enrolment, to_status="suspended").count()
        == 1
    )

"""Only the manager assigns or changes a person's case manager; the registering case manager is
the default. A case manager cannot take over a colleague's participant (issue: security, 1)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kis_site.access import policy
from kis_site.vocabulary import Section
from participants import services
from participants.models import Participant
from tests.records import new_application_data

pytestmark = pytest.mark.django_db

REFUSED = "Tylko kierownik KIS przydziela lub zmienia case managera osoby."


def edit_data(participant, **overrides):
    data = {
        "first_name": participant.first_name,
        "last_name": participant.last_name,
        "pesel": participant.pesel or "",
        "birth_date": "",
        "sex": "",
        "id_document_type": "",
        "id_document_number": "",
        "postal_code": "",
        "case_manager": participant.case_manager_id or "",
        "expected_version": participant.version,
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("persona", ["other_case_manager", "social_worker", "case_manager"])
def test_only_the_manager_changes_the_case_manager(persona, request, participant, client_for):
    user = request.getfixturevalue(persona)
    intruder = request.getfixturevalue("other_case_manager")
    before = participant.case_manager_id
    client = client_for(user)
    url = reverse("participants:edit", args=[participant.pk])
    response = client.post(url, edit_data(participant, case_manager=intruder.staff.pk))
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    participant.refresh_from_db()
    assert participant.case_manager_id == before
    # ... so the intruder still sees none of the person's sensitive sections.
    assert policy().sections_for(intruder, participant) == frozenset()


def test_the_case_manager_field_is_shown_but_not_editable_for_others(
    participant, social_worker, client_for
):
    form = client_for(social_worker).get(reverse("participants:edit", args=[participant.pk]))
    field = form.context["form"].fields["case_manager"]
    assert field.disabled


def test_the_manager_assigns_another_case_manager(
    participant, manager, other_case_manager, client_for
):
    client = client_for(manager)
    url = reverse("participants:edit", args=[participant.pk])
    response = client.post(url, edit_data(participant, case_manager=other_case_manager.staff.pk))
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.case_manager_id == other_case_manager.staff.pk
    assert Section.HEALTH in policy().sections_for(other_case_manager, participant)


def test_the_service_refuses_a_change_by_anyone_but_the_manager(participant, other_case_manager):
    participant.case_manager_id = other_case_manager.staff.pk
    with pytest.raises(ValidationError) as error:
        services.participant_update(
            participant=participant,
            expected_version=participant.version,
            by=other_case_manager,
        )
    assert "case_manager" in error.value.message_dict


def test_the_registering_case_manager_becomes_the_case_manager(case_manager, client_for):
    response = client_for(case_manager).post(reverse("recruitment:new"), new_application_data())
    assert response.status_code == 302
    person = Participant.objects.get(pesel="02211307589")
    assert person.case_manager_id == case_manager.staff.pk
    # ... and their own records open for them: a contract just saved is theirs to read.
    assert policy().sections_for(case_manager, person) == frozenset(Section)


def test_a_social_worker_registering_leaves_the_assignment_to_the_manager(
    social_worker, client_for
):
    response = client_for(social_worker).post(reverse("recruitment:new"), new_application_data())
    assert response.status_code == 302
    assert Participant.objects.get(pesel="02211307589").case_manager_id is None


def test_a_case_manager_opens_the_contract_they_have_just_saved(case_manager, client_for):
    from tests.records import make_contract

    client = client_for(case_manager)
    client.post(reverse("recruitment:new"), new_application_data())
    person = Participant.objects.get(pesel="02211307589")
    contract = make_contract(person, by=case_manager)
    page = client.get(reverse("participants:contract", args=[contract.pk]))
    assert page.status_code == 200
    assert "Podjęcie zatrudnienia." in page.content.decode()
    # ... and the file and the list name the case manager.
    file = client.get(reverse("participants:detail", args=[person.pk])).content.decode()
    assert "Marek Wiśniewski" in file
    listing = client.get(reverse("participants:list")).content.decode()
    assert "Marek Wiśniewski" in listing

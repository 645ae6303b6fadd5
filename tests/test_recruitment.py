"""Recruitment: a referral with a new person, eligibility, the decision, the waiting list."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from participants import services
from participants.models import Application, Decision, Participant
from tests.factories import ApplicationFactory, ContactPersonFactory, ParticipantFactory
from tests.records import new_application_data

pytestmark = pytest.mark.django_db


def test_recording_a_referral_opens_a_file_with_risk_groups(client_for, case_manager):
    contact = ContactPersonFactory()
    client = client_for(case_manager)
    response = client.post(
        reverse("recruitment:new"),
        new_application_data(
            **{
                "app-source": "referral",
                "app-institution": contact.institution_id,
                "app-contact_person": contact.pk,
                "app-eligible_groups": ["long_term_unemployed", "homeless"],
            }
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    person = Participant.objects.get(pesel="02211307589")
    assert person.birth_date.isoformat() == "2002-01-13"
    assert person.sex == "F"
    assert person.primary_risk_group == "long_term_unemployed"
    application = person.applications.get()
    assert application.institution == contact.institution
    assert application.decision == Decision.PENDING
    assert set(person.risk_group_rows.values_list("group", flat=True)) == {
        "long_term_unemployed",
        "homeless",
    }


def test_referral_needs_the_institution_and_nothing_typed_is_lost(client_for, case_manager):
    client = client_for(case_manager)
    response = client.post(
        reverse("recruitment:new"), new_application_data(**{"app-source": "referral"})
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Wybierz instytucję kierującą." in html
    assert 'value="Łęcka"' in html
    assert "Długotrwale bezrobotna, chce wrócić do pracy." in html
    assert not Participant.objects.exists()


def test_existing_pesel_leads_to_the_file_instead_of_a_duplicate(client_for, case_manager):
    existing = ParticipantFactory(pesel="02211307589")
    client = client_for(case_manager)
    response = client.post(reverse("recruitment:new"), new_application_data())
    assert response.status_code == 200
    assert reverse("participants:detail", args=[existing.pk]) in response.content.decode()
    assert Participant.objects.count() == 1


def decide(application, decision, **kwargs):
    return services.application_decide(
        application=application,
        decision=decision,
        decided_on=kwargs.get("decided_on", timezone.localdate()),
        decided_by=kwargs.get("decided_by"),
        reason=kwargs.get("reason", "Uzasadnienie."),
        expected_version=application.version,
    )


def pending(**kwargs):
    return ApplicationFactory(
        decision=Decision.PENDING, decided_on=None, decision_reason="", **kwargs
    )


def test_a_person_receiving_unemployment_benefit_cannot_be_qualified():
    application = pending(receives_unemployment_benefit=True)
    with pytest.raises(ValidationError) as error:
        decide(application, Decision.QUALIFIED)
    assert "art. 1 ust. 3" in str(error.value.message_dict["decision"])
    # ...but may be put on no list at all: "not qualified" is fine.
    decide(application, Decision.NOT_QUALIFIED)
    assert application.decision == Decision.NOT_QUALIFIED


def test_an_incapacity_pension_does_not_exclude():
    application = pending(receives_incapacity_pension=True)
    assert application.exclusions == []
    decide(application, Decision.QUALIFIED)
    assert Application.objects.get(pk=application.pk).decision == Decision.QUALIFIED


def test_qualifying_needs_a_recorded_group():
    application = pending(eligible_groups=[])
    with pytest.raises(ValidationError) as error:
        decide(application, Decision.QUALIFIED)
    assert "decision" in error.value.message_dict


def test_other_group_is_admitted_but_not_eligible_by_the_act():
    application = pending(eligible_groups=["other"])
    assert not application.eligible_by_act
    decide(application, Decision.QUALIFIED)


def test_decision_needs_a_reason_and_a_sensible_date():
    application = pending()
    with pytest.raises(ValidationError) as error:
        decide(application, Decision.RESERVE, reason=" ")
    assert "decision_reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        decide(
            application, Decision.RESERVE, decided_on=application.received_on - timedelta(days=1)
        )
    assert "decided_on" in error.value.message_dict


def test_decision_page_records_who_decided(client_for, manager):
    application = pending()
    client = client_for(manager)
    response = client.post(
        reverse("recruitment:decide", args=[application.pk]),
        {
            "decision": "reserve",
            "decided_on": timezone.localdate().isoformat(),
            "decided_by": manager.staff.pk,
            "decision_reason": "Brak miejsc w bieżącej edycji.",
            "expected_version": application.version,
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.decision == Decision.RESERVE
    assert application.decided_by == manager.staff


def test_only_manager_and_case_managers_decide(client_for, social_worker):
    application = pending()
    response = client_for(social_worker).get(reverse("recruitment:decide", args=[application.pk]))
    assert response.status_code == 403


def test_waiting_list_is_ordered_by_date_and_filters_by_decision(client_for, case_manager):
    today = timezone.localdate()
    later = pending(received_on=today - timedelta(days=2))
    earlier = pending(received_on=today - timedelta(days=9))
    qualified = ApplicationFactory(received_on=today - timedelta(days=20))
    client = client_for(case_manager)
    page = client.get(reverse("recruitment:list"))
    assert [a.pk for a in page.context["page"]] == [qualified.pk, earlier.pk, later.pk]
    page = client.get(reverse("recruitment:list"), {"decision": "pending"})
    assert [a.pk for a in page.context["page"]] == [earlier.pk, later.pk]
    # Once enrolled, a person leaves the waiting list (but stays under "all").
    from tests.factories import EnrolmentFactory

    EnrolmentFactory(participant=qualified.participant, application=qualified)
    page = client.get(reverse("recruitment:list"))
    assert [a.pk for a in page.context["page"]] == [earlier.pk, later.pk]
    page = client.get(reverse("recruitment:list"), {"decision": "all"})
    assert len(page.context["page"]) == 3


def test_only_staff_who_may_decide_are_offered_as_the_deciding_person(
    manager, case_manager, psychologist
):
    from participants.forms import DecisionForm
    from tests.factories import ApplicationFactory

    form = DecisionForm(instance=ApplicationFactory(decision="pending"))
    offered = set(form.fields["decided_by"].queryset)
    assert manager.staff in offered and case_manager.staff in offered
    assert psychologist.staff not in offered

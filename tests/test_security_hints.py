"""No indirect hints of sensitive data (issue: security, 7): who referred a person from the
probation service, a prison, addiction treatment or psychiatric care, and why, is risk-group
data; a trainer sees that an absence was justified, not that a sick note justified it."""

from datetime import time

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Attendance, RosterEntry, Session
from partners.models import InstitutionType
from tests.factories import ApplicationFactory, CohortFactory, InstitutionFactory

pytestmark = pytest.mark.django_db

REASON = "Po wyroku w zawieszeniu, zobowiązany przez kuratora."


@pytest.fixture
def probation_application(participant):
    probation = InstitutionFactory(
        name="Kuratorska Służba Sądowa w Radomiu", kind=InstitutionType.PROBATION
    )
    return ApplicationFactory(
        participant=participant, source="referral", institution=probation, reason=REASON
    )


def pages(application):
    return [
        reverse("recruitment:detail", args=[application.pk]),
        reverse("recruitment:list") + "?decision=all",
        reverse("participants:detail", args=[application.participant_id]),
        reverse("partners:detail", args=[application.institution_id]),
    ]


@pytest.mark.parametrize("persona", ["career_advisor", "pedagogue", "other_case_manager"])
def test_a_revealing_referrer_is_hidden_from_roles_without_risk_groups(
    persona, request, probation_application, client_for
):
    client = client_for(request.getfixturevalue(persona))
    for url in pages(probation_application):
        response = client.get(url)
        html = response.content.decode()
        if response.status_code == 403:
            continue  # the waiting list is for recruiters only
        assert response.status_code == 200, url
        assert REASON not in html, url
        if "/partners/" not in url:
            assert "Kuratorska" not in html, url
        else:
            # The institution's own page names it, but not whom it referred.
            assert "Żółkiewski" not in html, url


@pytest.mark.parametrize("persona", ["case_manager", "social_worker", "manager"])
def test_roles_that_see_risk_groups_see_who_referred_and_why(
    persona, request, probation_application, client_for
):
    client = client_for(request.getfixturevalue(persona))
    html = client.get(reverse("recruitment:detail", args=[probation_application.pk])).content
    assert "Kuratorska Służba Sądowa" in html.decode()
    assert REASON in html.decode()
    partner = client.get(reverse("partners:detail", args=[probation_application.institution_id]))
    assert "Żółkiewski" in partner.content.decode()


def test_an_ordinary_referrer_stays_visible(participant, career_advisor, client_for):
    ops = InstitutionFactory(name="MOPS Radom", kind=InstitutionType.OPS)
    application = ApplicationFactory(
        participant=participant, source="referral", institution=ops, reason="Długo bez pracy."
    )
    html = client_for(career_advisor).get(reverse("recruitment:detail", args=[application.pk]))
    assert "MOPS Radom" in html.content.decode()


def test_the_edit_form_keeps_a_hidden_referrer_as_it_was(
    probation_application, other_case_manager, client_for
):
    response = client_for(other_case_manager).get(
        reverse("recruitment:edit", args=[probation_application.pk])
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "institution" not in form.fields and "reason" not in form.fields
    assert REASON not in response.content.decode()


def test_a_trainer_sees_justified_not_the_sick_note(participant, trainer, manager, client_for):
    from activities.models import ProgrammeTemplate
    from activities.services import programme_copy

    cohort = CohortFactory()
    programme = programme_copy(template=ProgrammeTemplate.objects.get(), cohort=cohort)
    session = Session.objects.create(
        module=programme.modules.first(),
        date=timezone.localdate(),
        starts_at=time(9),
        ends_at=time(13),
        leader=trainer.staff,
    )
    RosterEntry.objects.create(session=session, participant=participant)
    Attendance.objects.create(
        session=session,
        participant=participant,
        mark="excused",
        excuse="sick_note",
        excuse_date=timezone.localdate(),
    )
    url = reverse("activities:session", args=[session.pk])
    trainer_page = client_for(trainer).get(url).content.decode()
    assert "nieobecny usprawiedliwiony" in trainer_page
    assert "zwolnienie lekarskie" not in trainer_page
    assert reverse("activities:excuse", args=[session.attendance.get().pk]) not in trainer_page
    manager_page = client_for(manager).get(url).content.decode()
    assert "zwolnienie lekarskie" in manager_page


def test_a_referral_to_addiction_treatment_is_named_only_to_those_who_see_risk_groups(
    participant, career_advisor, case_manager, client_for
):
    from tests.factories import ReferralFactory

    centre = InstitutionFactory(
        name="Ośrodek Terapii Uzależnień Monar", kind=InstitutionType.ADDICTION_CENTRE
    )
    referral = ReferralFactory(participant=participant, institution=centre)
    file = reverse("participants:detail", args=[participant.pk])
    page = reverse("participants:referral", args=[referral.pk])
    advisor = client_for(career_advisor)
    assert "Monar" not in advisor.get(file).content.decode()
    assert advisor.get(page).status_code in (403, 404)
    own = client_for(case_manager)
    assert "Monar" in own.get(file).content.decode()
    assert "Monar" in own.get(page).content.decode()

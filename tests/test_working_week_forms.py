"""Forms of the working week: every error visible next to its field and summarised at the top;
the eligibility check editable until qualification (issue 17, defects 3 and 5)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from participants.models import Application, Decision
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def summary_of(html):
    """The error summary at the top of the form: the alert's whole markup."""
    match = re.search(r'<div[^>]*class="[^"]*kis-error-summary[^"]*"[^>]*>.*?</div>', html, re.S)
    assert match, "no error summary in the page"
    return match.group(0)


def new_referral_without_institution():
    return {
        "person-first_name": "Grażyna",
        "person-last_name": "Łęcka",
        "person-pesel": "02211307589",
        "person-phone": "600 100 200",
        "person-city": "Radom",
        "app-received_on": timezone.localdate().isoformat(),
        "app-source": "referral",
        "app-reason": "Skierowana przez PUP.",
        "app-eligible_groups": ["long_term_unemployed"],
    }


def test_new_application_summarises_the_missing_institution_and_marks_the_field(
    client_for, case_manager
):
    response = client_for(case_manager).post(
        reverse("recruitment:new"), new_referral_without_institution()
    )
    assert response.status_code == 200
    html = response.content.decode()
    summary = summary_of(html)
    assert 'role="alert"' in summary
    assert 'tabindex="-1"' in summary
    assert "Formularz nie został zapisany" in summary
    # Each error is a link to its field, named by the field's label.
    assert '<a href="#id_app-institution">Instytucja kierująca</a>' in summary
    assert "Wybierz instytucję kierującą." in summary
    # One summary for the person and the application together.
    assert html.count("data-error-summary") == 1
    # Next to the field: the select is marked invalid and described by its message.
    select = re.search(r'<select name="app-institution"[^>]*>', html).group(0)
    assert "is-invalid" in select
    assert 'aria-invalid="true"' in select
    assert 'aria-describedby="id_app-institution_error"' in select
    assert re.search(
        r'<div id="id_app-institution_error" class="invalid-feedback">\s*'
        r'<span id="error_1_id_app-institution"><strong>Wybierz instytucję kierującą.</strong>',
        html,
    )
    assert not Application.objects.exists()


def test_person_errors_join_the_same_summary(client_for, case_manager):
    data = new_referral_without_institution()
    data["person-last_name"] = ""
    response = client_for(case_manager).post(reverse("recruitment:new"), data)
    summary = summary_of(response.content.decode())
    assert '<a href="#id_person-last_name">Nazwisko</a>' in summary
    assert '<a href="#id_app-institution">Instytucja kierująca</a>' in summary


def test_new_referral_summarises_the_missing_institution(client_for, case_manager, participant):
    response = client_for(case_manager).post(
        reverse("participants:referral-add", args=[participant.pk]),
        {"referred_on": timezone.localdate().isoformat(), "purpose": "Doradztwo zawodowe."},
    )
    assert response.status_code == 200
    html = response.content.decode()
    summary = summary_of(html)
    assert '<a href="#id_institution">' in summary
    assert html.count("data-error-summary") == 1
    assert re.search(r'<div id="id_institution_error" class="invalid-feedback">', html)


def test_a_group_of_checkboxes_is_linked_through_its_first_box(client_for, case_manager):
    """A field without a single input (checkboxes) is reached through its first box."""
    data = new_referral_without_institution()
    data["app-eligible_groups"] = ["no_such_group"]
    response = client_for(case_manager).post(reverse("recruitment:new"), data)
    summary = summary_of(response.content.decode())
    assert 'href="#id_app-eligible_groups_0"' in summary


def test_a_valid_form_has_no_summary(client_for, case_manager):
    response = client_for(case_manager).get(reverse("recruitment:new"))
    assert "data-error-summary" not in response.content.decode()


def test_non_field_errors_are_summarised_once(client):
    """The login form's error belongs to no field: it is in the summary, once."""
    response = client.post(reverse("login"), {"username": "nikt", "password": "zle-haslo-123"})
    html = response.content.decode()
    summary = summary_of(html)
    assert "<li>" in summary
    assert html.count("data-error-summary") == 1
    assert "alert-block" not in html


# --- Defect 3: the eligibility check until qualification ------------------------------------


def application_data(application, **overrides):
    data = {
        "received_on": application.received_on.isoformat(),
        "source": application.source,
        "reason": application.reason,
        "expected_version": application.version,
    }
    data.update(overrides)
    return data


def test_case_manager_completes_the_eligibility_check_then_qualifies(
    client_for, case_manager, participant
):
    application = ApplicationFactory(
        participant=participant,
        eligible_groups=[],
        decision=Decision.PENDING,
        decided_on=None,
        decision_reason="",
    )
    client = client_for(case_manager)
    edit = reverse("recruitment:edit", args=[application.pk])
    decide = reverse("recruitment:decide", args=[application.pk])
    decision = {
        "decision": Decision.QUALIFIED,
        "decided_on": timezone.localdate().isoformat(),
        "decided_by": case_manager.staff.pk,
        "decision_reason": "Spełnia kryteria ustawy.",
    }

    # Qualifying without groups is refused, and the application's page leads to the check.
    response = client.post(decide, {**decision, "expected_version": application.version})
    assert response.status_code == 200
    assert "weryfikacji uprawnień" in response.content.decode()
    assert f'href="{edit}"' in response.content.decode()
    detail = client.get(reverse("recruitment:detail", args=[application.pk])).content.decode()
    assert f'href="{edit}"' in detail

    # The edit form has every field of the eligibility check: the groups and the pension.
    html = client.get(edit).content.decode()
    assert 'name="eligible_groups"' in html
    assert 'name="receives_incapacity_pension"' in html
    application.refresh_from_db()
    response = client.post(
        edit,
        application_data(
            application, eligible_groups=["long_term_unemployed"], receives_incapacity_pension="on"
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    application.refresh_from_db()
    assert application.eligible_groups == ["long_term_unemployed"]
    assert application.receives_incapacity_pension

    response = client.post(decide, {**decision, "expected_version": application.version})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.decision == Decision.QUALIFIED

    # After qualification the check is shown, read-only: a posted change is not stored.
    html = client.get(edit).content.decode()
    boxes = re.findall(r'<input type="checkbox"[^>]*name="eligible_groups"[^>]*>', html)
    assert boxes and all("disabled" in box for box in boxes)
    assert "pozostaje taka, jak w chwili decyzji" in html
    response = client.post(
        edit,
        application_data(
            application,
            reason="Uzupełniony powód.",
            eligible_groups=["homeless"],
            receives_unemployment_benefit="on",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    application.refresh_from_db()
    assert application.reason == "Uzupełniony powód."
    assert application.eligible_groups == ["long_term_unemployed"]
    assert not application.receives_unemployment_benefit
    assert application.receives_incapacity_pension


@pytest.mark.parametrize(
    ("persona", "groups", "pension"),
    [("manager", True, True), ("social_worker", True, False), ("other_case_manager", False, False)],
)
def test_who_sees_a_section_edits_its_eligibility_fields(
    request, client_for, participant, persona, groups, pension
):
    """The person's case manager and the manager see both sections, the social worker the risk
    groups only, a colleague who does not manage the person neither."""
    application = ApplicationFactory(
        participant=participant, eligible_groups=[], decision=Decision.PENDING, decided_on=None
    )
    user = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("recruitment:edit", args=[application.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert ('name="eligible_groups"' in html) is groups
    assert ('name="receives_incapacity_pension"' in html) is pension


def test_partners_form_summarises_its_errors(client_for, manager):
    """The partners' shared form: the agreement's institution (an autocomplete) is missing."""
    response = client_for(manager).post(reverse("partners:agreement-add"), {})
    assert response.status_code == 200
    html = response.content.decode()
    summary = summary_of(html)
    assert 'href="#id_institution"' in summary
    assert html.count("data-error-summary") == 1
    assert 'id="id_institution_error" class="invalid-feedback"' in html

"""Enrolment: the period rule, cohorts, status changes through services, exits and follow-ups."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from participants import services
from participants.models import (
    Enrolment,
    EnrolmentStatus,
    EnrolmentStatusChange,
    ExitOutcome,
    FollowUp,
)
from tests.factories import ApplicationFactory, CohortFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


def enrol(application, **fields):
    fields.setdefault("starts_on", timezone.localdate())
    fields.setdefault(
        "planned_end_on", services.default_planned_end(fields["starts_on"], fields.get("cohort"))
    )
    return services.enrolment_create(
        enrolment=Enrolment(participant=application.participant, application=application, **fields),
        by=None,
    )


@time_machine.travel(date(2026, 3, 2), tick=False)
def test_default_period_is_the_settings_length_and_status_follows_the_start():
    application = ApplicationFactory()
    enrolment = enrol(application)
    assert enrolment.planned_end_on == date(2027, 3, 1)
    assert enrolment.status == EnrolmentStatus.ACTIVE
    later = enrol(ApplicationFactory(), starts_on=date(2026, 4, 1))
    assert later.status == EnrolmentStatus.CANDIDATE
    assert EnrolmentStatusChange.objects.filter(enrolment=enrolment).count() == 1


@time_machine.travel(date(2026, 3, 2), tick=False)
def test_more_than_twelve_months_needs_a_justification():
    application = ApplicationFactory()
    with pytest.raises(ValidationError) as error:
        enrol(application, planned_end_on=date(2027, 3, 2))
    assert "extension_reason" in error.value.message_dict
    enrolment = enrol(
        application,
        planned_end_on=date(2027, 6, 30),
        extension_reason="Program wychodzenia z bezdomności trwa dłużej.",
    )
    assert enrolment.planned_end_on == date(2027, 6, 30)


def test_enrolment_needs_a_qualified_unused_application():
    application = ApplicationFactory(decision="reserve")
    with pytest.raises(ValidationError) as error:
        enrol(application)
    assert "application" in error.value.message_dict


def test_one_open_participation_at_a_time():
    first = EnrolmentFactory()
    second_application = ApplicationFactory(participant=first.participant)
    with pytest.raises(ValidationError):
        enrol(second_application)


def test_cohort_dates_and_capacity_are_checked():
    cohort = CohortFactory(capacity=1)
    with pytest.raises(ValidationError) as error:
        enrol(ApplicationFactory(), cohort=cohort, starts_on=cohort.starts_on - timedelta(days=1))
    assert "starts_on" in error.value.message_dict
    enrol(ApplicationFactory(), cohort=cohort, starts_on=cohort.starts_on)
    with pytest.raises(ValidationError) as error:
        enrol(ApplicationFactory(), cohort=cohort, starts_on=cohort.starts_on)
    assert "cohort" in error.value.message_dict


def test_cohort_default_end_is_the_cohort_end():
    cohort = CohortFactory()
    assert services.default_planned_end(cohort.starts_on, cohort) == cohort.ends_on


def change(enrolment, to_status, **kwargs):
    return services.enrolment_change_status(
        enrolment=enrolment,
        to_status=to_status,
        changed_on=kwargs.pop("changed_on", timezone.localdate()),
        reason=kwargs.pop("reason", "Powód."),
        by=None,
        expected_version=enrolment.version,
        **kwargs,
    )


def test_suspend_and_resume_are_recorded_with_reason():
    enrolment = EnrolmentFactory()
    change(enrolment, EnrolmentStatus.SUSPENDED, reason="Pobyt w szpitalu.")
    change(enrolment, EnrolmentStatus.ACTIVE, reason="Powrót.")
    history = list(enrolment.status_changes.order_by("pk").values_list("to_status", "reason"))
    assert history == [("suspended", "Pobyt w szpitalu."), ("active", "Powrót.")]


def test_forbidden_transitions_are_refused():
    enrolment = EnrolmentFactory(status=EnrolmentStatus.CANDIDATE)
    with pytest.raises(ValidationError) as error:
        change(enrolment, EnrolmentStatus.COMPLETED, exit_outcome=ExitOutcome.EMPLOYMENT)
    assert "to_status" in error.value.message_dict


def test_exit_needs_a_fitting_outcome_and_plans_follow_ups():
    enrolment = EnrolmentFactory()
    with pytest.raises(ValidationError) as error:
        change(enrolment, EnrolmentStatus.COMPLETED)
    assert "exit_outcome" in error.value.message_dict
    with pytest.raises(ValidationError):
        change(enrolment, EnrolmentStatus.COMPLETED, exit_outcome=ExitOutcome.RESIGNATION)
    today = timezone.localdate()
    change(enrolment, EnrolmentStatus.COMPLETED, exit_outcome=ExitOutcome.EMPLOYMENT)
    enrolment.refresh_from_db()
    assert enrolment.ended_on == today
    assert enrolment.exit_outcome == ExitOutcome.EMPLOYMENT
    months = {f.months: f.due_on for f in FollowUp.objects.filter(enrolment=enrolment)}
    assert sorted(months) == [3, 6, 12]
    # A closed participation stays closed.
    with pytest.raises(ValidationError):
        change(enrolment, EnrolmentStatus.ACTIVE)


def test_removal_sets_the_outcome_itself():
    enrolment = EnrolmentFactory()
    change(enrolment, EnrolmentStatus.REMOVED, reason="Nieusprawiedliwione nieobecności.")
    assert Enrolment.objects.get(pk=enrolment.pk).exit_outcome == ExitOutcome.REMOVAL


def test_status_date_cannot_be_in_the_future_or_before_start():
    enrolment = EnrolmentFactory()
    with pytest.raises(ValidationError):
        change(
            enrolment,
            EnrolmentStatus.SUSPENDED,
            changed_on=timezone.localdate() + timedelta(days=1),
        )
    with pytest.raises(ValidationError):
        change(
            enrolment, EnrolmentStatus.SUSPENDED, changed_on=enrolment.starts_on - timedelta(days=1)
        )


def test_status_page_changes_status_and_shows_errors_in_polish(client_for, case_manager):
    enrolment = EnrolmentFactory()
    client = client_for(case_manager)
    url = reverse("participants:enrolment", args=[enrolment.pk])
    response = client.post(
        url,
        {
            "to_status": "completed",
            "changed_on": timezone.localdate(),
            "reason": "Koniec programu.",
            "expected_version": 1,
        },
    )
    assert response.status_code == 200
    assert "Wybierz rezultat uczestnictwa." in response.content.decode()
    response = client.post(
        url,
        {
            "to_status": "completed",
            "changed_on": timezone.localdate(),
            "reason": "Koniec programu.",
            "exit_outcome": "employment",
            "expected_version": 1,
        },
    )
    assert response.status_code == 302
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.COMPLETED


def test_follow_up_is_recorded(client_for, case_manager):
    enrolment = EnrolmentFactory()
    change(enrolment, EnrolmentStatus.COMPLETED, exit_outcome=ExitOutcome.EMPLOYMENT)
    follow_up = enrolment.follow_ups.get(months=3)
    client = client_for(case_manager)
    response = client.post(
        reverse("participants:follow-up", args=[follow_up.pk]),
        {
            "checked_on": timezone.localdate().isoformat(),
            "result": "employed",
            "notes": "Nadal pracuje.",
            "expected_version": follow_up.version,
        },
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.result == "employed"
    assert follow_up.recorded_by == case_manager.staff


def test_enrol_page_uses_the_qualified_application(client_for, case_manager):
    application = ApplicationFactory()
    cohort = CohortFactory()
    client = client_for(case_manager)
    response = client.post(
        reverse("participants:enrol", args=[application.participant_id]),
        {
            "application": application.pk,
            "cohort": cohort.pk,
            "starts_on": cohort.starts_on.isoformat(),
            "planned_end_on": "",
            "confirm_without_basis": "on",
        },
    )
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(participant=application.participant)
    assert enrolment.cohort == cohort
    assert enrolment.planned_end_on == cohort.ends_on

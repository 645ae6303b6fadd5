"""One participant's cycle for tests: a group with its programme, the person's participation, the
signed initial diagnosis, the action plan with goals and actions, a change report rated by sphere.
Fixtures and helpers the tests of the plan, the change reports and the exits share (a test module
imports them from here, never from another test module)."""

from datetime import date

import pytest

from activities import services as activity_services
from activities.models import ProgrammeTemplate
from diagnosis import services as diagnosis_services
from diagnosis.models import DiagnosisKind
from ipd import services
from ipd.models import ActionKind, ActionPlan, Goal, PlanAction
from kis_site import documents
from kis_site.vocabulary import Sphere
from reports import services as report_services
from reports.models import ChangeSphere
from tests.factories import CohortFactory, EnrolmentFactory
from tests.records import frozen_on, paper

TODAY = date(2026, 11, 23)


_frozen = frozen_on(TODAY)


@pytest.fixture
def cohort():
    return CohortFactory(starts_on=date(2026, 9, 7), ends_on=date(2027, 5, 28))


@pytest.fixture
def programme(cohort):
    return activity_services.programme_copy(template=ProgrammeTemplate.objects.get(), cohort=cohort)


@pytest.fixture
def enrolment(participant, cohort, programme):
    return EnrolmentFactory(
        participant=participant,
        cohort=cohort,
        starts_on=date(2026, 9, 7),
        planned_end_on=date(2027, 5, 28),
    )


def signed_diagnosis(enrolment, by, started_on=date(2026, 9, 10)):
    report = diagnosis_services.report_start(
        enrolment=enrolment, kind=DiagnosisKind.INITIAL, started_on=started_on, by=by
    )
    report.socio_living.deficits = ["Zadłużenie czynszowe"]
    report.socio_living.strengths = ["Stałe miejsce zamieszkania"]
    report.socio_living.rating = 2
    report.socio_living.rating_reason = "Długi."
    report.socio_living.save()
    report.health.deficits = ["Nieleczone uzależnienie"]
    report.health.save()
    report.vocational.deficits = ["Brak aktualnych kwalifikacji"]
    report.vocational.strengths = ["Prawo jazdy kat. B"]
    report.vocational.save()
    report.recommendations = "Terapia uzależnień, kurs zawodowy."
    report.save()
    for slot in ("social_worker", "psychologist", "career_advisor"):
        report = paper(report, slot, by, "Specjalista")
    assert report.is_locked
    return report


@pytest.fixture
def diagnosis(enrolment, case_manager):
    return signed_diagnosis(enrolment, case_manager)


@pytest.fixture
def plan(enrolment, diagnosis, case_manager):
    return services.plan_start(
        enrolment=enrolment,
        diagnosis=diagnosis,
        drawn_up_on=TODAY,
        review_on=date(2027, 2, 23),
        by=case_manager,
    )


def add_goal(plan, by, sphere=Sphere.VOCATIONAL, **fields):
    fields.setdefault("description", "Podjęcie zatrudnienia w zawodzie magazyniera")
    fields.setdefault("indicator", "Umowa o pracę")
    fields.setdefault("target_on", date(2027, 5, 1))
    return services.goal_save(
        goal=Goal(plan=ActionPlan.objects.get(pk=plan.pk), sphere=sphere, **fields),
        expected_version=None,
        by=by,
    )


def add_action(goal, by, **fields):
    fields.setdefault("title", "Kurs operatora wózka widłowego")
    fields.setdefault("kind", ActionKind.OWN_TASK)
    action, added = services.action_save(
        action=PlanAction(goal=Goal.objects.get(pk=goal.pk), **fields),
        expected_version=None,
        by=by,
    )
    return action, added


def sign(plan, by):
    plan = paper(ActionPlan.objects.get(pk=plan.pk), "participant", by, "Łukasz Żółkiewski")
    return documents.document_sign(document=plan, slot_key="case_manager", user=by)


# --- Change reports --------------------------------------------------------------------------

NOVEMBER = date(2026, 11, 1)


def start(enrolment, by, month=NOVEMBER, months=1):
    return report_services.report_start(
        enrolment=enrolment, period_start=month, months=months, by=by
    )


def rate(report, sphere, rating, by, **fields):
    part = ChangeSphere.objects.get(report=report, sphere=sphere)
    part.rating = rating
    part.what_changed = fields.pop("what_changed", "Regularnie uczestniczy w zajęciach.")
    for name, value in fields.items():
        setattr(part, name, value)
    return report_services.sphere_save(part=part, expected_version=part.version, by=by)

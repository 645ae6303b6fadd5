"""Every factory makes, with its defaults, a record the application itself could have written:
saved, passing ``full_clean()``, and consistent with the records it stands on (dates within the
participation or the group, the person enrolled where the services ask it, the bookkeeping of
signed documents in place). No PDF is rendered: signed versions keep their original on first
open."""

import inspect
from datetime import timedelta
from decimal import Decimal

import factory
import pytest
from django.utils import timezone

from activities import services as activity_services
from activities.enrolments import enrolment_on
from activities.models import (
    AbsenceCase,
    AbsenceCaseEntry,
    HoursBasis,
    Mark,
    ModuleForm,
    ProgrammeTemplate,
    RosterEntry,
)
from diagnosis.models import SPHERE_MODELS, DiagnosisKind, DiagnosticReport
from ipd.models import ActionKind
from ipd.services import enrolment_end, plan_modules
from kis_site import documents
from kis_site.models import DocumentRevision, DocumentState, RevisionState
from kis_site.vocabulary import Sphere
from participants.models import ApplicationSource, EnrolmentStatus, FollowUp
from partners.models import ServiceSphere
from reports.models import ChangeSphere, LetterKind
from tests import factories as f

pytestmark = pytest.mark.django_db


def _factories():
    return sorted(
        (
            obj
            for obj in vars(f).values()
            if inspect.isclass(obj)
            and issubclass(obj, factory.django.DjangoModelFactory)
            and obj.__module__ == f.__name__
            and not obj._meta.abstract
        ),
        key=lambda cls: cls.__name__,
    )


def fresh(obj):
    """The record as stored, validated as a form would validate it."""
    obj.refresh_from_db()
    obj.full_clean()
    return obj


def in_period(day, first, last):
    return first <= day and (last is None or day <= last)


def is_working_day(day):
    return day.weekday() < 5 and not activity_services.polish_holidays(day, day)


def first_revision(document):
    return documents.revisions_of(document).get(number=1)


@pytest.mark.parametrize("factory_class", _factories(), ids=lambda cls: cls.__name__)
def test_each_factory_saves_a_valid_record_with_its_defaults(factory_class):
    obj = factory_class()
    assert obj.pk is not None
    assert type(obj)._default_manager.filter(pk=obj.pk).exists()
    fresh(obj)


def test_every_app_has_its_factories():
    names = {cls._meta.model._meta.label for cls in _factories()}
    for label in (
        "activities.Programme",
        "activities.ProgrammeModule",
        "activities.Session",
        "activities.RosterEntry",
        "activities.Attendance",
        "activities.Consultation",
        "activities.Placement",
        "diagnosis.DiagnosticReport",
        "diagnosis.SocioLivingSphere",
        "diagnosis.VocationalSphere",
        "ipd.ActionPlan",
        "ipd.Goal",
        "ipd.PlanAction",
        "reports.ChangeReport",
        "reports.ChangeSphere",
        "reports.ExitAssessment",
        "reports.ReferrerLetter",
        "partners.Service",
        "partners.Meeting",
    ):
        assert label in names, label


# --- The network -----------------------------------------------------------------------------


def test_a_service_has_its_contact_in_its_institution_and_its_spheres():
    service = f.ServiceFactory()
    assert service.contact.institution_id == service.institution_id
    assert service.sphere_codes == [Sphere.VOCATIONAL]
    other = f.ServiceFactory(spheres=[Sphere.HEALTH, Sphere.PSYCHOLOGICAL])
    assert set(other.sphere_codes) == {Sphere.HEALTH, Sphere.PSYCHOLOGICAL}


def test_a_service_sphere_is_the_only_sphere_of_its_service():
    row = f.ServiceSphereFactory()
    assert list(ServiceSphere.objects.filter(service=row.service)) == [row]


def test_a_meeting_records_who_was_there():
    meeting = fresh(f.MeetingFactory())
    assert meeting.held_on < meeting.next_meeting_on
    assert not meeting.institutions.exists()
    contact = f.ContactPersonFactory()
    staff = f.StaffMemberFactory()
    meeting = f.MeetingFactory(
        institutions=[contact.institution], contacts_present=[contact], staff_present=[staff]
    )
    assert list(meeting.institutions.all()) == [contact.institution]
    assert list(meeting.contacts_present.all()) == [contact]
    assert list(meeting.staff_present.all()) == [staff]


def test_a_task_has_one_owner_and_is_due_after_its_meeting():
    task = fresh(f.MeetingTaskFactory())
    assert task.owner == task.owner_staff and task.owner_contact is None
    assert task.due_on > task.meeting.held_on and task.is_open
    partner = fresh(f.MeetingTaskFactory(for_partner=True))
    assert partner.owner_staff is None and partner.owner == partner.owner_contact


def test_a_completed_participation_has_its_history_and_follow_ups():
    enrolment = fresh(f.CompletedEnrolmentFactory())
    assert enrolment.status == EnrolmentStatus.COMPLETED
    assert enrolment.starts_on <= enrolment.ended_on <= timezone.localdate()
    assert enrolment.status_changed_on == enrolment.ended_on and enrolment.exit_outcome
    change = enrolment.status_changes.get()
    assert (change.from_status, change.to_status) == (EnrolmentStatus.ACTIVE, "completed")
    assert FollowUp.objects.filter(enrolment=enrolment).count() == 3
    enrolment.participant.refresh_from_db()
    assert enrolment.participant.current_enrolment == enrolment


# --- Activities --------------------------------------------------------------------------------


def test_a_programme_belongs_to_a_cohort_or_to_one_participation():
    programme = f.ProgrammeFactory()
    assert programme.cohort is not None and programme.enrolment is None
    assert not programme.modules.exists()
    individual = f.ProgrammeFactory(individual=True)
    assert individual.cohort is None and individual.enrolment is not None
    assert programme.copied_from.modules.count() == 0
    copied = f.ProgrammeFactory(default_template=True)
    assert copied.copied_from == ProgrammeTemplate.objects.get(is_default=True)
    assert copied.modules.count() == 12


def test_template_and_module_traits():
    module = f.TemplateModuleFactory()
    assert module.template.is_default is False
    pool = fresh(f.ProgrammeModuleFactory(consultation=True))
    assert (pool.form, pool.basis, pool.hours) == (ModuleForm.CONSULTATION, HoursBasis.POOL, 38)
    interview = fresh(f.ProgrammeModuleFactory(interview=True))
    assert interview.basis == HoursBasis.INDIVIDUAL


def test_a_session_falls_on_a_working_day_of_its_group_up_to_today():
    session = fresh(f.SessionFactory())
    cohort = session.module.programme.cohort
    assert in_period(session.date, cohort.starts_on, cohort.ends_on)
    assert session.date <= timezone.localdate() and is_working_day(session.date)
    assert session.planned_hours == Decimal("4.00") == session.hours
    activity_services.check_session(session)  # the service's own checks still pass


def test_sessions_of_one_module_do_not_clash_and_take_the_group_as_roster():
    cohort = f.CohortFactory()
    member = f.EnrolmentFactory(cohort=cohort, starts_on=cohort.starts_on)
    module = f.ProgrammeModuleFactory(programme__cohort=cohort)
    first, second = f.SessionFactory.create_batch(2, module=module)
    assert first.date == second.date
    for session in (first, second):
        assert list(session.roster.values_list("participant", flat=True)) == [member.participant_id]
    empty = f.SessionFactory(module=module, roster=[])
    assert not empty.roster.exists()


def test_a_session_of_an_individual_programme_falls_within_the_participation():
    session = f.SessionFactory(module__programme__individual=True)
    enrolment = session.module.programme.enrolment
    assert in_period(session.date, enrolment.starts_on, enrolment.planned_end_on)
    assert list(session.roster.values_list("participant", flat=True)) == [enrolment.participant_id]


def _enrolled_in_the_group(participant, session):
    enrolment = enrolment_on(participant.pk, session.date)
    assert enrolment is not None
    assert enrolment.cohort_id == session.module.programme.cohort_id
    return enrolment


def test_a_roster_entry_is_for_someone_enrolled_in_the_group_that_day():
    entry = fresh(f.RosterEntryFactory())
    _enrolled_in_the_group(entry.participant, entry.session)
    assert not entry.walk_in


def test_an_attendance_mark_is_for_someone_on_the_roster_and_credits_the_planned_hours():
    mark = fresh(f.AttendanceFactory())
    session = mark.session
    _enrolled_in_the_group(mark.participant, session)
    assert RosterEntry.objects.filter(session=session, participant=mark.participant).exists()
    assert mark.mark == Mark.PRESENT and mark.recorded_by == session.leader.user
    assert mark.hours == session.planned_hours
    assert not session.is_ahead


def test_a_late_mark_credits_less_than_the_planned_hours():
    mark = fresh(f.AttendanceFactory(late=True))
    assert mark.minutes_late == 15
    assert mark.hours == Decimal("3.75") < mark.session.planned_hours


def test_an_excused_absence_has_its_document_and_no_hours():
    mark = fresh(f.AttendanceFactory(excused=True))
    assert (mark.mark, mark.hours) == (Mark.EXCUSED, 0)
    assert mark.excuse and mark.excuse_date == mark.session.date


def test_marks_of_one_session_share_its_roster():
    session = f.SessionFactory()
    marks = f.AttendanceFactory.create_batch(3, session=session)
    assert session.roster.count() == 3
    assert {mark.hours for mark in marks} == {session.planned_hours}


def test_an_absence_case_is_the_one_the_rule_opened():
    case = fresh(f.AbsenceCaseFactory())
    assert case.attendance.mark == Mark.ABSENT
    assert case.participant == case.attendance.participant == case.enrolment.participant
    assert case.is_open and AbsenceCase.objects.filter(enrolment=case.enrolment).count() == 1
    assert AbsenceCaseEntry.objects.filter(case=case, attendance=case.attendance).exists()


def test_an_absence_action_follows_its_case():
    action = fresh(f.AbsenceActionFactory())
    assert action.taken_on <= timezone.localdate()
    assert action.case.is_open


def test_a_consultation_draws_on_the_pool_of_the_persons_programme():
    consultation = fresh(f.ConsultationFactory())
    module = consultation.module
    enrolment = enrolment_on(consultation.participant_id, consultation.date)
    assert enrolment.cohort_id == module.programme.cohort_id
    assert module.form == ModuleForm.CONSULTATION
    assert consultation.date <= timezone.localdate()
    assert activity_services.pool_left(module, consultation.participant_id) == Decimal("37")
    assert consultation.specialist is not None and consultation.section == ""


def test_placement_hours_fall_on_a_working_day_of_the_placement():
    hours = fresh(f.PlacementHoursFactory())
    placement = hours.placement
    assert placement.kind == "psu"
    assert placement.starts_on <= hours.day <= timezone.localdate()
    assert is_working_day(hours.day) and hours.hours == Decimal("4.00")


def test_psu_rates_each_from_their_own_day():
    first, second = f.PsuRatesFactory.create_batch(2)
    assert first.valid_from != second.valid_from


# --- Diagnosis ---------------------------------------------------------------------------------


def test_a_diagnosis_is_opened_with_its_spheres_and_first_version():
    report = fresh(f.DiagnosticReportFactory())
    assert report.participant_id == report.enrolment.participant_id
    assert report.kind == DiagnosisKind.INITIAL
    assert report.enrolment.starts_on <= report.started_on <= timezone.localdate()
    for model in SPHERE_MODELS.values():
        assert model.objects.filter(report=report).count() == 1
    assert first_revision(report).state == RevisionState.DRAFT
    assert report.state == DocumentState.DRAFT and report.recommendations


def test_a_signed_diagnosis_is_locked_without_rendering_its_pdf():
    report = f.DiagnosticReportFactory(signed=True)
    assert report.is_locked
    revision = first_revision(report)
    assert revision.state == RevisionState.LOCKED and revision.pdf_id is None
    assert report.started_on <= revision.signed_on <= timezone.localdate()


def test_a_final_diagnosis_follows_the_initial_one():
    initial = f.DiagnosticReportFactory()
    final = f.DiagnosticReportFactory(enrolment=initial.enrolment, kind=DiagnosisKind.FINAL)
    assert final.enrolment == initial.enrolment


@pytest.mark.parametrize(
    "factory_class",
    [
        f.SocioLivingSphereFactory,
        f.HealthSphereFactory,
        f.SocialSphereFactory,
        f.PsychologicalSphereFactory,
        f.VocationalSphereFactory,
    ],
    ids=lambda cls: cls.__name__,
)
def test_a_sphere_factory_fills_in_the_sphere_the_report_opened(factory_class):
    part = fresh(factory_class())
    assert part.is_filled and part.rating_reason and part.deficits
    assert part.version == 2  # the empty sphere, then the save
    assert type(part).objects.filter(report=part.report).count() == 1


def test_the_spheres_of_one_report_are_filled_in_on_that_report():
    report = f.DiagnosticReportFactory()
    f.SocioLivingSphereFactory(report=report)
    f.VocationalSphereFactory(report=report, rating=4, rating_reason="Aktywnie szuka pracy.")
    assert DiagnosticReport.objects.count() == 1
    report.refresh_from_db()
    assert report.socio_living.is_filled and report.vocational.rating == 4
    assert not report.health.is_filled


def test_rows_of_a_sphere_belong_to_a_draft():
    income = fresh(f.IncomeSourceFactory())
    job = fresh(f.JobFactory())
    for row in (income, job):
        assert not row.sphere.report.is_locked and not row.removed
    assert job.started_on < job.ended_on <= timezone.localdate()


def test_tools_and_the_holland_result_date_from_the_diagnosis():
    tool = fresh(f.ToolUseFactory())
    assert tool.used_on == tool.report.started_on and tool.used_by is not None
    interview = fresh(f.ToolUseFactory(interview=True))
    assert interview.hours == Decimal("2.5")
    holland = fresh(f.HollandResultFactory())
    assert holland.tested_on == holland.report.started_on
    assert holland.code == "RCS" and max(holland.scores) <= holland.max_score


# --- The action plan ---------------------------------------------------------------------------


def test_a_plan_without_a_diagnosis_says_why_and_reviews_within_the_participation():
    plan = fresh(f.ActionPlanFactory())
    enrolment = plan.enrolment
    assert plan.participant_id == enrolment.participant_id
    assert plan.diagnosis is None and plan.no_diagnosis_reason
    assert enrolment.starts_on <= plan.drawn_up_on < plan.review_on <= enrolment_end(enrolment)
    assert plan.participant_goals and plan.participant_agrees
    assert first_revision(plan).state == RevisionState.DRAFT


def test_a_plan_with_a_diagnosis_is_set_against_its_participations_signed_one():
    plan = fresh(f.ActionPlanFactory(with_diagnosis=True))
    assert plan.diagnosis.enrolment_id == plan.enrolment_id
    assert plan.diagnosis.is_locked and plan.no_diagnosis_reason == ""


def test_a_plan_involves_the_persons_family_and_can_be_signed():
    member = f.FamilyMemberFactory()
    enrolment = f.EnrolmentFactory(participant=member.participant)
    plan = f.ActionPlanFactory(enrolment=enrolment, family_members=[member], signed=True)
    assert list(plan.family_members.all()) == [member]
    assert plan.is_locked and plan.signed_by_everyone_on == plan.drawn_up_on


def test_a_goal_is_due_within_the_participation():
    goal = fresh(f.GoalFactory())
    plan = goal.plan
    assert plan.drawn_up_on < goal.target_on <= enrolment_end(plan.enrolment)
    assert goal.order == 1 and goal.created_in == plan.revision and goal.section == ""
    achieved = fresh(f.GoalFactory(achieved=True))
    assert achieved.is_closed and achieved.achieved_on and achieved.evidence


def test_an_action_runs_from_the_plan_to_its_goals_date():
    action = fresh(f.PlanActionFactory())
    goal = action.goal
    assert action.kind == ActionKind.OWN_TASK and action.responsible is not None
    assert goal.plan.drawn_up_on == action.starts_on <= action.ends_on == goal.target_on


def test_a_referral_action_names_the_institution_of_its_service():
    action = fresh(f.PlanActionFactory(referral=True))
    assert action.kind == ActionKind.REFERRAL
    assert action.service.institution_id == action.institution_id


def test_a_module_action_uses_a_module_of_the_persons_programme():
    action = fresh(f.PlanActionFactory(on_module=True))
    plan = action.goal.plan
    assert action.module.programme.enrolment_id == plan.enrolment_id
    assert plan_modules(plan).filter(pk=action.module_id).exists()


def test_catalogue_entries_have_their_own_names():
    first, second = f.CatalogueEntryFactory.create_batch(2)
    assert first.name != second.name


# --- Reports -----------------------------------------------------------------------------------


def test_a_change_report_is_read_against_the_signed_initial_diagnosis():
    report = fresh(f.ChangeReportFactory())
    enrolment = report.enrolment
    assert report.participant_id == enrolment.participant_id
    baseline = DiagnosticReport.objects.get(enrolment=enrolment, kind=DiagnosisKind.INITIAL)
    assert baseline.is_locked
    assert report.period_start.day == 1 and report.period_end >= enrolment.starts_on
    assert report.met_on <= min(report.period_end, timezone.localdate())
    assert sorted(report.spheres.values_list("sphere", flat=True)) == sorted(Sphere.values)
    assert report.effects and first_revision(report).state == RevisionState.DRAFT


def test_a_change_report_uses_an_existing_diagnosis_and_can_be_signed():
    diagnosis = f.DiagnosticReportFactory()
    report = f.ChangeReportFactory(enrolment=diagnosis.enrolment, signed=True)
    diagnosis.refresh_from_db()
    assert diagnosis.is_locked  # the draft was signed, not a second one made
    assert DiagnosticReport.objects.filter(enrolment=diagnosis.enrolment).count() == 1
    assert report.is_locked


def test_a_change_sphere_rates_the_row_the_report_opened():
    part = fresh(f.ChangeSphereFactory())
    assert ChangeSphere.objects.filter(report=part.report).count() == len(Sphere.values)
    assert part.rating and part.what_changed and part.version == 2


def test_an_exit_assessment_follows_a_completed_participation():
    assessment = fresh(f.ExitAssessmentFactory())
    enrolment = assessment.enrolment
    assert enrolment.status in EnrolmentStatus.closed()
    assert assessment.participant_id == enrolment.participant_id
    assert enrolment.starts_on <= assessment.assessed_on <= timezone.localdate()
    assert assessment.social_effect and assessment.vocational_effect


def test_a_progress_letter_goes_to_the_referring_institution():
    letter = fresh(f.ReferrerLetterFactory())
    application = letter.enrolment.application
    assert application.source == ApplicationSource.REFERRAL
    assert letter.institution_id == application.institution_id
    assert letter.contact_person.institution_id == letter.institution_id
    assert letter.enrolment.starts_on == letter.period_start <= letter.period_end
    assert letter.period_end <= timezone.localdate() and letter.stage and letter.progress


def test_an_exit_notice_covers_the_whole_participation_and_can_be_signed():
    letter = f.ReferrerLetterFactory(exit_notice=True, signed=True)
    assert letter.kind == LetterKind.EXIT
    assert (letter.period_start, letter.period_end) == (
        letter.enrolment.starts_on,
        letter.enrolment.ended_on,
    )
    assert letter.is_locked


def test_a_grant_is_settled_after_its_year():
    grant = fresh(f.GrantSettlementFactory())
    assert grant.funding_source.starts_on.year == grant.year
    assert grant.spent + grant.returned == grant.received
    assert grant.settled_on.year == grant.year + 1


# --- build() -----------------------------------------------------------------------------------


def test_build_gives_unsaved_records_with_the_same_consistent_values():
    count = DocumentRevision.objects.count()
    mark = f.AttendanceFactory.build(late=True)
    assert mark.pk is None and mark.session.pk is None
    assert mark.hours == Decimal("3.75")
    report = f.DiagnosticReportFactory.build()
    assert report.pk is None and report.participant is report.enrolment.participant
    assert report.started_on == report.enrolment.starts_on + timedelta(days=3)
    assert DocumentRevision.objects.count() == count

"""Writes of the action plan: start it from a diagnosis, the participant's part, goals, actions,
progress on a signed plan, reviews."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from activities.models import ModuleForm, ProgrammeModule
from activities.services import followed_modules, roster_plan
from diagnosis.models import DiagnosticReport
from ipd.models import ActionKind, ActionPlan, ActionStatus, Goal, PlanAction
from kis_site.audit import log_bulk_change
from kis_site.documents import document_changed, document_created, ensure_editable
from kis_site.locking import save_versioned
from kis_site.models import DocumentState
from kis_site.vocabulary import Section
from participants.models import Enrolment

REVIEW_AFTER = timedelta(days=91)


def signed_diagnoses(enrolment: Enrolment):
    """Diagnoses a plan can be based on: the participation's signed ones, latest first."""
    return DiagnosticReport.objects.filter(
        enrolment=enrolment, state=DocumentState.LOCKED
    ).order_by("-started_on", "-pk")


def enrolment_end(enrolment: Enrolment):
    return enrolment.ended_on or enrolment.planned_end_on


def plan_start(
    *,
    enrolment: Enrolment,
    diagnosis: DiagnosticReport | None,
    no_diagnosis_reason: str = "",
    drawn_up_on,
    review_on,
    by,
) -> ActionPlan:
    """Open the plan of a participation, set against a signed diagnosis (or, without one, with
    the reason why)."""
    errors = {}
    if ActionPlan.objects.filter(enrolment=enrolment).exists():
        raise ValidationError(
            _("This participation already has a plan: change it or open its new version.")
        )
    if diagnosis is not None and (
        diagnosis.enrolment_id != enrolment.pk or diagnosis.state != DocumentState.LOCKED
    ):
        errors["diagnosis"] = _("Choose a signed diagnosis of this participation.")
    if drawn_up_on and drawn_up_on > timezone.localdate():
        errors["drawn_up_on"] = _("The date cannot be in the future.")
    if drawn_up_on and drawn_up_on < enrolment.starts_on - timedelta(days=60):
        errors["drawn_up_on"] = _("The date is long before the participation started.")
    _check_target(enrolment, review_on, "review_on", errors)
    if errors:
        raise ValidationError(errors)
    plan = ActionPlan(
        participant=enrolment.participant,
        enrolment=enrolment,
        diagnosis=diagnosis,
        no_diagnosis_reason="" if diagnosis else (no_diagnosis_reason or "").strip(),
        drawn_up_on=drawn_up_on,
        review_on=review_on or drawn_up_on + REVIEW_AFTER,
        created_by=by,
    )
    try:
        with transaction.atomic():
            plan.full_clean()
            plan.save()
            document_created(document=plan, by=by)
    except IntegrityError as error:
        raise ValidationError(
            _("This participation already has a plan: change it or open its new version.")
        ) from error
    return plan


def plan_save(*, plan: ActionPlan, expected_version: int | None, family_members=None, by):
    """The participant's part, the basis and the review date of a draft."""
    ensure_editable(plan)
    errors = {}
    _check_target(plan.enrolment, plan.review_on, "review_on", errors)
    if errors:
        raise ValidationError(errors)
    if plan.diagnosis_id is not None:
        plan.no_diagnosis_reason = ""
    with transaction.atomic():
        save_versioned(plan, expected_version=expected_version)
        if family_members is not None:
            if any(member.participant_id != plan.participant_id for member in family_members):
                raise ValidationError({"family_members": _("Choose the person's own family.")})
            plan.family_members.set(family_members)
        document_changed(document=plan, by=by)
    return plan


def plan_review_record(*, plan: ActionPlan, reviewed_on, next_review_on, note: str, by):
    """A review that leaves the plan as it is: when it happened, what it found, the next date.
    (A review that changes the plan opens a new version instead.)"""
    errors = {}
    today = timezone.localdate()
    if reviewed_on is None:
        errors["reviewed_on"] = _("Give the date of the review.")
    elif reviewed_on > today:
        errors["reviewed_on"] = _("The date cannot be in the future.")
    if next_review_on is None:
        errors["next_review_on"] = _("Give the date of the next review.")
    elif reviewed_on and next_review_on <= reviewed_on:
        errors["next_review_on"] = _("The next review comes after this one.")
    if not (note or "").strip():
        errors["note"] = _("Say in a sentence what the review found.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
        plan.last_reviewed_on = reviewed_on
        plan.review_on = next_review_on
        plan.review_note = note.strip()
        plan.version += 1
        plan.save(update_fields=["last_reviewed_on", "review_on", "review_note", "version"])
    return plan


# --- Goals ---------------------------------------------------------------------------------------


def _check_target(enrolment: Enrolment, day, field: str, errors: dict) -> None:
    end = enrolment_end(enrolment)
    if day and day > end:
        errors[field] = _(
            "The date is after the end of the participation (%(date)s). Choose an earlier date "
            "or extend the participation first."
        ) % {"date": date_format(end, "SHORT_DATE_FORMAT")}


def goal_save(*, goal: Goal, expected_version: int | None, by) -> Goal:
    """Add or change a goal of a draft plan (clears the signatures the draft already had)."""
    plan = goal.plan
    ensure_editable(plan)
    errors = {}
    if not goal.sphere:
        errors["sphere"] = _("Choose the life sphere the goal belongs to.")
    _check_target(plan.enrolment, goal.target_on, "target_on", errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if goal.pk is None:
            goal.created_in = plan.revision
            goal.order = (plan.goals.aggregate(last=Max("order"))["last"] or 0) + 1
        goal.updated_at = timezone.now()
        goal.updated_by = by
        save_versioned(goal, expected_version=expected_version)
        # The actions follow the goal's section (a goal moved to the health sphere, say).
        actions = goal.actions.all()
        if goal.section:
            actions.update(section=goal.section)
        else:
            actions.filter(legal_matter=True).update(section=Section.LEGAL.value)
            actions.filter(legal_matter=False).update(section="")
        document_changed(document=plan, by=by)
    return goal


def goal_progress_save(*, goal: Goal, expected_version: int | None, by) -> Goal:
    """Record how a goal of a signed plan is going (status, date and evidence when reached):
    monitoring, not a change of the signed content."""
    with transaction.atomic():
        goal.updated_at = timezone.now()
        goal.updated_by = by
        save_versioned(goal, expected_version=expected_version)
    return goal


def goal_remove(*, goal: Goal, by) -> Goal:
    """A goal taken out of a draft is kept, marked removed, with its actions."""
    ensure_editable(goal.plan)
    with transaction.atomic():
        goal.removed = True
        goal.updated_at = timezone.now()
        goal.updated_by = by
        goal.save()
        goal.actions.filter(removed=False).update(removed=True)
        document_changed(document=goal.plan, by=by)
    return goal


# --- Actions -------------------------------------------------------------------------------------


def plan_modules(plan: ActionPlan):
    """The programme modules the person can follow: their group's and their own programme's."""
    enrolment = plan.enrolment
    owner = ProgrammeModule.objects.filter(programme__enrolment=enrolment)
    if enrolment.cohort_id:
        owner = owner | ProgrammeModule.objects.filter(programme__cohort_id=enrolment.cohort_id)
    return owner.filter(is_retired=False).select_related("programme").order_by("order", "pk")


def _check_action(action: PlanAction, plan: ActionPlan) -> None:
    errors = {}
    _check_target(plan.enrolment, action.ends_on, "ends_on", errors)
    _check_target(plan.enrolment, action.starts_on, "starts_on", errors)
    if action.planned_hours is not None and action.planned_hours < 0:
        errors["planned_hours"] = _("Hours cannot be negative.")
    if action.module_id is not None:
        module = plan_modules(plan).filter(pk=action.module_id).first()
        if module is None:
            errors["module"] = _("Choose a module of the person's programme.")
        elif action.kind == ActionKind.CONSULTATION and module.form not in (
            ModuleForm.CONSULTATION,
            ModuleForm.INTERVIEW,
        ):
            errors["module"] = _("A consultation draws on a consultation or interview module.")
        elif action.kind == ActionKind.MODULE and module.form in (
            ModuleForm.CONSULTATION,
            ModuleForm.INTERVIEW,
        ):
            errors["module"] = _("Consultations are planned as an individual consultation.")
    for field in ("placement", "referral"):
        linked = getattr(action, field) if getattr(action, f"{field}_id") else None
        if linked is not None and linked.participant_id != plan.participant_id:
            errors[field] = _("Choose one of the person's own records.")
    if errors:
        raise ValidationError(errors)


def _roster(action: PlanAction, plan: ActionPlan, by) -> int:
    """A module action puts the person on the rosters of that module's coming sessions."""
    if action.kind != ActionKind.MODULE or action.module_id is None:
        return 0
    if action.status in (ActionStatus.DONE, ActionStatus.CANCELLED):
        return 0
    added = roster_plan(
        participant_id=plan.participant_id,
        module=action.module,
        start=action.starts_on or plan.enrolment.starts_on,
        end=action.ends_on or enrolment_end(plan.enrolment),
    )
    if added:
        log_bulk_change(
            user=by, instance=action, what="roster", count=added, participant_id=plan.participant_id
        )
    return added


def planned_enrolments(session):
    """The participations whose plan puts the person on ``session`` when it is created
    (``kis_site.hooks.planned_enrolments``, asked by the activities): a module action that is
    not removed (nor its goal), not done nor cancelled, running on the session's day (from its
    start, or the participation's, to its end, or the participation's), linking the session's
    module or, for a group's module, a module of the person's own programme of the same name
    (``followed_modules``, the inverse of ``module_sessions``). Enrolment ids, for a subquery;
    the caller checks the participation is active that day."""
    day = session.date
    return (
        PlanAction.objects.filter(
            followed_modules(session), kind=ActionKind.MODULE, removed=False, goal__removed=False
        )
        .exclude(status__in=(ActionStatus.DONE, ActionStatus.CANCELLED))
        .alias(
            start=Coalesce("starts_on", "goal__plan__enrolment__starts_on"),
            end=Coalesce(
                "ends_on",
                "goal__plan__enrolment__ended_on",
                "goal__plan__enrolment__planned_end_on",
            ),
        )
        .filter(start__lte=day, end__gte=day)
        .order_by()
        .values("goal__plan__enrolment_id")
    )


def action_save(*, action: PlanAction, expected_version: int | None, by) -> tuple[PlanAction, int]:
    """Add or change an action of a draft plan. Returns the action and the number of sessions
    the person was put on."""
    plan = action.goal.plan
    ensure_editable(plan)
    _check_action(action, plan)
    with transaction.atomic():
        if action.pk is None:
            action.order = (action.goal.actions.aggregate(last=Max("order"))["last"] or 0) + 1
        action.updated_at = timezone.now()
        action.updated_by = by
        save_versioned(action, expected_version=expected_version)
        document_changed(document=plan, by=by)
        added = _roster(action, plan, by)
    return action, added


def action_progress_save(*, action: PlanAction, expected_version: int | None, by):
    """The status and notes of an action of a signed plan (monitoring)."""
    plan = action.goal.plan
    with transaction.atomic():
        action.updated_at = timezone.now()
        action.updated_by = by
        save_versioned(action, expected_version=expected_version)
        added = _roster(action, plan, by)
    return action, added


def action_remove(*, action: PlanAction, by) -> PlanAction:
    ensure_editable(action.goal.plan)
    with transaction.atomic():
        action.removed = True
        action.updated_at = timezone.now()
        action.updated_by = by
        action.save()
        document_changed(document=action.goal.plan, by=by)
    return action

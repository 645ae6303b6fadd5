"""What the action plan adds to the shared pages: the document kind, the plan at a glance on the
participant's file, the case manager's to-do tiles."""

from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy

from ipd.models import ActionPlan, Goal, GoalStatus, PlanAction
from ipd.selectors import unsigned_plans
from ipd.services import planned_enrolments
from kis_site import hooks
from kis_site.access import Action, policy
from kis_site.models import KisSettings
from kis_site.registries import (
    DocumentKind,
    Panel,
    TodoCount,
    TodoItem,
    document_kinds,
    participant_panels,
    todo_items,
)
from kis_site.search import normalise
from kis_site.vocabulary import Section


def _pdf_context(plan, sections=frozenset(Section)) -> dict:
    from ipd.selectors import plan_for_page, sphere_blocks

    full = plan_for_page(plan.pk)
    blocks, _hidden, _hidden_goals = sphere_blocks(full, sections)
    return {
        "plan": full,
        "participant": full.participant,
        "blocks": [block for block in blocks if block.goals],
        "family": list(full.family_members.all()),
        "programme": KisSettings.load().programme_name,
        "title": gettext_lazy("Individual action plan"),
    }


def _filename(plan) -> str:
    return slugify(normalise(f"ipd {plan.participant.last_name} {plan.pk}"))


def register():
    # A module in a person's plan puts them on that module's sessions created later too.
    hooks.planned_enrolments.provide(planned_enrolments)
    document_kinds.register(
        DocumentKind(
            key="ipd",
            title=gettext_lazy("Individual action plan"),
            model=ActionPlan,
            pdf_context=_pdf_context,
            url=lambda p: reverse("ipd:plan", args=[p.pk]),
            filename=_filename,
            subject=lambda p: p.participant.full_name,
            order=20,
        )
    )
    participant_panels.register(
        Panel(
            key="ipd",
            title=gettext_lazy("Individual action plan"),
            template="ipd/_file_panel.html",
            context=_file_panel,
        )
    )
    todo_items.register(
        TodoItem("ipd-reviews", gettext_lazy("Plan reviews due"), _reviews_count, 37)
    )
    todo_items.register(
        TodoItem("ipd-unsigned", gettext_lazy("Action plans not signed yet"), _unsigned_count, 38)
    )


# --- The participant's file ------------------------------------------------------------------


def _file_panel(request, participant):
    from ipd.selectors import review_state, sphere_blocks

    user = request.user
    if not policy().can(user, Action.VIEW, participant):
        return None
    enrolments = participant.enrolments.all()  # prefetched by the file page
    latest = max(enrolments, key=lambda e: (e.starts_on, e.pk), default=None)
    plan = _plan_at_a_glance(latest) if latest is not None else None
    if plan is None:
        return {
            "plan": None,
            "participant": participant,
            "can_start": latest is not None and policy().may_start(user, ActionPlan, participant),
        }
    plan.participant = participant
    sections = policy().sections_for(user, participant)
    blocks, _spheres, _goals = sphere_blocks(plan, sections, diagnosis=False)
    goals = [goal for block in blocks for goal in block.goals]
    return {
        "plan": plan,
        "participant": participant,
        "blocks": [block for block in blocks if block.goals],
        "hidden": len(plan.live_goals) - len(goals),
        "reached": sum(1 for goal in goals if goal.status == GoalStatus.ACHIEVED),
        "total": len(goals),
        "review_state": review_state(plan),
    }


def _plan_at_a_glance(enrolment):
    """The plan of a participation with its goals and the actions the panel counts: the goals
    (with their plan) in one query, the actions in another; the plan alone only when it has no
    goals yet."""
    goals = list(
        Goal.objects.filter(plan__enrolment=enrolment, removed=False)
        .select_related("plan")
        .only(
            "id",
            "plan",
            "sphere",
            "section",
            "description",
            "status",
            "order",
            *[f"plan__{name}" for name in PANEL_PLAN_FIELDS],
        )
    )
    if goals:
        plan = goals[0].plan
    else:
        plan = ActionPlan.objects.filter(enrolment=enrolment).only(*PANEL_PLAN_FIELDS).first()
        if plan is None:
            return None
    actions = {}
    if goals:
        for action in (
            PlanAction.objects.filter(goal__in=goals, removed=False)
            .select_related("module__programme")
            .only(
                "id",
                "goal",
                "kind",
                "section",
                "planned_hours",
                "placement",
                "module__name",
                "module__programme__enrolment",
            )
        ):
            actions.setdefault(action.goal_id, []).append(action)
    for goal in goals:
        goal.plan = plan
        goal.live_actions = actions.get(goal.pk, [])
    plan.live_goals = goals
    plan.enrolment = enrolment
    return plan


PANEL_PLAN_FIELDS = ("id", "state", "revision", "review_on", "participant", "enrolment")


# --- To-do -----------------------------------------------------------------------------------


def _reviews_count(user):
    from ipd.selectors import reviews_due
    from participants.access import managed_participants

    if not policy().follows_cases(user):
        return None
    count = reviews_due(managed_participants(user))
    return TodoCount(count, reverse("ipd:reviews"), "warning")


def _unsigned_count(user):
    if not policy().follows_cases(user):
        return None
    return TodoCount(unsigned_plans(user), reverse("ipd:unsigned"), "info")

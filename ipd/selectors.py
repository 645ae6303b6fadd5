"""Reads of the action plan: the plan with its goals and actions in a fixed number of queries, the
hours done next to the hours planned, what each user may see, and what changed between versions."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Prefetch, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.hours import hours_done
from activities.models import PlacementHours
from diagnosis.form_spec import SPHERES
from diagnosis.models import SPHERE_RELATED
from ipd.models import ActionKind, ActionPlan, Goal, GoalStatus, PlanAction, goal_entries
from kis_site.documents import revisions_of
from kis_site.models import DocumentState
from kis_site.vocabulary import Section, Sphere, sphere_section, sphere_visible

REVIEW_SOON = timedelta(days=7)


def live_actions():
    return PlanAction.objects.filter(removed=False).select_related(
        "responsible",
        "institution",
        "service",
        "service__institution",
        "module",
        "module__programme",
        "placement",
        "referral",
        "catalogue_entry",
    )


def plan_for_page(pk) -> ActionPlan:
    """The plan with its participant, basis, goals and actions (three queries)."""
    plan = (
        ActionPlan.objects.select_related(
            "participant",
            "participant__case_manager",
            "enrolment",
            "enrolment__cohort",
            "diagnosis",
            *[f"diagnosis__{related}" for related in SPHERE_RELATED.values()],
        )
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=Goal.objects.filter(removed=False).select_related("updated_by"),
                to_attr="live_goals",
            ),
            Prefetch("live_goals__actions", queryset=live_actions(), to_attr="live_actions"),
        )
        .get(pk=pk)
    )
    # What the access policy asks of the document (its sections), from what is loaded already.
    plan._kis_sections = frozenset(
        Section(record.section)
        for goal in plan.live_goals
        for record in (goal, *goal.live_actions)
        if record.section
    )
    return plan


def current_goals(plan: ActionPlan) -> list[dict]:
    """What ``snapshot_parts`` would store now, from the goals and actions already loaded."""
    return goal_entries(plan.live_goals, lambda goal: goal.live_actions)


# --- Hours done next to hours planned ------------------------------------------------------------


@dataclass
class Progress:
    planned: Decimal | None
    done: Decimal | None  # None: nothing the app counts (an own task, a referral)

    @property
    def percent(self) -> int | None:
        if self.done is None or not self.planned:
            return None
        return min(100, round(100 * self.done / self.planned))


def attach_progress(plan: ActionPlan, goals) -> None:
    """Set ``action.progress`` on every action: the hours done (``activities.hours``) since the
    participation began in a linked module or consultation module (rolling intake: in the group's
    modules of the same name), hours worked on a linked placement. At most three aggregated
    queries, whatever the number of goals and actions."""
    actions = [action for goal in goals for action in goal.live_actions]
    participant_id = plan.participant_id
    since = plan.enrolment.starts_on
    modules = {a.module_id for a in actions if a.kind == ActionKind.MODULE and a.module_id}
    consulted = {a.module_id for a in actions if a.kind == ActionKind.CONSULTATION and a.module_id}
    placements = {a.placement_id for a in actions if a.placement_id}
    by_module, by_name, by_placement = {}, {}, {}
    if modules or consulted:
        linked = [a.module for a in actions if a.kind == ActionKind.MODULE and a.module_id]
        names = {m.name for m in linked if m.programme.enrolment_id}
        for (module_id, name), done in hours_done(
            ("module_id", "module__name"),
            participants=[participant_id],
            since=since,
            modules=modules | consulted,
            module_names=names,
        ).items():
            by_module[module_id] = done.hours
            by_name[name] = by_name.get(name, Decimal(0)) + done.hours
    if placements:
        by_placement = dict(
            PlacementHours.objects.filter(placement_id__in=placements)
            .values("placement_id")
            .annotate(hours=Sum("hours"))
            .order_by()
            .values_list("placement_id", "hours")
        )
    for action in actions:
        done = None
        if action.kind == ActionKind.MODULE and action.module_id:
            if action.module.programme.enrolment_id:
                # Rolling intake: the group sessions of a module of the same name count.
                done = by_name.get(action.module.name, Decimal(0))
            else:
                done = by_module.get(action.module_id, Decimal(0))
        elif action.kind == ActionKind.CONSULTATION and action.module_id:
            done = by_module.get(action.module_id, Decimal(0))
        elif action.placement_id:
            done = by_placement.get(action.placement_id, Decimal(0))
        action.progress = Progress(action.planned_hours, done)


def hours_of_goal(goal) -> Progress:
    """The hours of ``goal``'s linked actions, loaded for this one goal."""
    goal.live_actions = list(live_actions().filter(goal=goal))
    attach_progress(goal.plan, [goal])
    return goal_progress(goal)


def goal_progress(goal) -> Progress:
    """Hours over the goal's linked actions (planned where counted; done)."""
    counted = [a for a in goal.live_actions if a.progress.done is not None]
    if not counted:
        return Progress(None, None)
    planned = sum((a.planned_hours or Decimal(0) for a in counted), Decimal(0))
    done = sum((a.progress.done for a in counted), Decimal(0))
    return Progress(planned or None, done)


# --- What a user sees -----------------------------------------------------------------------


@dataclass
class SphereBlock:
    sphere: Sphere
    numeral: str
    sensitive: bool
    part: object = None  # the diagnosis's sphere, when the plan is based on one
    goals: list = field(default_factory=list)


def sphere_blocks(
    plan: ActionPlan, sections, *, diagnosis: bool = True
) -> tuple[list[SphereBlock], int, int]:
    """The spheres ``sections`` allow, each with the visible goals (their actions with progress)
    and, with ``diagnosis``, the diagnosis's assessment. Returns the blocks, the number of
    spheres left out and the number of goals left out (legal matters)."""
    blocks, hidden_spheres, hidden_goals = [], 0, 0
    goals = plan.live_goals
    attach_progress(plan, goals)
    for spec in SPHERES:
        if not sphere_visible(spec.sphere, sections):
            hidden_spheres += 1
            continue
        block = SphereBlock(spec.sphere, spec.numeral, bool(sphere_section(spec.sphere)))
        if diagnosis and plan.diagnosis_id:
            block.part = getattr(plan.diagnosis, SPHERE_RELATED[spec.sphere])
        for goal in goals:
            if goal.sphere != spec.sphere:
                continue
            if goal.section and goal.section not in sections:
                hidden_goals += 1
                continue
            goal.visible_actions = [
                a for a in goal.live_actions if not a.section or a.section in sections
            ]
            goal.progress = goal_progress(goal)
            block.goals.append(goal)
        blocks.append(block)
    return blocks, hidden_spheres, hidden_goals


def review_due_by(today) -> date:
    """The plans' one review rule: a review is due once its date is within a week (on or before
    the day this returns), and overdue once the date has passed."""
    return today + REVIEW_SOON


def review_state(plan: ActionPlan, today=None) -> str:
    """'overdue', 'due' (within a week) or '' — for the badge (the list and the tile ask
    ``reviews_due``: the same rule)."""
    today = today or timezone.localdate()
    if plan.review_on < today:
        return "overdue"
    if plan.review_on <= review_due_by(today):
        return "due"
    return ""


def reviews_due(participants, today=None):
    """Plans of open participations whose review is due within a week or overdue."""
    from participants.access import records_of
    from participants.models import EnrolmentStatus

    today = today or timezone.localdate()
    return ActionPlan.objects.filter(
        records_of(participants),
        enrolment__status__in=EnrolmentStatus.open(),
        review_on__lte=review_due_by(today),
    )


# --- History: what changed between versions -------------------------------------------------


@dataclass
class Change:
    kind: str  # added, removed, closed, changed
    sphere: str
    goal: str
    details: list = field(default_factory=list)

    @property
    def sphere_label(self) -> str:
        return Sphere(self.sphere).label


GOAL_LABELS = {
    "sphere": Goal._meta.get_field("sphere").verbose_name,
    "description": Goal._meta.get_field("description").verbose_name,
    "indicator": Goal._meta.get_field("indicator").verbose_name,
    "target_on": Goal._meta.get_field("target_on").verbose_name,
    "status": Goal._meta.get_field("status").verbose_name,
    "legal_matter": Goal._meta.get_field("legal_matter").verbose_name,
}
ACTION_LABELS = {
    "kind": PlanAction._meta.get_field("kind").verbose_name,
    "planned_hours": PlanAction._meta.get_field("planned_hours").verbose_name,
    "starts_on": PlanAction._meta.get_field("starts_on").verbose_name,
    "ends_on": PlanAction._meta.get_field("ends_on").verbose_name,
    "responsible": PlanAction._meta.get_field("responsible").verbose_name,
    "partner": _("partner"),
}


def _visible(entry: dict, sections) -> bool:
    return not entry.get("section") or entry["section"] in sections


def changes_between(old: list[dict], new: list[dict], sections) -> list[Change]:
    """Goals added, taken out, closed (achieved, changed, abandoned) or changed, with their
    actions added, taken out or changed; goals of sections the user does not see are left out."""
    before = {goal["id"]: goal for goal in old if _visible(goal, sections)}
    after = {goal["id"]: goal for goal in new if _visible(goal, sections)}
    changes = []
    statuses = dict(GoalStatus.choices)
    for pk, goal in after.items():
        previous = before.get(pk)
        if previous is None:
            changes.append(
                Change(
                    "added",
                    goal["sphere"],
                    goal["description"],
                    [_("action: %(title)s") % {"title": a["title"]} for a in goal["actions"]],
                )
            )
            continue
        details = [
            str(label)
            for name, label in GOAL_LABELS.items()
            if name != "status" and previous.get(name) != goal.get(name)
        ]
        old_actions = {a["id"]: a for a in previous.get("actions", [])}
        new_actions = {a["id"]: a for a in goal.get("actions", [])}
        for action_id, action in new_actions.items():
            if action_id not in old_actions:
                details.append(_("action added: %(title)s") % {"title": action["title"]})
                continue
            fields = [
                str(label)
                for name, label in ACTION_LABELS.items()
                if old_actions[action_id].get(name) != action.get(name)
            ]
            if old_actions[action_id]["title"] != action["title"]:
                details.append(
                    _("action renamed: %(old)s → %(new)s")
                    % {"old": old_actions[action_id]["title"], "new": action["title"]}
                )
            if fields:
                details.append(
                    _("action %(title)s: %(fields)s")
                    % {"title": action["title"], "fields": ", ".join(fields)}
                )
        for action_id, action in old_actions.items():
            if action_id not in new_actions:
                details.append(_("action taken out: %(title)s") % {"title": action["title"]})
        if goal["status"] != previous["status"] and goal["status"] in GoalStatus.closed():
            changes.append(
                Change(
                    "closed",
                    goal["sphere"],
                    goal["description"],
                    [str(statuses.get(goal["status"], goal["status"])), *details],
                )
            )
        elif details or goal["status"] != previous["status"]:
            if goal["status"] != previous["status"]:
                details.insert(
                    0,
                    _("status: %(old)s → %(new)s")
                    % {
                        "old": statuses.get(previous["status"], previous["status"]),
                        "new": statuses.get(goal["status"], goal["status"]),
                    },
                )
            changes.append(Change("changed", goal["sphere"], goal["description"], details))
    for pk, goal in before.items():
        if pk not in after:
            changes.append(Change("removed", goal["sphere"], goal["description"]))
    order = list(Sphere.values)
    changes.sort(key=lambda change: order.index(change.sphere))
    return changes


def history(plan: ActionPlan, sections) -> list[dict]:
    """Every version, newest first, with its reason and what changed from the version before.
    The current draft is compared with what it says now."""
    revisions = list(
        revisions_of(plan)
        .select_related("opened_by")
        .order_by("number")
        .only("number", "state", "reason", "opened_at", "opened_by", "locked_at", "snapshot")
    )
    current = None
    result = []
    previous_goals = []
    for revision in revisions:
        if revision.snapshot is not None:
            goals = revision.snapshot.get("goals", [])
        elif revision.number == plan.revision:
            if current is None:
                current = (
                    current_goals(plan)
                    if hasattr(plan, "live_goals")
                    else plan.snapshot_parts()["goals"]
                )
            goals = current
        else:
            goals = previous_goals  # a version replaced before it was signed
        result.append(
            {
                "revision": revision,
                "changes": changes_between(previous_goals, goals, sections)
                if revision.number > 1
                else [],
                "goals": len([g for g in goals if _visible(g, sections)]),
            }
        )
        previous_goals = goals
    result.reverse()
    return result


def unsigned_plans(user):
    """Plans not signed yet of the people the user follows (the manager: everyone's)."""
    from participants.access import managed_participants, records_of

    return ActionPlan.objects.filter(
        records_of(managed_participants(user)), state=DocumentState.DRAFT
    )

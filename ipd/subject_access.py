"""The individual action plan's part of a person's copy of their data (GDPR art. 15): every plan,
its goals and actions (the sensitive ones too), with every stored version and scan
(``kis_site.subject_access``)."""

from django.utils.translation import gettext as _

from ipd.models import ActionPlan, Goal, PlanAction
from kis_site.subject_access import Contribution, Copy, Field, add_document


def _removed(row) -> str:
    return _(" (removed from the plan)") if row.removed else ""


def _build(copy: Copy) -> None:
    section = copy.section(
        "plans",
        _("Individual action plans"),
        purpose="plan",
        retention="case_documents",
        order=70,
        empty=_("No action plan has been drawn up."),
    )
    plans = (
        ActionPlan.objects.filter(participant=copy.participant)
        .select_related("enrolment", "diagnosis")
        .prefetch_related("family_members")
    )
    for plan in plans.order_by("drawn_up_on", "pk"):
        title = str(plan)
        family = [copy.mask(str(member)) for member in plan.family_members.all()]
        section.add(
            copy.record(
                plan,
                kind="action_plan",
                title=title,
                extra=[
                    Field(
                        "family_members",
                        _("Family members involved"),
                        ", ".join(family) or "—",
                        family,
                    )
                ],
            )
        )
        goals = Goal.objects.filter(plan=plan).order_by("order", "pk")
        actions: dict[int, list] = {}
        for action in (
            PlanAction.objects.filter(goal__plan=plan)
            .select_related(
                "catalogue_entry", "responsible", "institution", "service", "module", "placement"
            )
            .select_related("referral__institution", "goal")
            .order_by("order", "pk")
        ):
            actions.setdefault(action.goal_id, []).append(action)
        for goal in goals:
            goal_title = _("Goal (%(sphere)s): %(goal)s") % {
                "sphere": goal.get_sphere_display().lower(),
                "goal": copy.mask(goal.description),
            }
            section.add(
                copy.record(
                    goal,
                    kind="goal",
                    title=goal_title + _removed(goal),
                    exclude=("plan", "order"),
                )
            )
            for action in actions.get(goal.pk, []):
                section.add(
                    copy.record(
                        action,
                        kind="plan_action",
                        title=_("Action: %(action)s") % {"action": copy.mask(action.title)}
                        + _removed(action),
                        exclude=("order",),
                    )
                )
        add_document(copy, section, plan, title=title)


part = Contribution(
    "ipd",
    models={ActionPlan: "plan", Goal: "plan", PlanAction: "plan"},
    build=_build,
)

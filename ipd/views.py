"""Pages of the action plan: start it from a diagnosis, the plan by sphere, goals and actions,
the participant's part, reviews; the lists of reviews due and plans not signed."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ipd import services
from ipd.forms import ActionForm, GoalForm, PlanForm, PlanStartForm, ReviewForm
from ipd.models import ActionPlan, Goal, PlanAction
from ipd.selectors import (
    history,
    hours_of_goal,
    plan_for_page,
    review_state,
    reviews_due,
    sphere_blocks,
    unsigned_plans,
)
from kis_site.access import Action, log_access, policy
from kis_site.documents import active_signatures, document_panel
from kis_site.editing import save_form
from kis_site.pending import form_data
from kis_site.vocabulary import Sphere, sphere_section
from participants.access import (
    get_participant_for_user,
    get_record_for_user,
    managed_participants,
)
from participants.views.file import breadcrumbs, file_crumb, file_form_page


def _plan(request, pk) -> ActionPlan:
    """The plan with everything its page shows, behind the participant's gate."""
    try:
        plan = plan_for_page(pk)
    except ActionPlan.DoesNotExist as error:
        raise Http404 from error
    # The participant's gate (404 outside the user's files, 403 without the right to see them)
    # on the participant read with the plan.
    policy().gate(request.user, plan.participant, Action.VIEW)
    return plan


def _plan_url(plan_id, anchor="") -> str:
    url = reverse("ipd:plan", args=[plan_id])
    return f"{url}#{anchor}" if anchor else url


def _crumbs(plan):
    return breadcrumbs(
        file_crumb(plan.participant),
        (_("Individual action plan"), _plan_url(plan.pk)),
    )


def _form_page(request, form, plan, title, *, cancel_url, intro="", **extra):
    """A form about a part of the plan, under the plan in the breadcrumbs; on a draft it warns
    that saving clears the signatures given."""
    return file_form_page(
        request,
        form,
        plan.participant,
        title,
        cancel_url=cancel_url,
        intro=intro,
        breadcrumbs=_crumbs(plan),
        aside_template="ipd/_diagnosed.html" if extra.get("diagnosis_part") else "",
        signatures_warning=0 if plan.is_locked else len(active_signatures(plan)),
        **extra,
    )


@require_http_methods(["GET", "POST"])
def plan_start(request, pk):
    participant = get_participant_for_user(request.user, pk, Action.VIEW)
    if not policy().may_start(request.user, ActionPlan, participant):
        raise PermissionDenied
    enrolment = participant.enrolments.order_by("-starts_on", "-pk").first()
    if enrolment is None:
        messages.error(request, _("Enrol the person first: a plan belongs to a participation."))
        return redirect("participants:detail", pk=participant.pk)
    existing = ActionPlan.objects.filter(enrolment=enrolment).first()
    if existing is not None:
        return redirect("ipd:plan", pk=existing.pk)
    form = PlanStartForm(form_data(request), enrolment=enrolment)
    done = save_form(
        request,
        form,
        lambda form: services.plan_start(
            enrolment=enrolment,
            diagnosis=form.cleaned_data["diagnosis"],
            no_diagnosis_reason=form.cleaned_data["no_diagnosis_reason"],
            drawn_up_on=form.cleaned_data["drawn_up_on"],
            review_on=form.cleaned_data["review_on"],
            by=request.user,
        ),
        success_url=lambda plan: _plan_url(plan.pk),
        success_message=_(
            "The plan has been opened. Set goals in each sphere against what the diagnosis found."
        ),
    )
    has_diagnosis = form.fields["diagnosis"].queryset.exists()
    return done or file_form_page(
        request,
        form,
        participant,
        _("New individual action plan: %(name)s") % {"name": participant.full_name},
        intro=_("The plan is drawn up with the participant, who signs it on paper.")
        if has_diagnosis
        else _(
            "This participation has no signed diagnosis yet. A plan without one needs the "
            "reason why it cannot wait."
        ),
    )


@require_safe
def plan_detail(request, pk):
    user = request.user
    plan = _plan(request, pk)
    participant = plan.participant
    log_access(user=user, instance=plan)
    sections = policy().sections_for(user, participant)
    blocks, hidden_spheres, hidden_goals = sphere_blocks(plan, sections)
    probe = Goal(plan=plan)
    can_edit_goals = policy().can(user, Action.EDIT, probe)
    for block in blocks:
        block.can_add = not plan.is_locked and policy().can(
            user, Action.EDIT, Goal(plan=plan, section=sphere_section(block.sphere))
        )
    return render(
        request,
        "ipd/plan.html",
        {
            "plan": plan,
            "participant": participant,
            "blocks": blocks,
            "hidden_spheres": hidden_spheres,
            "hidden_goals": hidden_goals,
            "can_edit_plan": not plan.is_locked and policy().can(user, Action.EDIT, plan),
            "can_review": plan.is_locked and policy().can(user, Action.EDIT, plan),
            "can_edit_goals": can_edit_goals,
            "review_state": review_state(plan),
            "family": list(plan.family_members.all()),
            "history": history(plan, sections),
            "panel": document_panel(request, plan),
            "title": _("Individual action plan"),
            "breadcrumbs": breadcrumbs(file_crumb(participant)),
        },
    )


@require_http_methods(["GET", "POST"])
def plan_edit(request, pk):
    plan = _plan(request, pk)
    policy().gate(request.user, plan, Action.EDIT)
    if plan.is_locked:
        messages.info(request, _("The plan is signed. To change it, open a new version."))
        return redirect("ipd:plan", pk=plan.pk)
    form = PlanForm(form_data(request), instance=plan)
    done = save_form(
        request,
        form,
        lambda form: services.plan_save(
            plan=form.instance,
            expected_version=form.cleaned_data.get("expected_version"),
            family_members=list(form.cleaned_data["family_members"]),
            by=request.user,
        ),
        success_url=_plan_url(plan.pk, "participant-part"),
        success_message=_("The plan has been saved."),
    )
    return done or _form_page(
        request,
        form,
        plan,
        _("The plan and the participant's part"),
        cancel_url=_plan_url(plan.pk, "participant-part"),
    )


@require_http_methods(["GET", "POST"])
def plan_review(request, pk):
    """A review that leaves the signed plan as it is; a change opens a new version instead."""
    plan = _plan(request, pk)
    policy().gate(request.user, plan, Action.EDIT)
    if not plan.is_locked:
        messages.info(request, _("The plan is still a draft: change its review date there."))
        return redirect("ipd:plan-edit", pk=plan.pk)
    form = ReviewForm(form_data(request))
    done = save_form(
        request,
        form,
        lambda form: services.plan_review_record(
            plan=plan,
            reviewed_on=form.cleaned_data["reviewed_on"],
            next_review_on=form.cleaned_data["next_review_on"],
            note=form.cleaned_data["note"],
            by=request.user,
        ),
        success_url=_plan_url(plan.pk),
        success_message=_("The review has been recorded."),
    )
    return done or _form_page(
        request,
        form,
        plan,
        _("Review of the plan"),
        cancel_url=_plan_url(plan.pk),
        intro=_(
            "Record a review that leaves the plan as it is. If the plan has to change, open a "
            "new version of it with the reason instead."
        ),
    )


def _sections(request, plan):
    return policy().sections_for(request.user, plan.participant)


@require_http_methods(["GET", "POST"])
def goal_add(request, pk, sphere):
    if sphere not in Sphere.values:
        raise Http404
    plan = _plan(request, pk)
    goal = Goal(plan=plan, sphere=sphere, section=sphere_section(sphere))
    policy().gate(request.user, goal, Action.EDIT)
    if plan.is_locked:
        messages.info(request, _("The plan is signed. To change it, open a new version."))
        return redirect("ipd:plan", pk=plan.pk)
    form = GoalForm(
        form_data(request),
        instance=goal,
        sections=_sections(request, plan),
        initial={"target_on": services.enrolment_end(plan.enrolment)},
    )
    done = save_form(
        request,
        form,
        lambda form: services.goal_save(goal=form.instance, expected_version=None, by=request.user),
        success_url=lambda goal: _plan_url(plan.pk, f"goal-{goal.pk}"),
        success_message=_("The goal has been added: now plan the actions that lead to it."),
    )
    return done or _form_page(
        request,
        form,
        plan,
        _("New goal: %(sphere)s") % {"sphere": Sphere(sphere).label},
        cancel_url=_plan_url(plan.pk, f"sphere-{sphere}"),
        diagnosis_part=_diagnosis_part(plan, sphere),
    )


def _diagnosis_part(plan, sphere):
    from diagnosis.models import SPHERE_RELATED

    if not plan.diagnosis_id:
        return None
    return getattr(plan.diagnosis, SPHERE_RELATED[sphere])


def _goal(request, pk, action=Action.EDIT) -> Goal:
    goal = get_record_for_user(
        request.user,
        Goal.objects.select_related("plan", "plan__participant", "plan__enrolment"),
        pk,
        action,
    )
    if goal.removed:
        raise Http404
    return goal


@require_http_methods(["GET", "POST"])
def goal_edit(request, pk):
    goal = _goal(request, pk)
    plan = goal.plan
    progress = plan.is_locked
    form = GoalForm(
        form_data(request),
        instance=goal,
        sections=_sections(request, plan),
        progress=progress,
        hours=hours_of_goal(goal),
    )
    save = services.goal_progress_save if progress else services.goal_save
    done = save_form(
        request,
        form,
        lambda form: save(
            goal=form.instance,
            expected_version=form.cleaned_data.get("expected_version"),
            by=request.user,
        ),
        success_url=_plan_url(plan.pk, f"goal-{goal.pk}"),
        success_message=_("The goal has been saved."),
    )
    return done or _form_page(
        request,
        form,
        plan,
        _("Progress of the goal") if progress else _("Goal"),
        cancel_url=_plan_url(plan.pk, f"goal-{goal.pk}"),
        intro=goal.description if progress else "",
        diagnosis_part=None if progress else _diagnosis_part(plan, goal.sphere),
    )


@require_POST
def goal_remove(request, pk):
    goal = _goal(request, pk)
    try:
        services.goal_remove(goal=goal, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The goal has been taken out of the plan."))
    return redirect(_plan_url(goal.plan_id, f"sphere-{goal.sphere}"))


def _roster_message(request, added):
    if added:
        messages.info(
            request,
            ngettext(
                "The person has been put on the roster of %(count)s coming session.",
                "The person has been put on the rosters of %(count)s coming sessions.",
                added,
            )
            % {"count": added},
        )


def _action_page(request, action, *, progress=False, initial=None, title, intro, message):
    """The form of one action: all of it on a draft plan, its status and notes on a signed one."""
    goal = action.goal
    plan = goal.plan
    form = ActionForm(
        form_data(request),
        instance=action,
        plan=plan,
        sphere=goal.sphere,
        sections=_sections(request, plan),
        progress=progress,
        initial=initial,
    )
    service = services.action_progress_save if progress else services.action_save

    def save(form):
        saved, added = service(
            action=form.instance,
            expected_version=form.cleaned_data.get("expected_version"),
            by=request.user,
        )
        _roster_message(request, added)
        return saved

    back = _plan_url(plan.pk, f"goal-{goal.pk}")
    done = save_form(request, form, save, success_url=back, success_message=message)
    return done or _form_page(request, form, plan, title, cancel_url=back, intro=intro)


@require_http_methods(["GET", "POST"])
def action_add(request, pk):
    goal = _goal(request, pk)
    action = PlanAction(goal=goal, starts_on=timezone.localdate())
    policy().gate(request.user, action, Action.EDIT)
    if goal.plan.is_locked:
        messages.info(request, _("The plan is signed. To change it, open a new version."))
        return redirect("ipd:plan", pk=goal.plan_id)
    return _action_page(
        request,
        action,
        initial={"ends_on": goal.target_on},
        title=_("New action"),
        intro=_("Goal: %(goal)s") % {"goal": goal.description},
        message=_("The action has been added."),
    )


@require_http_methods(["GET", "POST"])
def action_edit(request, pk):
    action = get_record_for_user(
        request.user,
        PlanAction.objects.select_related(
            "goal", "goal__plan", "goal__plan__participant", "goal__plan__enrolment"
        ),
        pk,
        Action.EDIT,
    )
    if action.removed:
        raise Http404
    progress = action.goal.plan.is_locked
    return _action_page(
        request,
        action,
        progress=progress,
        title=_("Progress of the action") if progress else _("Action"),
        intro=capfirst(action.title),
        message=_("The action has been saved."),
    )


@require_POST
def action_remove(request, pk):
    action = get_record_for_user(
        request.user,
        PlanAction.objects.select_related("goal", "goal__plan", "goal__plan__participant"),
        pk,
        Action.EDIT,
    )
    try:
        services.action_remove(action=action, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The action has been taken out of the plan."))
    return redirect(_plan_url(action.goal.plan_id, f"goal-{action.goal_id}"))


# --- Lists -----------------------------------------------------------------------------------


def _plan_list(request, plans, title, intro):
    page = Paginator(
        plans.select_related("participant", "participant__case_manager", "enrolment").order_by(
            "review_on", "pk"
        ),
        50,
    ).get_page(request.GET.get("page"))
    for plan in page:
        plan.review_badge = review_state(plan)
    return render(
        request,
        "ipd/list.html",
        {"page": page, "title": title, "intro": intro, "today": timezone.localdate()},
    )


@require_safe
def reviews(request):
    if not policy().can(request.user, Action.VIEW):
        raise PermissionDenied
    return _plan_list(
        request,
        reviews_due(managed_participants(request.user)),
        _("Plan reviews due"),
        _("Plans of current participations whose review is within a week or overdue."),
    )


@require_safe
def unsigned(request):
    if not policy().can(request.user, Action.VIEW):
        raise PermissionDenied
    return _plan_list(
        request,
        unsigned_plans(request.user),
        _("Action plans not signed yet"),
        _("Drafts waiting for the participant's or the case manager's signature."),
    )

"""The Individual Action Plan (Indywidualny Plan Działania, IPD): goals per life sphere set against
the diagnosis, the actions that lead to them, the participant's own part, versions and reviews.

The plan is one signed document per participation; its goals and actions are records of their own
(each edited with its own version), and the snapshot of every signed version keeps them all, so the
history can say what changed between versions.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from activities.models import Placement, ProgrammeModule
from diagnosis.models import DiagnosticReport
from kis_site.locking import Versioned
from kis_site.models import ParticipantRecord, SignedDocument, StaffMember
from kis_site.registries import SignerSlot
from kis_site.vocabulary import Section, Sphere, sphere_section
from participants.models import Enrolment, FamilyMember, OutgoingReferral, Participant
from participants.signers import case_manager_slot
from partners.models import Institution, Service

TEXT_MAX = 4000


class ActionKind(models.TextChoices):
    MODULE = "module", _("group programme module")
    CONSULTATION = "consultation", _("individual consultation")
    REFERRAL = "referral", _("referral to a partner service")
    PLACEMENT = "placement", _("placement (PSU, internship, public works)")
    OWN_TASK = "own_task", _("the participant's own task")


class GoalStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("goal status", "new")
    IN_PROGRESS = "in_progress", pgettext_lazy("goal status", "in progress")
    ACHIEVED = "achieved", pgettext_lazy("goal status", "achieved")
    CHANGED = "changed", pgettext_lazy("goal status", "changed")
    ABANDONED = "abandoned", pgettext_lazy("goal status", "abandoned")

    @classmethod
    def closed(cls):
        return (cls.ACHIEVED, cls.CHANGED, cls.ABANDONED)


class ActionStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("action status", "planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("action status", "under way")
    DONE = "done", pgettext_lazy("action status", "done")
    CANCELLED = "cancelled", pgettext_lazy("action status", "not carried out")


class CatalogueEntry(models.Model):
    """An action of the catalogue the plan picks from (the KSR table by default; the manager
    keeps it in the admin). An entry in use is retired, never deleted."""

    sphere = models.CharField(_("life sphere"), max_length=20, choices=Sphere.choices)
    name = models.CharField(_("action"), max_length=200)
    kind = models.CharField(
        _("kind of action"), max_length=20, choices=ActionKind.choices, default=ActionKind.MODULE
    )
    legal_matter = models.BooleanField(
        _("a legal matter"),
        default=False,
        help_text=_("Debts, court, criminal record: seen only by those who see legal matters."),
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(
        pgettext_lazy("catalogue", "offered"),
        default=True,
        help_text=_("Untick to retire the entry; plans keep it."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("catalogue action")
        verbose_name_plural = _("catalogue of actions")
        ordering = ["sphere", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["sphere", "name"],
                name="one_catalogue_name_per_sphere",
                violation_error_message=_("The catalogue already has this action in this sphere."),
            )
        ]

    def __str__(self):
        return self.name


class ActionPlan(ParticipantRecord, SignedDocument):
    """One plan per participation; a change after signing is a new version with a reason."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="action_plans",
    )
    enrolment = models.OneToOneField(
        Enrolment,
        verbose_name=_("participation"),
        on_delete=models.PROTECT,
        related_name="action_plan",
    )
    diagnosis = models.ForeignKey(
        DiagnosticReport,
        verbose_name=_("based on the diagnosis"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_plans",
    )
    no_diagnosis_reason = models.TextField(
        _("why there is no signed diagnosis"), blank=True, max_length=TEXT_MAX
    )
    drawn_up_on = models.DateField(_("drawn up on"), default=timezone.localdate)
    review_on = models.DateField(_("review date"))
    participant_goals = models.TextField(
        _("the participant's goals and expectations, in their own words"),
        blank=True,
        max_length=TEXT_MAX,
    )
    participant_commitments = models.TextField(
        _("what the participant commits to"), blank=True, max_length=TEXT_MAX
    )
    participant_agrees = models.BooleanField(
        _("the participant agrees with the plan"), default=False
    )
    participant_remarks = models.TextField(
        _("the participant's remarks"), blank=True, max_length=TEXT_MAX
    )
    family_members = models.ManyToManyField(
        FamilyMember,
        verbose_name=_("family members involved"),
        blank=True,
        related_name="+",
    )
    family_involvement = models.TextField(
        _("how the family takes part"), blank=True, max_length=TEXT_MAX
    )
    last_reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    review_note = models.TextField(_("result of the review"), blank=True, max_length=TEXT_MAX)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )

    # Reviews between versions are monitoring, not the content that was signed.
    SNAPSHOT_EXCLUDE = ("created_at", "created_by", "last_reviewed_on", "review_note")

    pdf_template = "ipd/pdf/plan.html"

    class Meta:
        verbose_name = _("individual action plan")
        verbose_name_plural = _("individual action plans")
        ordering = ["-drawn_up_on", "-pk"]

    def __str__(self):
        return str(_("Individual action plan of %(date)s")) % {
            "date": self.drawn_up_on.strftime("%d.%m.%Y")
        }

    def signer_slots(self) -> list[SignerSlot]:
        """The participant signs the printed plan; the case manager signs in the application."""
        return [
            SignerSlot(
                "participant",
                _("Participant"),
                default_name=lambda p: p.participant.full_name,
            ),
            case_manager_slot(),
        ]

    def sensitive_sections(self) -> frozenset:
        """The sensitive sections the plan holds (its goals' and actions'); the printed plan
        opens whole for those who see them all (and for its signers)."""
        if self.pk is None:
            return frozenset()
        found = set(
            Goal.objects.filter(plan=self, removed=False)
            .exclude(section="")
            .order_by()
            .values_list("section", flat=True)
            .distinct()
        ) | set(
            PlanAction.objects.filter(goal__plan=self, removed=False)
            .exclude(section="")
            .order_by()
            .values_list("section", flat=True)
            .distinct()
        )
        return frozenset(Section(value) for value in found)

    def clean(self):
        if self.diagnosis_id is None and not (self.no_diagnosis_reason or "").strip():
            raise ValidationError(
                {
                    "no_diagnosis_reason": _(
                        "A plan is set against a signed diagnosis. Without one, say why the plan "
                        "is drawn up now."
                    )
                }
            )
        if self.review_on and self.drawn_up_on and self.review_on <= self.drawn_up_on:
            raise ValidationError({"review_on": _("The review comes after the plan is drawn up.")})

    def snapshot_parts(self) -> dict:
        """The goals and their actions as this version says them (for the history of changes)."""
        actions = {}
        for action in PlanAction.objects.filter(goal__plan=self, removed=False).select_related(
            "responsible", "institution", "service", "module"
        ):
            actions.setdefault(action.goal_id, []).append(action)
        goals = self.goals.filter(removed=False)
        return {"goals": goal_entries(goals, lambda goal: actions.get(goal.pk, []))}


def goal_entries(goals, actions_of) -> list[dict]:
    """Goals with their actions as stored in a version's snapshot (``actions_of(goal)``)."""
    return [
        {**goal.snapshot(), "actions": [action.snapshot() for action in actions_of(goal)]}
        for goal in goals
    ]


class PlanRecord(ParticipantRecord, Versioned):
    """What goals and actions share: their order, soft removal and who saved them last."""

    order = models.PositiveSmallIntegerField(_("order"), default=0)
    removed = models.BooleanField(default=False, editable=False)
    section = models.CharField(max_length=15, blank=True, editable=False)
    updated_at = models.DateTimeField(_("saved"), null=True, blank=True, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        abstract = True


class Goal(PlanRecord):
    plan = models.ForeignKey(
        ActionPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="goals"
    )
    sphere = models.CharField(_("life sphere"), max_length=20, choices=Sphere.choices)
    legal_matter = models.BooleanField(
        _("a legal matter"),
        default=False,
        help_text=_(
            "Debts, court, criminal record, probation: the goal is then seen only by those who "
            "see legal matters."
        ),
    )
    description = models.TextField(_("what is to change"), max_length=TEXT_MAX)
    indicator = models.TextField(
        _("measurable indicator"),
        max_length=TEXT_MAX,
        help_text=_("How we will know the goal is reached, e.g. “registered at the PUP”."),
    )
    target_on = models.DateField(_("target date"))
    status = models.CharField(
        _("status"), max_length=15, choices=GoalStatus.choices, default=GoalStatus.NEW
    )
    achieved_on = models.DateField(_("reached on"), null=True, blank=True)
    evidence = models.TextField(
        _("evidence"),
        blank=True,
        max_length=TEXT_MAX,
        help_text=_("What shows the goal is reached: a document, a certificate, a contract."),
    )
    status_note = models.TextField(
        _("why the goal was changed or abandoned"), blank=True, max_length=TEXT_MAX
    )
    created_in = models.PositiveIntegerField(_("added in version"), default=1, editable=False)

    SNAPSHOT_FIELDS = (
        "sphere",
        "legal_matter",
        "description",
        "indicator",
        "target_on",
        "status",
        "achieved_on",
        "evidence",
    )

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.description[:80]

    @property
    def is_closed(self) -> bool:
        return self.status in GoalStatus.closed()

    def clean(self):
        errors = {}
        if self.status == GoalStatus.ACHIEVED:
            if self.achieved_on is None:
                errors["achieved_on"] = _("Give the date the goal was reached.")
            if not (self.evidence or "").strip():
                errors["evidence"] = _("Say what shows the goal was reached.")
        if self.achieved_on and self.achieved_on > timezone.localdate():
            errors["achieved_on"] = _("The date cannot be in the future.")
        if (
            self.status in (GoalStatus.CHANGED, GoalStatus.ABANDONED)
            and not (self.status_note or "").strip()
        ):
            errors["status_note"] = _("Say why the goal was changed or abandoned.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.section = sphere_section(self.sphere, self.legal_matter)
        super().save(*args, **kwargs)

    def snapshot(self) -> dict:
        data = {name: getattr(self, name) for name in self.SNAPSHOT_FIELDS}
        data["id"] = self.pk
        data["section"] = self.section
        for name in ("target_on", "achieved_on"):
            data[name] = data[name].isoformat() if data[name] else None
        return data


class PlanAction(PlanRecord):
    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), on_delete=models.PROTECT, related_name="actions"
    )
    catalogue_entry = models.ForeignKey(
        CatalogueEntry,
        verbose_name=_("from the catalogue"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_actions",
    )
    title = models.CharField(_("action"), max_length=300)
    kind = models.CharField(_("kind of action"), max_length=20, choices=ActionKind.choices)
    legal_matter = models.BooleanField(_("a legal matter"), default=False)
    responsible = models.ForeignKey(
        StaffMember,
        verbose_name=_("responsible staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("partner institution"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("partner's service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    module = models.ForeignKey(
        ProgrammeModule,
        verbose_name=_("programme module"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    placement = models.ForeignKey(
        Placement,
        verbose_name=_("placement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    referral = models.ForeignKey(
        OutgoingReferral,
        verbose_name=_("referral"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    planned_hours = models.DecimalField(
        _("planned hours"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=_("Hours cannot be negative."))],
    )
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=15, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    notes = models.TextField(_("notes"), blank=True, max_length=TEXT_MAX)

    SNAPSHOT_FIELDS = ("title", "kind", "planned_hours", "starts_on", "ends_on", "status")

    class Meta:
        verbose_name = _("action of the plan")
        verbose_name_plural = _("actions of the plan")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.kind == ActionKind.MODULE and self.module_id is None:
            errors["module"] = _("Choose the programme module the person takes part in.")
        if self.kind == ActionKind.REFERRAL and not (self.institution_id or self.service_id):
            errors["institution"] = _("Choose the partner institution or its service.")
        if (
            self.service_id
            and self.institution_id
            and self.service.institution_id != (self.institution_id)
        ):
            errors["service"] = _("This service is offered by another institution.")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end cannot be before the start.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        goal_section = self.goal.section if self.goal_id else ""
        self.section = goal_section or (Section.LEGAL.value if self.legal_matter else "")
        super().save(*args, **kwargs)

    def snapshot(self) -> dict:
        data = {name: getattr(self, name) for name in self.SNAPSHOT_FIELDS}
        data["id"] = self.pk
        data["planned_hours"] = str(self.planned_hours) if self.planned_hours is not None else None
        for name in ("starts_on", "ends_on"):
            data[name] = data[name].isoformat() if data[name] else None
        data["responsible"] = str(self.responsible) if self.responsible_id else ""
        data["partner"] = str(self.service or self.institution or "")
        data["module"] = self.module.name if self.module_id else ""
        return data

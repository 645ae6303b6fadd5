"""The change report (raport zmiany): every month, at most every two, each life sphere read against
the three dimensions of exclusion, the rating against the previous one, the participant's view,
the expected effects and the recommendations that correct the IPD."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from diagnosis.models import Rating
from kis_site.locking import Versioned
from kis_site.models import ParticipantRecord, SignedDocument
from kis_site.registries import SignerSlot
from kis_site.vocabulary import Cosigner, Role, Section, Sphere, sphere_section
from participants.models import Enrolment, Participant
from participants.signers import case_manager_slot
from reports.months import period_label

TEXT_MAX = 4000


class Dimension(models.TextChoices):
    """The three dimensions of exclusion each sphere is read against (domain.md §4.4)."""

    RESOURCES = "resources", _("multidimensional resources")
    AWARENESS = "awareness", _("awareness of civic obligations and entitlements")
    PARTICIPATION = (
        "participation",
        _(
            "the ability to use them and take part in social life (contact with institutions, "
            "the stability of the ones the person co-creates)"
        ),
    )


class Effect(models.TextChoices):
    """Expected effects (the Bielsko-Biała programme §12)."""

    OWN_POTENTIAL = "own_potential", _("awareness of own potential")
    MOTIVATION = "motivation", _("motivation")
    COPING = "coping", _("coping with difficult situations")
    SELF_INSIGHT = "self_insight", _("self-insight")
    VOCATIONAL_POTENTIAL = "vocational_potential", _("awareness of vocational potential")
    CAREER_PLANNING = "career_planning", _("career planning")
    JOB_SEARCH = "job_search", _("job-search skills")
    LABOUR_LAW = "labour_law", _("knowledge of labour law")
    LABOUR_MARKET = "labour_market", _("activity on the labour market")
    SOCIAL_COMPETENCES = "social_competences", _("social competences")
    BONDS = "bonds", _("rebuilt bonds")
    HUMAN_RIGHTS = "human_rights", _("awareness of human rights")
    SOCIAL_NORMS = "social_norms", _("keeping social norms")
    CULTURE = "culture", _("interest in cultural life")


EFFECT_GROUPS = [
    (
        pgettext_lazy("effects", "personal"),
        [Effect.OWN_POTENTIAL, Effect.MOTIVATION, Effect.COPING, Effect.SELF_INSIGHT],
    ),
    (
        pgettext_lazy("effects", "vocational"),
        [
            Effect.VOCATIONAL_POTENTIAL,
            Effect.CAREER_PLANNING,
            Effect.JOB_SEARCH,
            Effect.LABOUR_LAW,
            Effect.LABOUR_MARKET,
        ],
    ),
    (
        pgettext_lazy("effects", "social"),
        [
            Effect.SOCIAL_COMPETENCES,
            Effect.BONDS,
            Effect.HUMAN_RIGHTS,
            Effect.SOCIAL_NORMS,
            Effect.CULTURE,
        ],
    ),
]


# The health and psychological spheres: every change report holds them; a letter to the
# referring institution when it passes them on.
HEALTH_SECTIONS = frozenset({Section.HEALTH, Section.PSYCHOLOGICAL})


def _cosigner_slot(cosigner: str) -> SignerSlot:
    if cosigner == Cosigner.PARTICIPANT:
        return SignerSlot(
            "participant",
            _("Participant"),
            default_name=lambda r: r.participant.full_name,
        )
    role = Role(cosigner)
    return SignerSlot(cosigner, role.label, roles=(role,))


class ChangeReport(ParticipantRecord, SignedDocument):
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="change_reports",
    )
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("participation"),
        on_delete=models.PROTECT,
        related_name="change_reports",
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    met_on = models.DateField(_("meeting with the participant on"), default=timezone.localdate)
    participant_view = models.TextField(
        _("how the participant sees the change, in their words"), blank=True, max_length=TEXT_MAX
    )
    effects = models.JSONField(_("expected effects reached"), default=list, blank=True)
    effects_notes = models.TextField(_("notes on the effects"), blank=True, max_length=TEXT_MAX)
    recommendations = models.TextField(_("recommendations"), blank=True, max_length=TEXT_MAX)
    ipd_changes = models.TextField(
        _("changes to the action plan they call for"), blank=True, max_length=TEXT_MAX
    )
    cosigners = models.JSONField(
        _("also signed by"), default=list, blank=True, editable=False
    )  # the KIS setting when the report was opened: a later change leaves it as it was
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )

    SNAPSHOT_EXCLUDE = ("created_at", "created_by")

    pdf_template = "reports/pdf/change_report.html"

    class Meta:
        verbose_name = _("change report")
        verbose_name_plural = _("change reports")
        ordering = ["-period_start", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "period_start"],
                name="one_change_report_per_period",
                violation_error_message=_(
                    "This participation already has a report for this period."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="change_report_period_in_order",
            ),
        ]
        # The start pages look for the drafts waiting for a co-signer: few among many reports.
        indexes = [
            models.Index(
                fields=["participant"],
                condition=models.Q(state="draft"),
                name="change_report_draft",
            )
        ]

    def __str__(self):
        return str(_("Change report for %(period)s")) % {"period": self.period_label}

    def signer_slots(self) -> list[SignerSlot]:
        """The case manager, and whoever else the KIS had chosen when the report was opened."""
        return [
            case_manager_slot(),
            *(
                _cosigner_slot(cosigner)
                for cosigner in self.cosigners
                if cosigner in Cosigner.values
            ),
        ]

    def sensitive_sections(self) -> frozenset:
        """The printed report holds the health and psychological spheres, and the legal section
        when legal notes were written: it opens whole for those who see them (and its
        signers)."""
        loaded = getattr(self, "_prefetched_objects_cache", {}).get("spheres")
        if loaded is not None:  # read with the report (its pages): no query
            legal = any(part.legal_notes for part in loaded)
        else:
            legal = self.pk is not None and self.spheres.exclude(legal_notes="").exists()
        return HEALTH_SECTIONS | ({Section.LEGAL} if legal else set())

    @property
    def period_label(self) -> str:
        return period_label(self.period_start, self.period_end)

    def effects_display(self) -> list[str]:
        labels = dict(Effect.choices)
        return [labels[key] for key in self.effects if key in labels]

    def snapshot_parts(self) -> dict:
        from django.forms.models import model_to_dict

        skip = ["id", "report", "version", "updated_at", "updated_by", "section"]
        return {
            "spheres": [model_to_dict(part, exclude=skip) for part in self.spheres.order_by("pk")]
        }


def rating_field(label):
    return models.PositiveSmallIntegerField(
        label,
        choices=Rating.choices,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )


class ChangeSphere(ParticipantRecord, Versioned):
    """One sphere of a change report: the grid's row, the rating and what changed."""

    report = models.ForeignKey(ChangeReport, on_delete=models.PROTECT, related_name="spheres")
    sphere = models.CharField(_("life sphere"), max_length=20, choices=Sphere.choices)
    section = models.CharField(max_length=15, blank=True, editable=False)
    previous_rating = models.PositiveSmallIntegerField(
        _("previous rating"), null=True, blank=True, editable=False
    )
    previous_source = models.CharField(
        _("previous rating from"), max_length=200, blank=True, editable=False
    )
    resources = models.TextField(_("multidimensional resources"), blank=True, max_length=TEXT_MAX)
    resources_rating = rating_field(_("rating of the resources"))
    awareness = models.TextField(
        _("awareness of obligations and entitlements"), blank=True, max_length=TEXT_MAX
    )
    awareness_rating = rating_field(_("rating of the awareness"))
    participation = models.TextField(
        _("using entitlements, social participation"), blank=True, max_length=TEXT_MAX
    )
    participation_rating = rating_field(_("rating of the participation"))
    rating = rating_field(_("current rating of the sphere"))
    what_changed = models.TextField(_("what changed and why"), blank=True, max_length=TEXT_MAX)
    goals_progress = models.TextField(
        _("progress on the plan's goals"), blank=True, max_length=TEXT_MAX
    )
    legal_notes = models.TextField(
        _("legal matters (debts, court, probation)"), blank=True, max_length=TEXT_MAX
    )
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
        verbose_name = _("sphere of a change report")
        verbose_name_plural = _("spheres of change reports")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "sphere"], name="one_change_sphere")
        ]

    def __str__(self):
        return str(Sphere(self.sphere).label)

    def save(self, *args, **kwargs):
        self.section = sphere_section(self.sphere)
        super().save(*args, **kwargs)

    def legal_notes_shown(self, sections) -> bool:
        """Whether a reader who sees ``sections`` meets the legal notes of this sphere: an open
        sphere's, the socio-living one always (debts, court and probation belong there), another
        when a legal matter of the plan was carried into it."""
        return (
            Section.LEGAL in sections
            and not self.section
            and (self.sphere == Sphere.SOCIO_LIVING or bool(self.legal_notes))
        )

    def clean(self):
        if self.rating is not None and not (self.what_changed or "").strip():
            raise ValidationError(
                {"what_changed": _("Say in a sentence what changed and why (or that nothing did).")}
            )

    @property
    def direction(self) -> str:
        """↑ better, → the same, ↓ worse than the previous rating; "" when either is missing."""
        if self.rating is None or self.previous_rating is None:
            return ""
        if self.rating > self.previous_rating:
            return "up"
        if self.rating < self.previous_rating:
            return "down"
        return "same"

    @property
    def arrow(self) -> str:
        return {"up": "↑", "down": "↓", "same": "→"}.get(self.direction, "")

    def cells(self):
        """The three cells of the grid, in order."""
        return [
            (Dimension.RESOURCES, self.resources, self.resources_rating),
            (Dimension.AWARENESS, self.awareness, self.awareness_rating),
            (Dimension.PARTICIPATION, self.participation, self.participation_rating),
        ]


def effect_groups_of(effects) -> dict[str, bool]:
    """Whether ``effects`` include a personal-or-social (social reintegration) and a vocational
    (vocational reintegration) effect."""
    chosen = set(effects or ())
    vocational = set(EFFECT_GROUPS[1][1])
    return {
        "social": bool(chosen - vocational),
        "vocational": bool(chosen & vocational),
    }


# --- At the exit: what the participant achieved -----------------------------------------------


class ExitAssessment(ParticipantRecord, Versioned):
    """Which reintegration effects (the Bielsko-Biała §12 list) the participant achieved, recorded
    by the case manager at the exit against the ratings of the initial and final diagnosis; the
    yearly report to the voivode counts these."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="exit_assessments",
    )
    enrolment = models.OneToOneField(
        Enrolment,
        verbose_name=_("participation"),
        on_delete=models.PROTECT,
        related_name="exit_assessment",
    )
    assessed_on = models.DateField(_("assessed on"), default=timezone.localdate)
    effects = models.JSONField(_("reintegration effects achieved"), default=list, blank=True)
    notes = models.TextField(_("notes and evidence"), blank=True, max_length=TEXT_MAX)
    social_effect = models.BooleanField(
        _("social reintegration effect achieved"), default=False, editable=False
    )
    vocational_effect = models.BooleanField(
        _("vocational reintegration effect achieved"), default=False, editable=False
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("exit assessment")
        verbose_name_plural = _("exit assessments")

    def __str__(self):
        return str(_("Exit assessment of %(name)s")) % {"name": self.participant.full_name}

    def save(self, *args, **kwargs):
        groups = effect_groups_of(self.effects)
        self.social_effect, self.vocational_effect = groups["social"], groups["vocational"]
        super().save(*args, **kwargs)

    def effects_display(self) -> list[str]:
        labels = dict(Effect.choices)
        return [labels[key] for key in self.effects if key in labels]


# --- Reporting back to the referring institution -------------------------------------------------


class LetterKind(models.TextChoices):
    PROGRESS = "progress", _("progress letter")
    EXIT = "exit", _("notice of the exit")


class ReferrerLetter(ParticipantRecord, SignedDocument):
    """A letter to the institution that referred the person (an OPS department, the PUP): how the
    participation goes in a period, or that it has ended. Attendance and the stage of the cycle
    are taken from the records when the letter is drawn up; health and psychological ratings only
    when the recorded basis covers them."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="referrer_letters",
    )
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("participation"),
        on_delete=models.PROTECT,
        related_name="referrer_letters",
    )
    kind = models.CharField(_("kind of letter"), max_length=10, choices=LetterKind.choices)
    institution = models.ForeignKey(
        "partners.Institution",
        verbose_name=_("to"),
        on_delete=models.PROTECT,
        related_name="+",  # the network's records know nothing of participants
    )
    contact_person = models.ForeignKey(
        "partners.ContactPerson",
        verbose_name=_("for the attention of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    written_on = models.DateField(_("date of the letter"), default=timezone.localdate)
    stage = models.TextField(_("stage of the cycle"), blank=True, max_length=TEXT_MAX)
    attendance = models.JSONField(_("attendance in the period"), default=dict, blank=True)
    ratings = models.JSONField(_("ratings of the spheres"), default=list, blank=True)
    progress = models.TextField(
        _("how the participation is going"), blank=True, max_length=TEXT_MAX
    )
    include_health = models.BooleanField(
        _("include the health and psychological spheres"), default=False
    )
    health_basis = models.CharField(
        _("basis for passing on health and psychological information"),
        max_length=250,
        blank=True,
        help_text=_("E.g. the participant's written consent of 12.03.2026."),
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )

    SNAPSHOT_EXCLUDE = ("created_at", "created_by", "sent_on")

    pdf_template = "reports/pdf/referrer_letter.html"

    class Meta:
        verbose_name = _("letter to the referring institution")
        verbose_name_plural = _("letters to referring institutions")
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="referrer_letter_period_in_order",
            ),
        ]

    def __str__(self):
        if self.kind == LetterKind.EXIT:
            return str(_("Notice of the exit to %(institution)s")) % {
                "institution": self.institution.name
            }
        return str(_("Progress letter for %(period)s")) % {"period": self.period_label}

    @property
    def period_label(self) -> str:
        return period_label(self.period_start, self.period_end)

    def signer_slots(self) -> list[SignerSlot]:
        """The participant's case manager signs the letter."""
        return [case_manager_slot()]

    def sensitive_sections(self) -> frozenset:
        """The health spheres when the letter passes them on; the risk groups when its recipient
        (the probation service, a prison, addiction treatment, psychiatric care) tells one."""
        sections = HEALTH_SECTIONS if self.include_health else frozenset()
        if self.institution_id and self.institution.reveals_risk_group:
            sections |= {Section.RISK_GROUPS}
        return sections

    def clean(self):
        if self.include_health and not (self.health_basis or "").strip():
            raise ValidationError(
                {
                    "health_basis": _(
                        "Say what allows passing on health and psychological information "
                        "(e.g. the participant's written consent and its date)."
                    )
                }
            )


# --- Grants, for the yearly report ---------------------------------------------------------------


class GrantSettlement(Versioned):
    """A grant received in a year from a funding source and how it was settled; entered by the
    manager for the yearly report to the voivode (art. 18a ust. 6)."""

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    funding_source = models.ForeignKey(
        "kis_site.FundingSource",
        verbose_name=_("funding source"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    purpose = models.CharField(_("purpose of the grant"), max_length=250, blank=True)
    granted = models.DecimalField(_("amount granted (PLN)"), max_digits=12, decimal_places=2)
    received = models.DecimalField(_("amount received (PLN)"), max_digits=12, decimal_places=2)
    spent = models.DecimalField(_("amount spent (PLN)"), max_digits=12, decimal_places=2)
    returned = models.DecimalField(
        _("amount returned (PLN)"), max_digits=12, decimal_places=2, default=0
    )
    settled_on = models.DateField(_("settlement submitted on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("grant and its settlement")
        verbose_name_plural = _("grants and their settlement")
        ordering = ["-year", "funding_source__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "funding_source", "purpose"],
                name="one_grant_per_source_and_purpose",
                violation_error_message=_(
                    "This funding source already has a grant with this purpose in this year."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.funding_source} {self.year}"

    def clean(self):
        errors = {}
        for name in ("granted", "received", "spent", "returned"):
            value = getattr(self, name)
            if value is not None and value < 0:
                errors[name] = _("The amount cannot be negative.")
        if (
            self.received is not None
            and self.spent is not None
            and "spent" not in errors
            and self.spent > self.received
        ):
            errors["spent"] = _("More cannot be spent than was received.")
        if errors:
            raise ValidationError(errors)

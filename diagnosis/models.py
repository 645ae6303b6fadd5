"""The diagnostic report (raport diagnostyczny): five life spheres on the official form, with our
strengths, deficits and 1–5 ratings, the diagnostic tools used and the Holland RIASEC result.

Each sphere is its own record with its own version, so three specialists fill their spheres in
parallel; the report is one signed document whose version, lock and hash cover all of them.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from diagnosis.form_spec import SIGNATURE_LABELS
from kis_site.locking import Versioned
from kis_site.models import ParticipantRecord, SignedDocument, StaffMember
from kis_site.registries import SignerSlot
from kis_site.vocabulary import Role, Section, Sphere
from participants.models import EducationLevel, Enrolment, Participant

ANSWER_MAX = 10000

# Who signs which part of the form, and the spheres each signer answers for.
SIGNERS = {
    "social_worker": (Role.SOCIAL_WORKER, (Sphere.SOCIO_LIVING, Sphere.SOCIAL)),
    "psychologist": (Role.PSYCHOLOGIST, (Sphere.HEALTH, Sphere.PSYCHOLOGICAL)),
    "career_advisor": (Role.CAREER_ADVISOR, (Sphere.VOCATIONAL,)),
}
SENSITIVE = frozenset({Section.HEALTH, Section.PSYCHOLOGICAL, Section.LEGAL})


class DiagnosisKind(models.TextChoices):
    INITIAL = "initial", _("initial")
    FINAL = "final", _("final")
    OTHER = "other", _("interim")


class Rating(models.IntegerChoices):
    """The scale of diagnostic-template.md: how much support the person needs in a sphere."""

    CRISIS = 1, _("1 — crisis: serious deficits, urgent and intensive support needed")
    SERIOUS = 2, _("2 — serious difficulties: needs constant support of specialists")
    PARTIAL = 3, _("3 — partly independent: copes with help, support from time to time")
    SLIGHT = 4, _("4 — slight difficulties: copes in most situations, support when needed")
    INDEPENDENT = 5, _("5 — fully independent: enough resources, no support needed")


class DiagnosticReport(ParticipantRecord, SignedDocument):
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="diagnoses",
    )
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("participation"),
        on_delete=models.PROTECT,
        related_name="diagnoses",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=DiagnosisKind.choices)
    started_on = models.DateField(_("started on"), default=timezone.localdate)
    recommendations = models.TextField(_("recommendations and remarks"), blank=True)
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

    pdf_template = "diagnosis/pdf/report.html"

    class Meta:
        verbose_name = _("diagnostic report")
        verbose_name_plural = _("diagnostic reports")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(kind="initial"),
                name="one_initial_diagnosis_per_enrolment",
                violation_error_message=_("This participation already has an initial diagnosis."),
            ),
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(kind="final"),
                name="one_final_diagnosis_per_enrolment",
                violation_error_message=_("This participation already has a final diagnosis."),
            ),
        ]

    def snapshot_parts(self) -> dict:
        """The spheres, their rows, the tools and the Holland result as this version says them."""
        from django.forms.models import model_to_dict

        skip = ["id", "report", "sphere", "version", "updated_at", "updated_by", "removed"]
        parts = {}
        for sphere, related in SPHERE_RELATED.items():
            part = getattr(self, related)
            parts[sphere] = model_to_dict(part, exclude=skip)
        parts["socio_living"]["incomes"] = [
            model_to_dict(row, exclude=skip)
            for row in self.socio_living.incomes.filter(removed=False)
        ]
        parts["vocational"]["jobs"] = [
            model_to_dict(row, exclude=skip) for row in self.vocational.jobs.filter(removed=False)
        ]
        parts["tools"] = [
            model_to_dict(tool, exclude=skip) for tool in self.tools.filter(removed=False)
        ]
        holland = HollandResult.objects.filter(report=self).first()
        parts["holland"] = model_to_dict(holland, exclude=skip) if holland else None
        return parts

    def signer_slots(self) -> list[SignerSlot]:
        """A social worker, a psychologist and a career advisor, each for their spheres."""
        labels = dict(SIGNATURE_LABELS)
        return [
            SignerSlot(
                key,
                labels[key],
                roles=(role,),
                default_name=lambda r, spheres=spheres: _author_name(r, spheres),
            )
            for key, (role, spheres) in SIGNERS.items()
        ]

    def sensitive_sections(self) -> frozenset:
        """The health, psychological and legal spheres, whether filled in or not."""
        return SENSITIVE

    def __str__(self):
        return str(_("%(kind)s diagnosis of %(date)s")) % {
            "kind": self.get_kind_display(),
            "date": self.started_on.strftime("%d.%m.%Y"),
        }


def _author_name(report, spheres) -> str:
    """The name printed under a signature line: who filled the slot's spheres."""
    names = []
    for sphere in spheres:
        part = getattr(report, SPHERE_RELATED[sphere])
        if part.paper_author:
            names.append(part.paper_author)
        elif part.updated_by_id:
            user = part.updated_by
            names.append(user.get_full_name() or user.get_username())
    return ", ".join(dict.fromkeys(names))


class SpherePart(ParticipantRecord, Versioned):
    """What every sphere has besides the form's own fields: strengths, deficits, the rating."""

    SPHERE: Sphere = None

    strengths = models.JSONField(_("strengths (resources)"), default=list, blank=True)
    deficits = models.JSONField(_("deficits"), default=list, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating of the sphere"),
        choices=Rating.choices,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_reason = models.CharField(_("why this rating"), max_length=300, blank=True)
    paper_author = models.CharField(
        _("filled in on paper by"),
        max_length=200,
        blank=True,
        help_text=_("A specialist without a login (e.g. from a partner institution)."),
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
        abstract = True

    @property
    def is_filled(self) -> bool:
        return self.rating is not None

    def clean(self):
        if self.rating is not None and not (self.rating_reason or "").strip():
            raise ValidationError({"rating_reason": _("Justify the rating in one line.")})


class IncomeKind(models.TextChoices):
    SALARY = "salary", _("pay from work")
    CASUAL = "casual", _("casual work")
    PERMANENT_BENEFIT = "permanent_benefit", _("permanent benefit (OPS)")
    PERIODIC_BENEFIT = "periodic_benefit", _("periodic benefit (OPS)")
    TARGETED_BENEFIT = "targeted_benefit", _("targeted benefit (OPS)")
    FAMILY_BENEFIT = "family_benefit", _("family benefits")
    PENSION = "pension", _("disability or retirement pension")
    ALIMONY = "alimony", _("maintenance (alimony)")
    NONE = "none", _("no income")
    OTHER = "other", _("other")


class HousingTitle(models.TextChoices):
    OWNER = "owner", _("own dwelling")
    MUNICIPAL = "municipal", _("municipal or social tenancy")
    PRIVATE = "private", _("private tenancy")
    FAMILY = "family", _("lives with family, no title of their own")
    SHELTER = "shelter", _("night shelter or homeless shelter")
    HOMELESS = "homeless", _("no place to live")
    OTHER = "other", _("other")


class SocioLivingSphere(SpherePart):
    SPHERE = Sphere.SOCIO_LIVING

    report = models.OneToOneField(
        DiagnosticReport, on_delete=models.PROTECT, related_name="socio_living"
    )
    institutional_help = models.TextField(_("use of institutional help"), blank=True)
    income_notes = models.TextField(_("source of living"), blank=True)
    housing_title = models.CharField(
        _("right to the dwelling"), max_length=20, choices=HousingTitle.choices, blank=True
    )
    housing_notes = models.TextField(_("housing situation"), blank=True)
    criminal_record = models.BooleanField(_("has a criminal record"), null=True, blank=True)
    probation_officer = models.BooleanField(
        _("under a probation officer's supervision"), null=True, blank=True
    )
    debts = models.BooleanField(_("has debts or financial obligations"), null=True, blank=True)
    legal_notes = models.TextField(_("legal situation"), blank=True)

    class Meta:
        verbose_name = _("socio-living sphere")
        verbose_name_plural = _("socio-living spheres")

    def __str__(self):
        return str(Sphere.SOCIO_LIVING.label)


class IncomeSource(ParticipantRecord):
    sphere = models.ForeignKey(SocioLivingSphere, on_delete=models.PROTECT, related_name="incomes")
    kind = models.CharField(_("source"), max_length=30, choices=IncomeKind.choices)
    amount = models.DecimalField(
        _("monthly amount (PLN)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    regular = models.BooleanField(_("regular"), default=True)
    removed = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("source of income")
        verbose_name_plural = _("sources of income")
        ordering = ["pk"]

    def __str__(self):
        return self.get_kind_display()


class DisabilityDegree(models.TextChoices):
    NONE = "none", _("no certificate of disability")
    LIGHT = "light", _("light degree")
    MODERATE = "moderate", _("moderate degree")
    SEVERE = "severe", _("severe degree")
    PENDING = "pending", _("certificate being decided")


class HealthSphere(SpherePart):
    SPHERE = Sphere.HEALTH

    report = models.OneToOneField(DiagnosticReport, on_delete=models.PROTECT, related_name="health")
    health_state = models.TextField(_("state of health"), blank=True)
    disability = models.CharField(
        _("disability"), max_length=10, choices=DisabilityDegree.choices, blank=True
    )
    mental_illness = models.TextField(_("mental illness"), blank=True)
    addictions = models.TextField(_("addictions"), blank=True)
    psychotherapy = models.TextField(_("psychotherapy and psychological consultations"), blank=True)

    class Meta:
        verbose_name = _("health sphere")
        verbose_name_plural = _("health spheres")

    def __str__(self):
        return str(Sphere.HEALTH.label)


class SocialSphere(SpherePart):
    SPHERE = Sphere.SOCIAL

    report = models.OneToOneField(DiagnosticReport, on_delete=models.PROTECT, related_name="social")
    family_situation = models.TextField(_("family situation"), blank=True)
    social_relations = models.TextField(_("social relations (social support)"), blank=True)
    group_membership = models.TextField(_("membership of groups"), blank=True)

    class Meta:
        verbose_name = _("social sphere")
        verbose_name_plural = _("social spheres")

    def __str__(self):
        return str(Sphere.SOCIAL.label)


class PsychologicalSphere(SpherePart):
    SPHERE = Sphere.PSYCHOLOGICAL

    report = models.OneToOneField(
        DiagnosticReport, on_delete=models.PROTECT, related_name="psychological"
    )
    coping = models.TextField(_("coping in difficult situations, defence mechanisms"), blank=True)
    self_esteem = models.TextField(_("self-esteem"), blank=True)
    problems = models.TextField(_("psychological problems, addictions"), blank=True)
    motivation = models.TextField(_("motivation to change and to learn"), blank=True)
    goals = models.TextField(_("goals"), blank=True)
    expectations = models.TextField(_("expectations of taking part"), blank=True)
    needs = models.TextField(_("psychological needs"), blank=True)
    help_expected = models.TextField(_("help expected and from whom"), blank=True)

    class Meta:
        verbose_name = _("psychological sphere")
        verbose_name_plural = _("psychological spheres")

    def __str__(self):
        return str(Sphere.PSYCHOLOGICAL.label)


class PupStatus(models.TextChoices):
    UNEMPLOYED = "unemployed", _("registered unemployed")
    JOB_SEEKER = "job_seeker", _("registered job seeker")
    NOT_REGISTERED = "not_registered", _("not registered")


class VocationalSphere(SpherePart):
    SPHERE = Sphere.VOCATIONAL

    report = models.OneToOneField(
        DiagnosticReport, on_delete=models.PROTECT, related_name="vocational"
    )
    education_level = models.CharField(
        _("education level"), max_length=30, choices=EducationLevel.choices, blank=True
    )
    education = models.TextField(_("education, profession, courses, licences"), blank=True)
    experience = models.TextField(_("work experience"), blank=True)
    job_search = models.TextField(
        _("how and why the person looks for work, or why not"), blank=True
    )
    self_assessment = models.TextField(_("assessment of the vocational situation"), blank=True)
    skills = models.TextField(_("skills useful at work, interests"), blank=True)
    predispositions = models.TextField(_("vocational predispositions"), blank=True)
    preferences = models.TextField(_("vocational preferences and expectations"), blank=True)
    pup_status = models.CharField(
        _("registration at the labour office"),
        max_length=20,
        choices=PupStatus.choices,
        blank=True,
    )
    pup_since = models.DateField(_("registered since"), null=True, blank=True)
    pup_notes = models.TextField(_("notes on the registration"), blank=True)

    class Meta:
        verbose_name = _("vocational sphere")
        verbose_name_plural = _("vocational spheres")

    def __str__(self):
        return str(Sphere.VOCATIONAL.label)

    def clean(self):
        super().clean()
        if self.pup_since and self.pup_since > timezone.localdate():
            raise ValidationError({"pup_since": _("The date cannot be in the future.")})
        if self.pup_status == PupStatus.NOT_REGISTERED:
            self.pup_since = None


class Job(ParticipantRecord):
    """One job of the person's work history."""

    sphere = models.ForeignKey(VocationalSphere, on_delete=models.PROTECT, related_name="jobs")
    employer = models.CharField(_("employer"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    removed = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-started_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="job_dates_in_order",
                violation_error_message=_("A job cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.employer} ({self.position})" if self.position else self.employer

    def clean(self):
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("A job cannot end before it starts.")})
        today = timezone.localdate()
        if self.started_on and self.started_on > today:
            raise ValidationError({"started_on": _("The date cannot be in the future.")})


SPHERE_MODELS = {
    Sphere.SOCIO_LIVING: SocioLivingSphere,
    Sphere.HEALTH: HealthSphere,
    Sphere.SOCIAL: SocialSphere,
    Sphere.PSYCHOLOGICAL: PsychologicalSphere,
    Sphere.VOCATIONAL: VocationalSphere,
}
SPHERE_RELATED = {
    Sphere.SOCIO_LIVING: "socio_living",
    Sphere.HEALTH: "health",
    Sphere.SOCIAL: "social",
    Sphere.PSYCHOLOGICAL: "psychological",
    Sphere.VOCATIONAL: "vocational",
}


class Tool(models.TextChoices):
    QUESTIONNAIRE = "questionnaire", _("general questionnaire")
    PREFERENCES = "preferences", _("questionnaire of vocational preferences and interests")
    PSYCHOMETRIC = "psychometric", _("psychometric tests of skills and predispositions")
    HOLLAND = "holland", _("Holland test")
    INTERVIEW = "interview", _("individual diagnostic interview")


class ToolUse(ParticipantRecord, Versioned):
    report = models.ForeignKey(DiagnosticReport, on_delete=models.PROTECT, related_name="tools")
    tool = models.CharField(_("tool"), max_length=20, choices=Tool.choices)
    used_on = models.DateField(_("date"))
    used_by = models.ForeignKey(
        StaffMember,
        verbose_name=_("carried out by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    used_by_external = models.CharField(
        _("carried out by (from outside the KIS)"), max_length=200, blank=True
    )
    hours = models.DecimalField(
        _("duration (hours)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("12"))],
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    removed = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("diagnostic tool used")
        verbose_name_plural = _("diagnostic tools used")
        ordering = ["used_on", "pk"]

    def __str__(self):
        return self.get_tool_display()

    def clean(self):
        errors = {}
        if self.used_on and self.used_on > timezone.localdate():
            errors["used_on"] = _("The date cannot be in the future.")
        if not self.used_by_id and not (self.used_by_external or "").strip():
            errors["used_by"] = _("Give who carried it out.")
        if self.tool == Tool.INTERVIEW and self.hours is None:
            errors["hours"] = _("Give how long the interview took (usually 2–3 hours).")
        if errors:
            raise ValidationError(errors)


RIASEC = "RIASEC"


class HollandResult(ParticipantRecord, Versioned):
    """The six RIASEC scores of the Holland test, entered by the psychologist from the paper."""

    report = models.OneToOneField(
        DiagnosticReport, on_delete=models.PROTECT, related_name="holland"
    )
    instrument = models.CharField(
        _("instrument"), max_length=150, default="Kwestionariusz Zainteresowań Zawodowych Hollanda"
    )
    max_score = models.PositiveSmallIntegerField(
        _("maximum score on each scale"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
    )
    realistic = models.PositiveSmallIntegerField(_("R — realistic"))
    investigative = models.PositiveSmallIntegerField(_("I — investigative"))
    artistic = models.PositiveSmallIntegerField(_("A — artistic"))
    social = models.PositiveSmallIntegerField(_("S — social"))
    enterprising = models.PositiveSmallIntegerField(_("E — enterprising"))
    conventional = models.PositiveSmallIntegerField(_("C — conventional"))
    tested_on = models.DateField(_("date of the test"))
    tested_by = models.ForeignKey(
        StaffMember,
        verbose_name=_("psychologist"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    SCALES = ("realistic", "investigative", "artistic", "social", "enterprising", "conventional")

    class Meta:
        verbose_name = _("Holland test result")
        verbose_name_plural = _("Holland test results")

    def __str__(self):
        return str(_("Holland code %(code)s")) % {"code": self.code}

    @property
    def scores(self) -> list[int]:
        return [getattr(self, name) or 0 for name in self.SCALES]

    @property
    def ranking(self) -> list[tuple[str, int]]:
        """Letters by score, highest first; equal scores keep the fixed order R, I, A, S, E, C."""
        pairs = list(zip(RIASEC, self.scores, strict=True))
        return sorted(pairs, key=lambda pair: -pair[1])  # sorted() is stable

    @property
    def code(self) -> str:
        return "".join(letter for letter, _score in self.ranking[:3])

    @property
    def has_tie(self) -> bool:
        """Does a tie decide which letters make the code (or their order)?"""
        ranking = self.ranking
        top = [score for _letter, score in ranking[:3]]
        tie_inside = len(set(top)) < 3
        tie_at_edge = len(ranking) > 3 and ranking[2][1] == ranking[3][1]
        return tie_inside or tie_at_edge

    def clean(self):
        errors = {}
        for name in self.SCALES:
            value = getattr(self, name)
            if value is not None and self.max_score and value > self.max_score:
                errors[name] = _("The score cannot exceed the maximum of %(max)s.") % {
                    "max": self.max_score
                }
        if self.tested_on and self.tested_on > timezone.localdate():
            errors["tested_on"] = _("The date cannot be in the future.")
        if errors:
            raise ValidationError(errors)

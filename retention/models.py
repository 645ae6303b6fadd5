"""How long the club keeps each kind of record, until when each funded project must be kept, and
the anonymisations of files whose every retention period has passed (``retention.anonymise``)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kis_site.models import ParticipantRecord, SignedDocument
from kis_site.registries import SignerSlot
from kis_site.vocabulary import Role


class RecordKind(models.TextChoices):
    PARTICIPATION = "participation", _("participant documentation (after the participation ends)")
    APPLICATION = (
        "application",
        _("application not followed by a participation (after the decision)"),
    )


# The defaults, from a typical operator's records schedule (jednolity rzeczowy wykaz akt of a
# social welfare centre): the manager sets the club's own in the admin. README: "Retencja".
DEFAULT_YEARS = {RecordKind.PARTICIPATION: 10, RecordKind.APPLICATION: 5}


class RetentionRule(models.Model):
    """How many years a kind of record is kept, counted from 1 January of the year after the
    case ended (the archive rule), and whether the archive must consent to its destruction."""

    kind = models.CharField(
        _("kind of record"), max_length=30, choices=RecordKind.choices, unique=True
    )
    years = models.PositiveSmallIntegerField(
        _("kept for (years)"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    archive_consent_required = models.BooleanField(
        _("destruction needs the archive's consent"),
        default=True,
        help_text=_(
            "An archival expert opinion or the consent of the state archive "
            "(ekspertyza archiwalna / zgoda archiwum państwowego): its reference is then required "
            "to confirm an anonymisation."
        ),
    )
    basis = models.CharField(
        _("basis in the records schedule"),
        max_length=200,
        blank=True,
        help_text=_("E.g. the file symbol and archival category of the operator's schedule."),
    )

    class Meta:
        verbose_name = _("retention period")
        verbose_name_plural = _("retention periods")
        ordering = ["kind"]

    def __str__(self):
        return str(self.get_kind_display())

    @classmethod
    def for_kind(cls, kind) -> "RetentionRule":
        rule = cls.objects.filter(kind=kind).first()
        return rule or cls(kind=kind, years=DEFAULT_YEARS[kind], archive_consent_required=True)


class ProjectRetention(models.Model):
    """Until when a funded project's documentation is kept, as the KIS enters it (for EU funds
    the grant agreement says, e.g. 5 years from 31 December of the year of the last payment)."""

    funding_source = models.OneToOneField(
        "kis_site.FundingSource",
        verbose_name=_("funding source"),
        on_delete=models.PROTECT,
        related_name="retention",
    )
    retain_until = models.DateField(
        _("documentation kept until"),
        help_text=_(
            "For EU funds as the grant agreement says, e.g. 5 years from 31 December of the "
            "year of the last payment."
        ),
    )
    basis = models.CharField(_("basis"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("retention of a funded project")
        verbose_name_plural = _("retention of funded projects")
        ordering = ["funding_source__name"]

    def __str__(self):
        return str(self.funding_source)


class Ground(models.TextChoices):
    RETENTION = "retention", _("every retention period has passed")
    ERASURE = "erasure", _("the person's request to erase their data (GDPR art. 17)")


class AnonymisationState(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    DONE = "done", _("anonymised")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Anonymisation(ParticipantRecord):
    """An anonymisation of a file: proposed by the case manager or the manager, confirmed (and
    carried out) by the manager. Kept after the file is anonymised, by its case number."""

    participant = models.ForeignKey(
        "participants.Participant",
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="anonymisations",
    )
    case_number = models.CharField(_("case number"), max_length=30, editable=False)
    ground = models.CharField(_("ground"), max_length=20, choices=Ground.choices)
    reason = models.TextField(
        _("justification"),
        blank=True,
        help_text=_("Emptied when the file is anonymised."),
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=AnonymisationState.choices,
        default=AnonymisationState.PROPOSED,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    proposed_at = models.DateTimeField(default=timezone.now, editable=False)
    archive_reference = models.CharField(
        _("the archive's consent (reference)"),
        max_length=200,
        blank=True,
        help_text=_(
            "The reference of the archival expert opinion or the state archive's consent, where "
            "the operator's records rules require one."
        ),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    destruction = models.ForeignKey(
        "retention.DestructionRecord",
        verbose_name=_("destruction record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="anonymisations",
    )  # the record of the confirmation this file was anonymised in (no identity: case numbers)
    details_kept = models.JSONField(
        _("details kept"), default=list, blank=True, editable=False
    )  # which details the k-anonymity rule kept ("risk_groups", "municipality"): no values
    summary = models.JSONField(
        _("what was destroyed"), default=dict, blank=True, editable=False
    )  # record kinds and counts, for the destruction record: no personal data

    class Meta:
        verbose_name = _("anonymisation")
        verbose_name_plural = _("anonymisations")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                condition=~Q(state="withdrawn"),
                name="one_anonymisation_per_file",
                violation_error_message=_("An anonymisation of this file is already proposed."),
            )
        ]

    def __str__(self):
        return str(_("anonymisation of file %(number)s") % {"number": self.case_number})


class DestructionRecord(SignedDocument):
    """The destruction record (protokół brakowania / protokół anonimizacji) of one confirmation:
    the files anonymised together, by their case numbers, with what was destroyed of each. It
    names no person; signed by the manager in the application and by a member of the
    commission by hand, its signed PDF and scan are kept by the club."""

    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    sequence = models.PositiveIntegerField(_("number in the year"), editable=False)
    drawn_up_on = models.DateField(_("drawn up on"), default=timezone.localdate, editable=False)
    archive_reference = models.CharField(
        _("the archive's consent (reference)"), max_length=200, blank=True, editable=False
    )
    drawn_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    entries = models.JSONField(
        _("what was destroyed"), default=list, blank=True, editable=False
    )  # per file: case number, ground, kind of record, records by kind, files destroyed

    pdf_template = "retention/pdf/record.html"

    class Meta:
        verbose_name = _("destruction record")
        verbose_name_plural = _("destruction records")
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="one_record_number")
        ]

    def __str__(self):
        return str(_("destruction record no. %(number)s") % {"number": self.number})

    @property
    def number(self) -> str:
        return f"{self.sequence}/{self.year}"

    def signer_slots(self) -> list[SignerSlot]:
        """The KIS manager in the application; a member of the commission by hand."""
        return [
            SignerSlot("manager", _("KIS manager"), roles=(Role.MANAGER,)),
            SignerSlot("commission", _("Member of the commission")),
        ]

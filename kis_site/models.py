from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kis_site import memo
from kis_site.gdpr import default_clause
from kis_site.locking import Versioned
from kis_site.validators import validate_logo
from kis_site.vocabulary import Cosigner, Role


class ParticipantRecord(models.Model):
    """Base of models holding participant data: the audit log files each change under its person."""

    class Meta:
        abstract = True

    def get_additional_data(self):
        from kis_site.access import participant_data_for

        registration = participant_data_for(self)
        if registration is None:
            return None
        return {"participant_id": registration.participant_id(self)}


class KisSettings(Versioned):
    """The one settings record of the club: letterhead data and the rules of its regulations."""

    name = models.CharField(_("KIS name"), max_length=200, default="Klub Integracji Społecznej")
    operating_entity = models.CharField(
        _("operating entity"),
        max_length=200,
        blank=True,
        help_text=_("The body that runs the club, e.g. the municipal social welfare centre."),
    )
    programme_name = models.CharField(
        _("programme name on forms"),
        max_length=100,
        default="KIS",
        help_text=_('Printed on forms after "in the project", e.g. "KIS".'),
    )
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    register_number = models.CharField(
        _("entry number in the voivode's KIS register"), max_length=50, blank=True
    )
    logo = models.ImageField(
        _("logo for the letterhead"),
        upload_to="kis/",
        blank=True,
        validators=[validate_logo],
        help_text=_("PNG or JPEG, at most 2 MB."),
    )
    justified_absence_limit = models.PositiveSmallIntegerField(
        _("justified absences allowed"),
        default=4,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "How many justified absences the regulations allow in one participation. "
            "The case for the case manager opens at the next one (the limit plus one)."
        ),
    )
    absence_warning_at_limit = models.BooleanField(
        _("warn at the last allowed justified absence"),
        default=False,
        help_text=_(
            "Open the case already when the limit is reached, for a warning (upomnienie) "
            "before it is exceeded."
        ),
    )
    unjustified_absence_is_breach = models.BooleanField(
        _("an unjustified absence breaches the regulations"), default=True
    )
    change_report_interval_months = models.PositiveSmallIntegerField(
        _("change report every (months)"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(2)],
    )
    change_report_overdue_months = models.PositiveSmallIntegerField(
        _("change report overdue after (months)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
    )
    referrer_letter_months = models.PositiveSmallIntegerField(
        _("progress letter to the referring institution every (months)"),
        default=3,
        validators=[MaxValueValidator(12)],
        help_text=_("0: only the notice of the exit is sent."),
    )
    diagnosis_due_days = models.PositiveSmallIntegerField(
        _("initial diagnosis signed within (days of enrolment)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
        help_text=_("After this, a participation without it is flagged on the start page."),
    )
    plan_due_days = models.PositiveSmallIntegerField(
        _("individual action plan signed within (days of enrolment)"),
        default=45,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
        help_text=_("After this, a participation without it is flagged on the start page."),
    )
    participation_months = models.PositiveSmallIntegerField(
        _("usual participation length (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    change_report_cosigners = models.JSONField(
        _("the change report is also signed by"),
        default=list,
        blank=True,
        help_text=_(
            "The case manager always signs. A change applies to the reports opened after it."
        ),
    )

    rodo_clause = models.TextField(
        _("GDPR information clause"),
        default=default_clause,
        blank=True,
        help_text=_(
            "Printed for the participant's signature from their file. {administrator}, {klub}, "
            "{adres} and {kontakt} are filled in from the settings above; emptied, the default "
            "text is printed."
        ),
    )

    class Meta:
        verbose_name = _("KIS settings")
        verbose_name_plural = _("KIS settings")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        known = set(Cosigner.values)
        chosen = self.change_report_cosigners or []
        if not isinstance(chosen, list) or any(value not in known for value in chosen):
            raise ValidationError(
                {"change_report_cosigners": _("Choose the co-signers from the list.")}
            )
        # One order whatever the order of the ticks: the order of the signatures on the form.
        self.change_report_cosigners = [value for value in Cosigner.values if value in chosen]

    @classmethod
    def load(cls) -> "KisSettings":
        """The settings record: read once per request (``kis_site.memo``), so that every worker
        process sees an edit from the next request on; outside a request, read each time."""
        return memo.remember("kis-settings", cls._read)

    @classmethod
    def _read(cls) -> "KisSettings":
        obj = cls.objects.filter(pk=1).first()
        if obj is None:
            obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        memo.forget("kis-settings")

    @property
    def address(self) -> str:
        town = " ".join(part for part in (self.postal_code, self.city) if part)
        return ", ".join(part for part in (self.street, town) if part)


class EmploymentBasis(models.TextChoices):
    EMPLOYMENT_CONTRACT = "employment", _("employment contract")
    CIVIL_CONTRACT = "civil", _("contract of mandate")
    VOLUNTEER = "volunteer", _("volunteering")
    SECONDED = "seconded", _("seconded from the social welfare centre")
    OTHER = "other", _("other")


class StaffMemberQuerySet(models.QuerySet):
    def active(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(employed_to__isnull=True) | Q(employed_to__gte=on))

    def with_role(self, *roles):
        return self.filter(user__groups__name__in=[role.group_name for role in roles]).distinct()


class StaffMember(Versioned):
    """Someone who works in the club, with or without a login (volunteers, external experts)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    position = models.CharField(_("position"), max_length=150, blank=True)
    employment_basis = models.CharField(
        _("employment basis"),
        max_length=20,
        choices=EmploymentBasis.choices,
        default=EmploymentBasis.EMPLOYMENT_CONTRACT,
    )
    fte = models.DecimalField(
        _("working time (FTE)"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
        help_text=_("Fraction of a full-time post, e.g. 0.5. Or give hours per month."),
    )
    hours_per_month = models.DecimalField(
        _("hours per month"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("400"))],
    )
    employed_from = models.DateField(_("works from"), null=True, blank=True)
    employed_to = models.DateField(_("works until"), null=True, blank=True)
    organisation = models.CharField(
        _("organisation"),
        max_length=200,
        blank=True,
        help_text=_("For external specialists: the institution they come from."),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = StaffMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(employed_to__isnull=True)
                | Q(employed_from__isnull=True)
                | Q(employed_to__gte=models.F("employed_from")),
                name="staff_dates_in_order",
                violation_error_message=_("The end date cannot be earlier than the start date."),
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def clean(self):
        if self.employed_from and self.employed_to and self.employed_to < self.employed_from:
            raise ValidationError(
                {"employed_to": _("The end date cannot be earlier than the start date.")}
            )


class FundingKind(models.TextChoices):
    MUNICIPAL = "municipal", _("municipal budget")
    GRANT = "grant", _("grant")
    EU_PROJECT = "eu_project", _("EU project")
    OTHER = "other", _("other")


class FundingSource(Versioned):
    """A source of money or a project that pays for participations (kept by the manager)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=FundingKind.choices)
    reference = models.CharField(_("agreement or project number"), max_length=100, blank=True)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    is_active = models.BooleanField(pgettext_lazy("funding source", "active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")
        ordering = ["-is_active", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="funding_dates_in_order",
                violation_error_message=_("The end date cannot be earlier than the start date."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError(
                {"ends_on": _("The end date cannot be earlier than the start date.")}
            )


class PendingForm(models.Model):
    """A form posted after its author's session expired, kept to restore after they log in."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    path = models.CharField(max_length=500)
    data = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "path"])]

    def __str__(self):
        return f"{self.path} ({self.created_at:%Y-%m-%d %H:%M})"


class TwoFactorRolePolicy(models.Model):
    """Whether a role must log in with a second factor, as the KIS manager decided. A role
    without a row keeps the default of ``kis_site.two_factor`` (required for the technical
    administrator and the roles that see sensitive sections). Audited."""

    role = models.CharField(_("role"), max_length=30, choices=Role.choices, unique=True)
    required = models.BooleanField(_("two-factor login required"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("two-factor login requirement")
        verbose_name_plural = _("two-factor login requirements")
        ordering = ["role"]

    def __str__(self):
        return str(self.get_role_display())


class RoleGroup(Group):
    """The Django group of a role, shown as "role" in the admin (not a cohort, also a "grupa")."""

    class Meta:
        proxy = True
        verbose_name = _("role")
        verbose_name_plural = _("roles")


# --- Signed documents ------------------------------------------------------------------------


class StoredFile(models.Model):
    """File content kept in the database, written in the same transaction as the record that
    points at it: a rollback never leaves half a document, and backups hold everything."""

    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    data = models.BinaryField()
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self):
        return self.name


class DocumentState(models.TextChoices):
    DRAFT = "draft", _("draft")
    LOCKED = "locked", _("signed")


class SignedDocument(Versioned):
    """Abstract base of every document that is signed: its current version and state.

    The history (earlier versions, their PDFs with SHA-256, signatures, scans) lives in
    DocumentRevision and Signature; kis_site.documents runs the lifecycle.
    """

    revision = models.PositiveIntegerField(_("document version"), default=1, editable=False)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=DocumentState.choices,
        default=DocumentState.DRAFT,
        editable=False,
    )
    locked_at = models.DateTimeField(_("signed by everyone on"), null=True, editable=False)

    BOOKKEEPING = ("id", "version", "revision", "state", "locked_at")

    # The template the document is printed with (its PDF); every document model names its own.
    pdf_template: str

    class Meta:
        abstract = True

    def signer_slots(self) -> list:
        """The signatures this document needs, as SignerSlots (kis_site.registries), in the
        order they are printed. Every document model says its own."""
        raise NotImplementedError(f"{type(self).__name__} does not say who signs it")

    def sensitive_sections(self) -> frozenset:
        """The sensitive sections (vocabulary.Section) this document holds: the printed
        document opens whole only for those who see all of them (and for its signers)."""
        return frozenset()

    @property
    def is_locked(self) -> bool:
        return self.state == DocumentState.LOCKED

    @property
    def signed_by_everyone_on(self):
        """The date the current version was signed (see DocumentRevision.signed_on), or None
        for a draft. ``locked_at`` is only when that was recorded. A list may set
        ``_signed_on`` through kis_site.documents.with_signed_on() to spare a query per row."""
        if not self.is_locked:
            return None
        if "_signed_on" not in self.__dict__:
            self._signed_on = (
                DocumentRevision.objects.filter(
                    content_type=ContentType.objects.get_for_model(self),
                    object_id=self.pk,
                    number=self.revision,
                )
                .values_list("signed_on", flat=True)
                .first()
            )
        return self._signed_on


class RevisionState(models.TextChoices):
    DRAFT = "draft", _("draft")
    LOCKED = "locked", _("signed")
    SUPERSEDED = "superseded", _("replaced by a later version")


class DocumentRevision(models.Model):
    """One version of a signed document: who opened it and why, its signatures, the PDF stored
    at signing with its hash, and the scan of the paper original."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    document = GenericForeignKey("content_type", "object_id")
    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(
        _("state"), max_length=12, choices=RevisionState.choices, default=RevisionState.DRAFT
    )
    reason = models.TextField(_("reason for the new version"), blank=True)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    # When the last signature was recorded in the application (kept for the audit), and the
    # date the version was signed: the latest date among its signatures, as written on the paper
    # or the day of signing in the app. Obligations count from ``signed_on``, never ``locked_at``.
    locked_at = models.DateTimeField(_("last signature recorded"), null=True, blank=True)
    signed_on = models.DateField(_("signed by everyone on"), null=True, blank=True)
    snapshot = models.JSONField(_("content at signing"), null=True, blank=True)
    pdf = models.ForeignKey(
        StoredFile, verbose_name="PDF", on_delete=models.PROTECT, null=True, related_name="+"
    )
    scan = models.ForeignKey(
        StoredFile,
        verbose_name=_("scan of the signed original"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    awaits_scan = models.BooleanField(
        _("waits for the scan of its paper original"), default=False, editable=False
    )  # signed by everyone, someone on paper, no scan yet: the start pages count these
    scan_uploaded_at = models.DateTimeField(_("scan added"), null=True, blank=True)
    scan_uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scan added by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["content_type", "object_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "number"],
                name="one_revision_number",
                violation_error_message=_("This version of the document already exists."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["content_type", "object_id"],
                condition=Q(awaits_scan=True),
                name="revision_awaits_scan",
            )
        ]

    def __str__(self):
        return str(_("version %(number)s") % {"number": self.number})

    def get_additional_data(self):
        from kis_site.access import participant_data_for

        document = self.document
        registration = participant_data_for(document) if document is not None else None
        if registration is None:
            return None
        return {"participant_id": registration.participant_id(document)}


class SignatureMethod(models.TextChoices):
    APP = "app", _("signed in the application")
    PAPER = "paper", _("signed on paper")


class Signature(models.Model):
    """A signature on one version: in the app by the person logged in, or on paper as recorded
    by a staff member. A change to a draft clears signatures (kept, marked cleared)."""

    revision = models.ForeignKey(
        DocumentRevision,
        verbose_name=_("document version"),
        on_delete=models.PROTECT,
        related_name="signatures",
    )
    slot = models.CharField(_("signature slot"), max_length=40)
    slot_label = models.CharField(_("signs as"), max_length=150)
    method = models.CharField(_("how"), max_length=10, choices=SignatureMethod.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by (account)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signer_name = models.CharField(_("signed by"), max_length=200)
    signed_on = models.DateField(_("date of signature"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    cleared_at = models.DateTimeField(_("cleared"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cleared by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["revision", "recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "slot"],
                condition=Q(cleared_at__isnull=True),
                name="one_signature_per_slot",
                violation_error_message=_("This signature has already been given on this version."),
            ),
        ]

    def __str__(self):
        return f"{self.slot_label}: {self.signer_name}"

    def get_additional_data(self):
        return self.revision.get_additional_data()


class ClubDocumentKind(models.TextChoices):
    ORGANISATIONAL_RULES = "organisational_rules", _("organisational regulations")
    PARTICIPATION_RULES = "participation_rules", _("participation regulations")
    PROGRAMME = "programme", _("KIS programme")
    REGISTER_ENTRY = "register_entry", _("notice of the entry in the voivode's register")
    OTHER = "other", _("other document")


class ClubDocumentQuerySet(models.QuerySet):
    def in_force(self, on=None):
        on = on or timezone.localdate()
        return self.filter(in_force_from__lte=on).filter(
            Q(in_force_until__isnull=True) | Q(in_force_until__gte=on)
        )


class ClubDocument(Versioned):
    """The club's own documents (regulations, programme, register entry) as versioned files."""

    kind = models.CharField(_("kind"), max_length=30, choices=ClubDocumentKind.choices)
    title = models.CharField(_("title"), max_length=250)
    version_label = models.CharField(
        _("version"), max_length=50, blank=True, help_text=_("E.g. a resolution number.")
    )
    in_force_from = models.DateField(_("in force from"))
    in_force_until = models.DateField(_("in force until"), null=True, blank=True)
    file = models.ForeignKey(
        StoredFile, verbose_name=_("file"), on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = ClubDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("club document")
        verbose_name_plural = _("club documents")
        ordering = ["kind", "-in_force_from", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(in_force_until__isnull=True)
                | Q(in_force_until__gte=models.F("in_force_from")),
                name="club_document_dates_in_order",
                violation_error_message=_("The end date cannot be earlier than the start date."),
            ),
        ]

    def __str__(self):
        label = f" ({self.version_label})" if self.version_label else ""
        return f"{self.title}{label}"

    def clean(self):
        if self.in_force_until and self.in_force_until < self.in_force_from:
            raise ValidationError(
                {"in_force_until": _("The end date cannot be earlier than the start date.")}
            )

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kis_site.locking import Versioned
from kis_site.validators import validate_logo


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
        help_text=_("The regulations' limit of justified absences in one participation."),
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
    participation_months = models.PositiveSmallIntegerField(
        _("usual participation length (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )

    class Meta:
        verbose_name = _("KIS settings")
        verbose_name_plural = _("KIS settings")

    def __str__(self):
        return self.name

    @classmethod
    def load(cls) -> "KisSettings":
        obj = cls.objects.filter(pk=1).first()
        if obj is None:
            obj, _created = cls.objects.get_or_create(pk=1)
        return obj

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


class RoleGroup(Group):
    """The Django group of a role, shown as "role" in the admin (not a cohort, also a "grupa")."""

    class Meta:
        proxy = True
        verbose_name = _("role")
        verbose_name_plural = _("roles")

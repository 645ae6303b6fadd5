from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kis_site.locking import Versioned
from kis_site.models import SignedDocument, StaffMember
from kis_site.registries import SignerSlot
from kis_site.search import normalise
from kis_site.validators import clean_nip, clean_regon, validate_nip, validate_regon
from kis_site.vocabulary import Role, Sphere


class InstitutionType(models.TextChoices):
    PUP = "pup", _("district labour office (PUP)")
    WUP = "wup", _("voivodeship labour office (WUP)")
    OPS = "ops", _("social welfare centre / MOPS department")
    NGO = "ngo", _("non-governmental organisation")
    EMPLOYER = "employer", _("employer")
    SOCIAL_COOPERATIVE = "social_cooperative", _("social cooperative")
    CIS = "cis", _("social integration centre (CIS)")
    ADDICTION_CENTRE = "addiction_centre", _("addiction-treatment centre")
    HEALTH = "health", _("health care unit")
    CULTURE = "culture", _("culture")
    SPORT = "sport", _("sport")
    EDUCATION = "education", pgettext_lazy("institution type", "education")
    UNIVERSITY = "university", _("university")
    LOCAL_GOVERNMENT = "local_government", _("local government")
    PROBATION = "probation", _("court probation service")
    PRISON = "prison", _("prison or remand centre")
    OTHER = "other", _("other")


# Kinds whose referral tells which risk group a person belongs to (after prison, addiction
# treatment, psychiatric care): who referred them, and why, is risk-group data.
REVEALING_KINDS = frozenset(
    {
        InstitutionType.PROBATION,
        InstitutionType.PRISON,
        InstitutionType.ADDICTION_CENTRE,
        InstitutionType.HEALTH,
    }
)


class InstitutionQuerySet(models.QuerySet):
    def search(self, text: str):
        return self.filter(search_text__contains=normalise(text)) if text else self

    def active(self):
        return self.filter(is_archived=False)


class Institution(Versioned):
    """An institution of the local network: the directory knows no participant."""

    name = models.CharField(_("name"), max_length=250)
    kind = models.CharField(_("type"), max_length=30, choices=InstitutionType.choices)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    nip = models.CharField(_("NIP"), max_length=13, blank=True, validators=[validate_nip])
    regon = models.CharField(_("REGON"), max_length=14, blank=True, validators=[validate_regon])
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    main_contact = models.ForeignKey(
        "ContactPerson",
        verbose_name=_("main contact person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_archived = models.BooleanField(
        _("archived"),
        default=False,
        help_text=_("No longer cooperating: kept with its history, not offered for new work."),
    )
    search_text = models.CharField(max_length=400, editable=False, db_index=True, default="")

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.city})" if self.city else self.name

    @property
    def reveals_risk_group(self) -> bool:
        return self.kind in REVEALING_KINDS

    def clean(self):
        if self.nip:
            self.nip = clean_nip(self.nip)
        if self.regon:
            self.regon = clean_regon(self.regon)
        if self.main_contact_id and self.pk and self.main_contact.institution_id != self.pk:
            raise ValidationError(
                {"main_contact": _("The main contact must work in this institution.")}
            )

    def save(self, *args, **kwargs):
        # A derived column kept in step with the name, whichever path writes the row.
        self.search_text = normalise(f"{self.name} {self.city}")
        super().save(*args, **kwargs)

    @property
    def address(self) -> str:
        town = " ".join(part for part in (self.postal_code, self.city) if part)
        return ", ".join(part for part in (self.street, town) if part)


class ContactPerson(Versioned):
    """A named person to call in an institution."""

    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    position = models.CharField(_("position"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("current contact"), default=True)

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


# --- Agreements, services, the network's meetings ------------------------------------------------


class Agreement(SignedDocument):
    """A partnership agreement (porozumienie) with an institution, signed on paper and scanned."""

    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    number = models.CharField(_("number"), max_length=60, blank=True)
    concluded_on = models.DateField(_("concluded on"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Leave empty for an open-ended one.")
    )
    scope = models.TextField(_("scope of cooperation"))
    institution_signatory = models.CharField(
        _("signs for the institution"), max_length=200, blank=True
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    pdf_template = "partners/pdf/agreement.html"

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-valid_from", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="agreement_term_in_order",
                violation_error_message=_("The agreement cannot end before it starts."),
            ),
        ]

    def __str__(self):
        number = f" {self.number}" if self.number else ""
        return str(_("agreement%(number)s with %(institution)s")) % {
            "number": number,
            "institution": self.institution.name,
        }

    def clean(self):
        if self.valid_until and self.valid_from and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The agreement cannot end before it starts.")})

    def signer_slots(self) -> list[SignerSlot]:
        """The KIS manager in the application; the institution's signatory on paper."""
        return [
            SignerSlot("kis", _("For the KIS: the manager"), roles=(Role.MANAGER,)),
            SignerSlot(
                "institution",
                _("For the partner institution"),
                default_name=lambda a: (
                    a.institution_signatory
                    or (str(a.institution.main_contact) if a.institution.main_contact else "")
                ),
            ),
        ]

    def in_force(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.valid_from <= on and (self.valid_until is None or self.valid_until >= on)


class Service(Versioned):
    """A service an institution offers, tagged with the life spheres it serves: the catalogue
    that referrals and the individual action plans draw on."""

    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="services",
    )
    name = models.CharField(_("name of the service"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    how_to_refer = models.TextField(_("how to refer"), blank=True)
    contact = models.ForeignKey(
        ContactPerson,
        verbose_name=_("contact person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
    )
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["institution__name", "name"]

    def __str__(self):
        return f"{self.name} — {self.institution.name}"

    @property
    def sphere_codes(self) -> list[str]:
        return [row.sphere for row in self.sphere_rows.all()]

    @property
    def spheres_display(self) -> list[str]:
        labels = dict(Sphere.choices)
        return [str(labels[code]) for code in self.sphere_codes]


class ServiceSphere(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="sphere_rows")
    sphere = models.CharField(_("life sphere"), max_length=20, choices=Sphere.choices)

    class Meta:
        verbose_name = _("life sphere of a service")
        verbose_name_plural = _("life spheres of services")
        constraints = [
            models.UniqueConstraint(fields=["service", "sphere"], name="one_row_per_sphere"),
        ]

    def __str__(self):
        return self.get_sphere_display()


class Meeting(Versioned):
    """A meeting of the Local Reintegration Network (LSR) led by the KIS."""

    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    institutions = models.ManyToManyField(
        Institution, verbose_name=_("institutions present"), blank=True, related_name="meetings"
    )
    contacts_present = models.ManyToManyField(
        ContactPerson, verbose_name=_("persons present"), blank=True, related_name="meetings"
    )
    staff_present = models.ManyToManyField(
        StaffMember, verbose_name=_("KIS staff present"), blank=True, related_name="lsr_meetings"
    )
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    next_meeting_on = models.DateField(_("next meeting"), null=True, blank=True)

    class Meta:
        verbose_name = _("network meeting")
        verbose_name_plural = _("network meetings")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return str(_("network meeting of %(date)s")) % {"date": self.held_on.strftime("%d.%m.%Y")}

    def clean(self):
        if self.next_meeting_on and self.held_on and self.next_meeting_on <= self.held_on:
            raise ValidationError(
                {"next_meeting_on": _("The next meeting must come after this one.")}
            )


class TaskStatus(models.TextChoices):
    OPEN = "open", _("to do")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    CANCELLED = "cancelled", pgettext_lazy("task", "cancelled")


class MeetingTask(Versioned):
    """A decision of a network meeting, as a task with an owner and a due date."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="tasks"
    )
    description = models.TextField(_("decision or task"))
    owner_staff = models.ForeignKey(
        StaffMember,
        verbose_name=_("owner (KIS staff)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lsr_tasks",
    )
    owner_contact = models.ForeignKey(
        ContactPerson,
        verbose_name=_("owner (partner's contact person)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lsr_tasks",
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("task of the network")
        verbose_name_plural = _("tasks of the network")
        ordering = ["status", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_staff__isnull=True) | Q(owner_contact__isnull=True),
                name="task_has_one_owner",
                violation_error_message=_("Give one owner: a staff member or a contact person."),
            ),
        ]

    def __str__(self):
        return self.description[:80]

    @property
    def owner(self):
        return self.owner_staff or self.owner_contact

    @property
    def is_open(self) -> bool:
        return self.status in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)

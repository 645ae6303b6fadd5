from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kis_site.locking import Versioned
from kis_site.search import normalise
from kis_site.validators import clean_nip, clean_regon, validate_nip, validate_regon


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
    OTHER = "other", _("other")


class InstitutionQuerySet(models.QuerySet):
    def search(self, text: str):
        return self.filter(search_text__contains=normalise(text)) if text else self


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
    search_text = models.CharField(max_length=400, editable=False, db_index=True, default="")

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.city})" if self.city else self.name

    def clean(self):
        if self.nip:
            self.nip = clean_nip(self.nip)
        if self.regon:
            self.regon = clean_regon(self.regon)

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

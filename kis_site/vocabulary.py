"""The shared vocabulary of the KIS: life spheres, roles, sensitive sections, risk groups.

Every app speaks these words; they live here, on the left of the dependency line, so that no app
has to import a neighbour to name them.
"""

from functools import cache

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sphere(models.TextChoices):
    """The five life spheres of the diagnosis, the IPD and the change report."""

    SOCIO_LIVING = "socio_living", _("Socio-living sphere")
    HEALTH = "health", _("Health sphere")
    SOCIAL = "social", _("Social sphere")
    PSYCHOLOGICAL = "psychological", _("Psychological sphere")
    VOCATIONAL = "vocational", _("Vocational sphere")


class Section(models.TextChoices):
    """Sensitive sections of a participant's data (special-category data under the GDPR)."""

    HEALTH = "health", _("Health")
    PSYCHOLOGICAL = "psychological", _("Psychological")
    LEGAL = "legal", _("Legal and criminal record")
    RISK_GROUPS = "risk_groups", _("Risk groups")


ALL_SECTIONS = frozenset(Section)

# Spheres whose whole content is a sensitive section (the IPD and change reports follow this too).
SPHERE_SECTIONS = {Sphere.HEALTH: Section.HEALTH, Sphere.PSYCHOLOGICAL: Section.PSYCHOLOGICAL}


def sphere_visible(sphere, sections) -> bool:
    """May someone who sees ``sections`` see ``sphere`` (the sensitive spheres need theirs)?"""
    section = SPHERE_SECTIONS.get(sphere)
    return section is None or section in sections


def sphere_section(sphere, legal_matter: bool = False) -> str:
    """The section a record about ``sphere`` belongs to ("" for none): the sphere's own, or the
    legal section for a legal matter (debts, court, criminal record) in an open sphere."""
    section = SPHERE_SECTIONS.get(sphere)
    if section is not None:
        return section.value
    return Section.LEGAL.value if legal_matter else ""


class Role(models.TextChoices):
    """Staff roles. Each is a Django group named with the role's Polish label."""

    MANAGER = "manager", _("KIS manager")
    CASE_MANAGER = "case_manager", _("Case manager")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    CAREER_ADVISOR = "career_advisor", _("Career advisor")
    PEDAGOGUE = "pedagogue", _("Pedagogue")
    LAWYER = "lawyer", _("Lawyer")
    THERAPIST = "therapist", _("Therapist")
    TRAINER = "trainer", _("Trainer")
    ADMINISTRATOR = "administrator", _("Administrator")

    @property
    def group_name(self) -> str:
        """The name of the Django group of this role: data in Polish, independent of gettext."""
        return ROLE_GROUP_NAMES[self]

    @classmethod
    def from_group_name(cls, name: str) -> "Role | None":
        return _roles_by_group_name().get(name)


class Cosigner(models.TextChoices):
    """Who else signs a change report besides the case manager, as the KIS configures it."""

    PARTICIPANT = "participant", _("the participant (on paper)")
    SOCIAL_WORKER = "social_worker", _("a social worker")
    PSYCHOLOGIST = "psychologist", _("a psychologist")
    CAREER_ADVISOR = "career_advisor", _("a career advisor")
    MANAGER = "manager", _("the KIS manager")


ROLE_GROUP_NAMES = {
    Role.MANAGER: "Kierownik KIS",
    Role.CASE_MANAGER: "Case manager",
    Role.SOCIAL_WORKER: "Pracownik socjalny",
    Role.PSYCHOLOGIST: "Psycholog",
    Role.CAREER_ADVISOR: "Doradca zawodowy",
    Role.PEDAGOGUE: "Pedagog",
    Role.LAWYER: "Prawnik",
    Role.THERAPIST: "Terapeuta",
    Role.TRAINER: "Prowadzący zajęcia",
    Role.ADMINISTRATOR: "Administrator",
}


@cache
def _roles_by_group_name() -> dict[str, Role]:
    return {role.group_name: role for role in Role}


class RiskGroup(models.TextChoices):
    """Groups of art. 1 ust. 2 of the social employment act (Dz.U. 2025 poz. 83), plus "other"."""

    HOMELESS = (
        "homeless",
        _("Homeless, carrying out an individual programme of leaving homelessness"),
    )
    ALCOHOL = "alcohol", _("Alcohol-dependent")
    DRUGS = "drugs", _("Drug-dependent")
    MENTAL_DISORDER = "mental_disorder", _("Person with mental disorders")
    LONG_TERM_UNEMPLOYED = "long_term_unemployed", _("Long-term unemployed")
    EX_PRISONER = "ex_prisoner", _("Released from prison, with difficulty integrating")
    REFUGEE = "refugee", _("Refugee carrying out an individual integration programme")
    DISABLED = "disabled", _("Disabled person")
    OTHER = "other", _("Other person at risk of social exclusion")

    @classmethod
    def statutory(cls) -> list["RiskGroup"]:
        return [group for group in cls if group != cls.OTHER]

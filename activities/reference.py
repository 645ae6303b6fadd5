"""Reference data every database gets after migrate: the default programme (the Radom 38-week
cycle of shared/domain.md §5, data in Polish) and the default rates of socially useful work."""

from datetime import date
from decimal import Decimal

from django.apps import apps as global_apps

RADOM = "Program KIS Radom — cykl 38-tygodniowy"

# name, category, form, hours, basis
RADOM_MODULES = [
    ("Indywidualny wywiad diagnostyczny", "social", "interview", "3", "individual"),
    ("Psychoedukacja", "social", "workshop", "48", "per_participant"),
    (
        "Spotkania wspierające z pracownikiem socjalnym (opiekun grupy)",
        "social",
        "workshop",
        "80",
        "per_participant",
    ),
    (
        "Konsultacje indywidualne (psycholog, pedagog, prawnik, doradca zawodowy)",
        "social",
        "consultation",
        "38",
        "pool",
    ),
    ("Zajęcia integracyjno-rekreacyjne", "social", "outing", "27", "per_participant"),
    ("Edukacja nieformalna i samokształcenie", "social", "non_formal", "36", "per_participant"),
    ("Grupa samopomocowa", "social", "self_help", "38", "per_participant"),
    (
        "Aktywność społeczna w środowisku lokalnym",
        "social",
        "social_activity",
        "82",
        "per_participant",
    ),
    ("Badanie preferencji zawodowych", "vocational", "workshop", "30", "per_participant"),
    ("Aktywne postawy na rynku pracy", "vocational", "workshop", "15", "per_participant"),
    (
        "Kurs: podstawy obsługi komputera i internetu",
        "vocational",
        "course",
        "30",
        "per_participant",
    ),
    (
        "Kurs: prowadzenie działalności gospodarczej",
        "vocational",
        "course",
        "15",
        "per_participant",
    ),
]


def ensure_default_programme(sender=None, apps=global_apps, **kwargs):
    """Ship the Radom programme as the default template (once: the manager may change it)."""
    ProgrammeTemplate = apps.get_model("activities", "ProgrammeTemplate")
    TemplateModule = apps.get_model("activities", "TemplateModule")
    if ProgrammeTemplate.objects.exists():
        return
    template = ProgrammeTemplate.objects.create(
        name=RADOM,
        weeks=38,
        is_default=True,
        description=(
            "Zajęcia 3 razy w tygodniu po ok. 4 godziny. Godziny grupowe: uczestnik obecny na "
            "wszystkich zajęciach otrzymuje je w całości; konsultacje to dyżury specjalistów "
            "(2 godziny co dwa tygodnie) dla całej grupy; wywiad diagnostyczny 2–3 godziny "
            "na osobę."
        ),
    )
    TemplateModule.objects.bulk_create(
        [
            TemplateModule(
                template=template,
                name=name,
                category=category,
                form=form,
                hours=Decimal(hours),
                basis=basis,
                order=order,
            )
            for order, (name, category, form, hours, basis) in enumerate(RADOM_MODULES, start=1)
        ]
    )


# Socially useful work (PSU) from 1 June 2025, the act of 20 March 2025 on the labour market and
# employment services: the manager checks these against the starosta–gmina agreement and adds a
# row from the date of any change (earlier months keep the values in force then).
PSU_DEFAULTS = {
    "valid_from": date(2025, 6, 1),
    "hourly_rate": Decimal("12.00"),
    "refund_percent": Decimal("60"),
    "monthly_hours_limit": Decimal("40"),
    "basis": "Ustawa z dnia 20 marca 2025 r. o rynku pracy i służbach zatrudnienia "
    "(Dz.U. 2025 poz. 620); porozumienie starosty z gminą",
}


def ensure_psu_rates(sender=None, apps=global_apps, **kwargs):
    """Ship default PSU rates (once: afterwards they are the manager's)."""
    PsuRates = apps.get_model("activities", "PsuRates")
    if not PsuRates.objects.exists():
        PsuRates.objects.create(**PSU_DEFAULTS)

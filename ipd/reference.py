"""The default catalogue of actions: the KSR table of shared/domain.md §4.3 (data in Polish)."""

from django.apps import apps as global_apps

# sphere -> [(name, kind, legal matter)]
KSR_CATALOGUE = {
    "socio_living": [
        ("Zasiłek z ośrodka pomocy społecznej", "referral", False),
        ("Świadczenie integracyjne", "referral", False),
        ("Ubezpieczenie zdrowotne i społeczne", "referral", False),
        ("Pomoc w sprawach mieszkaniowych", "referral", False),
        ("Praca z zadłużeniem", "consultation", True),
        ("Posiłki", "referral", False),
        ("Bilety na przejazdy", "own_task", False),
        ("Ubezpieczenie od następstw nieszczęśliwych wypadków", "referral", False),
        ("Pomoc prawna", "consultation", True),
    ],
    "health": [
        ("Badania z zakresu medycyny pracy", "referral", False),
        ("Dostęp do lekarza pierwszego kontaktu", "referral", False),
        ("Szkolenie zdrowotne „ABC zdrowia”", "module", False),
        ("Szkolenie z zakresu żywienia", "module", False),
        ("Zajęcia sportowe", "module", False),
        ("Orzeczenie o stopniu niepełnosprawności", "referral", False),
    ],
    "vocational": [
        ("Poradnictwo zawodowe", "consultation", False),
        ("Targi pracy", "own_task", False),
        ("Klub pracy", "module", False),
        ("Warsztaty zawodowe", "module", False),
        ("Staż", "placement", False),
        ("Praktyka zawodowa", "placement", False),
        ("Kurs kwalifikacyjny", "module", False),
        ("Szkolenie z zakresu ekonomii społecznej", "module", False),
    ],
    "psychological": [
        ("Poradnictwo psychologiczne", "consultation", False),
        ("Terapia", "consultation", False),
        ("Konsultacje ze specjalistą terapii uzależnień", "referral", False),
        ("Grupa wsparcia", "module", False),
        ("Grupa samopomocowa", "module", False),
        ("Wsparcie asystenta", "referral", False),
        ("Zajęcia grupowe z psychologiem", "module", False),
    ],
    "social": [
        ("Klub osiedlowy", "referral", False),
        ("Klub seniora", "referral", False),
        ("Udział we wspólnocie", "own_task", False),
        ("Wolontariat", "own_task", False),
        ("Koło zainteresowań", "referral", False),
        (
            "Dostęp do kultury (karta mieszkańca, bezpłatne wejścia do muzeów i na mecze)",
            "own_task",
            False,
        ),
    ],
}


def ensure_default_catalogue(sender=None, apps=global_apps, **kwargs):
    """Ship the KSR table as the catalogue (once: the manager keeps it afterwards)."""
    CatalogueEntry = apps.get_model("ipd", "CatalogueEntry")
    if CatalogueEntry.objects.exists():
        return
    CatalogueEntry.objects.bulk_create(
        [
            CatalogueEntry(sphere=sphere, name=name, kind=kind, legal_matter=legal, order=index)
            for sphere, entries in KSR_CATALOGUE.items()
            for index, (name, kind, legal) in enumerate(entries)
        ]
    )

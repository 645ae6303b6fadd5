"""Demo institutions of a local reintegration network, with named contact persons."""

from partners.models import ContactPerson, Institution, InstitutionType

NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)
REGON_WEIGHTS = (8, 9, 2, 3, 4, 5, 6, 7)


def make_nip(seed: int) -> str:
    body = f"{796 + seed % 100:03d}{(seed * 7919) % 1000000:06d}"
    while True:
        check = sum(int(d) * w for d, w in zip(body, NIP_WEIGHTS, strict=True)) % 11
        if check != 10:
            return body + str(check)
        body = f"{int(body) + 1:09d}"


def make_regon(seed: int) -> str:
    body = f"{(seed * 104729 + 14000000) % 100000000:08d}"
    check = sum(int(d) * w for d, w in zip(body, REGON_WEIGHTS, strict=True)) % 11 % 10
    return body + str(check)


DEMO_INSTITUTIONS = [
    (
        "Miejski Ośrodek Pomocy Społecznej w Radomiu — Dział Pomocy Środowiskowej",
        InstitutionType.OPS,
        "ul. Słowackiego 18",
        [("Beata", "Sowa", "starszy pracownik socjalny")],
    ),
    (
        "Miejski Ośrodek Pomocy Społecznej w Radomiu — Dział Świadczeń",
        InstitutionType.OPS,
        "ul. Słowackiego 18",
        [("Halina", "Borek", "kierownik działu")],
    ),
    (
        "Powiatowy Urząd Pracy w Radomiu",
        InstitutionType.PUP,
        "ul. Ściegiennego 2",
        [
            ("Grzegorz", "Lis", "doradca klienta"),
            ("Iwona", "Dziedzic", "specjalista ds. programów"),
        ],
    ),
    (
        "Caritas Diecezji Radomskiej",
        InstitutionType.NGO,
        "ul. Kościuszki 5",
        [("Ryszard", "Cichy", "koordynator")],
    ),
    (
        "Stowarzyszenie Bezrobotnych „Nadzieja”",
        InstitutionType.NGO,
        "ul. Żeromskiego 51",
        [("Dorota", "Ptak", "prezes zarządu")],
    ),
    (
        "Ośrodek Terapii Uzależnień w Radomiu",
        InstitutionType.ADDICTION_CENTRE,
        "ul. Struga 10",
        [("Krzysztof", "Adamski", "psychoterapeuta")],
    ),
    (
        "Zespół Kuratorskiej Służby Sądowej przy Sądzie Rejonowym w Radomiu",
        InstitutionType.PROBATION,
        "ul. Warszawska 1",
        [("Jerzy", "Kos", "kurator zawodowy")],
    ),
    (
        "Centrum Integracji Społecznej w Radomiu",
        InstitutionType.CIS,
        "ul. Wernera 7",
        [("Monika", "Sarna", "kierownik CIS")],
    ),
    (
        "Spółdzielnia Socjalna „Razem”",
        InstitutionType.SOCIAL_COOPERATIVE,
        "ul. Limanowskiego 90",
        [("Leszek", "Wilk", "prezes")],
    ),
    (
        "Przedsiębiorstwo Gospodarki Komunalnej Radom sp. z o.o.",
        InstitutionType.EMPLOYER,
        "ul. Witosa 94",
        [("Urszula", "Gaj", "specjalista ds. kadr")],
    ),
    (
        "Miejska Biblioteka Publiczna w Radomiu",
        InstitutionType.CULTURE,
        "ul. Piłsudskiego 12",
        [("Renata", "Wrona", "animatorka")],
    ),
    (
        "Uniwersytet Radomski — Wydział Nauk Humanistycznych",
        InstitutionType.UNIVERSITY,
        "ul. Chrobrego 27",
        [("Adam", "Bąk", "opiekun praktyk studenckich")],
    ),
]


def seed_partners() -> dict[str, Institution]:
    institutions = {}
    for index, (name, kind, street, contacts) in enumerate(DEMO_INSTITUTIONS, start=1):
        institution, created = Institution.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "street": street,
                "postal_code": "26-600",
                "city": "Radom",
                "nip": make_nip(index) if kind != InstitutionType.OPS else make_nip(1),
                "regon": make_regon(index),
                "phone": f"48 36{index % 10} {10 + index:02d} {20 + index:02d}",
            },
        )
        if created:
            for first, last, position in contacts:
                ContactPerson.objects.create(
                    institution=institution,
                    first_name=first,
                    last_name=last,
                    position=position,
                    phone=f"48 36{index % 10} {30 + index:02d} {40 + index:02d}",
                    email=f"{last.lower()}@example.pl".replace("ó", "o").replace("ł", "l"),
                )
        institutions[kind if kind not in institutions else name] = institution
    return institutions

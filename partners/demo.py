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


DEMO_SERVICES = [
    ("pup", "Poradnictwo zawodowe i pośrednictwo pracy", ["vocational"]),
    ("pup", "Staże i prace społecznie użyteczne", ["vocational"]),
    ("addiction_centre", "Terapia uzależnień i grupa wsparcia", ["health", "psychological"]),
    ("ngo", "Klub pracy i warsztaty aktywnego poszukiwania pracy", ["vocational", "social"]),
    ("ops", "Pomoc społeczna i świadczenia", ["socio_living"]),
    ("probation", "Współpraca z kuratorem sądowym", ["socio_living", "social"]),
    ("culture", "Zajęcia kulturalne i wolontariat", ["social"]),
    ("cis", "Reintegracja zawodowa w CIS", ["vocational", "social"]),
]


def seed_network(today, by) -> None:
    """Services, agreements (one ending soon) and a network meeting with its tasks."""
    from datetime import timedelta

    from kis_site import documents
    from kis_site.models import StaffMember
    from partners import services
    from partners.models import Agreement, Meeting, MeetingTask, Service, TaskStatus

    if Service.objects.exists():
        return
    for institution in Institution.objects.all():
        first = institution.contacts.first()
        if first and institution.main_contact_id is None:
            institution.main_contact = first
            institution.save(update_fields=["main_contact"])
    institutions = {
        institution.kind: institution
        for institution in Institution.objects.select_related("main_contact")
    }
    for kind, name, spheres in DEMO_SERVICES:
        institution = institutions.get(kind)
        if institution is None:
            continue
        service = Service.objects.create(
            institution=institution,
            name=name,
            contact=institution.main_contact,
            how_to_refer="Skierowanie pisemne z KIS; kontakt telefoniczny z osobą kontaktową.",
        )
        services.service_set_spheres(service=service, spheres=spheres)
    for kind, days, sign in [
        ("pup", 300, True),
        ("addiction_centre", 45, True),
        ("ngo", None, False),
    ]:
        institution = institutions.get(kind)
        agreement = services.agreement_create(
            agreement=Agreement(
                institution=institution,
                number=f"POR/{today.year}/{institution.pk}",
                concluded_on=today - timedelta(days=200),
                valid_from=today - timedelta(days=200),
                valid_until=today + timedelta(days=days) if days else None,
                scope="Wzajemne kierowanie uczestników, konsultacje specjalistów, udział w "
                "spotkaniach Lokalnej Sieci Reintegracji.",
                institution_signatory=str(institution.main_contact or ""),
            ),
            by=by,
        )
        if sign:
            documents.document_sign(document=agreement, slot_key="kis", user=by)
            documents.document_record_paper_signature(
                document=agreement,
                slot_key="institution",
                signer_name=agreement.institution_signatory or institution.name,
                signed_on=agreement.concluded_on,
                by=by,
            )
    meeting = Meeting.objects.create(
        held_on=today - timedelta(days=21),
        place="Sala szkoleniowa KIS, ul. Słowackiego 18",
        agenda="1. Miejsca staży w przyszłym roku.\n2. Grupa wsparcia dla osób po terapii.\n"
        "3. Wspólne wydarzenie na zakończenie edycji.",
        minutes="Omówiono potrzeby uczestników bieżącej edycji. PUP przedstawił plan staży; "
        "Ośrodek Terapii Uzależnień zaproponował dyżury terapeuty w KIS.",
        next_meeting_on=today + timedelta(days=70),
    )
    meeting.institutions.set(
        Institution.objects.filter(kind__in=["pup", "addiction_centre", "ngo", "ops"])
    )
    meeting.staff_present.set(StaffMember.objects.filter(user__username__in=["kierownik", "case1"]))
    meeting.contacts_present.set(
        [i.main_contact for i in meeting.institutions.all() if i.main_contact_id]
    )
    pup = institutions.get("pup")
    MeetingTask.objects.create(
        meeting=meeting,
        description="Przekazać listę miejsc staży na I kwartał.",
        owner_contact=pup.main_contact if pup else None,
        due_on=today + timedelta(days=7),
    )
    MeetingTask.objects.create(
        meeting=meeting,
        description="Ustalić harmonogram dyżurów terapeuty w KIS.",
        owner_staff=StaffMember.objects.filter(user__username="kierownik").first(),
        due_on=today - timedelta(days=2),
    )
    MeetingTask.objects.create(
        meeting=meeting,
        description="Zaprosić spółdzielnię socjalną na kolejne spotkanie.",
        owner_staff=StaffMember.objects.filter(user__username="case1").first(),
        status=TaskStatus.DONE,
        done_on=today - timedelta(days=10),
    )

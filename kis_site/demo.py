"""Demo data of the club itself: settings, staff with logins for every role, funding sources.

Also the Polish names and valid PESEL numbers the other apps' demo data and the benchmark use.
"""

import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from kis_site.documents import current_revision, document_sign
from kis_site.models import EmploymentBasis, FundingKind, FundingSource, KisSettings, StaffMember
from kis_site.vocabulary import Role

DEMO_PASSWORD = "Demo-KIS-2026!"

# username, first name, last name, role, position, basis, fte
DEMO_STAFF = [
    (
        "kierownik",
        "Anna",
        "Nowak",
        Role.MANAGER,
        "kierownik KIS",
        EmploymentBasis.EMPLOYMENT_CONTRACT,
        "1.00",
    ),
    (
        "case1",
        "Marek",
        "Wiśniewski",
        Role.CASE_MANAGER,
        "case manager",
        EmploymentBasis.EMPLOYMENT_CONTRACT,
        "1.00",
    ),
    (
        "case2",
        "Katarzyna",
        "Zielińska",
        Role.CASE_MANAGER,
        "case manager",
        EmploymentBasis.SECONDED,
        "1.00",
    ),
    (
        "socjalny",
        "Joanna",
        "Kamińska",
        Role.SOCIAL_WORKER,
        "pracownik socjalny",
        EmploymentBasis.EMPLOYMENT_CONTRACT,
        "1.00",
    ),
    (
        "psycholog",
        "Tomasz",
        "Lewandowski",
        Role.PSYCHOLOGIST,
        "psycholog",
        EmploymentBasis.CIVIL_CONTRACT,
        None,
    ),
    (
        "doradca",
        "Agnieszka",
        "Wójcik",
        Role.CAREER_ADVISOR,
        "doradca zawodowy",
        EmploymentBasis.EMPLOYMENT_CONTRACT,
        "0.50",
    ),
    (
        "pedagog",
        "Paweł",
        "Kaczmarek",
        Role.PEDAGOGUE,
        "pedagog",
        EmploymentBasis.EMPLOYMENT_CONTRACT,
        "0.50",
    ),
    ("prawnik", "Ewa", "Mazur", Role.LAWYER, "prawnik", EmploymentBasis.CIVIL_CONTRACT, None),
    (
        "terapeuta",
        "Piotr",
        "Krawczyk",
        Role.THERAPIST,
        "terapeuta uzależnień",
        EmploymentBasis.CIVIL_CONTRACT,
        None,
    ),
    (
        "trener",
        "Michał",
        "Dąbrowski",
        Role.TRAINER,
        "trener IT",
        EmploymentBasis.CIVIL_CONTRACT,
        None,
    ),
    (
        "admin",
        "Robert",
        "Szymański",
        Role.ADMINISTRATOR,
        "informatyk",
        EmploymentBasis.SECONDED,
        "0.25",
    ),
]

FEMALE_NAMES = [
    "Anna",
    "Maria",
    "Katarzyna",
    "Małgorzata",
    "Agnieszka",
    "Barbara",
    "Ewa",
    "Krystyna",
    "Elżbieta",
    "Zofia",
    "Joanna",
    "Teresa",
    "Danuta",
    "Magdalena",
    "Monika",
    "Jadwiga",
    "Beata",
    "Aleksandra",
    "Halina",
    "Irena",
    "Dorota",
    "Grażyna",
    "Justyna",
    "Renata",
    "Łucja",
    "Żaneta",
    "Urszula",
    "Wiesława",
    "Bożena",
    "Iwona",
]
MALE_NAMES = [
    "Piotr",
    "Krzysztof",
    "Andrzej",
    "Tomasz",
    "Jan",
    "Paweł",
    "Michał",
    "Marcin",
    "Stanisław",
    "Jakub",
    "Adam",
    "Marek",
    "Łukasz",
    "Grzegorz",
    "Mateusz",
    "Wojciech",
    "Mariusz",
    "Dariusz",
    "Zbigniew",
    "Jerzy",
    "Ryszard",
    "Tadeusz",
    "Sławomir",
    "Józef",
    "Kazimierz",
    "Bogdan",
    "Zdzisław",
    "Henryk",
    "Leszek",
    "Wiesław",
]
# (male form, female form)
SURNAMES = [
    ("Kowalski", "Kowalska"),
    ("Wiśniewski", "Wiśniewska"),
    ("Wójcik", "Wójcik"),
    ("Kowalczyk", "Kowalczyk"),
    ("Kamiński", "Kamińska"),
    ("Lewandowski", "Lewandowska"),
    ("Zieliński", "Zielińska"),
    ("Szymański", "Szymańska"),
    ("Woźniak", "Woźniak"),
    ("Dąbrowski", "Dąbrowska"),
    ("Kozłowski", "Kozłowska"),
    ("Jankowski", "Jankowska"),
    ("Mazur", "Mazur"),
    ("Kwiatkowski", "Kwiatkowska"),
    ("Krawczyk", "Krawczyk"),
    ("Piotrowski", "Piotrowska"),
    ("Grabowski", "Grabowska"),
    ("Nowakowski", "Nowakowska"),
    ("Pawłowski", "Pawłowska"),
    ("Michalski", "Michalska"),
    ("Nowicki", "Nowicka"),
    ("Adamczyk", "Adamczyk"),
    ("Dudek", "Dudek"),
    ("Zając", "Zając"),
    ("Wieczorek", "Wieczorek"),
    ("Jabłoński", "Jabłońska"),
    ("Król", "Król"),
    ("Majewski", "Majewska"),
    ("Olszewski", "Olszewska"),
    ("Jaworski", "Jaworska"),
    ("Wróbel", "Wróbel"),
    ("Malinowski", "Malinowska"),
    ("Pawlak", "Pawlak"),
    ("Witkowski", "Witkowska"),
    ("Walczak", "Walczak"),
    ("Stępień", "Stępień"),
    ("Górski", "Górska"),
    ("Rutkowski", "Rutkowska"),
    ("Michalak", "Michalak"),
    ("Sikora", "Sikora"),
    ("Ostrowski", "Ostrowska"),
    ("Baran", "Baran"),
    ("Duda", "Duda"),
    ("Szewczyk", "Szewczyk"),
    ("Tomaszewski", "Tomaszewska"),
    ("Pietrzak", "Pietrzak"),
    ("Marciniak", "Marciniak"),
    ("Wróblewski", "Wróblewska"),
    ("Zalewski", "Zalewska"),
    ("Jakubowski", "Jakubowska"),
    ("Łuczak", "Łuczak"),
    ("Śliwiński", "Śliwińska"),
    ("Żak", "Żak"),
    ("Ćwik", "Ćwik"),
]
STREETS = [
    "ul. Kościuszki",
    "ul. Mickiewicza",
    "ul. Słowackiego",
    "ul. Piłsudskiego",
    "ul. Długa",
    "ul. Krótka",
    "ul. Ogrodowa",
    "ul. Lipowa",
    "ul. Polna",
    "ul. Leśna",
    "ul. Sienkiewicza",
    "ul. Żeromskiego",
    "ul. Wojska Polskiego",
    "ul. Łąkowa",
    "os. Słoneczne",
]

PESEL_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)


def make_pesel(born: date, female: bool, serial: int) -> str:
    """A valid PESEL for a birth date and sex (serial 0–999 keeps numbers apart)."""
    month = born.month + (20 if born.year >= 2000 else 0)
    sex_digit = (serial % 5) * 2 + (0 if female else 1)
    body = f"{born.year % 100:02d}{month:02d}{born.day:02d}{serial % 1000:03d}{sex_digit}"
    check = (10 - sum(int(d) * w for d, w in zip(body, PESEL_WEIGHTS, strict=True)) % 10) % 10
    return body + str(check)


def random_person(rng: random.Random, serial: int, *, min_age=19, max_age=63, today=None):
    today = today or date.today()
    female = rng.random() < 0.45
    first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
    male_form, female_form = rng.choice(SURNAMES)
    born = today - timedelta(days=rng.randint(min_age * 365, max_age * 365))
    return {
        "first_name": first,
        "last_name": female_form if female else male_form,
        "birth_date": born,
        "sex": "F" if female else "M",
        "pesel": make_pesel(born, female, serial),
        "street": f"{rng.choice(STREETS)} {rng.randint(1, 120)}"
        + (f"/{rng.randint(1, 40)}" if rng.random() < 0.6 else ""),
        "postal_code": "26-600",
        "city": "Radom",
        "phone": f"{rng.choice([5, 6, 7, 8])}{rng.randint(10, 99)} {rng.randint(100, 999)} "
        f"{rng.randint(100, 999)}",
    }


def seed_club(today: date) -> dict[str, StaffMember]:
    """The settings record, every role's demo account, volunteers and funding sources."""
    settings = KisSettings.load()
    if settings.operating_entity == "":
        settings.name = "Klub Integracji Społecznej „Krok dalej”"
        settings.operating_entity = "Miejski Ośrodek Pomocy Społecznej w Radomiu"
        settings.street = "ul. Słowackiego 18"
        settings.postal_code = "26-600"
        settings.city = "Radom"
        settings.phone = "48 362 11 00"
        settings.email = "kis@mops.radom.example.pl"
        settings.register_number = "KIS/14/2021"
        settings.save()

    User = get_user_model()
    staff = {}
    for username, first, last, role, position, basis, fte in DEMO_STAFF:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@kis.example.pl",
                "is_staff": role in (Role.MANAGER, Role.ADMINISTRATOR),
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get(name=role.group_name))
        member, _ = StaffMember.objects.get_or_create(
            user=user,
            defaults={
                "first_name": first,
                "last_name": last,
                "position": position,
                "employment_basis": basis,
                "fte": fte,
                "hours_per_month": None if fte else 40,
                "employed_from": date(2021, 3, 1),
                "email": user.email,
            },
        )
        staff[username] = member
    StaffMember.objects.get_or_create(
        first_name="Zofia",
        last_name="Pawlak",
        defaults={
            "position": "wolontariuszka, grupa wsparcia",
            "employment_basis": EmploymentBasis.VOLUNTEER,
            "hours_per_month": 12,
            "employed_from": today.replace(day=1) - timedelta(days=200),
        },
    )
    StaffMember.objects.get_or_create(
        first_name="Krzysztof",
        last_name="Adamski",
        defaults={
            "position": "psychoterapeuta (dyżury konsultacyjne)",
            "employment_basis": EmploymentBasis.OTHER,
            "organisation": "Ośrodek Terapii Uzależnień w Radomiu",
            "hours_per_month": 8,
        },
    )
    for name, kind, reference in [
        ("Budżet gminy Radom", FundingKind.MUNICIPAL, ""),
        ("Program „Aktywni razem” (EFS+)", FundingKind.EU_PROJECT, "FERS.08.01-IP.01-0042/25"),
        ("Dotacja wojewody — rozwój KIS", FundingKind.GRANT, "WPS-III.946.7.2026"),
    ]:
        FundingSource.objects.get_or_create(
            name=name,
            defaults={"kind": kind, "reference": reference, "starts_on": date(2025, 1, 1)},
        )
    return staff


def relax_two_factor() -> list[Role]:
    """The demo is tried without an authenticator app: two-factor login is relaxed for every
    role through the manager's own setting (TwoFactorRolePolicy, audited as the system's). A role
    the manager has since decided on keeps her decision. Returns the roles that still require it."""
    from kis_site.models import TwoFactorRolePolicy
    from kis_site.two_factor import role_requirements

    for role in Role:
        TwoFactorRolePolicy.objects.get_or_create(role=role.value, defaults={"required": False})
    return [role for role, required in role_requirements().items() if required]


PARTICIPATION_RULES = [
    (
        "§ 1. Postanowienia ogólne",
        "Regulamin określa zasady uczestnictwa w zajęciach Klubu "
        "Integracji Społecznej. Udział w zajęciach jest dobrowolny i bezpłatny.",
    ),
    (
        "§ 2. Obowiązki uczestnika",
        "Uczestnik zobowiązuje się do regularnego udziału w zajęciach "
        "zgodnie z indywidualnym planem działania, do przestrzegania zasad współżycia w grupie "
        "i do udziału w zajęciach w stanie trzeźwości.",
    ),
    (
        "§ 3. Nieobecności",
        "Nieobecność wymaga usprawiedliwienia zwolnieniem lekarskim lub innym "
        "dokumentem. Dopuszcza się nie więcej niż 4 nieobecności usprawiedliwione w okresie "
        "uczestnictwa. Nieobecność nieusprawiedliwiona stanowi naruszenie regulaminu.",
    ),
    (
        "§ 4. Skreślenie z listy",
        "Naruszenie regulaminu prowadzi do rozmowy z case managerem, "
        "a w razie powtórzenia — do upomnienia i wniosku o skreślenie z listy uczestników.",
    ),
]
ORGANISATIONAL_RULES = [
    (
        "§ 1.",
        "Klub Integracji Społecznej działa w strukturze Miejskiego Ośrodka Pomocy "
        "Społecznej i realizuje zadania z zakresu reintegracji społecznej i zawodowej.",
    ),
    (
        "§ 2.",
        "Pracą Klubu kieruje kierownik KIS, który odpowiada za program, kadrę, współpracę "
        "z Lokalną Siecią Reintegracji oraz sprawozdawczość wobec wojewody.",
    ),
]


def seed_club_documents(today: date, by) -> None:
    from kis_site.documents import stored_file
    from kis_site.models import ClubDocument, ClubDocumentKind
    from kis_site.pdf import render_pdf

    if ClubDocument.objects.exists():
        return
    for kind, title, sections, version in [
        (
            ClubDocumentKind.PARTICIPATION_RULES,
            "Regulamin uczestnictwa w zajęciach KIS",
            PARTICIPATION_RULES,
            "zarządzenie nr 12/2025",
        ),
        (
            ClubDocumentKind.ORGANISATIONAL_RULES,
            "Regulamin organizacyjny KIS",
            ORGANISATIONAL_RULES,
            "uchwała nr 4/2024",
        ),
    ]:
        content = render_pdf("pdf/plain.html", {"title": title, "sections": sections})
        ClubDocument.objects.create(
            kind=kind,
            title=title,
            version_label=version,
            in_force_from=date(today.year - 1, 1, 1),
            file=stored_file(
                name=f"{kind}.pdf", content=content, content_type="application/pdf", by=by
            ),
        )


def sign_on(document, *, slot_key: str, user, day: date):
    """The demo's calendar: ``user`` signs ``document`` in the app on ``day`` (the club's past,
    although the demo is loaded today). When this signature completes the version, the version is
    signed and recorded on that day, as if the club had used the application all along."""
    document = document_sign(document=document, slot_key=slot_key, user=user)
    revision = current_revision(document)
    moment = timezone.make_aware(datetime.combine(day, time(12)))
    revision.signatures.filter(slot=slot_key, cleared_at__isnull=True).update(
        signed_on=day, recorded_at=moment
    )
    if document.is_locked:
        signed_on = max(
            revision.signatures.filter(cleared_at__isnull=True).values_list("signed_on", flat=True)
        )
        revision.signed_on, revision.locked_at = signed_on, moment
        revision.save(update_fields=["signed_on", "locked_at"])
        type(document).objects.filter(pk=document.pk).update(locked_at=moment)
        document.locked_at, document._signed_on = moment, signed_on
    return document

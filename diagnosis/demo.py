"""Demo diagnoses: an initial one for everyone in the two cohorts and a final one for some of
those who finished, in every state the pages show (in preparation, waiting, signed).

Built through the services, like the rest of the demo; the answers are short Polish phrases
picked with a seeded generator. Locking a report renders its PDF (~0.4 s), so only some reports
are signed by all three specialists; the others wait for one or two signatures.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from auditlog.context import set_actor
from django.db import transaction

from diagnosis import services
from diagnosis.models import SPHERE_MODELS, DiagnosisKind, DiagnosticReport, HollandResult, Tool
from diagnosis.models import DisabilityDegree as Degree
from diagnosis.models import HousingTitle as Housing
from diagnosis.models import IncomeKind as Income
from diagnosis.models import PupStatus as Pup
from diagnosis.models import ToolUse as Use
from kis_site.demo import sign_on
from kis_site.models import StaffMember
from kis_site.vocabulary import RiskGroup as G
from kis_site.vocabulary import Sphere
from participants.models import (
    Cohort,
    EducationLevel,
    Enrolment,
    EnrolmentStatus,
    ExitOutcome,
    Sex,
)


def _split(text: str) -> list[str]:
    return [part.strip() for line in text.splitlines() for part in line.split("|") if part.strip()]


# Answers by field, one picked per report ("|" or a new line between variants). "{ł}" and "{y}"
# follow the participant's grammatical gender (był/była, zapraszany/zapraszana).
TEXT = {
    "institutional_help": """Zasiłek okresowy i pomoc rzeczowa z OPS; paczki z Banku Żywności.
        Klient OPS od kilku lat: zasiłki celowe na opał i leki.
        Posiłek w jadłodajni Caritas; w 2022 r. szkolenie z PUP (obsługa kasy fiskalnej).
        Praca socjalna MOPS; porady w punkcie nieodpłatnej pomocy prawnej.""",
    "health_state": """Nadciśnienie tętnicze, leczone farmakologicznie.
        Przewlekłe bóle kręgosłupa; przeciwwskazane dźwiganie. | Cukrzyca typu 2, leki doustne.
        Stan zdrowia dobry, bez chorób przewlekłych. | Astma; unikać pracy w zapyleniu.""",
    "mental_illness": "Nie leczy{ł} się psychiatrycznie.",
    "addictions": "Nie stwierdzono. | Pali tytoń; innych uzależnień nie stwierdzono.",
    "psychotherapy": "Nie korzysta{ł}. | Jedna konsultacja w ośrodku interwencji kryzysowej.",
    "family_situation": """Rozwiedzion{y}, dwoje dorosłych dzieci, kontakt sporadyczny.
        Samotnie wychowuje dwoje dzieci w wieku szkolnym; pomaga babcia.
        Mieszka z matką-emerytką, relacje poprawne. | Stan wolny, bez dzieci.""",
    "social_relations": """Niewielka sieć wsparcia: jeden przyjaciel i sąsiadka.
        Wsparcie siostry; poza rodziną raczej się izoluje. | Znajomi z parafii, pomaga innym.""",
    "group_membership": """Nie należy do żadnych grup. | Wolontariat w jadłodajni parafialnej.
        Drużyna piłkarska oldbojów. | Dawniej działa{ł} w radzie osiedla.""",
    "coping": """Unikanie i wycofanie; odkłada trudne sprawy na później.
        Szuka wsparcia u bliskich, potrafi prosić o pomoc. | Racjonalizacja, umniejsza problemy.
        Reaguje złością, potem się wycofuje. | Styl zadaniowy, ale szybko się zniechęca.""",
    "self_esteem": """Niska, silna samokrytyka po latach bez pracy. | Chwiejna, zależna od innych.
        Zaniżona; z trudem dostrzega własne mocne strony. | Raczej adekwatna.""",
    "problems": """Lęk przed oceną i nowymi sytuacjami. | Nie stwierdzono istotnych problemów.
        Okresowo obniżony nastrój, poczucie bezradności.""",
    "motivation": """Deklaruje gotowość do zmian, potrzebuje zewnętrznej struktury.
        Umiarkowana; motywacja głównie finansowa. | Zmienna, wymaga wzmacniania.
        Wysoka, chce się usamodzielnić ze względu na rodzinę.""",
    "goals": """Stała praca w ciągu roku — realny przy wsparciu. | Spółdzielnia socjalna — realny.
        Uprawnienia na wózek widłowy i praca w magazynie — realny.
        Własna działalność gospodarcza — na razie mało realny.""",
    "expectations": """Pomocy w znalezieniu pracy i zdobyciu kwalifikacji. | Kursu i stażu.
        Wsparcia psychologicznego i kontaktu z ludźmi. | Uporządkowania spraw urzędowych.""",
    "needs": """Poczucie bezpieczeństwa i stabilizacji. | Akceptacja i przynależność do grupy.
        Poczucie sprawczości i uznania. | Stała struktura dnia.""",
    "help_expected": """Od doradcy zawodowego — CV; od pracownika socjalnego — mieszkanie.
        Od psychologa — wsparcie w trudnych chwilach; od KIS — kurs zawodowy.
        Od pracownika socjalnego — pomoc w sprawach urzędowych i z komornikiem.""",
    "job_search": """Ogłoszenia w internecie i w PUP; brak odpowiedzi zniechęca do prób.
        Nie szuka pracy od dwóch lat — brak wiary w powodzenie.
        Szuka przez znajomych; nie ma aktualnego CV. | Wysyła CV, nie jest zapraszan{y}.""",
    "self_assessment": """Ocenia swoje szanse jako niskie (wiek, przerwa w zatrudnieniu).
        Uważa, że z kursem zawodowym znalaz{ł}by pracę. | Zna swoje ograniczenia zdrowotne.
        Uważa się za osobę pracowitą, której brakuje „papierów”.""",
    "skills": """Prace remontowe, drobne naprawy; lubi pracę na świeżym powietrzu.
        Gotowanie, dbałość o porządek; ogrodnictwo. | Szycie i drobne prace krawieckie.
        Podstawowa obsługa komputera; motoryzacja. | Dobry kontakt z ludźmi, cierpliwość.""",
    "preferences": """Praca na pełen etat blisko domu. | Gastronomia, najlepiej na jedną zmianę.
        Zatrudnienie w spółdzielni socjalnej. | Praca w magazynie na umowę o pracę.
        Praca w niepełnym wymiarze ze względu na opiekę nad dziećmi.""",
    # Not fields of their own:
    "income": """Dochód poniżej kryterium dochodowego OPS. | Doraźnie pomaga rodzina.
        Opłaty za mieszkanie pochłaniają większość dochodu.""",
    "debts": """Zadłużenie czynszowe ok. 8 tys. zł, rozłożone na raty.
        Egzekucja komornicza z tytułu pożyczek „chwilówek”. | Zaległe alimenty, komornik.""",
    "courses": """kurs operatora wózków jezdniowych (UDT) | prawo jazdy kat. B
        kurs spawania metodą MAG | kurs opiekuna osoby starszej | kurs pomocy kuchennej""",
    "recommend": """Warsztaty aktywnego poszukiwania pracy i przygotowanie CV.
        Konsultacje psychologiczne raz w tygodniu. | Trening kompetencji społecznych w grupie.
        Porada prawna w sprawie zadłużenia i ugody z wierzycielem.
        Pomoc w złożeniu wniosku o lokal socjalny. | Staż po trzech miesiącach udziału.""",
    "final_motivation": """Wyraźnie wzrosła; samodzielnie planuje kolejne kroki.
        Utrwalona dzięki pierwszym sukcesom w KIS. | Stabilna; regularnie uczestniczy{ł}.""",
    "final_job_search": """Aktywnie szuka pracy: ma CV, by{ł} na kilku rozmowach.
        Korzysta z ofert PUP i pośrednictwa KIS. | Pracuje; szuka lepiej płatnej pracy.""",
}
TEXT = {key: _split(value) for key, value in TEXT.items()}
BY_GROUP = {  # what fits only the people of one group
    (G.HOMELESS, "institutional_help"): "Program wychodzenia z bezdomności (OPS); Caritas.",
    (G.EX_PRISONER, "institutional_help"): "Pomoc postpenitencjarna; zasiłek okresowy z OPS.",
    (G.DISABLED, "institutional_help"): "Turnus rehabilitacyjny z PCPR; praca socjalna OPS.",
    (G.REFUGEE, "institutional_help"): "Program integracji (PCPR); kurs języka polskiego.",
    (G.DISABLED, "health_state"): "Dysfunkcja narządu ruchu po wypadku; chodzi o kuli.",
    (G.ALCOHOL, "addictions"): "Alkohol; terapia stacjonarna ukończona, abstynencja.",
    (G.ALCOHOL, "psychotherapy"): "Grupa AA; poradnia leczenia uzależnień.",
    (G.ALCOHOL, "problems"): "Uzależnienie w remisji; ryzyko nawrotu w stresie.",
    (G.ALCOHOL, "group_membership"): "Grupa wsparcia AA, spotkania co tydzień.",
    (G.DRUGS, "addictions"): "Substancje psychoaktywne; program w poradni, abstynencja.",
    (G.DRUGS, "psychotherapy"): "Terapia indywidualna w poradni, raz w tygodniu.",
    (G.DRUGS, "problems"): "Uzależnienie w remisji; trudny do zagospodarowania czas wolny.",
    (G.MENTAL_DISORDER, "mental_illness"): "Depresja nawracająca, leczona w PZP; stabilna.",
    (G.MENTAL_DISORDER, "psychotherapy"): "Konsultacje psychologiczne w PZP co miesiąc.",
    (G.MENTAL_DISORDER, "problems"): "Obniżony nastrój, męczliwość, słaba koncentracja.",
}
# Strengths / deficits of each sphere; then a group's own pair, where it also starts lower.
POINTS = {
    Sphere.SOCIO_LIVING: "Współpracuje z OPS|Załatwia sprawy urzędowe|Gospodaruje niskim budżetem"
    " / Niskie dochody|Zależność od świadczeń|Brak oszczędności|Trudne warunki mieszkaniowe",
    Sphere.HEALTH: "Stosuje się do zaleceń lekarza|Dba o higienę|Regularnie bierze leki"
    " / Unika wizyt kontrolnych|Nieregularny tryb życia|Złe odżywianie|Zaniedbuje profilaktykę",
    Sphere.SOCIAL: "Dba o bliskich|Pomaga innym|Życzliwość wobec ludzi|Dotrzymuje ustaleń"
    " / Niewielka sieć wsparcia|Konflikty w rodzinie|Wycofanie z kontaktów|Mało zaufanych osób",
    Sphere.PSYCHOLOGICAL: "Motywacja do zmiany|Umie prosić o pomoc|Wytrwałość|Otwartość"
    " / Niska samoocena|Szybko się zniechęca|Lęk przed oceną|Trudności z emocjami",
    Sphere.VOCATIONAL: "Doświadczenie w pracy fizycznej|Gotowość do nauki|Sumienność|Punktualność"
    " / Długa przerwa w pracy|Brak aktualnych kwalifikacji|Brak CV|Słaba obsługa komputera",
}
HARDER = {
    (G.HOMELESS, Sphere.SOCIO_LIVING): "Program wychodzenia z bezdomności / Brak lokalu",
    (G.ALCOHOL, Sphere.HEALTH): "Utrzymuje abstynencję / Ryzyko nawrotu picia",
    (G.DRUGS, Sphere.HEALTH): "Ukończony program terapeutyczny / Ryzyko nawrotu",
    (G.EX_PRISONER, Sphere.SOCIAL): "Odcina się od dawnego środowiska / Kontakty z grupą ryzyka",
    (G.DISABLED, Sphere.HEALTH): "Zna i respektuje swoje ograniczenia / Ograniczenia ruchowe",
    (G.MENTAL_DISORDER, Sphere.PSYCHOLOGICAL): "Systematyczne leczenie / Obniżony nastrój",
    (G.LONG_TERM_UNEMPLOYED, Sphere.VOCATIONAL): "Gotowość do pracy / Brak rytmu pracy",
    (G.REFUGEE, Sphere.SOCIAL): "Wsparcie społeczności ukraińskiej / Bariera językowa",
}
REASON = {
    1: "Sytuacja kryzysowa: {d}; potrzebne pilne, intensywne wsparcie.",
    2: "Znaczne trudności: {d}; wymaga stałego wsparcia specjalistów.",
    3: "Radzi sobie z pomocą ({s}), ale {d}.",
    4: "Niewielkie trudności; {s}, wsparcie doraźne.",
    5: "Samodzieln{y} w tej sferze: {s}.",
}
INCOMES = [  # kind, as said on the form, monthly amount, regular
    (Income.PERIODIC_BENEFIT, "zasiłek okresowy z OPS", 420, True),
    (Income.CASUAL, "prace dorywcze", 700, False),
    (Income.TARGETED_BENEFIT, "zasiłek celowy z OPS", 250, False),
    (Income.PERMANENT_BENEFIT, "zasiłek stały z OPS", 719, True),
    (Income.ALIMONY, "alimenty na dzieci", 500, False),
    (Income.FAMILY_BENEFIT, "świadczenie wychowawcze 800+", 800, True),
]
PENSION = (Income.PENSION, "renta z tytułu niezdolności do pracy", 1350, True)
NO_INCOME = (Income.NONE, "brak stałego dochodu", None, True)
HOUSING = {
    Housing.SHELTER: "Schronisko dla osób bezdomnych, od kilku miesięcy.",
    Housing.HOMELESS: "Nocuje u znajomych, bez stałego miejsca zamieszkania.",
    Housing.MUNICIPAL: "Lokal komunalny, pokój z kuchnią, ogrzewanie piecowe.",
    Housing.FAMILY: "Mieszka u rodziny, bez tytułu prawnego; warunki ciasne.",
    Housing.PRIVATE: "Wynajmuje pokój, ok. 900 zł miesięcznie z opłatami.",
    Housing.OWNER: "Własne mieszkanie po rodzicach, wymaga remontu.",
}
SCHOOL = {
    EducationLevel.NONE: "Nieukończona szkoła podstawowa.",
    EducationLevel.PRIMARY: "Szkoła podstawowa.",
    EducationLevel.POST_SECONDARY: "Szkoła policealna, technik administracji.",
    EducationLevel.HIGHER: "Studia licencjackie (pedagogika).",
    EducationLevel.BASIC_VOCATIONAL: "Zasadnicza szkoła zawodowa, zawód: {trade}.",
    EducationLevel.VOCATIONAL_SECONDARY: "Technikum, zawód: technik {tech}.",
    EducationLevel.GENERAL_SECONDARY: "Liceum ogólnokształcące, bez matury.",
    EducationLevel.LOWER_SECONDARY: "Gimnazjum.",
}
TRADES = ["ślusarz", "kucharz", "murarz", "sprzedawca", "mechanik pojazdów", "krawiec"]
TECH = ["ekonomista", "mechanik", "żywienia i usług gastronomicznych", "handlowiec"]
EMPLOYERS = [
    tuple(job.split(": "))
    for job in _split("""Zakład Usług Komunalnych: pracownik gospodarczy | Czysty Dom: sprzątaczka
        PPHU Budmax: pomocnik murarza | Sklep „Groszek”: sprzedawca | Hotel „Europa”: pomoc kuchenna
        Logistyka Radom Sp. z o.o.: magazynier | Sad w Jedlińsku: pracownik sezonowy""")
]
HOLLAND = """praca praktyczna | analiza i rozwiązywanie problemów | twórczość
    praca z ludźmi i pomaganie | organizowanie i przekonywanie | praca według procedur"""
HOLLAND = dict(zip("RIASEC", _split(HOLLAND), strict=True))
SIGNERS = {"social_worker": "socjalny", "psychologist": "psycholog", "career_advisor": "doradca"}
WRITER = dict(zip(Sphere, _split("socjalny|psycholog|socjalny|psycholog|doradca"), strict=True))
# Diagnoses are signed within the month the KIS allows, except the newest: individual
# participants enrolled ROLLING_RECENT weeks ago, whose diagnosis is still open.
ROLLING_RECENT = {6: (5, 1), 2: (1, 0)}  # weeks since enrolment: (spheres filled, signatures)
TIES = {5: (2, 3), 31: (0, 1)}  # report number: ranks of the Holland scores made equal
JOB = ("employer", "position", "started_on", "ended_on")
SKIP = {"id", "report", "version", "updated_at", "updated_by", "rating", "rating_reason"}


def seed_diagnoses(*, today: date, staff: dict[str, StaffMember]) -> None:
    if DiagnosticReport.objects.exists():
        return
    demo = _Diagnoses(today=today, staff=staff, rng=random.Random(2026))
    cohorts = Cohort.objects.filter(starts_on__lte=today).order_by("-starts_on")[:2]
    with set_actor(staff["kierownik"].user), transaction.atomic():
        for cohort in cohorts:
            enrolments = list(cohort.enrolments.select_related("participant").order_by("pk"))
            if cohort.ends_on >= today:
                for enrolment in enrolments:
                    demo.initial(enrolment, spheres=5, signatures=3)
                continue
            completed = [e for e in enrolments if e.status == EnrolmentStatus.COMPLETED]
            finals = demo.rng.sample(completed, min(10, len(completed)))
            for enrolment in enrolments:
                demo.initial(enrolment, spheres=5, signatures=3)
            for enrolment in finals:
                demo.final(enrolment)
        individual = Enrolment.objects.filter(cohort__isnull=True, status=EnrolmentStatus.ACTIVE)
        for enrolment in individual.select_related("participant").order_by("starts_on"):
            weeks = (today - enrolment.starts_on).days // 7
            spheres, signatures = ROLLING_RECENT.get(weeks, (5, 3))
            demo.initial(enrolment, spheres=spheres, signatures=signatures)


class _Diagnoses:
    def __init__(self, *, today, staff, rng):
        self.today, self.staff, self.rng = today, staff, rng
        self.count = 0

    def g(self, text: str) -> str:
        """The participant's grammatical gender in a phrase: {ł} → ł/ła, {y} → y/a."""
        return text.replace("{ł}", "ła" if self.female else "ł").replace("{y}", "ya"[self.female])

    def _day(self, start: date, low: int, high: int) -> date:
        return min(start + timedelta(days=self.rng.randint(low, high)), self.today)

    def _text(self, key: str) -> str:
        return self.g(BY_GROUP.get((self.group, key)) or self.rng.choice(TEXT[key]))

    def _start(self, enrolment, kind, started_on):
        participant = enrolment.participant
        self.female, self.group = participant.sex == Sex.FEMALE, participant.primary_risk_group
        by = (participant.case_manager or self.staff["kierownik"]).user
        return services.report_start(enrolment=enrolment, kind=kind, started_on=started_on, by=by)

    def initial(self, enrolment, *, spheres: int, signatures: int):
        rng = self.rng
        started = self._day(enrolment.starts_on, 2, 9)
        report = self._start(enrolment, DiagnosisKind.INITIAL, started)
        self.count += 1
        holland = self._tools(report, started, holland=spheres == 5 and self.count % 8 != 3)
        for sphere, model in list(SPHERE_MODELS.items())[:spheres]:
            names = {field.name for field in model._meta.fields}
            values = {name: self._text(name) for name in TEXT if name in names}
            values.update(self._facts(sphere, enrolment.participant, started, holland))
            values["strengths"], values["deficits"] = self._points(sphere)
            rating = rng.choices([2, 3, 4], weights=[4, 4, 2])[0]
            rating -= (self.group, sphere) in HARDER and rng.random() < 0.8
            self._save_sphere(report, sphere, values, rating)
        if spheres == 5:
            self._finish(report, rng.sample(TEXT["recommend"], 3), signatures)

    def final(self, enrolment):
        rng = self.rng
        started = enrolment.ended_on - timedelta(days=rng.randint(3, 12))
        first = enrolment.diagnoses.get(kind=DiagnosisKind.INITIAL)
        report = self._start(enrolment, DiagnosisKind.FINAL, started)
        self._tools(report, started, holland=False)
        for sphere, model in SPHERE_MODELS.items():  # what has not changed is carried over
            before = model.objects.get(report=first)
            values = {f.name: getattr(before, f.name) for f in model._meta.fields}
            values = {name: value for name, value in values.items() if name not in SKIP}
            if len(values["deficits"]) > 2:
                values["deficits"] = values["deficits"][:-1]  # one fewer after the programme
            if sphere == Sphere.SOCIO_LIVING:
                rows = before.incomes.filter(removed=False)
                values["incomes"] = list(rows.values("kind", "amount", "regular"))
            if sphere == Sphere.PSYCHOLOGICAL:
                values["motivation"] = self._text("final_motivation")
            if sphere == Sphere.VOCATIONAL:
                values["job_search"] = self._text("final_job_search")
                values["education"] += f" W KIS: {rng.choice(TEXT['courses'])}."
                rows = before.jobs.filter(removed=False)
                values["jobs"] = list(rows.values(*JOB))
                if enrolment.exit_outcome == ExitOutcome.EMPLOYMENT:
                    hired = started - timedelta(days=rng.randint(3, 20))
                    values["jobs"].insert(0, _job(rng.choice(EMPLOYERS), hired, None))
                    values["pup_status"], values["pup_since"] = Pup.NOT_REGISTERED, None
                    values["pup_notes"] = self.g("Wyrejestrowan{y} z PUP po podjęciu pracy.")
            rating = before.rating + rng.choices([0, 1, 2], weights=[1, 5, 3])[0]
            self._save_sphere(report, sphere, values, rating, before=before.rating)
        lines = ["Udział w KIS zakończony; utrwalać osiągnięte zmiany.", self._text("recommend")]
        self._finish(report, [*lines, "Monitoring sytuacji po 3 i 6 miesiącach."], 3)

    def _points(self, sphere) -> list[list[str]]:
        """Strengths and deficits, 2–4 each: the group's own first, then some of the sphere's."""
        own = HARDER.get((self.group, sphere), " / ").split(" / ")
        sides = zip(own, POINTS[sphere].split(" / "), strict=True)
        rng = self.rng
        return [
            [*filter(None, [mine]), *rng.sample(_split(every), rng.randint(2, 3))]
            for mine, every in sides
        ]

    def _facts(self, sphere, participant, started, holland) -> dict:
        """The answers that are not a phrase: amounts, titles, yes/no, dates, rows."""
        rng, group = self.rng, self.group
        if sphere == Sphere.SOCIO_LIVING:
            sources = [PENSION] if group == G.DISABLED else []
            sources += rng.sample(INCOMES[:3], 1) + rng.sample(INCOMES[3:], rng.randint(0, 1))
            if group == G.HOMELESS and rng.random() < 0.4:
                sources = [NO_INCOME]
            incomes, said = [], []
            for kind, label, amount, regular in sources[:2]:
                amount = amount and Decimal(amount + (0 if regular else rng.randint(-8, 8) * 10))
                incomes.append({"kind": kind, "amount": amount, "regular": regular})
                said.append(label + (f" {amount} zł" if amount else ""))
                said[-1] += "" if regular else " (nieregularnie)"
            titles = [Housing.MUNICIPAL, Housing.FAMILY, Housing.PRIVATE, Housing.OWNER]
            title = rng.choices(titles, weights=[3, 3, 2, 1])[0]
            if group == G.HOMELESS:
                title = rng.choice([Housing.SHELTER, Housing.SHELTER, Housing.HOMELESS])
            criminal = group == G.EX_PRISONER or rng.random() < 0.12
            probation = criminal and rng.random() < 0.6
            debts = rng.random() < (0.7 if group in (G.HOMELESS, G.EX_PRISONER) else 0.4)
            released = self.today.year - rng.randint(1, 3)
            legal = [self.g(f"Odby{{ł}} karę, zwolnienie w {released} r.")] if criminal else []
            legal += ["Dozór kuratora, współpraca poprawna."] if probation else []
            legal.append(rng.choice(TEXT["debts"]) if debts else "Brak zobowiązań finansowych.")
            return {
                "incomes": incomes,
                "income_notes": f"Źródła: {'; '.join(said)}. {rng.choice(TEXT['income'])}",
                "housing_title": title,
                "housing_notes": HOUSING[title],
                "criminal_record": criminal,
                "probation_officer": probation,
                "debts": debts,
                "legal_notes": " ".join(legal),
            }
        if sphere == Sphere.HEALTH:
            degree = rng.choices([Degree.NONE, Degree.PENDING, Degree.LIGHT], weights=[8, 1, 1])[0]
            if group == G.DISABLED:
                degree = rng.choice([Degree.LIGHT, Degree.MODERATE, Degree.SEVERE])
            return {"disability": degree}
        if sphere != Sphere.VOCATIONAL:
            return {}
        level = participant.education_level or EducationLevel.PRIMARY
        education = SCHOOL[level].format(trade=rng.choice(TRADES), tech=rng.choice(TECH))
        courses = rng.sample(TEXT["courses"], rng.randint(0, 2))
        education += f" Kursy: {', '.join(courses)}." if courses else ""
        jobs, end = [], started - timedelta(days=rng.randint(300, 2200))
        for _ in range(rng.randint(0, 3)):
            begin = end - timedelta(days=rng.randint(90, 1100))
            jobs.append(_job(rng.choice(EMPLOYERS), begin, end))
            end = begin - timedelta(days=rng.randint(30, 400))
        experience = "Brak pracy na umowę; jedynie prace dorywcze."
        if jobs:
            years = max(1, sum((j["ended_on"] - j["started_on"]).days for j in jobs) // 365)
            unit = "rok" if years == 1 else "lata" if years < 5 else "lat"
            experience = f"Ok. {years} {unit} pracy; ostatnio do {jobs[0]['ended_on'].year} r."
        predispositions = "Z wywiadu: dobra sprawność manualna, lubi pracę w zespole."
        if holland:
            code = holland.code
            predispositions = f"Test Hollanda: {code} — {HOLLAND[code[0]]}, {HOLLAND[code[1]]}."
        pup = (Pup.NOT_REGISTERED, None, self.g("Nie jest zarejestrowan{y}."))
        if participant.registered_unemployed_since:
            since = participant.registered_unemployed_since
            pup = (Pup.UNEMPLOYED, since, "Bez prawa do zasiłku.")
        elif rng.random() < 0.5:
            pup = (Pup.JOB_SEEKER, started - timedelta(days=rng.randint(60, 400)), "")
        return {
            "education_level": level,
            "education": education,
            "experience": experience,
            "jobs": jobs,
            "predispositions": predispositions,
            **dict(zip(["pup_status", "pup_since", "pup_notes"], pup, strict=True)),
        }

    def _save_sphere(self, report, sphere, values, rating, *, before=None):
        part = SPHERE_MODELS[sphere].objects.select_related("report").get(report=report)
        incomes, jobs = values.pop("incomes", None), values.pop("jobs", None)
        for name, value in values.items():
            setattr(part, name, value)
        part.rating = max(1, min(5, rating))
        points = {"s": _lower(part.strengths[-1]), "d": _lower(part.deficits[-1])}
        part.rating_reason = self.g(REASON[part.rating]).format(**points)
        if before is not None:
            change = f"Wstępnie {before}, teraz {part.rating}." if before != part.rating else ""
            part.rating_reason = f"{change or 'Bez zmian.'} {part.rating_reason}"
        by = self.staff[WRITER[sphere]].user
        services.sphere_save(
            part=part, expected_version=part.version, by=by, incomes=incomes, jobs=jobs
        )

    def _tools(self, report, started, *, holland: bool):
        rng, staff = self.rng, self.staff
        plan = [(Tool.QUESTIONNAIRE, "socjalny", 0), (Tool.INTERVIEW, "psycholog", 2)]
        plan += [(Tool.PREFERENCES, "doradca", 5)] if rng.random() < 0.6 else []
        plan += [(Tool.HOLLAND, "psycholog", 4)] if holland else []
        result = None
        for tool, who, offset in plan:
            use = Use(report=report, tool=tool, used_by=staff[who])
            use.used_on = self._day(started, offset, offset + 3)
            if tool == Tool.INTERVIEW:
                use.hours = Decimal(rng.choice(["2", "2.5", "3"]))
            services.tool_add(tool=use, by=staff[who].user)
            if tool == Tool.HOLLAND:
                scores = rng.sample(range(1, 14), 6)  # distinct, so only TIES tie
                order = sorted(range(6), key=lambda i: -scores[i])
                if self.count in TIES:
                    scores[order[TIES[self.count][1]]] = scores[order[TIES[self.count][0]]]
                result = HollandResult(report=report, tested_on=use.used_on, tested_by=staff[who])
                for scale, score in zip(HollandResult.SCALES, scores, strict=True):
                    setattr(result, scale, score)
                services.holland_save(result=result, expected_version=None, by=staff[who].user)
        return result

    def _finish(self, report, lines, signatures: int):
        reports = DiagnosticReport.objects.select_related("participant__case_manager")
        report = reports.get(pk=report.pk)
        report.recommendations = "\n".join(f"{n}. {line}" for n, line in enumerate(lines, 1))
        by = (report.participant.case_manager or self.staff["kierownik"]).user
        services.recommendations_save(report=report, expected_version=report.version, by=by)
        slots = list(SIGNERS.items())
        slots = slots[report.pk % 3 :] + slots[: report.pk % 3]  # who is still missing varies
        day = report.started_on
        for slot, username in slots[:signatures]:
            day = min(day + timedelta(days=self.rng.randint(2, 7)), self.today)
            sign_on(report, slot_key=slot, user=self.staff[username].user, day=day)


def _job(employer_position, started_on, ended_on) -> dict:
    return dict(zip(JOB, [*employer_position, started_on, ended_on], strict=True))


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]

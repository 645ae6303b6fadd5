"""The GDPR (RODO) information clause a participant is given at the start (art. 13): its text is
the manager's to edit in the KIS settings, with this default; the placeholders in braces are
filled in from the settings when it is printed for signature."""

DEFAULT_CLAUSE = """\
Zgodnie z art. 13 ust. 1 i 2 rozporządzenia Parlamentu Europejskiego i Rady (UE) 2016/679 \
z dnia 27 kwietnia 2016 r. (RODO) informujemy, że:

1. Administratorem Pani/Pana danych osobowych jest {administrator}, prowadzący {klub}, \
{adres}.
2. W sprawach ochrony danych osobowych, także z inspektorem ochrony danych, można się \
kontaktować: {kontakt}.
3. Dane są przetwarzane w celu reintegracji społecznej i zawodowej w Klubie Integracji \
Społecznej: rekrutacji, diagnozy, indywidualnego planu działania, zajęć, konsultacji, \
skierowań i sprawozdawczości — na podstawie art. 6 ust. 1 lit. c i e RODO w związku z ustawą \
z dnia 13 czerwca 2003 r. o zatrudnieniu socjalnym, a dane o zdrowiu, uzależnieniach \
i karalności — na podstawie art. 9 ust. 2 lit. b, g i h oraz art. 10 RODO.
4. Odbiorcami danych mogą być: ośrodek pomocy społecznej i powiatowy urząd pracy, które \
skierowały Panią/Pana do Klubu, instytucje, do których zostanie Pani/Pan skierowana/skierowany, \
wojewoda i instytucje finansujące (w sprawozdaniach zbiorczych, bez danych osobowych) oraz \
podmioty przetwarzające dane na zlecenie administratora.
5. Dane będą przechowywane przez czas uczestnictwa w Klubie, a następnie przez okres \
wynikający z przepisów o archiwizacji dokumentacji i z umów o dofinansowanie projektu.
6. Ma Pani/Pan prawo dostępu do swoich danych, ich sprostowania i ograniczenia przetwarzania, \
a w przypadkach przewidzianych prawem — usunięcia danych i wniesienia sprzeciwu.
7. Ma Pani/Pan prawo wnieść skargę do Prezesa Urzędu Ochrony Danych Osobowych \
(ul. Stawki 2, 00-193 Warszawa).
8. Podanie danych jest warunkiem udziału w zajęciach Klubu: bez nich nie można przygotować \
diagnozy ani indywidualnego planu działania.
9. Dane nie będą przetwarzane w sposób zautomatyzowany, w tym profilowane, ani przekazywane \
do państw spoza Europejskiego Obszaru Gospodarczego.
"""


def controller_name(kis) -> str:
    """The controller of the data: the entity running the club, or the club itself."""
    return kis.operating_entity or kis.name


def contact(kis) -> str:
    """Where to write or call in matters of personal data."""
    return ", ".join(part for part in (kis.email, kis.phone) if part)


# The placeholders the text may use, and what fills them in (a field of the KIS settings).
PLACEHOLDERS = {
    "{administrator}": controller_name,
    "{klub}": lambda kis: kis.name,
    "{adres}": lambda kis: kis.address,
    "{kontakt}": contact,
}


def default_clause() -> str:
    return DEFAULT_CLAUSE


def clause_text(kis) -> str:
    """The clause as printed: the settings' text (or the default when emptied), its
    placeholders filled in; a placeholder whose field is empty becomes a line to fill by hand."""
    text = kis.rodo_clause.strip() or DEFAULT_CLAUSE
    for placeholder, value in PLACEHOLDERS.items():
        text = text.replace(placeholder, value(kis) or "________________")
    return text


def paragraphs(kis) -> list[str]:
    """The clause in paragraphs (split at blank lines), each with its lines kept."""
    return [part.strip() for part in clause_text(kis).split("\n\n") if part.strip()]


# --- What a person is told with the copy of their data (art. 15 ust. 1 lit. a–h RODO) ----------
# Polish legal text, like the clause above. The copy (``subject_access``) states, for each part of
# the file, its purpose and its retention period by the keys below; each app's part names its keys.

# The purposes of processing and their legal basis, worded as in the information clause (point 3).
PURPOSES: dict[str, tuple[str, str]] = {
    "recruitment": (
        "Rekrutacja i kwalifikacja do udziału w Klubie",
        "art. 6 ust. 1 lit. c i e RODO w związku z ustawą z dnia 13 czerwca 2003 r. "
        "o zatrudnieniu socjalnym; informacje o grupach ryzyka i zdrowiu — art. 9 ust. 2 lit. b "
        "i g RODO",
    ),
    "participation": (
        "Prowadzenie uczestnictwa w Klubie: dane osobowe i rodzinne, kontrakt socjalny lub inna "
        "podstawa udziału, przebieg uczestnictwa, notatki, zaświadczenie, monitoring po "
        "zakończeniu udziału",
        "art. 6 ust. 1 lit. c i e RODO w związku z ustawą o zatrudnieniu socjalnym oraz ustawą "
        "z dnia 12 marca 2004 r. o pomocy społecznej (kontrakt socjalny); dane szczególnych "
        "kategorii — art. 9 ust. 2 lit. b, g i h RODO, dane o karalności — art. 10 RODO",
    ),
    "diagnosis": (
        "Diagnoza sytuacji osoby w pięciu sferach życia",
        "art. 6 ust. 1 lit. c i e RODO w związku z ustawą o zatrudnieniu socjalnym; dane o "
        "zdrowiu, uzależnieniach i sytuacji psychologicznej — art. 9 ust. 2 lit. b, g i h RODO, "
        "dane o karalności — art. 10 RODO",
    ),
    "plan": (
        "Indywidualny plan działania, jego realizacja i przeglądy; raporty zmiany i ocena efektów",
        "art. 6 ust. 1 lit. c i e RODO w związku z ustawą o zatrudnieniu socjalnym; dane "
        "szczególnych kategorii — art. 9 ust. 2 lit. b, g i h RODO",
    ),
    "activities": (
        "Zajęcia, obecność i godziny, konsultacje indywidualne, prace społecznie użyteczne "
        "i staże; rozliczenie dotacji i prac społecznie użytecznych",
        "art. 6 ust. 1 lit. c i e RODO w związku z ustawą o zatrudnieniu socjalnym; dane o "
        "zdrowiu (usprawiedliwienia nieobecności, konsultacje) — art. 9 ust. 2 lit. b i h RODO",
    ),
    "referrals": (
        "Skierowania do instytucji partnerskich i informacje dla instytucji, która skierowała "
        "osobę do Klubu",
        "zgoda osoby (art. 6 ust. 1 lit. a i art. 9 ust. 2 lit. a RODO) albo zadanie ustawowe "
        "(art. 6 ust. 1 lit. c i e RODO) — podstawa jest podana przy każdym przekazaniu danych "
        "w części „Odbiorcy danych”",
    ),
    "accountability": (
        "Rozliczalność i bezpieczeństwo danych: rejestr dostępu do danych i historia zmian",
        "art. 6 ust. 1 lit. c RODO w związku z art. 5 ust. 2 i art. 32 RODO",
    ),
    "rights": (
        "Obsługa praw osoby, której dane dotyczą (dostęp do danych, sprostowanie, ograniczenie "
        "przetwarzania)",
        "art. 6 ust. 1 lit. c RODO w związku z art. 12–18 RODO",
    ),
}

# The same purposes in a few words, where a table names one on each line (who read the data).
PURPOSE_NAMES: dict[str, str] = {
    "recruitment": "rekrutacja",
    "participation": "prowadzenie uczestnictwa",
    "diagnosis": "diagnoza",
    "plan": "plan działania i ocena zmian",
    "activities": "zajęcia i godziny",
    "referrals": "skierowania i informacje dla instytucji",
    "accountability": "rozliczalność",
    "rights": "prawa osoby (RODO)",
}

# How long each kind of record is kept, as the person's copy prints it. The years of the
# participant documentation ({participation}) and of an application without a participation
# ({application}) are the manager's retention periods (retention.models.RetentionRule), filled in
# by retention.schedule.retention_periods: one rule, one place.
RETENTION_TEXTS: dict[str, tuple[str, str]] = {
    "file": (
        "Dokumentacja uczestnictwa: dane osobowe i rodzinne, uczestnictwa, kontrakty, "
        "zaświadczenia, notatki, skierowania, monitoring po zakończeniu udziału",
        "{participation}, licząc od 1 stycznia roku następującego po roku zakończenia uczestnictwa",
    ),
    "recruitment": (
        "Zgłoszenia i skierowania do Klubu",
        "jak dokumentacja uczestnictwa; gdy uczestnictwo się nie rozpoczęło — {application}, "
        "licząc od 1 stycznia roku następującego po roku decyzji",
    ),
    "case_documents": (
        "Diagnozy, indywidualne plany działania, raporty zmiany, ocena efektów, pisma do "
        "instytucji kierującej",
        "{participation}, licząc od 1 stycznia roku następującego po roku zakończenia uczestnictwa",
    ),
    "attendance": (
        "Listy obecności, godziny zajęć, konsultacje, prace społecznie użyteczne i staże",
        "{participation}, licząc od 1 stycznia roku następującego po roku zakończenia "
        "uczestnictwa (rozliczenie dotacji i prac społecznie użytecznych)",
    ),
    "access_log": (
        "Rejestr dostępu do danych i historia zmian",
        "5 lat od dnia wpisu",
    ),
    "requests": (
        "Żądania dotyczące danych (art. 15–18 RODO) i sposób ich załatwienia",
        "5 lat od załatwienia żądania",
    ),
}

# The person's rights (art. 15 ust. 1 lit. e–f RODO), one paragraph each.
RIGHTS: tuple[str, ...] = (
    "Ma Pani/Pan prawo dostępu do swoich danych i otrzymania ich kopii (art. 15 RODO) — "
    "ta informacja jest taką kopią.",
    "Ma Pani/Pan prawo żądać sprostowania danych nieprawidłowych i uzupełnienia niekompletnych "
    "(art. 16 RODO): wystarczy zgłosić to w Klubie; każda poprawka jest zapisywana, a jej "
    "historia jest w części „Historia poprawek”.",
    "Ma Pani/Pan prawo żądać ograniczenia przetwarzania (art. 18 RODO), a w przypadkach "
    "przewidzianych prawem — usunięcia danych (art. 17 RODO) i wnieść sprzeciw wobec "
    "przetwarzania (art. 21 RODO).",
    "Zgodę na przekazanie danych instytucji partnerskiej można w każdej chwili cofnąć; cofnięcie "
    "zgody nie wpływa na zgodność z prawem przekazania dokonanego przed jej cofnięciem.",
    "Dane nie są przetwarzane w sposób zautomatyzowany, w tym nie są profilowane, i nie są "
    "przekazywane do państw spoza Europejskiego Obszaru Gospodarczego.",
)
COMPLAINT = (
    "Ma Pani/Pan prawo wnieść skargę do Prezesa Urzędu Ochrony Danych Osobowych "
    "(ul. Stawki 2, 00-193 Warszawa, www.uodo.gov.pl), jeśli uzna Pani/Pan, że przetwarzanie "
    "danych narusza przepisy RODO."
)

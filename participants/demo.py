"""Demo participants: two cohorts of 30, a few rolling enrolments and a waiting list.

Built through the services, so the demo data passes the same rules as real input and leaves an
audit trail. Dates are relative to today so the demo always looks current.
"""

import random
from datetime import date, timedelta

from auditlog.context import set_actor
from dateutil.relativedelta import relativedelta
from django.db import transaction

from kis_site.demo import random_person
from kis_site.models import FundingSource, StaffMember
from kis_site.vocabulary import RiskGroup, Section
from participants import services
from participants.models import (
    Application,
    ApplicationSource,
    BasisKind,
    CaseNote,
    Cohort,
    ContractOrigin,
    DataCategory,
    Decision,
    EducationLevel,
    Enrolment,
    EnrolmentStatus,
    ExitOutcome,
    FamilyMember,
    FollowUpResult,
    IdDocumentType,
    LegalBasis,
    NoteKind,
    OutgoingReferral,
    Participant,
    Relation,
    SocialContract,
)
from partners.models import ContactPerson, Institution, InstitutionType

REASONS = [
    "Osoba długotrwale bezrobotna, klient OPS od kilku lat; potrzebuje wsparcia w powrocie na "
    "rynek pracy i odbudowie motywacji.",
    "Po zakończonej terapii odwykowej, utrzymuje abstynencję; szuka stabilizacji i zatrudnienia.",
    "Realizuje indywidualny program wychodzenia z bezdomności; mieszka w schronisku.",
    "Po opuszczeniu zakładu karnego ma trudności z powrotem do środowiska i znalezieniem pracy.",
    "Samotnie wychowuje dzieci, długo bez pracy; wymaga wsparcia w organizacji opieki i nauce.",
    "Osoba z niepełnosprawnością w stopniu umiarkowanym; chce zdobyć kwalifikacje i doświadczenie.",
]

NOTES = [
    (
        NoteKind.CONVERSATION,
        "",
        "Rozmowa wstępna: omówiono zasady uczestnictwa i regulamin, "
        "uczestnik zadeklarował regularną obecność.",
    ),
    (NoteKind.PHONE, "", "Telefon w sprawie nieobecności — uczestnik przedstawi zaświadczenie."),
    (
        NoteKind.VISIT,
        Section.LEGAL,
        "Wizyta u kuratora: uczestnik wywiązuje się z obowiązków, kolejne spotkanie za miesiąc.",
    ),
    (
        NoteKind.CONVERSATION,
        Section.PSYCHOLOGICAL,
        "Konsultacja psychologiczna: spadek nastroju "
        "po utracie mieszkania, ustalono cotygodniowe spotkania.",
    ),
    (
        NoteKind.INTERVENTION,
        Section.HEALTH,
        "Interwencja: zaostrzenie choroby przewlekłej, umówiono wizytę u lekarza rodzinnego.",
    ),
    (
        NoteKind.CONVERSATION,
        "",
        "Omówiono postępy w warsztatach i plan na kolejny miesiąc; "
        "uczestnik zgłosił zainteresowanie kursem komputerowym.",
    ),
]

GROUP_WEIGHTS = [
    (RiskGroup.LONG_TERM_UNEMPLOYED, 40),
    (RiskGroup.ALCOHOL, 14),
    (RiskGroup.HOMELESS, 10),
    (RiskGroup.DISABLED, 10),
    (RiskGroup.EX_PRISONER, 8),
    (RiskGroup.MENTAL_DISORDER, 8),
    (RiskGroup.DRUGS, 5),
    (RiskGroup.REFUGEE, 3),
]


def _groups(rng):
    primary = rng.choices([g for g, _ in GROUP_WEIGHTS], weights=[w for _, w in GROUP_WEIGHTS])[0]
    groups = {primary}
    if primary != RiskGroup.LONG_TERM_UNEMPLOYED and rng.random() < 0.5:
        groups.add(RiskGroup.LONG_TERM_UNEMPLOYED)
    return primary, sorted(groups)


class DemoBuilder:
    def __init__(self, *, today: date, staff: dict, rng: random.Random):
        self.today = today
        self.staff = staff
        self.rng = rng
        self.serial = 0
        self.manager_user = staff["kierownik"].user
        self.case_managers = [staff["case1"], staff["case2"]]
        self.note_authors = [
            staff[name]
            for name in ("case1", "case2", "socjalny", "psycholog", "doradca", "terapeuta")
        ]
        self.referrers = list(
            Institution.objects.filter(
                kind__in=[
                    InstitutionType.OPS,
                    InstitutionType.PUP,
                    InstitutionType.PROBATION,
                    InstitutionType.ADDICTION_CENTRE,
                    InstitutionType.NGO,
                ]
            )
        )
        self.funding = list(FundingSource.objects.order_by("pk"))

    def person(self, *, with_pesel=True):
        self.serial += 1
        data = random_person(self.rng, self.serial, today=self.today)
        primary, groups = _groups(self.rng)
        participant = Participant(
            first_name=data["first_name"],
            last_name=data["last_name"],
            pesel=data["pesel"] if with_pesel else None,
            birth_date=data["birth_date"],
            sex=data["sex"],
            street=data["street"],
            postal_code=data["postal_code"],
            city=data["city"],
            phone=data["phone"],
            education_level=self.rng.choice(
                [
                    EducationLevel.PRIMARY,
                    EducationLevel.BASIC_VOCATIONAL,
                    EducationLevel.BASIC_VOCATIONAL,
                    EducationLevel.LOWER_SECONDARY,
                    EducationLevel.VOCATIONAL_SECONDARY,
                    EducationLevel.GENERAL_SECONDARY,
                ]
            ),
            primary_risk_group=primary,
            case_manager=self.rng.choice(self.case_managers),
            ops_client_since=self.today - timedelta(days=self.rng.randint(400, 3000)),
            registered_unemployed_since=self.today - timedelta(days=self.rng.randint(730, 2500))
            if RiskGroup.LONG_TERM_UNEMPLOYED in groups
            else None,
        )
        if not with_pesel:
            participant.id_document_type = IdDocumentType.RESIDENCE_CARD
            participant.id_document_number = f"RP{self.rng.randint(1000000, 9999999)}"
        services.participant_create(
            participant=participant, risk_groups=groups, by=self.manager_user
        )
        self._family(participant)
        return participant, groups

    def _family(self, participant):
        roll = self.rng.random()
        if roll < 0.35:
            return
        if roll < 0.6:
            FamilyMember.objects.create(
                participant=participant,
                first_name=self.rng.choice(["Ola", "Kuba", "Zuzia", "Staś", "Lena"]),
                relation=Relation.CHILD,
                birth_year=self.today.year - self.rng.randint(2, 12),
                needs_childcare=True,
            )
        if roll > 0.5:
            FamilyMember.objects.create(
                participant=participant,
                first_name=self.rng.choice(["Jolanta", "Roman", "Helena", "Wiesław"]),
                relation=self.rng.choice([Relation.PARENT, Relation.SPOUSE, Relation.SIBLING]),
                birth_year=self.today.year - self.rng.randint(25, 75),
                lives_in_household=self.rng.random() < 0.7,
            )

    def application(
        self, participant, groups, received_on, *, decision=None, decided_on=None, exclusion=False
    ):
        institution = self.rng.choice(self.referrers) if self.rng.random() < 0.8 else None
        contact = (
            ContactPerson.objects.filter(institution=institution).first() if institution else None
        )
        application = services.application_create(
            application=Application(
                participant=participant,
                received_on=received_on,
                source=ApplicationSource.REFERRAL if institution else ApplicationSource.SELF,
                institution=institution,
                contact_person=contact,
                reason=self.rng.choice(REASONS),
                eligible_groups=list(groups),
                receives_unemployment_benefit=exclusion,
            ),
            by=self.manager_user,
        )
        if decision:
            services.application_decide(
                application=application,
                decision=decision,
                decided_on=decided_on or received_on + timedelta(days=7),
                decided_by=self.staff["kierownik"],
                reason={
                    Decision.QUALIFIED: "Spełnia kryteria ustawy, zmotywowany do udziału.",
                    Decision.RESERVE: "Spełnia kryteria; brak wolnych miejsc w edycji — lista "
                    "rezerwowa.",
                    Decision.NOT_QUALIFIED: "Pobiera zasiłek dla bezrobotnych (art. 1 ust. 3).",
                }[decision],
                expected_version=application.version,
            )
        return application

    def enrol(self, participant, application, *, cohort=None, starts_on, planned_end_on=None):
        return services.enrolment_create(
            enrolment=Enrolment(
                participant=participant,
                application=application,
                cohort=cohort,
                starts_on=starts_on,
                planned_end_on=planned_end_on or services.default_planned_end(starts_on, cohort),
                funding_source=self.rng.choice(self.funding) if self.funding else None,
            ),
            by=self.manager_user,
        )

    def notes(self, participant, enrolment, start, end, count):
        span = max((end - start).days, 1)
        for _ in range(count):
            kind, section, text = self.rng.choice(NOTES)
            CaseNote.objects.create(
                participant=participant,
                enrolment=enrolment,
                kind=kind,
                section=section,
                text=text,
                happened_on=start + timedelta(days=self.rng.randint(0, span)),
                author=self.rng.choice(self.note_authors),
            )


def seed_participants(*, today: date, staff: dict[str, StaffMember], rng=None) -> None:
    if Participant.objects.exists():
        return
    rng = rng or random.Random(2026)
    builder = DemoBuilder(today=today, staff=staff, rng=rng)
    with set_actor(builder.manager_user), transaction.atomic():
        _active_cohort(builder, today, staff)
        _finished_cohort(builder, today, staff)
        _rolling(builder, today)
        _waiting_list(builder, today)
        _documents(builder, today)
        _referrals(builder, today)


def _active_cohort(builder, today, staff):
    start = today - timedelta(weeks=17)
    cohort = Cohort.objects.create(
        name=f"Edycja {start.year}/A",
        starts_on=start,
        ends_on=start + timedelta(weeks=38) - timedelta(days=1),
        capacity=30,
        lead_social_worker=staff["socjalny"],
        funding_source=builder.funding[1] if len(builder.funding) > 1 else None,
    )
    for index in range(30):
        participant, groups = builder.person(with_pesel=index != 7)
        application = builder.application(
            participant,
            groups,
            start - timedelta(days=builder.rng.randint(20, 60)),
            decision=Decision.QUALIFIED,
        )
        enrolment = builder.enrol(participant, application, cohort=cohort, starts_on=start)
        if index % 3:
            participant.rodo_clause_given_on = start
            participant.save()
        builder.notes(participant, enrolment, start, today, builder.rng.randint(1, 3))
        if index in (4, 19):
            services.enrolment_change_status(
                enrolment=enrolment,
                to_status=EnrolmentStatus.SUSPENDED,
                changed_on=today - timedelta(days=10),
                reason="Pobyt w szpitalu — zawieszenie do czasu powrotu.",
                by=builder.manager_user,
                expected_version=enrolment.version,
            )
        if index == 25:
            services.enrolment_change_status(
                enrolment=enrolment,
                to_status=EnrolmentStatus.DROPPED_OUT,
                changed_on=today - timedelta(days=30),
                reason="Rezygnacja z powodów rodzinnych (opieka nad matką).",
                by=builder.manager_user,
                expected_version=enrolment.version,
                exit_outcome=ExitOutcome.RESIGNATION,
            )


def _finished_cohort(builder, today, staff):
    start = today - timedelta(weeks=38 + 9)
    end = start + timedelta(weeks=38) - timedelta(days=1)
    cohort = Cohort.objects.create(
        name=f"Edycja {start.year}/B",
        starts_on=start,
        ends_on=end,
        capacity=30,
        lead_social_worker=staff["socjalny"],
        funding_source=builder.funding[0] if builder.funding else None,
    )
    outcomes = (
        [ExitOutcome.EMPLOYMENT] * 9
        + [ExitOutcome.EDUCATION] * 3
        + [ExitOutcome.SOCIAL_COOPERATIVE] * 2
        + [ExitOutcome.CIS] * 2
        + [ExitOutcome.SOCIALLY_USEFUL_WORK] * 2
        + [ExitOutcome.PUP_REGISTRATION] * 4
        + [ExitOutcome.INTERNSHIP] * 2
    )
    for index in range(30):
        participant, groups = builder.person()
        participant.rodo_clause_given_on = start
        participant.save()
        application = builder.application(
            participant,
            groups,
            start - timedelta(days=builder.rng.randint(15, 50)),
            decision=Decision.QUALIFIED,
        )
        enrolment = builder.enrol(
            participant, application, cohort=cohort, starts_on=start, planned_end_on=end
        )
        if index < len(outcomes):
            status, outcome, on = EnrolmentStatus.COMPLETED, outcomes[index], end
            reason = "Ukończenie programu."
        elif index < 28:
            status, outcome = EnrolmentStatus.DROPPED_OUT, ExitOutcome.RESIGNATION
            on = start + timedelta(days=builder.rng.randint(40, 200))
            reason = "Rezygnacja uczestnika."
        else:
            status, outcome = EnrolmentStatus.REMOVED, ExitOutcome.REMOVAL
            on = start + timedelta(days=builder.rng.randint(60, 150))
            reason = "Skreślenie z listy po upomnieniu — nieusprawiedliwione nieobecności."
        builder.notes(participant, enrolment, start, on, builder.rng.randint(1, 3))
        services.enrolment_change_status(
            enrolment=enrolment,
            to_status=status,
            changed_on=on,
            reason=reason,
            by=builder.manager_user,
            expected_version=enrolment.version,
            exit_outcome=outcome,
        )
        for follow_up in enrolment.follow_ups.filter(due_on__lte=today - timedelta(days=3)):
            if builder.rng.random() < 0.7:
                follow_up.checked_on = follow_up.due_on + timedelta(days=2)
                follow_up.result = (
                    FollowUpResult.EMPLOYED
                    if outcome == ExitOutcome.EMPLOYMENT
                    else builder.rng.choice(list(FollowUpResult))
                )
                services.follow_up_record(
                    follow_up=follow_up,
                    recorded_by_id=participant.case_manager_id,
                    expected_version=follow_up.version,
                )


def _rolling(builder, today):
    for weeks_ago in (30, 12, 6, 2):
        participant, groups = builder.person()
        start = today - timedelta(weeks=weeks_ago)
        application = builder.application(
            participant, groups, start - timedelta(days=14), decision=Decision.QUALIFIED
        )
        enrolment = builder.enrol(participant, application, starts_on=start)
        builder.notes(participant, enrolment, start, today, 2)
    # A longer, justified participation.
    participant, groups = builder.person()
    start = today - timedelta(weeks=20)
    application = builder.application(
        participant, groups, start - timedelta(days=10), decision=Decision.QUALIFIED
    )
    services.enrolment_create(
        enrolment=Enrolment(
            participant=participant,
            application=application,
            starts_on=start,
            planned_end_on=start + relativedelta(months=15),
            extension_reason="Indywidualny program wychodzenia z bezdomności trwa do końca "
            "roku; przedłużenie uzgodnione z OPS.",
        ),
        by=builder.manager_user,
    )


def _waiting_list(builder, today):
    plans = [
        (Decision.QUALIFIED, False),
        (None, False),
        (None, False),
        (None, False),
        (None, False),
        (Decision.RESERVE, False),
        (Decision.RESERVE, False),
        (Decision.NOT_QUALIFIED, True),
    ]
    for index, (decision, exclusion) in enumerate(plans):
        participant, groups = builder.person(with_pesel=index != 3)
        received = today - timedelta(days=25 - index * 3)
        builder.application(
            participant,
            groups,
            received,
            decision=decision,
            decided_on=min(received + timedelta(days=5), today),
            exclusion=exclusion,
        )


CONTRACT_GOALS = (
    "Podjęcie zatrudnienia na otwartym rynku pracy lub w spółdzielni socjalnej; "
    "uregulowanie sytuacji mieszkaniowej."
)
CONTRACT_OBLIGATIONS = (
    "Regularny udział w zajęciach KIS zgodnie z indywidualnym planem działania; "
    "rejestracja w PUP; comiesięczny kontakt z pracownikiem socjalnym."
)
WORKER_OBLIGATIONS = (
    "Pomoc w przygotowaniu dokumentów aplikacyjnych; skierowanie na konsultacje "
    "specjalistyczne; ocena realizacji kontraktu co dwa miesiące."
)


def _documents(builder, today):
    """Social contracts for the people in an open participation; certificates for finishers."""
    from kis_site import documents

    manager = builder.manager_user
    open_enrolments = Enrolment.objects.filter(status__in=EnrolmentStatus.open()).select_related(
        "participant"
    )
    for index, enrolment in enumerate(open_enrolments.order_by("pk")):
        participant = enrolment.participant
        if index % 7 == 6:
            continue  # a few people still without a basis: the enrolment page shows it
        referral = index % 9 == 4
        contract = services.contract_create(
            contract=SocialContract(
                participant=participant,
                basis_kind=BasisKind.PUP_REFERRAL if referral else BasisKind.SOCIAL_CONTRACT,
                origin=ContractOrigin.RECORDED,
                number=f"KS/{enrolment.starts_on.year}/{100 + index}",
                concluded_on=enrolment.starts_on - timedelta(days=10),
                valid_from=enrolment.starts_on - timedelta(days=10),
                valid_until=enrolment.starts_on + timedelta(days=150 if index % 5 else 200),
                ops_worker="" if referral else "Beata Sowa",
                goals="Skierowanie do udziału w zajęciach KIS w ramach działań aktywizacyjnych."
                if referral
                else CONTRACT_GOALS,
                situation="" if referral else builder.rng.choice(REASONS),
                person_obligations="" if referral else CONTRACT_OBLIGATIONS,
                worker_obligations="" if referral else WORKER_OBLIGATIONS,
            ),
            by=manager,
        )
        if index % 4 == 3:
            continue  # left as a draft waiting for the paper signatures
        for slot in contract.signer_slots():
            if slot.roles:
                documents.document_sign(document=contract, slot_key=slot.key, user=manager)
            else:
                documents.document_record_paper_signature(
                    document=contract,
                    slot_key=slot.key,
                    signer_name=slot.default_name(contract) if slot.default_name else "",
                    signed_on=contract.concluded_on,
                    by=manager,
                )
        contract.refresh_from_db()
        if index % 3 == 0:
            pdf = documents.document_pdf(document=contract)
            documents.document_upload_scan(
                document=contract,
                number=1,
                upload=_InMemoryUpload(pdf.content),
                by=manager,
            )
    finished = Enrolment.objects.filter(status=EnrolmentStatus.COMPLETED).order_by("ended_on", "pk")
    for index, enrolment in enumerate(finished):
        certificate = services.certificate_issue(
            enrolment=enrolment,
            issued_on=min(enrolment.ended_on + timedelta(days=3), today),
            by=manager,
        )
        if index % 6 != 5:
            documents.document_sign(document=certificate, slot_key="manager", user=manager)


class _InMemoryUpload:
    """Just enough of an uploaded file for the demo's scans."""

    def __init__(self, content):
        import io

        self._io = io.BytesIO(content)
        self.size = len(content)

    def seek(self, position):
        self._io.seek(position)

    def read(self, *args):
        return self._io.read(*args)


def _referrals(builder, today):
    """A few referrals to partners' services, at every stage."""
    from kis_site import documents
    from partners.models import Service

    manager = builder.manager_user
    services_by_name = {service.name: service for service in Service.objects.all()}
    plans = [
        ("Poradnictwo zawodowe i pośrednictwo pracy", "completed", 40),
        ("Terapia uzależnień i grupa wsparcia", "accepted", 25),
        ("Klub pracy i warsztaty aktywnego poszukiwania pracy", "sent", 20),
        ("Staże i prace społecznie użyteczne", "sent", 5),
        ("Zajęcia kulturalne i wolontariat", "prepared", 2),
    ]
    people = list(
        Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE).select_related("participant")[:5]
    )
    for (name, status, days_ago), enrolment in zip(plans, people, strict=False):
        service = services_by_name.get(name)
        if service is None:
            continue
        referred_on = today - timedelta(days=days_ago)
        health = "Terapia" in name
        categories = [DataCategory.IDENTITY, DataCategory.CONTACT] + (
            [DataCategory.HEALTH] if health else []
        )
        referral = services.referral_create(
            referral=OutgoingReferral(
                participant=enrolment.participant,
                institution=service.institution,
                service=service,
                contact_person=service.contact,
                referred_on=referred_on,
                purpose=f"Skierowanie na: {name.lower()}.",
                data_passed=categories,
                information="Uczestnik utrzymuje abstynencję od 8 miesięcy." if health else "",
                legal_basis=LegalBasis.CONSENT,
                consent_on=referred_on,
                consent_categories=categories,
            ),
            by=manager,
        )
        if status == "prepared":
            continue
        referral = documents.document_sign(document=referral, slot_key="referring", user=manager)
        steps = {
            "sent": ["sent"],
            "accepted": ["sent", "accepted"],
            "completed": ["sent", "accepted", "completed"],
        }[status]
        notes = {
            "sent": "",
            "accepted": "Przyjęty od przyszłego tygodnia.",
            "completed": "Ukończył cykl konsultacji; przygotowany do rozmów o pracę.",
        }
        for step in steps:
            referral = services.referral_change_status(
                referral=referral,
                to_status=step,
                on=referred_on + timedelta(days=1),
                note=notes[step],
                expected_version=referral.version,
            )

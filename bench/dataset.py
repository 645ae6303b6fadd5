"""A large, realistic dataset built with bulk inserts: 5,000 participants in 170 cohorts."""

import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from kis_site.demo import FEMALE_NAMES, MALE_NAMES, SURNAMES, make_pesel
from kis_site.models import StaffMember
from kis_site.search import normalise, polish_sort_key
from kis_site.vocabulary import RiskGroup, Role
from participants.models import (
    Application,
    ApplicationSource,
    CaseNote,
    Cohort,
    Decision,
    Enrolment,
    EnrolmentStatus,
    ExitOutcome,
    FamilyMember,
    NoteKind,
    Participant,
    ParticipantRiskGroup,
    Relation,
)

PASSWORD = "Bench-haslo-2026"


def build(*, participants=5000, cohorts=170, notes_per_person=5, seed=7):
    rng = random.Random(seed)
    today = date.today()
    User = get_user_model()
    staff = []
    for index, role in enumerate(
        [Role.MANAGER, Role.CASE_MANAGER, Role.CASE_MANAGER, Role.SOCIAL_WORKER, Role.PSYCHOLOGIST]
    ):
        user = User.objects.create_user(
            f"bench{index}",
            password=PASSWORD,
            first_name="Ben",
            last_name=f"Ch{index}",
            is_staff=role == Role.MANAGER,
        )
        user.groups.add(Group.objects.get(name=role.group_name))
        staff.append(
            StaffMember.objects.create(user=user, first_name="Ben", last_name=f"Ch{index}")
        )
    case_managers = staff[1:3]

    cohort_rows = []
    for index in range(cohorts):
        start = today - timedelta(days=7 * (index % 120) + 14)
        cohort_rows.append(
            Cohort(
                name=f"Edycja {index + 1:03d}",
                starts_on=start,
                ends_on=start + timedelta(weeks=38),
                capacity=30,
            )
        )
    Cohort.objects.bulk_create(cohort_rows)
    cohort_list = list(Cohort.objects.order_by("pk"))

    people = []
    for index in range(participants):
        female = rng.random() < 0.45
        first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        last = rng.choice(SURNAMES)[1 if female else 0]
        born = date(1960, 1, 1) + timedelta(days=rng.randint(0, 40 * 365))
        people.append(
            Participant(
                first_name=first,
                last_name=last,
                birth_date=born,
                sex="F" if female else "M",
                pesel=make_pesel(born, female, index % 1000) if index % 50 else None,
                city="Radom",
                street=f"ul. Długa {index % 200}",
                postal_code="26-600",
                case_manager=case_managers[index % 2],
                search_text=normalise(f"{first} {last}"),
                sort_name=polish_sort_key(f"{last} {first}"),
                primary_risk_group=RiskGroup.LONG_TERM_UNEMPLOYED,
            )
        )
    # Generated PESELs can repeat (same birth date and serial): keep the first.
    seen = set()
    for person in people:
        if person.pesel in seen:
            person.pesel = None
        elif person.pesel:
            seen.add(person.pesel)
    Participant.objects.bulk_create(people, batch_size=1000)
    people = list(Participant.objects.order_by("pk"))

    ParticipantRiskGroup.objects.bulk_create(
        [
            ParticipantRiskGroup(participant=p, group=RiskGroup.LONG_TERM_UNEMPLOYED, since=today)
            for p in people
        ],
        batch_size=2000,
    )
    FamilyMember.objects.bulk_create(
        [
            FamilyMember(
                participant=p,
                first_name="Ola",
                relation=Relation.CHILD,
                birth_year=2015,
                needs_childcare=True,
            )
            for p in people[::3]
        ],
        batch_size=2000,
    )

    applications = [
        qualified_application(p.pk, received_on=today - timedelta(days=400)) for p in people
    ]
    Application.objects.bulk_create(applications, batch_size=2000)
    applications = {a.participant_id: a for a in Application.objects.all()}

    enrolments = []
    for index, person in enumerate(people):
        cohort = cohort_list[index % len(cohort_list)] if index % 40 else None
        start = cohort.starts_on if cohort else today - timedelta(days=index % 300)
        closed = cohort is not None and cohort.ends_on < today
        enrolments.append(
            Enrolment(
                participant=person,
                cohort=cohort,
                application=applications[person.pk],
                starts_on=start,
                planned_end_on=start + timedelta(days=300),
                status=EnrolmentStatus.COMPLETED if closed else EnrolmentStatus.ACTIVE,
                status_changed_on=start,
                ended_on=cohort.ends_on if closed else None,
                exit_outcome=ExitOutcome.EMPLOYMENT if closed else "",
            )
        )
    Enrolment.objects.bulk_create(enrolments, batch_size=2000)
    latest = Enrolment.objects.filter(participant=OuterRef("pk")).order_by("-starts_on", "-pk")
    Participant.objects.update(
        current_enrolment=Subquery(latest.values("pk")[:1]),
        current_status=Coalesce(Subquery(latest.values("status")[:1]), Value("")),
    )

    note_rows = []
    for person in people:
        for number in range(notes_per_person):
            note_rows.append(
                CaseNote(
                    participant=person,
                    kind=NoteKind.CONVERSATION,
                    happened_on=today - timedelta(days=number * 9),
                    author=staff[number % len(staff)],
                    text="Rozmowa o postępach w warsztatach i planie na kolejny tydzień. " * 3,
                )
            )
    CaseNote.objects.bulk_create(note_rows, batch_size=5000)
    return {
        "manager": "bench0",
        "case_manager": "bench1",
        "social_worker": "bench3",
        "psychologist": "bench4",
        "sample": people[len(people) // 2].pk,
    }


def qualified_application(participant_id, *, received_on) -> Application:
    """A person's own application, qualified five days after it came in."""
    return Application(
        participant_id=participant_id,
        received_on=received_on,
        source=ApplicationSource.SELF,
        eligible_groups=["long_term_unemployed"],
        decision=Decision.QUALIFIED,
        decided_on=received_on + timedelta(days=5),
        decision_reason="Spełnia kryteria.",
    )


def contract_for(participant_id) -> int:
    """A two-page social contract of one participant (drafted, not signed: rendered each time)."""
    from django.utils import timezone

    from participants import services
    from participants.models import SocialContract

    person = Participant.objects.get(pk=participant_id)
    today = timezone.localdate()
    contract = services.contract_create(
        contract=SocialContract(
            participant=person,
            number="KS/1/2026",
            concluded_on=today,
            valid_from=today,
            valid_until=today + timedelta(days=180),
            ops_worker="Beata Sowa",
            situation="Osoba długotrwale bezrobotna, zadłużenie czynszowe, wsparcie rodziny. " * 25,
            goals="Podjęcie zatrudnienia i spłata zadłużenia. " * 10,
            person_obligations="- udział w zajęciach KIS\n- kontakt z doradcą zawodowym\n" * 8,
            worker_obligations="- pomoc w dokumentach\n- skierowanie do PUP\n" * 8,
        ),
        by=None,
    )
    return contract.pk


def network(*, institutions=300, referrals=20000, seed=11):
    """300 institutions with contacts and services, 20,000 referrals of the participants."""
    from kis_site.vocabulary import Sphere
    from participants.models import OutgoingReferral, ReferralStatus
    from partners.models import ContactPerson, Institution, InstitutionType, Service, ServiceSphere

    rng = random.Random(seed)
    kinds = [kind for kind, _label in InstitutionType.choices]
    Institution.objects.bulk_create(
        [
            Institution(
                name=f"Instytucja partnerska {index:03d}",
                kind=kinds[index % len(kinds)],
                city="Radom",
                search_text=normalise(f"instytucja partnerska {index:03d} radom"),
            )
            for index in range(institutions)
        ]
    )
    all_institutions = list(Institution.objects.order_by("pk"))
    ContactPerson.objects.bulk_create(
        [
            ContactPerson(institution=institution, first_name="Anna", last_name=f"Kontakt{n}")
            for n, institution in enumerate(all_institutions)
        ]
    )
    Service.objects.bulk_create(
        [
            Service(institution=institution, name=f"Usługa {n}")
            for n, institution in enumerate(all_institutions)
        ]
    )
    spheres = [sphere for sphere, _label in Sphere.choices]
    ServiceSphere.objects.bulk_create(
        [
            ServiceSphere(service=service, sphere=spheres[service.pk % 5])
            for service in Service.objects.all()
        ]
    )
    people = list(Participant.objects.values_list("pk", flat=True))
    today = date.today()
    statuses = [
        ReferralStatus.SENT,
        ReferralStatus.ACCEPTED,
        ReferralStatus.COMPLETED,
        ReferralStatus.REJECTED,
        ReferralStatus.PREPARED,
    ]
    busiest = all_institutions[0]
    OutgoingReferral.objects.bulk_create(
        [
            OutgoingReferral(
                participant_id=rng.choice(people),
                institution=busiest if index % 10 == 0 else rng.choice(all_institutions),
                referred_on=today - timedelta(days=index % 400),
                purpose="Konsultacja.",
                data_passed=["identity"],
                legal_basis="consent",
                consent_on=today - timedelta(days=index % 400),
                consent_categories=["identity"],
                status=statuses[index % len(statuses)],
            )
            for index in range(referrals)
        ],
        batch_size=5000,
    )
    return busiest.pk


def diagnoses(*, sample=None, seed=13):
    """An initial diagnosis for every participation: five filled spheres each, bulk-inserted;
    the tools and the Holland result for one in ten."""

    from diagnosis.models import (
        SPHERE_MODELS,
        HollandResult,
        IncomeSource,
        Job,
        Tool,
        ToolUse,
    )

    rng = random.Random(seed)
    reports = initial_diagnoses(Enrolment.objects.all(), rng)
    some = set(reports[::10])
    if sample is not None:
        some.add(diagnosis_for(sample))
    spheres = dict(
        SPHERE_MODELS["socio_living"]
        .objects.filter(report_id__in=some)
        .values_list("report_id", "pk")
    )
    IncomeSource.objects.bulk_create(
        [IncomeSource(sphere_id=spheres[pk], kind="periodic_benefit", amount=420) for pk in some]
    )
    vocational = dict(
        SPHERE_MODELS["vocational"]
        .objects.filter(report_id__in=some)
        .values_list("report_id", "pk")
    )
    Job.objects.bulk_create(
        [
            Job(
                sphere_id=vocational[pk],
                employer="Przedsiębiorstwo Usługowe",
                position="magazynier",
                started_on=date(2012, 3, 1),
                ended_on=date(2018, 6, 30),
            )
            for pk in some
        ]
    )
    today = date.today()
    ToolUse.objects.bulk_create(
        [
            ToolUse(
                report_id=pk,
                tool=tool,
                used_on=today,
                used_by_external="Specjalista",
                hours=2 if tool == Tool.INTERVIEW else None,
            )
            for pk in some
            for tool in (Tool.QUESTIONNAIRE, Tool.INTERVIEW, Tool.HOLLAND)
        ]
    )
    HollandResult.objects.bulk_create(
        [
            HollandResult(
                report_id=pk,
                realistic=rng.randint(0, 14),
                investigative=rng.randint(0, 14),
                artistic=rng.randint(0, 14),
                social=rng.randint(0, 14),
                enterprising=rng.randint(0, 14),
                conventional=rng.randint(0, 14),
                tested_on=today,
            )
            for pk in some
        ]
    )


def initial_diagnoses(enrolments, rng) -> list[int]:
    """An initial diagnosis, started on the first day, for each of ``enrolments``: a version-1
    revision and five filled spheres with a random rating. Returns the reports' keys."""
    from django.contrib.contenttypes.models import ContentType

    from diagnosis.models import SPHERE_MODELS, DiagnosticReport
    from kis_site.models import DocumentRevision

    text = "Opis sytuacji osoby zebrany w rozmowie diagnostycznej, z uwagami specjalisty. " * 4
    rows = list(enrolments.values_list("pk", "participant_id", "starts_on"))
    DiagnosticReport.objects.bulk_create(
        [
            DiagnosticReport(
                participant_id=participant,
                enrolment_id=pk,
                kind="initial",
                started_on=start,
                recommendations="Udział w warsztatach, konsultacje z psychologiem. " * 3,
            )
            for pk, participant, start in rows
        ],
        batch_size=2000,
    )
    reports = list(
        DiagnosticReport.objects.filter(enrolment_id__in=[row[0] for row in rows])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    content_type = ContentType.objects.get_for_model(DiagnosticReport)
    DocumentRevision.objects.bulk_create(
        [DocumentRevision(content_type=content_type, object_id=pk, number=1) for pk in reports],
        batch_size=5000,
    )
    for model in SPHERE_MODELS.values():
        texts = {
            field.name: text
            for field in model._meta.concrete_fields
            if field.get_internal_type() == "TextField"
        }
        model.objects.bulk_create(
            [
                model(
                    report_id=pk,
                    strengths=["motywacja do zmiany", "wsparcie rodziny"],
                    deficits=["długa przerwa w pracy", "zadłużenie"],
                    rating=rng.randint(1, 5),
                    rating_reason="Uzasadnienie oceny w jednym zdaniu.",
                    **texts,
                )
                for pk in reports
            ],
            batch_size=2000,
        )
    return reports


def earlier_rounds(*, every=10, of=7, seed=31) -> int:
    """An earlier, completed participation for ``of`` in ``every`` participants: twelve months
    ending a quarter before their current one began (a second round, as people come back), with
    its own application and initial diagnosis, so the change reports cover years of work.
    Returns how many were added."""
    rng = random.Random(seed)
    outcomes = [
        ExitOutcome.EMPLOYMENT,
        ExitOutcome.EMPLOYMENT,
        ExitOutcome.EDUCATION,
        ExitOutcome.CIS,
        ExitOutcome.PUP_REGISTRATION,
        ExitOutcome.OTHER,
    ]
    current = list(
        Enrolment.objects.order_by("participant_id").values_list("participant_id", "starts_on")
    )
    chosen = [(person, start) for person, start in current if person % every < of]
    Application.objects.bulk_create(
        [
            qualified_application(person, received_on=start - timedelta(days=470))
            for person, start in chosen
        ],
        batch_size=2000,
    )
    # The earliest application of each person is the new one: the later rows overwrite.
    applications = dict(
        Application.objects.filter(participant_id__in=[person for person, _ in chosen])
        .order_by("participant_id", "-received_on")
        .values_list("participant_id", "pk")
    )
    rows = []
    for person, start in chosen:
        begun = start - timedelta(days=460)
        rows.append(
            Enrolment(
                participant_id=person,
                application_id=applications[person],
                starts_on=begun,
                planned_end_on=begun + timedelta(days=365),
                status=EnrolmentStatus.COMPLETED,
                status_changed_on=begun + timedelta(days=365),
                ended_on=begun + timedelta(days=365),
                exit_outcome=rng.choice(outcomes),
            )
        )
    last = Enrolment.objects.order_by("-pk").values_list("pk", flat=True).first()
    Enrolment.objects.bulk_create(rows, batch_size=2000)
    initial_diagnoses(Enrolment.objects.filter(pk__gt=last), rng)
    return len(rows)


def diagnosis_for(participant_id) -> int:
    from diagnosis.models import DiagnosticReport

    return (
        DiagnosticReport.objects.filter(participant_id=participant_id)
        .values_list("pk", flat=True)
        .first()
    )


def activities(*, seed=17):
    """Every cohort with its programme and 114 sessions (Mon/Wed/Fri for 38 weeks), everyone
    rostered and marked: about 550,000 marks. Returns a participant and a cohort to measure."""
    from decimal import Decimal

    from activities.models import (
        Attendance,
        Mark,
        Programme,
        ProgrammeModule,
        ProgrammeTemplate,
        RosterEntry,
        Session,
    )

    rng = random.Random(seed)
    template = ProgrammeTemplate.objects.get(is_default=True)
    modules = [m for m in template.modules.all() if m.basis == "per_participant"]
    cohorts = list(Cohort.objects.order_by("pk"))
    Programme.objects.bulk_create([Programme(cohort=cohort) for cohort in cohorts])
    programmes = dict(Programme.objects.values_list("cohort_id", "pk"))
    ProgrammeModule.objects.bulk_create(
        [
            ProgrammeModule(
                programme_id=programmes[cohort.pk],
                **{name: getattr(module, name) for name in module.COPIED},
            )
            for cohort in cohorts
            for module in modules
        ],
        batch_size=5000,
    )
    by_programme = {}
    for pk, programme in ProgrammeModule.objects.values_list("pk", "programme_id"):
        by_programme.setdefault(programme, []).append(pk)
    sessions = []
    for cohort in cohorts:
        mine = by_programme[programmes[cohort.pk]]
        for week in range(38):
            for offset in (0, 2, 4):
                sessions.append(
                    Session(
                        module_id=mine[(week * 3 + offset) % len(mine)],
                        date=cohort.starts_on + timedelta(weeks=week, days=offset),
                        starts_at="09:00",
                        ends_at="13:00",
                        planned_hours=Decimal(4),
                        leader_name="Prowadzący",
                        place="Sala 1",
                    )
                )
    Session.objects.bulk_create(sessions, batch_size=5000)
    members = {}
    for participant, cohort in Enrolment.objects.filter(cohort__isnull=False).values_list(
        "participant_id", "cohort_id"
    ):
        members.setdefault(cohort, []).append(participant)
    session_rows = Session.objects.values_list("pk", "module__programme__cohort_id")
    roster, marks = [], []
    choices = [Mark.PRESENT] * 17 + [Mark.LATE, Mark.EXCUSED, Mark.ABSENT]
    for session, cohort in session_rows.iterator(chunk_size=5000):
        for participant in members.get(cohort, []):
            roster.append(RosterEntry(session_id=session, participant_id=participant))
            mark = rng.choice(choices)
            marks.append(
                Attendance(
                    session_id=session,
                    participant_id=participant,
                    mark=mark,
                    minutes_late=15 if mark == Mark.LATE else 0,
                    hours=Decimal("3.75")
                    if mark == Mark.LATE
                    else (Decimal(4) if mark == Mark.PRESENT else Decimal(0)),
                )
            )
        if len(roster) >= 50000:
            RosterEntry.objects.bulk_create(roster, batch_size=10000)
            Attendance.objects.bulk_create(marks, batch_size=10000)
            roster, marks = [], []
    RosterEntry.objects.bulk_create(roster, batch_size=10000)
    Attendance.objects.bulk_create(marks, batch_size=10000)
    cohort = max(members, key=lambda pk: len(members[pk]))
    return {
        "cohort": cohort,
        "participant": members[cohort][0],
        "marks": Attendance.objects.count(),
    }


def fresh_sessions(cohort_id: int, count: int) -> list[int]:
    """Sessions of one cohort without marks yet (for timing the first save of 30)."""
    from decimal import Decimal

    from activities.models import ProgrammeModule, RosterEntry, Session

    module = ProgrammeModule.objects.filter(programme__cohort_id=cohort_id).first()
    people = list(
        Enrolment.objects.filter(cohort_id=cohort_id).values_list("participant_id", flat=True)
    )
    today = date.today()
    made = Session.objects.bulk_create(
        [
            Session(
                module=module,
                date=today - timedelta(days=1),
                starts_at=f"{6 + n % 12:02d}:00",
                ends_at=f"{7 + n % 12:02d}:00",
                planned_hours=Decimal(1),
                leader_name="Prowadzący",
            )
            for n in range(count)
        ]
    )
    RosterEntry.objects.bulk_create(
        [RosterEntry(session=session, participant_id=pk) for session in made for pk in people]
    )
    return [session.pk for session in made]


def placements(*, people=600, seed=19):
    """PSU placements for 600 people with a daily hour record over the last three months."""
    from decimal import Decimal

    from activities.models import Placement, PlacementHours

    rng = random.Random(seed)
    today = date.today()
    start = (today.replace(day=1) - timedelta(days=75)).replace(day=1)
    chosen = list(Participant.objects.order_by("pk").values_list("pk", flat=True)[:people])
    Placement.objects.bulk_create(
        [
            Placement(
                participant_id=pk,
                kind="psu",
                employer=f"Zakład {pk % 40}",
                starts_on=start,
                hours_per_week=10,
                pup_referral=f"PSU/{pk}/{start.year}",
            )
            for pk in chosen
        ]
    )
    days = [
        start + timedelta(days=n)
        for n in range((today - start).days)
        if (start + timedelta(days=n)).weekday() < 5
    ]
    PlacementHours.objects.bulk_create(
        [
            PlacementHours(placement_id=placement, day=day, hours=Decimal(rng.choice([2, 3, 4])))
            for placement in Placement.objects.values_list("pk", flat=True)
            for day in days
            if rng.random() < 0.6
        ],
        batch_size=10000,
    )
    return (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


# Goals of the action plan per sphere: what is to change, its indicator, whether a legal matter.
PLAN_GOALS = {
    "socio_living": [
        (
            "Uregulowanie zadłużenia czynszowego wobec spółdzielni mieszkaniowej",
            "Zawarte porozumienie o spłacie zadłużenia w ratach i trzy raty wpłacone w terminie",
            True,
        ),
        (
            "Poprawa warunków mieszkaniowych rodziny",
            "Złożony w urzędzie miasta wniosek o najem lokalu socjalnego",
            False,
        ),
        (
            "Samodzielne gospodarowanie budżetem domowym",
            "Zeszyt wydatków prowadzony przez trzy kolejne miesiące",
            False,
        ),
    ],
    "health": [
        (
            "Podjęcie leczenia w poradni zdrowia psychicznego",
            "Potwierdzona wizyta u lekarza psychiatry i ustalony plan leczenia",
            False,
        ),
        (
            "Ograniczenie spożywania alkoholu",
            "Udział w terapii odwykowej przez co najmniej trzy miesiące",
            False,
        ),
        (
            "Uzyskanie orzeczenia o stopniu niepełnosprawności",
            "Złożony wniosek do powiatowego zespołu do spraw orzekania",
            False,
        ),
    ],
    "social": [
        (
            "Odbudowa kontaktów z dziećmi i rodziną",
            "Spotkania z dziećmi co najmniej raz w tygodniu, potwierdzone przez rodzinę",
            False,
        ),
        (
            "Udział w życiu społeczności lokalnej",
            "Co najmniej dwa działania wolontariackie w miesiącu",
            False,
        ),
        (
            "Wykonanie obowiązków orzeczonych przez sąd",
            "Odpracowane godziny nieodpłatnej pracy na cele społeczne, potwierdzone przez kuratora",
            True,
        ),
    ],
    "psychological": [
        (
            "Wzmocnienie poczucia własnej wartości i wiary we własne możliwości",
            "Wyższy wynik w skali samooceny w badaniu końcowym niż we wstępnym",
            False,
        ),
        (
            "Radzenie sobie ze stresem i trudnymi emocjami",
            "Ukończony trening umiejętności społecznych i trzy rozmowy z psychologiem",
            False,
        ),
    ],
    "vocational": [
        (
            "Rejestracja w powiatowym urzędzie pracy",
            "Zaświadczenie o rejestracji jako osoba bezrobotna",
            False,
        ),
        (
            "Podjęcie zatrudnienia na otwartym rynku pracy",
            "Umowa o pracę lub umowa zlecenia na co najmniej trzy miesiące",
            False,
        ),
        (
            "Uzyskanie nowych kwalifikacji zawodowych",
            "Zaświadczenie o ukończeniu kursu zawodowego",
            False,
        ),
    ],
}
PLAN_OWN_TASKS = [
    "Przygotowanie CV i listu motywacyjnego",
    "Codzienne przeglądanie ofert pracy w internecie i w urzędzie pracy",
    "Prowadzenie zeszytu wydatków domowych",
    "Zgłoszenie się do poradni w wyznaczonym terminie",
    "Regularne spotkania z kuratorem sądowym",
    "Udział w spotkaniach grupy wsparcia AA",
]
PLAN_REFERRALS = [
    "Skierowanie do punktu nieodpłatnej pomocy prawnej",
    "Skierowanie do poradni zdrowia psychicznego",
    "Skierowanie do powiatowego urzędu pracy na szkolenie",
    "Skierowanie do ośrodka interwencji kryzysowej",
]
PLAN_CONSULTATIONS = [
    "Konsultacje indywidualne z psychologiem",
    "Konsultacje z doradcą zawodowym",
    "Konsultacje z prawnikiem w sprawie zadłużenia",
    "Konsultacje z pedagogiem",
]


def plans(*, sample=None, seed=23):
    """An action plan for nine in ten participations with an initial diagnosis (every one for
    ``sample``): 6–12 goals over the five spheres (12 for ``sample``), 1–3 actions each. In a
    cohort with a programme some actions follow its modules (with planned hours) and its
    consultation module; the rest are own tasks and referrals to partners. Bulk-inserted with
    the plans' version-1 DocumentRevision rows, as the diagnoses are. Returns the counts."""
    from decimal import Decimal

    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from activities.models import ModuleForm, Programme, ProgrammeModule, TemplateModule
    from diagnosis.models import DiagnosticReport
    from ipd.models import (
        ActionKind,
        ActionPlan,
        ActionStatus,
        Goal,
        GoalStatus,
        PlanAction,
    )
    from kis_site.models import DocumentRevision
    from kis_site.vocabulary import sphere_section
    from partners.models import Institution

    rng = random.Random(seed)
    today = date.today()
    now = timezone.now()
    individual = (ModuleForm.CONSULTATION, ModuleForm.INTERVIEW)

    # The cohorts' programmes have their group modules (activities()); give each the
    # consultants' duty module too, as a programme copied from the template has.
    programmes = dict(Programme.objects.filter(cohort__isnull=False).values_list("cohort_id", "pk"))
    with_consultation = set(
        ProgrammeModule.objects.filter(
            programme__cohort__isnull=False, form=ModuleForm.CONSULTATION
        ).values_list("programme_id", flat=True)
    )
    duty = TemplateModule.objects.filter(
        template__is_default=True, form=ModuleForm.CONSULTATION
    ).first()
    if duty is not None:
        ProgrammeModule.objects.bulk_create(
            [
                ProgrammeModule(
                    programme_id=programme,
                    **{name: getattr(duty, name) for name in duty.COPIED},
                )
                for programme in programmes.values()
                if programme not in with_consultation
            ]
        )
    group_modules, consultation_modules = {}, {}
    for pk, cohort, form, hours in ProgrammeModule.objects.filter(
        programme__cohort__isnull=False, is_retired=False
    ).values_list("pk", "programme__cohort_id", "form", "hours"):
        if form == ModuleForm.CONSULTATION:
            consultation_modules.setdefault(cohort, pk)
        elif form not in individual:
            group_modules.setdefault(cohort, []).append((pk, hours))

    diagnoses = dict(
        DiagnosticReport.objects.filter(kind="initial").values_list("enrolment_id", "pk")
    )
    enrolments = [
        row
        for row in Enrolment.objects.filter(pk__in=list(diagnoses)).values_list(
            "pk", "participant_id", "cohort_id", "starts_on", "planned_end_on", "ended_on"
        )
        if row[0] % 10 != 3 or row[1] == sample
    ]
    plan_rows = []
    for pk, participant, _cohort, start, _planned_end, _ended in enrolments:
        drawn = min(start + timedelta(days=14), today)
        plan_rows.append(
            ActionPlan(
                participant_id=participant,
                enrolment_id=pk,
                diagnosis_id=diagnoses[pk],
                drawn_up_on=drawn,
                review_on=drawn + timedelta(days=91),
                participant_goals="Chcę znaleźć stałą pracę i wyjść z długów, żeby dzieci "
                "mogły wrócić do domu.",
                participant_commitments="Będę codziennie przychodzić na zajęcia i raz w "
                "tygodniu spotykać się z opiekunem.",
                participant_agrees=True,
                created_at=now,
            )
        )
    ActionPlan.objects.bulk_create(plan_rows, batch_size=2000)
    assert plan_rows[0].pk is not None  # SQLite returns the new keys
    content_type = ContentType.objects.get_for_model(ActionPlan)
    DocumentRevision.objects.bulk_create(
        [DocumentRevision(content_type=content_type, object_id=p.pk, number=1) for p in plan_rows],
        batch_size=5000,
    )

    spheres = list(PLAN_GOALS)
    goal_rows, goal_info = [], []
    for plan, (_pk, participant, cohort, start, planned_end, ended) in zip(
        plan_rows, enrolments, strict=True
    ):
        end = ended or planned_end
        count = 12 if participant == sample else rng.randint(6, 12)
        # Every sphere once, the rest drawn at random.
        chosen = spheres + [rng.choice(spheres) for _ in range(count - len(spheres))]
        rng.shuffle(chosen)
        offset = rng.randrange(3)
        used = dict.fromkeys(spheres, 0)
        for order, sphere in enumerate(chosen, start=1):
            texts = PLAN_GOALS[sphere]  # different goals in a sphere while the texts last
            description, indicator, legal = texts[(offset + used[sphere]) % len(texts)]
            used[sphere] += 1
            target = min(plan.drawn_up_on + timedelta(days=rng.randint(60, 250)), end)
            status = rng.choice(
                [GoalStatus.NEW] * 4 + [GoalStatus.IN_PROGRESS] * 4 + [GoalStatus.ACHIEVED]
            )
            achieved = status == GoalStatus.ACHIEVED and target <= today
            if status == GoalStatus.ACHIEVED and not achieved:
                status = GoalStatus.IN_PROGRESS
            goal_rows.append(
                Goal(
                    plan_id=plan.pk,
                    sphere=sphere,
                    legal_matter=legal,
                    section=sphere_section(sphere, legal),
                    description=description,
                    indicator=indicator,
                    target_on=target,
                    status=status,
                    achieved_on=target if achieved else None,
                    evidence="Kopia dokumentu w teczce uczestnika." if achieved else "",
                    order=order,
                    updated_at=now,
                    created_in=1,
                )
            )
            goal_info.append((cohort, start, end, target))
    Goal.objects.bulk_create(goal_rows, batch_size=5000)

    staff = list(StaffMember.objects.order_by("pk").values_list("pk", flat=True))
    institutions = list(Institution.objects.order_by("pk").values_list("pk", flat=True)[:50])
    action_rows = []
    for goal, (cohort, start, end, target) in zip(goal_rows, goal_info, strict=True):
        modules = group_modules.get(cohort)
        consultation = consultation_modules.get(cohort)
        for order in range(1, rng.randint(1, 3) + 1):
            draw = rng.random()
            fields = {}
            if modules and draw < 0.4:
                module, hours = rng.choice(modules)
                fields = {
                    "kind": ActionKind.MODULE,
                    "title": "Udział w zajęciach grupowych programu",
                    "module_id": module,
                    "planned_hours": hours,
                    "starts_on": start,
                    "ends_on": end,
                }
            elif consultation and draw < 0.6:
                fields = {
                    "kind": ActionKind.CONSULTATION,
                    "title": rng.choice(PLAN_CONSULTATIONS),
                    "module_id": consultation,
                    "planned_hours": Decimal(rng.choice([2, 4, 6])),
                    "responsible_id": staff[-1] if staff else None,
                    "starts_on": start,
                    "ends_on": target,
                }
            elif institutions and draw < 0.8:
                fields = {
                    "kind": ActionKind.REFERRAL,
                    "title": rng.choice(PLAN_REFERRALS),
                    "institution_id": rng.choice(institutions),
                    "responsible_id": staff[1] if len(staff) > 1 else None,
                    "ends_on": target,
                }
            else:
                fields = {
                    "kind": ActionKind.OWN_TASK,
                    "title": rng.choice(PLAN_OWN_TASKS),
                    "ends_on": target,
                }
            action_rows.append(
                PlanAction(
                    goal_id=goal.pk,
                    legal_matter=goal.legal_matter,
                    section=goal.section,
                    status=ActionStatus.IN_PROGRESS if draw < 0.5 else ActionStatus.PLANNED,
                    order=order,
                    updated_at=now,
                    **fields,
                )
            )
    PlanAction.objects.bulk_create(action_rows, batch_size=5000)
    return {"plans": len(plan_rows), "goals": len(goal_rows), "actions": len(action_rows)}


def plan_for(participant_id) -> int:
    """The plan of the participant's latest participation."""
    from ipd.models import ActionPlan

    return (
        ActionPlan.objects.filter(participant_id=participant_id)
        .order_by("-enrolment__starts_on", "-pk")
        .values_list("pk", flat=True)
        .first()
    )


def plan_with_fewest_goals() -> tuple[int, int]:
    """A plan in a cohort with the fewest goals that still links a group module and a
    consultation (so its page runs the same queries as a long plan): its pk and participant."""
    from django.db.models import Count, Q

    from ipd.models import ActionKind, ActionPlan

    plan = (
        ActionPlan.objects.filter(enrolment__cohort__isnull=False)
        .annotate(
            goal_count=Count("goals", distinct=True),
            modules=Count("goals__actions", filter=Q(goals__actions__kind=ActionKind.MODULE)),
            consultations=Count(
                "goals__actions", filter=Q(goals__actions__kind=ActionKind.CONSULTATION)
            ),
        )
        .filter(modules__gt=0, consultations__gt=0)
        .order_by("goal_count", "pk")
        .values_list("pk", "participant_id")
        .first()
    )
    return plan


def goal_count(plan_id) -> int:
    from ipd.models import Goal

    return Goal.objects.filter(plan_id=plan_id, removed=False).count()


def _at(day: date, hour: int):
    """An aware datetime on ``day`` at ``hour`` o'clock, local time."""
    from datetime import datetime, time

    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, time(hour)))


def sign_initial_diagnoses(*, sample=None, after_days=7) -> dict[int, date]:
    """Sign (lock) the initial diagnoses a change report is read against: every one whose
    participation began at least ``after_days`` ago, bar one in twelve left as a draft (never
    ``sample``'s). The document rows only, as kis_site.documents would leave them without the
    stored PDF: the state and locked_at of the report and its version-1 revision (waiting for the
    scan of the paper original), and the three signatures of the form (the social worker and the
    psychologist in the application, the career advisor on paper). Returns the enrolments whose
    diagnosis is signed, with the day."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from diagnosis.models import DiagnosticReport
    from kis_site.models import (
        DocumentRevision,
        DocumentState,
        RevisionState,
        Signature,
        SignatureMethod,
    )

    User = get_user_model()
    today = timezone.localdate()
    now = timezone.now()
    signers = {}
    for key, role in (("social_worker", Role.SOCIAL_WORKER), ("psychologist", Role.PSYCHOLOGIST)):
        signers[key] = User.objects.filter(groups__name=role.group_name).order_by("pk").first()
    clerk = signers["social_worker"]
    sample_enrolments = set(
        Enrolment.objects.filter(participant_id=sample).values_list("pk", flat=True)
    )
    signed_on, reports = {}, []
    for pk, enrolment, started in DiagnosticReport.objects.filter(kind="initial").values_list(
        "pk", "enrolment_id", "started_on"
    ):
        day = started + timedelta(days=after_days)
        if day > today or (enrolment % 12 == 5 and enrolment not in sample_enrolments):
            continue
        locked_at = min(_at(day, 12), now)
        signed_on[enrolment] = day
        reports.append(DiagnosticReport(pk=pk, state=DocumentState.LOCKED, locked_at=locked_at))
    DiagnosticReport.objects.bulk_update(reports, ["state", "locked_at"], batch_size=1000)
    content_type = ContentType.objects.get_for_model(DiagnosticReport)
    revisions = dict(
        DocumentRevision.objects.filter(content_type=content_type, number=1).values_list(
            "object_id", "pk"
        )
    )
    DocumentRevision.objects.bulk_update(
        [
            DocumentRevision(
                pk=revisions[report.pk],
                state=RevisionState.LOCKED,
                locked_at=report.locked_at,
                signed_on=timezone.localtime(report.locked_at).date(),
                awaits_scan=True,  # the career advisor signed on paper
            )
            for report in reports
        ],
        ["state", "locked_at", "signed_on", "awaits_scan"],
        batch_size=1000,
    )
    signatures = []
    for report in reports:
        day = timezone.localtime(report.locked_at).date()
        for key, user in (*signers.items(), ("career_advisor", None)):
            signatures.append(
                Signature(
                    revision_id=revisions[report.pk],
                    slot=key,
                    slot_label=key.replace("_", " "),
                    method=SignatureMethod.APP if user else SignatureMethod.PAPER,
                    user=user,
                    signer_name=user.get_full_name() if user else "Doradca Zawodowy",
                    signed_on=day,
                    recorded_at=report.locked_at,
                    recorded_by=user or clerk,
                )
            )
    Signature.objects.bulk_create(signatures, batch_size=5000)
    return signed_on


def change_reports(*, sample=None, seed=29, chunk=1000) -> dict:
    """Change reports on every participation with a signed initial diagnosis (signed here, see
    sign_initial_diagnoses): one per calendar month from the month after the diagnosis was signed
    to the current month or the participation's end, five spheres each with the ratings walking
    from the diagnosis's (previous_rating the last report's, else the diagnosis's). The months
    before the current one are signed by the case manager (a version-1 revision and a signature
    each); an open participation's current month is a draft, half filled, for one in three;
    last month's is still a draft for one in ten; one in twelve stopped three months ago (overdue).
    Bulk-inserted in chunks of participations. Returns the counts and what to measure: an active
    participant in a cohort with the most reports, one of their signed reports and their draft."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone, translation

    from diagnosis.models import SPHERE_MODELS, DiagnosticReport
    from kis_site.models import (
        DocumentRevision,
        DocumentState,
        RevisionState,
        Signature,
        SignatureMethod,
    )
    from kis_site.vocabulary import Sphere, sphere_section
    from participants.signers import case_manager_slot
    from reports.demo import VIEWS, WHAT_CHANGED
    from reports.models import ChangeReport, ChangeSphere, Effect
    from reports.months import add_months, first_day, last_day, months_between

    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    current = first_day(today)
    signed_on = sign_initial_diagnoses(sample=sample)

    diagnoses = dict(
        DiagnosticReport.objects.filter(
            kind="initial", enrolment_id__in=list(signed_on)
        ).values_list("enrolment_id", "pk")
    )
    baseline = {pk: {} for pk in diagnoses.values()}
    for sphere, model in SPHERE_MODELS.items():
        for report, rating in model.objects.filter(report_id__in=list(baseline)).values_list(
            "report_id", "rating"
        ):
            baseline[report][sphere] = rating
    signer = dict(Participant.objects.values_list("pk", "case_manager__user_id"))
    names = {user.pk: user.get_full_name() for user in get_user_model().objects.all()}
    with translation.override("pl"):
        slot_label = str(case_manager_slot().label)
    content_type = ContentType.objects.get_for_model(ChangeReport)
    spheres = list(Sphere.values)
    sections = {sphere: sphere_section(sphere) for sphere in spheres}
    effects = [effect.value for effect in Effect]
    counts = {"reports": 0, "signed": 0, "drafts": 0, "spheres": 0}
    best = None  # (reports, enrolment) of an active participant in a cohort with a draft

    enrolments = list(
        Enrolment.objects.filter(pk__in=list(signed_on))
        .order_by("pk")
        .values_list("pk", "participant_id", "cohort_id", "status", "planned_end_on", "ended_on")
    )
    for first in range(0, len(enrolments), chunk):
        reports, plans = [], []  # plans: per report, its five (sphere, rating, previous, ...)
        for pk, participant, cohort, status, planned_end, ended in enrolments[
            first : first + chunk
        ]:
            active = status == EnrolmentStatus.ACTIVE
            start = first_day(add_months(signed_on[pk], 1))
            last = min(current, first_day(ended or planned_end))
            months = months_between(start, last) if start <= last else []
            if not active:
                months = [month for month in months if month < current]
            elif pk % 12 == 7:  # overdue: nothing since three months ago
                months = [month for month in months if month < add_months(current, -2)]
            elif pk % 3:  # the current month not begun yet
                months = [month for month in months if month < current]
            by = signer[participant]
            source = "Diagnoza wstępna"
            ratings = dict(baseline[diagnoses[pk]])
            draft_from = current if pk % 10 else add_months(current, -1)
            for month in months:
                end = last_day(month)
                draft = month >= draft_from or by is None
                met_on = min(end - timedelta(days=3), today)
                locked_at = None if draft else min(_at(end + timedelta(days=3), 10), now)
                report = ChangeReport(
                    participant_id=participant,
                    enrolment_id=pk,
                    period_start=month,
                    period_end=end,
                    met_on=met_on,
                    participant_view=rng.choice(VIEWS),
                    effects=rng.sample(effects, 3),
                    recommendations="Kontynuować działania zaplanowane w IPD.",
                    state=DocumentState.DRAFT if draft else DocumentState.LOCKED,
                    locked_at=locked_at,
                    created_at=_at(met_on, 9),
                    created_by_id=by,
                )
                filled = rng.randint(0, 4) if draft else 5
                parts = []
                for number, sphere in enumerate(spheres):
                    previous = ratings.get(sphere)
                    rating, step = None, 0
                    if number < filled and previous is not None:
                        step = rng.choices([-1, 0, 1], weights=[1, 5, 3])[0]
                        rating = min(5, max(1, previous + step))
                    parts.append((sphere, rating, previous, source, step))
                    if rating is not None:
                        ratings[sphere] = rating
                source = f"Raport zmiany za {month.strftime('%m.%Y')}"
                reports.append(report)
                plans.append(parts)
            if active and cohort and months and months[-1] == current:
                best = max(best or (0, 0), (len(months), pk))
        ChangeReport.objects.bulk_create(reports, batch_size=2000)
        ChangeSphere.objects.bulk_create(
            [
                ChangeSphere(
                    report_id=report.pk,
                    sphere=sphere,
                    section=sections[sphere],
                    previous_rating=previous,
                    previous_source=source if previous is not None else "",
                    resources="Wsparcie rodziny i grupy w KIS." if rating else "",
                    resources_rating=rating,
                    awareness="Zna swoje prawa i obowiązki." if rating else "",
                    awareness_rating=max(1, rating - 1) if rating else None,
                    participation="Utrzymuje kontakt z OPS i PUP." if rating else "",
                    participation_rating=rating,
                    rating=rating,
                    what_changed=WHAT_CHANGED[{1: 0, 0: 1, -1: 2}[step]] if rating else "",
                    goals_progress="Cele w trakcie realizacji.",
                    updated_at=report.created_at if rating else None,
                    updated_by_id=report.created_by_id if rating else None,
                )
                for report, parts in zip(reports, plans, strict=True)
                for sphere, rating, previous, source, step in parts
            ],
            batch_size=5000,
        )
        revisions = DocumentRevision.objects.bulk_create(
            [
                DocumentRevision(
                    content_type=content_type,
                    object_id=report.pk,
                    number=1,
                    state=RevisionState.LOCKED if report.locked_at else RevisionState.DRAFT,
                    opened_at=report.created_at,
                    opened_by_id=report.created_by_id,
                    locked_at=report.locked_at,
                    signed_on=(
                        timezone.localtime(report.locked_at).date() if report.locked_at else None
                    ),
                )
                for report in reports
            ],
            batch_size=5000,
        )
        Signature.objects.bulk_create(
            [
                Signature(
                    revision_id=revision.pk,
                    slot="case_manager",
                    slot_label=slot_label,
                    method=SignatureMethod.APP,
                    user_id=report.created_by_id,
                    signer_name=names[report.created_by_id],
                    signed_on=timezone.localtime(report.locked_at).date(),
                    recorded_at=report.locked_at,
                    recorded_by_id=report.created_by_id,
                )
                for report, revision in zip(reports, revisions, strict=True)
                if report.locked_at
            ],
            batch_size=5000,
        )
        signed = sum(1 for report in reports if report.locked_at)
        counts["reports"] += len(reports)
        counts["signed"] += signed
        counts["drafts"] += len(reports) - signed
        counts["spheres"] += len(reports) * len(spheres)

    enrolment = best[1]
    mine = ChangeReport.objects.filter(enrolment_id=enrolment).order_by("period_start")
    signed = list(mine.filter(state=DocumentState.LOCKED).values_list("pk", flat=True))
    return {
        **counts,
        "diagnoses_signed": len(signed_on),
        "participant": Enrolment.objects.get(pk=enrolment).participant_id,
        "report": signed[len(signed) // 2],
        "draft": mine.filter(state=DocumentState.DRAFT).values_list("pk", flat=True).last(),
    }


def case_manager_with_few(*, count=3, username="bench-few") -> str:
    """A second kind of case manager: one with ``count`` participants taken over from the others,
    picked so that their start page has every tile's rows (an active participation with a draft
    change report, an overdue one, and one with reports up to date). Returns the username."""
    from django.db.models import Count, Max, Q

    from kis_site.models import DocumentState
    from reports.months import add_months, first_day

    User = get_user_model()
    user = User.objects.create_user(username, password=PASSWORD, first_name="Ben", last_name="Few")
    user.groups.add(Group.objects.get(name=Role.CASE_MANAGER.group_name))
    staff = StaffMember.objects.create(user=user, first_name="Ben", last_name="Few")
    active = (
        Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE, cohort__isnull=False)
        .annotate(
            reports=Count("change_reports"),
            drafts=Count("change_reports", filter=Q(change_reports__state=DocumentState.DRAFT)),
            last=Max("change_reports__period_start"),
        )
        .filter(reports__gt=0)
        .order_by("pk")
    )
    last_month = add_months(first_day(date.today()), -1)
    picked = []
    for wanted in (
        lambda e: e.drafts > 0,  # a draft this month (or last)
        lambda e: e.drafts == 0 and e.last < last_month,  # overdue
        lambda e: e.drafts == 0,  # up to date
    ):
        for enrolment in active:
            if enrolment.participant_id not in picked and wanted(enrolment):
                picked.append(enrolment.participant_id)
                break
    rest = (
        Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE)
        .exclude(participant_id__in=picked)
        .order_by("pk")
        .values_list("participant_id", flat=True)
    )
    picked += list(rest[: max(0, count - len(picked))])
    Participant.objects.filter(pk__in=picked[:count]).update(case_manager=staff)
    return username


def people_of(username) -> int:
    """How many participants the user is the case manager of."""
    return Participant.objects.filter(case_manager__user__username=username).count()


def audit_trail(participant_id: int, *, entries=10000, seed=41) -> int:
    """``entries`` audit log entries about one person (reads and changes over years of a long
    participation), for the person's audit-trail page."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    rng = random.Random(seed)
    kind = ContentType.objects.get_for_model(Participant)
    actors = list(get_user_model().objects.filter(username__startswith="bench"))
    now = timezone.now()
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                content_type=kind,
                object_pk=str(participant_id),
                object_id=participant_id,
                object_repr="Uczestnik",
                action=rng.choice([LogEntry.Action.ACCESS, LogEntry.Action.UPDATE]),
                changes={"city": ["Radom", "Radom"]},
                changes_text="",
                actor=rng.choice(actors),
                timestamp=now - timedelta(minutes=7 * number),
                additional_data={"participant_id": participant_id},
            )
            for number in range(entries)
        ],
        batch_size=2000,
    )
    return entries


def crowd(*, total=50000, seed=37) -> int:
    """More people until the club has ``total`` (many years of a large club), for the search
    by name. Returns how many there are."""
    rng = random.Random(seed)
    have = Participant.objects.count()
    managers = list(StaffMember.objects.filter(user__groups__name=Role.CASE_MANAGER.group_name))
    people = []
    for index in range(have, total):
        female = rng.random() < 0.45
        first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        last = rng.choice(SURNAMES)[1 if female else 0]
        people.append(
            Participant(
                first_name=first,
                last_name=last,
                birth_date=date(1960, 1, 1) + timedelta(days=rng.randint(0, 40 * 365)),
                sex="F" if female else "M",
                city="Radom",
                case_manager=managers[index % len(managers)] if managers else None,
                search_text=normalise(f"{first} {last}"),
                sort_name=polish_sort_key(f"{last} {first}"),
                primary_risk_group=RiskGroup.LONG_TERM_UNEMPLOYED,
            )
        )
    Participant.objects.bulk_create(people, batch_size=2000)
    return Participant.objects.count()

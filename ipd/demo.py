"""Demo plans: the active group's people with a signed diagnosis get an IPD set against it
(texts in Polish); most are signed, a few wait for signatures, one has a second version and a
few reviews are due."""

import random
from datetime import date, timedelta
from decimal import Decimal

from auditlog.context import set_actor
from django.db import transaction

from diagnosis.models import SPHERE_RELATED, DiagnosisKind
from ipd import services
from ipd.models import ActionKind, ActionPlan, CatalogueEntry, Goal, GoalStatus, PlanAction
from kis_site.demo import sign_on
from kis_site.documents import document_new_revision, document_record_paper_signature
from kis_site.models import DocumentState, StaffMember
from kis_site.vocabulary import RiskGroup
from participants.models import Cohort, Enrolment, EnrolmentStatus
from partners.models import Service

# sphere -> [(what is to change, indicator, legal matter, [(catalogue action, module, hours, who)])]
GOALS = {
    "socio_living": [
        (
            "Uregulowanie zadłużenia czynszowego",
            "Zawarta ugoda ze spółdzielnią mieszkaniową i spłacone trzy raty",
            True,
            [("Praca z zadłużeniem", None, 4, "prawnik")],
        ),
        (
            "Ustabilizowanie źródła utrzymania na czas udziału w KIS",
            "Przyznane świadczenie integracyjne lub zasiłek okresowy",
            False,
            [("Świadczenie integracyjne", None, None, "socjalny", "Pomoc społeczna i świadczenia")],
        ),
    ],
    "health": [
        (
            "Utrzymanie abstynencji i udział w terapii odwykowej",
            "Zaświadczenie z poradni o regularnym udziale w terapii",
            False,
            [
                (
                    "Konsultacje ze specjalistą terapii uzależnień",
                    None,
                    None,
                    "terapeuta",
                    "Terapia uzależnień i grupa wsparcia",
                )
            ],
        ),
        (
            "Podjęcie terapii uzależnienia w poradni",
            "Co najmniej cztery spotkania terapeutyczne w miesiącu",
            False,
            [
                (
                    "Konsultacje ze specjalistą terapii uzależnień",
                    None,
                    None,
                    "terapeuta",
                    "Terapia uzależnień i grupa wsparcia",
                )
            ],
        ),
    ],
    "social": [
        (
            "Odbudowa kontaktu z dorosłymi dziećmi",
            "Co najmniej jedno spotkanie z dziećmi w miesiącu",
            False,
            [("Grupa samopomocowa", "Grupa samopomocowa", 20, "psycholog")],
        ),
        (
            "Udział w życiu lokalnej społeczności",
            "20 godzin wolontariatu w jadłodajni parafialnej",
            False,
            [("Wolontariat", None, 20, None, "Zajęcia kulturalne i wolontariat")],
        ),
    ],
    "psychological": [
        (
            "Wzmocnienie poczucia własnej wartości",
            "Wyższa samoocena w raporcie zmiany; wystąpienie przed grupą",
            False,
            [("Zajęcia grupowe z psychologiem", "Psychoedukacja", 48, "psycholog")],
        ),
        (
            "Radzenie sobie ze stresem bez wycofywania się z kontaktów",
            "Udział w zajęciach grupowych bez nieobecności nieusprawiedliwionych",
            False,
            [("Poradnictwo psychologiczne", None, 6, "psycholog")],
        ),
    ],
    "vocational": [
        (
            "Podjęcie zatrudnienia",
            "Umowa o pracę lub umowa zlecenia na co najmniej 3 miesiące",
            False,
            [
                ("Warsztaty zawodowe", "Aktywne postawy na rynku pracy", 15, "doradca"),
                ("Poradnictwo zawodowe", None, 4, "doradca"),
            ],
        ),
        (
            "Zdobycie podstawowych umiejętności obsługi komputera",
            "Zaświadczenie o ukończeniu kursu",
            False,
            [
                (
                    "Kurs kwalifikacyjny",
                    "Kurs: podstawy obsługi komputera i internetu",
                    30,
                    "doradca",
                )
            ],
        ),
    ],
}

VOICES = [
    (
        "Chcę wreszcie mieć stałą pracę i nie musieć prosić o pomoc. Chciał(a)bym też, żeby "
        "dzieci znów do mnie dzwoniły.",
        "Będę przychodzić na zajęcia trzy razy w tygodniu, a o nieobecności uprzedzę "
        "telefonicznie. Pójdę na rozmowę do PUP.",
    ),
    (
        "Najpierw chcę uporządkować sprawy z długami, potem szukać pracy blisko domu.",
        "Dostarczę dokumenty do spółdzielni i będę chodzić na spotkania z prawnikiem.",
    ),
    (
        "Chcę nauczyć się obsługi komputera, żeby samodzielnie szukać ofert pracy.",
        "Zrobię kurs komputerowy do końca i co tydzień wyślę dwie aplikacje.",
    ),
]


# The health goal of someone without a recorded addiction.
HEALTH_GENERAL = [
    (
        "Regularne leczenie u lekarza rodzinnego i kontrola stanu zdrowia",
        "Wizyty kontrolne co miesiąc potwierdzone w karcie pacjenta",
        False,
        [("Poradnictwo psychologiczne", None, None, "psycholog")],
    ),
]


def seed_plans(*, today: date, staff: dict[str, StaffMember]) -> None:
    if ActionPlan.objects.exists():
        return
    rng = random.Random(2026)
    catalogue = {entry.name: entry for entry in CatalogueEntry.objects.all()}
    partners = {service.name: service for service in Service.objects.select_related("institution")}
    cohort = (
        Cohort.objects.filter(starts_on__lte=today, ends_on__gte=today)
        .order_by("-starts_on")
        .first()
    )
    if cohort is None:
        return
    # The group's people, then those enrolled individually (their plans have own tasks and
    # consultations; a group's module only where the plan puts them on it).
    enrolments = [
        *cohort.enrolments.order_by("pk"),
        *Enrolment.objects.filter(cohort__isnull=True, status=EnrolmentStatus.ACTIVE).order_by(
            "starts_on"
        ),
    ]
    with set_actor(staff["kierownik"].user), transaction.atomic():
        for index, enrolment in enumerate(enrolments):
            diagnosis = (
                enrolment.diagnoses.filter(kind=DiagnosisKind.INITIAL, state=DocumentState.LOCKED)
                .select_related(*SPHERE_RELATED.values())
                .first()
            )
            if diagnosis is None or enrolment.status in EnrolmentStatus.closed():
                continue  # (who left early is in the reports, without a plan to follow)
            _plan(enrolment, diagnosis, index, today, staff, catalogue, partners, rng)


def _plan(enrolment, diagnosis, index, today, staff, catalogue, partners, rng):
    participant = enrolment.participant
    manager = participant.case_manager or staff["kierownik"]
    by = manager.user
    drawn = min(diagnosis.started_on + timedelta(days=rng.randint(10, 20)), today)
    # Most reviews come in the new year; a few are due this week or overdue.
    review = {0: today + timedelta(days=4), 5: today - timedelta(days=6)}.get(
        index % 10, drawn + timedelta(days=150)
    )
    plan = services.plan_start(
        enrolment=enrolment,
        diagnosis=diagnosis,
        drawn_up_on=drawn,
        review_on=min(review, enrolment.planned_end_on),
        by=by,
    )
    # Goals where the diagnosis found the most need (the lowest ratings) first.
    spheres = sorted(
        SPHERE_RELATED, key=lambda s: getattr(diagnosis, SPHERE_RELATED[s]).rating or 5
    )
    goals = []
    addicted = bool(
        {RiskGroup.ALCOHOL, RiskGroup.DRUGS}
        & set(participant.risk_group_rows.values_list("group", flat=True))
    )
    for sphere in spheres[: rng.randint(3, 4)]:
        # No addiction goal for someone without a recorded addiction (the file would contradict
        # the plan): their health goal is a general one.
        options = GOALS[sphere] if sphere != "health" or addicted else HEALTH_GENERAL
        text, indicator, legal, actions = rng.choice(options)
        goal = services.goal_save(
            goal=Goal(
                plan=plan,
                sphere=sphere,
                legal_matter=legal,
                description=text,
                indicator=indicator,
                target_on=min(
                    drawn + timedelta(days=rng.randint(90, 200)), enrolment.planned_end_on
                ),
                status=GoalStatus.IN_PROGRESS if rng.random() < 0.6 else GoalStatus.NEW,
            ),
            expected_version=None,
            by=by,
        )
        goals.append(goal)
        for name, module_name, hours, who, *partner in actions:
            entry = catalogue.get(name)
            module = (
                services.plan_modules(plan).filter(name=module_name).first()
                if module_name
                else None
            )
            kind = entry.kind if entry else ActionKind.OWN_TASK
            if module is not None and kind != ActionKind.CONSULTATION:
                kind = ActionKind.MODULE
            if kind == ActionKind.MODULE and module is None:
                kind = ActionKind.OWN_TASK
            service = partners.get(partner[0]) if partner else None
            if kind == ActionKind.REFERRAL and service is None:
                kind = ActionKind.OWN_TASK
            services.action_save(
                action=PlanAction(
                    goal=goal,
                    catalogue_entry=entry,
                    title=name,
                    kind=kind,
                    legal_matter=bool(entry and entry.legal_matter),
                    responsible=staff[who] if who else None,
                    module=module,
                    service=service,
                    institution=service.institution if service else None,
                    planned_hours=Decimal(hours) if hours is not None else None,
                    starts_on=drawn,
                    ends_on=goal.target_on,
                ),
                expected_version=None,
                by=by,
            )
    goals_text, commitments = VOICES[index % len(VOICES)]
    plan = ActionPlan.objects.get(pk=plan.pk)
    plan.participant_goals, plan.participant_commitments = goals_text, commitments
    plan.participant_agrees = True
    services.plan_save(plan=plan, expected_version=plan.version, by=by)
    if index == 3:
        return  # a draft waiting for the participant's signature
    plan = document_record_paper_signature(
        document=plan,
        slot_key="participant",
        signer_name=participant.full_name,
        signed_on=drawn,
        by=by,
    )
    plan = sign_on(plan, slot_key="case_manager", user=by, day=drawn)
    if index % 6 == 0 and goals:
        # A goal reached, then a second version with a new goal after the plan's review.
        goal = Goal.objects.get(pk=goals[-1].pk)
        goal.status, goal.achieved_on = GoalStatus.ACHIEVED, today - timedelta(days=3)
        goal.evidence = "Zaświadczenie potwierdzające realizację"
        services.goal_progress_save(goal=goal, expected_version=goal.version, by=by)
        plan = document_new_revision(
            document=plan, reason="Przegląd planu: cel osiągnięty, kolejny cel zawodowy", by=by
        )
        services.goal_save(
            goal=Goal(
                plan=plan,
                sphere="vocational",
                description="Odbycie stażu w lokalnej firmie",
                indicator="Skierowanie z PUP na staż i 3 miesiące stażu",
                target_on=enrolment.planned_end_on,
            ),
            expected_version=None,
            by=by,
        )

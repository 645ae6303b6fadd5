"""Demo: the active cohort's programme, its Mon/Wed/Fri timetable around today, attendance taken;
two people on socially useful work (PSU) and one on public works, with their hours."""

import random
from contextlib import suppress
from datetime import date, time, timedelta
from decimal import Decimal

from auditlog.context import set_actor
from django.core.exceptions import ValidationError

from activities import reference, services
from activities.models import Mark, Placement, PlacementKind, Programme, ProgrammeTemplate, Session
from participants.models import Cohort

WEEKLY = [
    # weekday, module, leader (demo username), place
    (0, "Psychoedukacja", "psycholog", "Sala 1"),
    (2, "Spotkania wspierające z pracownikiem socjalnym (opiekun grupy)", "socjalny", "Sala 1"),
    (4, "Aktywne postawy na rynku pracy", "doradca", "Sala komputerowa"),
    # The trainer's computer course: this week too, and their last one without attendance yet.
    (1, "Kurs: podstawy obsługi komputera i internetu", "trener", "Sala komputerowa"),
    (3, "Kurs: podstawy obsługi komputera i internetu", "trener", "Sala komputerowa"),
]


def seed_activities(*, today: date, staff: dict) -> None:
    seed_placements(today=today, staff=staff)
    if Programme.objects.exists():
        return
    rng = random.Random(2026)
    manager = staff["kierownik"].user
    template = ProgrammeTemplate.objects.filter(is_default=True).first()
    if template is None:
        return
    with set_actor(manager):
        for cohort in Cohort.objects.order_by("-starts_on")[:2]:
            programme = services.programme_copy(template=template, cohort=cohort)
            if cohort.ends_on < today:
                continue  # the finished cohort keeps its programme; its sessions are not seeded
            start = max(cohort.starts_on, today - timedelta(weeks=4))
            end = min(cohort.ends_on, today + timedelta(weeks=2))
            for weekday, name, leader, place in WEEKLY:
                services.series_create(
                    template=Session(
                        module=programme.modules.get(name=name),
                        starts_at=time(9),
                        ends_at=time(13),
                        leader=staff[leader],
                        place=place,
                    ),
                    dates=services.pattern_dates(
                        pattern=services.Pattern.WEEKLY, start=start, end=end, weekdays=[weekday]
                    ),
                )
            services.series_create(
                template=Session(
                    module=programme.modules.get(name="Grupa samopomocowa"),
                    starts_at=time(14),
                    ends_at=time(16),
                    leader_name="Ewa Malinowska (wolontariuszka)",
                    place="Sala 2",
                ),
                dates=services.pattern_dates(
                    pattern=services.Pattern.BIWEEKLY, start=start, end=end, weekdays=[1]
                ),
            )
            past = Session.objects.filter(
                module__programme=programme, date__lt=today
            ).prefetch_related("roster")
            forgotten = (
                past.filter(leader=staff["trener"]).order_by("-date").values_list("pk", flat=True)
            ).first()
            for session in past:
                if session.pk == forgotten:
                    continue  # the trainer's start page asks for it
                marks = []
                for entry in session.roster.all():
                    roll = rng.random()
                    if roll < 0.82:
                        marks.append(services.MarkInput(entry.participant_id, Mark.PRESENT))
                    elif roll < 0.9:
                        marks.append(
                            services.MarkInput(
                                entry.participant_id, Mark.LATE, rng.choice([10, 15, 30])
                            )
                        )
                    elif roll < 0.96:
                        marks.append(services.MarkInput(entry.participant_id, Mark.EXCUSED))
                    else:
                        marks.append(services.MarkInput(entry.participant_id, Mark.ABSENT))
                services.attendance_save(session=session, marks=marks, by=manager)


# participant index in the active cohort, kind, employer, referral, weekdays worked, hours a day
PLACEMENTS = [
    (0, PlacementKind.PSU, "Zakład Usług Komunalnych w Radomiu", "PSU/14/2026", (1, 3), "4"),
    (3, PlacementKind.PSU, "Miejska Biblioteka Publiczna", "PSU/15/2026", (0, 2, 4), "3.5"),
    (5, PlacementKind.PUBLIC_WORKS, "Zarząd Zieleni Miejskiej", "RP/3/2026", (0, 1, 2, 3, 4), "8"),
]


def seed_placements(*, today: date, staff: dict) -> None:
    """PSU hours over the last three months (refused days and hours over the limit are skipped,
    as the page would refuse them), so the monthly PSU statement has hours and money."""
    reference.ensure_psu_rates()
    if Placement.objects.exists():
        return
    cohort = Cohort.objects.filter(starts_on__lte=today, ends_on__gte=today).first()
    if cohort is None:
        return
    people = list(
        cohort.enrolments.order_by("participant__sort_name").values_list(
            "participant_id", flat=True
        )
    )
    start = max(cohort.starts_on, (today.replace(day=1) - timedelta(days=62)).replace(day=1))
    with set_actor(staff["kierownik"].user):
        for index, kind, employer, referral, weekdays, hours in PLACEMENTS:
            if index >= len(people):
                continue
            placement = Placement.objects.create(
                participant_id=people[index],
                kind=kind,
                employer=employer,
                starts_on=start,
                hours_per_week=Decimal(hours) * len(weekdays),
                pup_referral=referral,
            )
            day = start
            while day < today:
                if day.weekday() in weekdays:
                    # a holiday, or the month's limit reached, is refused as on the page
                    with suppress(ValidationError):
                        services.placement_hours_record(
                            placement=placement, day=day, hours=Decimal(hours)
                        )
                day += timedelta(days=1)

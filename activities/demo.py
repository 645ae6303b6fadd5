"""Demo: the active cohort's programme and its timetable since the group started (each module
within its hours), attendance taken for every session held, a trainer whose course runs this week;
two people on socially useful work (PSU) and one on public works, with their hours."""

import random
from contextlib import suppress
from datetime import date, time, timedelta
from decimal import Decimal

from auditlog.context import set_actor
from django.core.exceptions import ValidationError

from activities import reference, services
from activities.models import (
    Mark,
    Placement,
    PlacementKind,
    Programme,
    ProgrammeTemplate,
    RosterEntry,
    Session,
)
from participants.models import Cohort, Enrolment, EnrolmentStatus

# weekday (0 = Monday), module, leader (demo username, or a name from outside), place, from, to,
# first and last week counted from the group's start (None: until the end): hours within quota.
TIMETABLE = [
    (0, "Psychoedukacja", "psycholog", "Sala 1", 9, 13, 0, 11),  # 12 × 4 h = 48 h
    (0, "Badanie preferencji zawodowych", "doradca", "Sala komputerowa", 9, 12, 12, 21),  # 30 h
    (
        2,
        "Spotkania wspierające z pracownikiem socjalnym (opiekun grupy)",
        "socjalny",
        "Sala 1",
        9,
        11,
        0,
        None,
    ),  # 38 × 2 h = 76 h of 80
    (2, "Edukacja nieformalna i samokształcenie", "pedagog", "Sala 2", 12, 15, 0, 11),  # 36 h
    (4, "Aktywne postawy na rynku pracy", "doradca", "Sala komputerowa", 9, 12, 0, 4),  # 15 h
    (4, "Aktywność społeczna w środowisku lokalnym", "socjalny", "Sala 1", 9, 13, 5, 24),  # 80 h
]
# The trainer's computer course (30 h): ten 3-hour sessions on Tuesdays and Thursdays, from three
# weeks ago to next week; the last one held has no attendance yet (their start page asks for it).
COURSE = ("Kurs: podstawy obsługi komputera i internetu", "trener", "Sala komputerowa", (1, 3))
SELF_HELP = ("Grupa samopomocowa", "Ewa Malinowska (wolontariuszka)", "Sala 2")  # every 2nd Tue
# Most people come; a few struggle (their absences open the cases the regulations require).
STEADY = {Mark.PRESENT: 0.95, Mark.LATE: 0.03, Mark.EXCUSED: 0.02, Mark.ABSENT: 0.0}
STRUGGLING = {Mark.PRESENT: 0.82, Mark.LATE: 0.06, Mark.EXCUSED: 0.08, Mark.ABSENT: 0.04}


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
            _timetable(programme, cohort, today, staff)
            _attendance(programme, cohort, today, staff["trener"], manager, rng)
        # People enrolled individually get their own programme in their first weeks.
        settled = today - timedelta(weeks=3)
        individual = Enrolment.objects.filter(
            cohort__isnull=True, status=EnrolmentStatus.ACTIVE, starts_on__lte=settled
        )
        for enrolment in individual:
            services.programme_copy(template=template, enrolment=enrolment)


def _series(programme, name, leader, place, hours, dates, staff):
    leader_fields = {"leader": staff[leader]} if leader in staff else {"leader_name": leader}
    services.series_create(
        template=Session(
            module=programme.modules.get(name=name),
            starts_at=time(hours[0]),
            ends_at=time(hours[1]),
            place=place,
            **leader_fields,
        ),
        dates=dates,
    )


def _timetable(programme, cohort, today, staff):
    first_monday = cohort.starts_on - timedelta(days=cohort.starts_on.weekday())
    horizon = min(cohort.ends_on, today + timedelta(weeks=2))

    def weekly(weekday, first_week, last_week, step=services.Pattern.WEEKLY):
        start = max(cohort.starts_on, first_monday + timedelta(weeks=first_week))
        end = horizon
        if last_week is not None:
            end = min(end, first_monday + timedelta(weeks=last_week, days=6))
        if start > end:
            return []
        return services.pattern_dates(pattern=step, start=start, end=end, weekdays=[weekday])

    for weekday, name, leader, place, begins, ends, first_week, last_week in TIMETABLE:
        dates = weekly(weekday, first_week, last_week)
        _series(programme, name, leader, place, (begins, ends), dates, staff)
    name, leader, place, weekdays = COURSE
    this_week = (today - first_monday).days // 7
    dates = sorted(d for day in weekdays for d in weekly(day, this_week - 3, this_week + 1))
    _series(programme, name, leader, place, (9, 12), dates[:10], staff)
    name, leader, place = SELF_HELP
    dates = weekly(1, 0, None, services.Pattern.BIWEEKLY)
    _series(programme, name, leader, place, (14, 16), dates, staff)
    # People suspended or gone since were on the group's rosters until then.
    left = cohort.enrolments.exclude(status=EnrolmentStatus.ACTIVE)
    sessions = Session.objects.filter(module__programme=programme)
    RosterEntry.objects.bulk_create(
        [
            RosterEntry(session=session, participant_id=enrolment.participant_id)
            for enrolment in left
            for session in sessions.filter(
                date__gte=enrolment.starts_on, date__lt=enrolment.status_changed_on
            )
        ],
        ignore_conflicts=True,
    )


def _attendance(programme, cohort, today, trainer, manager, rng):
    past = (
        Session.objects.filter(module__programme=programme, date__lt=today)
        .order_by("date", "starts_at")
        .select_related("leader__user")
        .prefetch_related("roster")
    )
    forgotten = past.filter(leader=trainer).order_by("-date").values_list("pk", flat=True).first()
    people = sorted(cohort.enrolments.values_list("participant_id", flat=True))
    struggling = set(rng.sample(people, 3))
    for session in past:
        if session.pk == forgotten:
            continue  # the trainer's start page asks for it
        marks = []
        for entry in session.roster.all():
            odds = STRUGGLING if entry.participant_id in struggling else STEADY
            mark = rng.choices(list(odds), weights=list(odds.values()))[0]
            minutes = rng.choice([10, 15, 30]) if mark == Mark.LATE else 0
            marks.append(services.MarkInput(entry.participant_id, mark, minutes))
        by = session.leader.user if session.leader_id else manager  # the leader takes it
        services.attendance_save(session=session, marks=marks, by=by)


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

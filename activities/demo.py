"""Demo: the active cohort's programme, its Mon/Wed/Fri timetable around today, attendance taken."""

import random
from datetime import date, time, timedelta

from auditlog.context import set_actor

from activities import services
from activities.models import Mark, Programme, ProgrammeTemplate, Session
from participants.models import Cohort

WEEKLY = [
    # weekday, module, leader (demo username), place
    (0, "Psychoedukacja", "psycholog", "Sala 1"),
    (2, "Spotkania wspierające z pracownikiem socjalnym (opiekun grupy)", "socjalny", "Sala 1"),
    (4, "Aktywne postawy na rynku pracy", "doradca", "Sala komputerowa"),
]


def seed_activities(*, today: date, staff: dict) -> None:
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
            for session in past:
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

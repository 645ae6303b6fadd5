"""The programme and its hours, sessions and series (holidays, clashes), rosters, attendance."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from activities import services
from activities.models import (
    Attendance,
    Category,
    HoursBasis,
    Mark,
    ProgrammeTemplate,
    RosterEntry,
    Session,
)
from activities.services import MarkInput, Pattern, pattern_dates
from participants.models import EnrolmentStatus, ExitOutcome
from tests.factories import CohortFactory, EnrolmentFactory, pdf_bytes
from tests.records import frozen_on, pdf_text

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)  # a Monday


_frozen = frozen_on(date(2026, 11, 23))


@pytest.fixture
def cohort():
    group = CohortFactory(starts_on=date(2026, 9, 7), ends_on=date(2027, 5, 28))
    for index in range(30):
        EnrolmentFactory(
            cohort=group,
            starts_on=group.starts_on,
            participant__last_name=f"Uczestnik{index:02d}",
        )
    return group


@pytest.fixture
def programme(cohort):
    return services.programme_copy(template=ProgrammeTemplate.objects.get(), cohort=cohort)


@pytest.fixture
def workshop(programme):
    return programme.modules.get(name="Psychoedukacja")


def session_at(module, day, start=time(9), end=time(13), **fields):
    fields.setdefault("leader_name", "Trener z partnera")
    return services.session_create(
        session=Session(module=module, date=day, starts_at=start, ends_at=end, **fields)
    )


def test_the_radom_programme_ships_as_the_default_template():
    template = ProgrammeTemplate.objects.get(is_default=True)
    assert template.weeks == 38
    hours = {module.name: module.hours for module in template.modules.all()}
    assert hours["Psychoedukacja"] == 48
    assert hours["Aktywność społeczna w środowisku lokalnym"] == 82
    pool = template.modules.get(form="consultation")
    assert (pool.hours, pool.basis) == (38, HoursBasis.POOL)
    assert template.modules.get(form="interview").basis == HoursBasis.INDIVIDUAL


def test_a_cohort_gets_its_own_copy_once(programme, cohort):
    assert programme.modules.count() == 12
    module = programme.modules.get(name="Psychoedukacja")
    module.hours = 40
    module.save()
    template_module = ProgrammeTemplate.objects.get().modules.get(name="Psychoedukacja")
    assert template_module.hours == 48  # the template is untouched
    with pytest.raises(ValidationError):
        services.programme_copy(template=ProgrammeTemplate.objects.get(), cohort=cohort)


def test_patterns_of_a_series():
    start, end = date(2026, 11, 2), date(2026, 11, 29)
    weekly = pattern_dates(pattern=Pattern.WEEKLY, start=start, end=end, weekdays=[0, 2, 4])
    assert len(weekly) == 12 and weekly[0] == date(2026, 11, 2) and weekly[1] == date(2026, 11, 4)
    biweekly = pattern_dates(pattern=Pattern.BIWEEKLY, start=start, end=end, weekdays=[1])
    assert biweekly == [date(2026, 11, 3), date(2026, 11, 17)]
    first_friday = pattern_dates(
        pattern=Pattern.MONTHLY, start=date(2026, 9, 1), end=date(2026, 12, 31), weekdays=[4]
    )
    assert first_friday == [
        date(2026, 9, 4),
        date(2026, 10, 2),
        date(2026, 11, 6),
        date(2026, 12, 4),
    ]
    last_friday = pattern_dates(
        pattern=Pattern.MONTHLY, start=start, end=end, weekdays=[4], week_of_month=-1
    )
    assert last_friday == [date(2026, 11, 27)]
    workdays = pattern_dates(pattern=Pattern.WORKDAYS, start=start, end=end)
    assert len(workdays) == 20 and all(day.weekday() < 5 for day in workdays)


def test_a_series_skips_holidays_including_christmas_eve_and_reports_clashes(workshop, cohort):
    session_at(workshop, date(2026, 12, 21), place="Sala 1", leader_name="Anna Trener")
    template = Session(
        module=workshop, starts_at=time(10), ends_at=time(12), leader_name="Jan", place="Sala 1"
    )
    dates = pattern_dates(
        pattern=Pattern.WORKDAYS, start=date(2026, 12, 21), end=date(2026, 12, 31)
    )
    result = services.series_create(template=template, dates=dates)
    skipped = {day for day, _name in result.holidays}
    assert skipped == {date(2026, 12, 24), date(2026, 12, 25)}
    assert [day for day, _other in result.clashes] == [date(2026, 12, 21)]
    assert len(result.created) == len(dates) - 3
    assert result.created[0].roster.count() == 30
    outside = services.series_create(
        template=template,
        dates=[date(2027, 5, 31)],
    )
    assert outside.outside == [date(2027, 5, 31)] and not outside.created


def test_bad_sessions_get_clear_messages(workshop):
    with pytest.raises(ValidationError) as error:
        session_at(workshop, date(2026, 11, 24), start=time(13), end=time(9))
    assert "ends_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        session_at(workshop, date(2026, 11, 11))
    assert "11.11.2026" in error.value.message_dict["date"][0]
    with pytest.raises(ValidationError) as error:
        session_at(workshop, date(2026, 8, 3))
    assert "date" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        session_at(workshop, date(2026, 11, 24), leader_name="")
    assert "leader" in error.value.message_dict


def test_hours_are_local_times_a_trip_spans_days_and_dst_changes_nothing(workshop):
    regular = session_at(workshop, date(2026, 11, 24))
    assert regular.hours == Decimal("4.00")
    dst = session_at(workshop, date(2026, 10, 26), start=time(0, 30), end=time(4, 30))
    assert dst.hours == Decimal("4.00")
    trip = session_at(
        workshop, date(2026, 11, 25), start=time(9), end=time(15), last_date=date(2026, 11, 26)
    )
    assert trip.hours == Decimal("12.00")


def test_the_roster_is_the_cohorts_active_participants_that_day(cohort, workshop):
    left = cohort.enrolments.first()
    left.status, left.ended_on = EnrolmentStatus.DROPPED_OUT, date(2026, 11, 10)
    left.exit_outcome = ExitOutcome.RESIGNATION
    left.save()
    later = EnrolmentFactory(cohort=cohort, starts_on=date(2026, 12, 1))
    session = session_at(workshop, date(2026, 11, 24))
    people = set(session.roster.values_list("participant_id", flat=True))
    assert left.participant_id not in people and later.participant_id not in people
    assert len(people) == 29
    with pytest.raises(ValidationError):
        services.roster_add(session=session, participant_id=later.participant_id, by=None)
    walk_in = EnrolmentFactory(cohort=None, starts_on=date(2026, 11, 1)).participant_id
    assert services.roster_add(session=session, participant_id=walk_in, by=None).walk_in


def test_attendance_for_30_present_by_default_late_minutes_and_corrections(workshop, manager):
    session = session_at(workshop, date(2026, 11, 23))
    people = list(session.roster.values_list("participant_id", flat=True))
    marks = [MarkInput(pk, Mark.PRESENT) for pk in people]
    marks[0] = MarkInput(people[0], Mark.LATE, 30)
    marks[1] = MarkInput(people[1], Mark.EXCUSED)
    assert services.attendance_save(session=session, marks=marks, by=manager) == {
        "created": 30,
        "changed": 0,
        "cases": 0,  # a justified absence is not a case until the limit is reached
    }
    hours = dict(Attendance.objects.values_list("participant_id", "hours"))
    assert hours[people[0]] == Decimal("3.50")
    assert hours[people[1]] == 0
    assert hours[people[2]] == Decimal("4.00")
    # Saving the same again changes nothing; a change needs its reason and is audited.
    assert services.attendance_save(session=session, marks=marks, by=manager)["created"] == 0
    marks[1] = MarkInput(people[1], Mark.PRESENT)
    with pytest.raises(ValidationError) as error:
        services.attendance_save(session=session, marks=marks, by=manager)
    assert "reason" in error.value.message_dict
    with set_actor(manager):  # as the audit middleware does for every request
        services.attendance_save(
            session=session, marks=marks, by=manager, reason="Przyszedł, pomyłka przy liście."
        )
    row = Attendance.objects.get(participant_id=people[1])
    assert row.hours == Decimal("4.00")
    entry = LogEntry.objects.get_for_object(row).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.additional_data == {
        "reason": "Przyszedł, pomyłka przy liście.",
        "roles": ["manager"],  # the actor's roles at that moment
    }
    assert entry.actor == manager


def test_marks_only_for_the_roster_and_never_twice(workshop, manager):
    session = session_at(workshop, date(2026, 11, 23))
    stranger = EnrolmentFactory().participant_id
    with pytest.raises(ValidationError):
        services.attendance_save(
            session=session, marks=[MarkInput(stranger, Mark.PRESENT)], by=manager
        )
    person = session.roster.first().participant_id
    services.attendance_save(session=session, marks=[MarkInput(person, Mark.PRESENT)], by=manager)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(session=session, participant_id=person, mark=Mark.ABSENT)
    future = session_at(workshop, date(2026, 11, 30))
    with pytest.raises(ValidationError):
        services.attendance_save(
            session=future,
            marks=[MarkInput(future.roster.first().participant_id, Mark.PRESENT)],
            by=manager,
        )


def test_the_attendance_screen_saves_the_whole_roster_in_one_request(
    workshop, client_for, trainer, django_assert_max_num_queries
):
    session = session_at(workshop, date(2026, 11, 23), leader=trainer.staff, leader_name="")
    people = list(session.roster.values_list("participant_id", flat=True))
    client = client_for(trainer)
    page = client.get(reverse("activities:session", args=[session.pk]))
    assert page.status_code == 200
    assert page.content.decode().count('value="present" autocomplete="off" checked') == 30
    data = {f"mark-{pk}": "present" for pk in people}
    data[f"mark-{people[3]}"] = "absent"
    data[f"mark-{people[4]}"] = "late"
    data[f"late-{people[4]}"] = "15"
    # The absence opens a case: its row and its first history entry, each audited (+2).
    with django_assert_max_num_queries(27):
        response = client.post(reverse("activities:session", args=[session.pk]), data)
    assert response.status_code == 302
    assert Attendance.objects.filter(session=session).count() == 30
    assert Attendance.objects.get(participant_id=people[4]).hours == Decimal("3.75")
    # The trainer's scope is the people on the rosters of their sessions, and only the basics.
    from kis_site.access import policy

    assert set(policy().participants_visible_to(trainer).values_list("pk", flat=True)) == set(
        people
    )
    assert client.get(reverse("participants:detail", args=[people[0]])).status_code == 403


def test_a_trainer_takes_attendance_only_for_their_own_sessions(workshop, client_for, trainer):
    session = session_at(workshop, date(2026, 11, 23))
    client = client_for(trainer)
    assert client.get(reverse("activities:session", args=[session.pk])).status_code == 403
    assert client.post(reverse("activities:session", args=[session.pk]), {}).status_code == 403
    assert not RosterEntry.objects.filter(session__leader=trainer.staff).exists()


def test_pages_of_the_programme_and_the_week(cohort, client_for, manager, case_manager):
    client = client_for(manager)
    url = reverse("activities:programme", args=[cohort.pk])
    template = ProgrammeTemplate.objects.get()
    assert client.post(url, {"template": template.pk}).status_code == 302
    programme = cohort.programme
    page = client.get(url).content.decode()
    assert "Psychoedukacja" in page
    series = client.post(
        reverse("activities:series-new", args=[programme.pk]),
        {
            "module": programme.modules.get(name="Grupa samopomocowa").pk,
            "pattern": Pattern.BIWEEKLY,
            "weekdays": ["2"],
            "week_of_month": "1",
            "date": "2026-11-02",
            "until": "2026-12-31",
            "starts_at": "10:00",
            "ends_at": "12:00",
            "leader": case_manager.staff.pk,
            "place": "Sala 2",
        },
    )
    assert series.status_code == 302
    assert Session.objects.count() == 5  # 4.11, 18.11, 2.12, 16.12, 30.12
    week = client.get(reverse("activities:week") + f"?cohort={cohort.pk}&week=2026-11-16")
    assert "Grupa samopomocowa" in week.content.decode()


def test_the_attendance_list_prints_the_roster_with_signature_boxes(
    workshop, client_for, trainer, manager
):
    session = session_at(
        workshop, date(2026, 11, 23), leader=trainer.staff, leader_name="", topic="Asertywność"
    )
    person = session.roster.order_by("participant__sort_name").first().participant
    services.attendance_save(
        session=session, marks=[MarkInput(person.pk, Mark.LATE, 10)], by=manager
    )
    response = client_for(trainer).get(reverse("activities:attendance-list", args=[session.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content).split())
    assert "LISTA OBECNOŚCI" in text and "Asertywność" in text and "Psychoedukacja" in text
    assert person.full_name in text and "spóźniony (10 min)" in text
    assert "Michał Dąbrowski" in text and "Strona 1 z" in text


def test_the_ledger_sums_in_the_database_and_flags_weeks_below_two_thirds(
    programme, manager, client_for, django_assert_max_num_queries
):
    from activities import ledger

    social = programme.modules.get(name="Psychoedukacja")
    vocational = programme.modules.get(name="Aktywne postawy na rynku pracy")
    # Four weeks of 4 h social + 4 h vocational a week (1/2 share: below 2/3), then a week of
    # social only.
    mondays = [date(2026, 10, 19) + timedelta(weeks=n) for n in range(5)]
    sessions = []
    for index, monday in enumerate(mondays):
        sessions.append(session_at(social, monday + timedelta(days=1)))
        if index < 4:
            sessions.append(session_at(vocational, monday + timedelta(days=3)))
    person = sessions[0].roster.order_by("participant__sort_name").first().participant_id
    for session in sessions:
        mark = Mark.LATE if session == sessions[0] else Mark.PRESENT
        services.attendance_save(session=session, marks=[MarkInput(person, mark, 60)], by=manager)
    with django_assert_max_num_queries(3):  # roster, marks, consultations
        rows = ledger.module_rows(person)
    planned = {row.name: (row.planned, row.done, row.rate) for row in rows}
    assert planned["Psychoedukacja"] == (Decimal("20.00"), Decimal("19.00"), 100)
    assert planned["Aktywne postawy na rynku pracy"] == (Decimal("16.00"), Decimal("16.00"), 100)
    with django_assert_max_num_queries(3):
        weeks = ledger.weeks(person)
    assert [week.monday for week in weeks] == mondays
    assert weeks[3].planned_window_share == Decimal("0.5") and weeks[3].planned_below
    assert weeks[4].planned_window_share == Decimal(16) / Decimal(28)  # still below 2/3
    page = client_for(manager).get(reverse("activities:hour-card", args=[person]))
    assert "poniżej 2/3" in page.content.decode() or "below 2/3" in page.content.decode()
    pdf = client_for(manager).get(reverse("activities:hour-card-pdf", args=[person]))
    text = " ".join(pdf_text(pdf.content).split())
    assert "KARTA GODZIN" in text and "Psychoedukacja" in text
    file = client_for(manager).get(reverse("participants:detail", args=[person])).content.decode()
    assert reverse("activities:hour-card", args=[person]) in file


def test_the_absence_rule_opens_cases_and_the_case_manager_follows_up(
    programme, manager, case_manager, client_for
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from activities import absences
    from activities.models import AbsenceCase, CaseReason

    module = programme.modules.get(name="Psychoedukacja")
    days = [
        date(2026, 11, 2),
        date(2026, 11, 3),
        date(2026, 11, 4),
        date(2026, 11, 5),
        date(2026, 11, 6),
    ]
    sessions = [session_at(module, day) for day in days]
    person = sessions[0].roster.order_by("participant__sort_name").first().participant
    person.case_manager = case_manager.staff
    person.save()
    others = [
        pk for pk in sessions[0].roster.values_list("participant_id", flat=True) if pk != person.pk
    ]
    for index, session in enumerate(sessions):
        mark = Mark.ABSENT if index == 0 else Mark.EXCUSED
        marks = [MarkInput(person.pk, mark)] + [MarkInput(pk, Mark.PRESENT) for pk in others]
        services.attendance_save(session=session, marks=marks, by=manager)
    # One case for the participation: the breach; four justified absences are allowed.
    breach = AbsenceCase.objects.get(participant=person)
    assert breach.reason == CaseReason.BREACH
    assert AbsenceCase.objects.count() == 1  # the others came: no cases for them
    assert absences.consecutive_absences(person.pk) == 5
    # The unjustified absence gets its sick note afterwards: now the fifth justified absence,
    # it exceeds the limit, and the same case stays open for it.
    client = client_for(case_manager)
    response = client.post(
        reverse("activities:excuse", args=[breach.attendance_id]),
        {
            "excuse": "sick_note",
            "excuse_date": "2026-11-02",
            "excuse_note": "L4 od lekarza rodzinnego",
            "scan": SimpleUploadedFile("l4.pdf", pdf_bytes()),
        },
    )
    assert response.status_code == 302
    breach.refresh_from_db()
    assert breach.is_open and breach.entries.get().reason == CaseReason.LIMIT
    attendance = breach.attendance
    attendance.refresh_from_db()
    assert attendance.mark == Mark.EXCUSED and attendance.excuse_scan.size > 0
    # The case: a talk, then closed; the case manager's to-do list counted it.
    limit = breach
    home = client.get(reverse("home")).content.decode()
    assert reverse("activities:absence-cases") in home
    assert "Uczestnik" in client.get(reverse("activities:absence-cases")).content.decode()
    url = reverse("activities:absence-case", args=[limit.pk])
    client.post(
        url,
        {
            "form": "action",
            "action-kind": "talk",
            "action-taken_on": "2026-11-09",
            "action-note": "Rozmowa o powrocie na zajęcia.",
        },
    )
    assert limit.actions.get().kind == "talk"
    assert client.post(url, {"form": "close", "close-outcome": ""}).status_code == 200
    client.post(url, {"form": "close", "close-outcome": "Wrócił na zajęcia."})
    limit.refresh_from_db()
    assert limit.closed_on == TODAY and limit.outcome == "Wrócił na zajęcia."


def test_the_group_ledger_shows_who_is_behind_pro_rata(
    programme, cohort, manager, client_for, django_assert_max_num_queries
):
    from activities import ledger

    module = programme.modules.get(name="Psychoedukacja")
    sessions = [session_at(module, date(2026, 11, 16) + timedelta(days=n)) for n in range(5)]
    people = list(sessions[0].roster.order_by("participant__sort_name"))
    keen, absent = people[0].participant_id, people[1].participant_id
    for session in sessions:
        services.attendance_save(
            session=session,
            marks=[MarkInput(keen, Mark.PRESENT), MarkInput(absent, Mark.ABSENT)],
            by=manager,
        )
    members = [entry.participant for entry in people]
    with django_assert_max_num_queries(4):
        rows = {row.participant.pk: row for row in ledger.cohort_rows(cohort, members, today=TODAY)}
    assert rows[keen].planned[Category.SOCIAL] == 20 and rows[keen].done[Category.SOCIAL] == 20
    assert rows[absent].absent == 5 and rows[absent].rate == 0
    # Programme group hours 401 h (the Radom template less the pool and the interview) over
    # 7 Sep 2026 – 28 May 2027 (264 days); 78 days have passed on 23 Nov: 118.5 h due by now.
    assert rows[keen].expected == Decimal("118.5")
    assert rows[keen].behind and rows[absent].behind
    page = client_for(manager).get(reverse("activities:cohort-hours", args=[cohort.pk]))
    assert page.status_code == 200 and "118,5" in page.content.decode()


def test_consultations_draw_on_the_pool_and_count_in_the_ledger(
    programme, cohort, client_for, psychologist, career_advisor, manager
):
    from activities import ledger
    from activities.models import Consultation

    people = list(cohort.enrolments.values_list("participant_id", flat=True)[:2])
    pool = programme.modules.get(form="consultation")
    url = reverse("activities:consultations", args=[people[0]])
    client = client_for(psychologist)
    for day, hours in ((16, "8"), (17, "8"), (18, "8"), (19, "8")):
        services.consultation_save(
            consultation=Consultation(
                participant_id=people[0],
                module=pool,
                kind="vocational",
                date=date(2026, 11, day),
                duration=Decimal(hours),
                specialist_name="Doradca PUP",
            ),
            by=manager,
        )
    data = {
        "module": pool.pk,
        "kind": "psychological",
        "date": "2026-11-20",
        "duration": "4",
        "specialist": psychologist.staff.pk,
        "note": "Praca nad lękiem przed rozmową o pracę.",
    }
    assert client.post(url, data).status_code == 302
    data.update(duration="3")
    response = client.post(reverse("activities:consultations", args=[people[1]]), data)
    assert "duration" in response.context["form"].errors  # only 2 h of 38 are left
    data.update(duration="2", kind="vocational", note="CV")
    assert (
        client.post(reverse("activities:consultations", args=[people[1]]), data).status_code == 302
    )
    assert services.pool_left(pool, people[1]) == 0
    # The psychological note is hidden from the career advisor; the ledger counts the hours.
    page = client_for(career_advisor).get(url).content.decode()
    assert "lękiem" not in page
    assert "psychological" not in [
        k for k, _l in client_for(career_advisor).get(url).context["form"].fields["kind"].choices
    ]
    assert "lękiem" in client.get(url).content.decode()
    rows = {row.name: row for row in ledger.module_rows(people[0])}
    assert rows[pool.name].done == Decimal("36") and rows[pool.name].category == Category.SOCIAL
    assert Consultation.objects.get(participant_id=people[0], kind="psychological").section == (
        "psychological"
    )
    programme_page = client_for(manager).get(reverse("activities:programme", args=[cohort.pk]))
    assert "38 h" in programme_page.content.decode() or "38" in programme_page.content.decode()


def test_placements_keep_their_hours_apart_from_the_programme(cohort, client_for, case_manager):
    from activities.models import Placement

    person = cohort.enrolments.first().participant
    client = client_for(case_manager)
    response = client.post(
        reverse("activities:placement-new", args=[person.pk]),
        {
            "kind": "psu",
            "employer": "Zakład Usług Komunalnych",
            "starts_on": "2026-11-02",
            "ends_on": "2026-10-01",
            "hours_per_week": "10",
            "pup_referral": "PSU/12/2026",
        },
    )
    assert "ends_on" in response.context["form"].errors
    response = client.post(
        reverse("activities:placement-new", args=[person.pk]),
        {
            "kind": "psu",
            "employer": "Zakład Usług Komunalnych",
            "starts_on": "2026-11-02",
            "hours_per_week": "10",
            "pup_referral": "PSU/12/2026",
        },
    )
    assert response.status_code == 302
    placement = Placement.objects.get()
    url = reverse("activities:placement", args=[placement.pk])
    for day, hours in (("2026-11-03", "5"), ("2026-11-05", "5"), ("2026-11-10", "5")):
        assert client.post(url, {"day": day, "hours": hours}).status_code == 302
    assert client.post(url, {"day": "2026-11-03", "hours": "4"}).status_code == 302  # corrected
    assert client.post(url, {"day": "2026-10-30", "hours": "4"}).status_code == 200  # before
    assert client.post(url, {"day": "2026-11-12", "hours": "13"}).status_code == 200  # > 12 h
    months = services.placement_months(placement)
    assert [(m["month"].month, m["total"]) for m in months] == [(11, Decimal("14"))]
    card = client.get(reverse("activities:hour-card", args=[person.pk])).content.decode()
    assert "Zakład Usług Komunalnych" in card and "14" in card
    from activities import ledger

    assert ledger.module_rows(person.pk) == []  # nothing of it counts in the programme


def test_monthly_statements_psu_ops_and_days(
    programme, cohort, manager, case_manager, career_advisor, client_for
):
    import io

    from openpyxl import load_workbook

    from activities.models import Placement

    module = programme.modules.get(name="Psychoedukacja")
    people = list(
        cohort.enrolments.order_by("participant__sort_name").values_list(
            "participant_id", flat=True
        )
    )
    for day in (date(2026, 10, 6), date(2026, 10, 8)):
        session = session_at(module, day)
        services.attendance_save(
            session=session,
            marks=[MarkInput(people[0], Mark.PRESENT), MarkInput(people[1], Mark.ABSENT)],
            by=manager,
        )
    placement = Placement.objects.create(
        participant_id=people[0],
        kind="psu",
        employer="ZUK Radom",
        starts_on=date(2026, 10, 1),
        hours_per_week=10,
        pup_referral="PSU/7/2026",
    )
    for day in (5, 7, 9):
        services.placement_hours_record(placement=placement, day=date(2026, 10, day), hours=5)
    client = client_for(case_manager)
    url = reverse("activities:statements")
    assert client_for(career_advisor).get(url).status_code == 403
    page = client.get(url, {"kind": "ops", "month": "2026-10", "cohort": cohort.pk})
    rows = page.context["statement"].rows
    assert [row[1:6] for row in rows[:2]] == [[2, 2, 0, 0, Decimal("8.00")], [2, 0, 0, 2, 0]]
    days = client.get(url, {"kind": "days", "month": "2026-10"}).context["statement"]
    assert days.columns[1:3] == ["6", "8"] and days.rows[0][1:] == ["✓", "✓", 2]
    pdf = client.get(url, {"kind": "psu", "month": "2026-10", "format": "pdf"})
    text = " ".join(pdf_text(pdf.content).split())
    assert "ZUK Radom" in text and "PSU/7/2026" in text and "15" in text
    xlsx = client.get(url, {"kind": "psu", "month": "2026-10", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[4][1:5] == ["ZUK Radom", "PSU/7/2026", 3, 15.0]
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(people[0])).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "sqlite" in __import__("django.conf").conf.settings.DATABASES["default"]["ENGINE"],
    reason="an in-memory SQLite test database cannot run two writers; CI runs this on PostgreSQL",
)
def test_two_tablets_saving_one_session_at_once_never_make_two_marks(workshop, manager):
    import threading

    from django.db import connection

    session = session_at(workshop, date(2026, 11, 23))
    people = list(session.roster.values_list("participant_id", flat=True))
    barrier = threading.Barrier(2)
    results, errors = [], []

    def save(mark):
        try:
            barrier.wait()
            results.append(
                services.attendance_save(
                    session=Session.objects.get(pk=session.pk),
                    marks=[MarkInput(pk, mark) for pk in people],
                    by=manager,
                    reason="Druga tablica.",
                )
            )
        except ValidationError as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(mark,)) for mark in (Mark.PRESENT, Mark.EXCUSED)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Attendance.objects.filter(session=session).count() == len(people)
    # The session row is locked for the save: the second waits, then changes the first's marks.
    assert sorted(result["created"] for result in results) == [0, len(people)] or errors


def test_the_signed_list_scan_is_attached_to_the_session(workshop, client_for, trainer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    session = session_at(workshop, date(2026, 11, 23), leader=trainer.staff, leader_name="")
    client = client_for(trainer)
    upload = reverse("activities:list-scan-upload", args=[session.pk])
    client.post(upload, {"scan": SimpleUploadedFile("lista.exe", b"MZ\x90\x00 program")})
    session.refresh_from_db()
    assert session.list_scan is None
    signed_list = pdf_bytes()
    client.post(upload, {"scan": SimpleUploadedFile("lista.pdf", signed_list)})
    session.refresh_from_db()
    scan = client.get(reverse("activities:list-scan", args=[session.pk]))
    assert scan["Content-Type"] == "application/pdf" and scan.content == signed_list


def test_a_session_is_edited_with_a_subgroup_roster(workshop, client_for, manager):
    session = session_at(workshop, date(2026, 11, 23), place="Sala 1")
    people = list(
        session.roster.order_by("participant__sort_name").values_list("participant_id", flat=True)
    )
    services.attendance_save(
        session=session, marks=[MarkInput(people[0], Mark.PRESENT)], by=manager
    )
    client = client_for(manager)
    url = reverse("activities:session-edit", args=[session.pk])
    assert client.get(url).status_code == 200
    data = {
        "module": workshop.pk,
        "date": "2026-11-23",
        "starts_at": "10:00",
        "ends_at": "12:00",
        "leader_name": "Trener z partnera",
        "place": "Sala 2",
        "topic": "Grupa kobiet",
        "expected_version": session.version,
        "roster": [str(pk) for pk in people[1:6]],
    }
    response = client.post(url, data)
    assert "roster" in response.context["form"].errors  # the person already marked stays
    data["roster"] = [str(pk) for pk in people[:6]]
    assert client.post(url, data).status_code == 302
    session.refresh_from_db()
    assert session.roster.count() == 6 and session.place == "Sala 2"
    assert session.planned_hours == Decimal("2.00")


def test_a_participants_timetable_lists_their_rostered_sessions(workshop, client_for, manager):
    session = session_at(workshop, date(2026, 11, 24), topic="Budżet domowy")
    person = session.roster.first().participant_id
    page = client_for(manager).get(
        reverse("activities:timetable", args=[person]) + "?week=2026-11-23"
    )
    assert "Budżet domowy" in page.content.decode()
    assert [row["session"] for row in page.context["rows"]] == [session]


def test_the_certificate_lists_the_hours_done_per_module(workshop, cohort, manager):
    from participants import services as participant_services

    session = session_at(workshop, date(2026, 11, 16))
    enrolment = cohort.enrolments.order_by("participant__sort_name").first()
    services.attendance_save(
        session=session, marks=[MarkInput(enrolment.participant_id, Mark.LATE, 30)], by=manager
    )
    participant_services.enrolment_change_status(
        enrolment=enrolment,
        to_status=EnrolmentStatus.COMPLETED,
        changed_on=date(2026, 11, 20),
        reason="Ukończenie programu.",
        by=manager,
        expected_version=enrolment.version,
        exit_outcome=ExitOutcome.EMPLOYMENT,
    )
    enrolment.refresh_from_db()
    certificate = participant_services.certificate_issue(
        enrolment=enrolment, issued_on=date(2026, 11, 23), by=manager
    )
    assert certificate.lines == [{"label": "Psychoedukacja", "hours": "3,5"}]


def test_rolling_intake_gets_an_individual_programme_and_timetable(client_for, manager):
    enrolment = EnrolmentFactory(cohort=None, starts_on=date(2026, 10, 1))
    client = client_for(manager)
    url = reverse("activities:enrolment-programme", args=[enrolment.pk])
    file = client.get(reverse("participants:detail", args=[enrolment.participant_id]))
    assert url in file.content.decode()
    assert client.post(url, {"template": ProgrammeTemplate.objects.get().pk}).status_code == 302
    programme = enrolment.programme
    course = programme.modules.get(name="Kurs: podstawy obsługi komputera i internetu")
    session = session_at(course, date(2026, 11, 19), leader_name="Szkoła komputerowa")
    assert list(session.roster.values_list("participant_id", flat=True)) == [
        enrolment.participant_id
    ]
    assert "Kurs: podstawy" in client.get(url).content.decode()


def test_the_monthly_attendance_list_of_a_group(workshop, cohort, client_for, manager):
    session_at(workshop, date(2026, 11, 17), topic="Stres")
    session_at(workshop, date(2026, 11, 19))
    response = client_for(manager).get(
        reverse("activities:month-list", args=[cohort.pk]) + "?month=2026-11"
    )
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content).split())
    assert "LISTA OBECNOŚCI" in text and "listopad 2026" in text.lower()
    assert "17.11" in text and "19.11" in text and "Uczestnik00" in text


def test_the_month_view_of_a_group(workshop, cohort, client_for, manager, trainer):
    session_at(workshop, date(2026, 11, 24), topic="Asertywność")
    page = client_for(manager).get(
        reverse("activities:month") + f"?month=2026-11&cohort={cohort.pk}"
    )
    html = page.content.decode()
    assert "Psychoedukacja" in html and "Narodowe Święto Niepodległości" in html
    assert len(page.context["weeks"]) == 6  # 26 Oct – 6 Dec
    mine = client_for(trainer).get(reverse("activities:month") + "?month=2026-11")
    assert mine.status_code == 200 and "Psychoedukacja" not in mine.content.decode()


def test_rolling_intake_people_join_group_sessions_only_on_purpose(workshop, cohort):
    from activities.models import ProgrammeTemplate as Template

    individual = EnrolmentFactory(cohort=None, starts_on=date(2026, 10, 1))
    own = services.programme_copy(template=Template.objects.get(), enrolment=individual)
    session = session_at(workshop, date(2026, 11, 24))
    people = set(session.roster.values_list("participant_id", flat=True))
    assert individual.participant_id not in people and len(people) == 30
    services.roster_plan(  # what a module action of their plan does
        participant_id=individual.participant_id,
        module=own.modules.get(name="Psychoedukacja"),
        start=date(2026, 11, 1),
        end=date(2026, 12, 31),
    )
    assert session.roster.filter(participant_id=individual.participant_id).exists()


def test_the_programme_page_shows_per_module_done_and_attendance(
    workshop, cohort, client_for, manager
):
    session = session_at(workshop, date(2026, 11, 16))
    people = list(session.roster.values_list("participant_id", flat=True)[:2])
    services.attendance_save(
        session=session,
        marks=[MarkInput(people[0], Mark.PRESENT), MarkInput(people[1], Mark.ABSENT)],
        by=manager,
    )
    page = client_for(manager).get(reverse("activities:programme", args=[cohort.pk]))
    module = next(m for m in page.context["modules"] if m.pk == workshop.pk)
    assert module.done_average == Decimal("2") and module.rate == 50

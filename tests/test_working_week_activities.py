"""A working week in the activities without a dead end: correcting saved attendance, rosters of
a group that hold only the group, and PSU hours refused on a public holiday or a Sunday."""

import re
from datetime import date, time
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse

from activities import services
from activities.models import Attendance, Placement, ProgrammeTemplate, RosterEntry, Session
from tests.factories import CohortFactory, EnrolmentFactory
from tests.records import frozen_on

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)  # a Monday


_frozen = frozen_on(TODAY)


@pytest.fixture
def cohort():
    group = CohortFactory(starts_on=date(2026, 9, 7), ends_on=date(2027, 5, 28))
    for index in range(2):
        EnrolmentFactory(
            cohort=group, starts_on=group.starts_on, participant__last_name=f"Członek{index}"
        )
    return group


@pytest.fixture
def programme(cohort):
    return services.programme_copy(template=ProgrammeTemplate.objects.get(), cohort=cohort)


@pytest.fixture
def workshop(programme):
    return programme.modules.get(name="Psychoedukacja")


def new_session(module, day, **fields):
    fields.setdefault("leader_name", "Trener z partnera")
    return services.session_create(
        session=Session(module=module, date=day, starts_at=time(9), ends_at=time(13), **fields)
    )


# --- Defect 4: a correction of saved attendance keeps the marks and asks for the reason ------


def _checked(html: str, person: int, mark: str) -> bool:
    tag = re.search(rf'<input[^>]*id="mark-{person}-{mark}"[^>]*>', html)
    return tag is not None and " checked" in tag.group(0)


def test_a_correction_without_a_reason_keeps_the_marks_and_shows_the_reason_field(
    workshop, client_for, trainer
):
    session = new_session(workshop, TODAY, leader=trainer.staff, leader_name="")
    first, second = sorted(session.roster.values_list("participant_id", flat=True))
    client = client_for(trainer)
    url = reverse("activities:session", args=[session.pk])
    saved = {f"mark-{first}": "present", f"mark-{second}": "present"}
    assert client.post(url, saved).status_code == 302

    corrected = {f"mark-{first}": "absent", f"mark-{second}": "late", f"late-{second}": "20"}
    response = client.post(url, corrected)
    assert response.status_code == 200
    html = response.content.decode()
    # The reason field is there, marked invalid, with its message right next to it.
    reason = re.search(r'<input[^>]*name="reason"[^>]*>', html)
    assert reason is not None
    assert "is-invalid" in reason.group(0) and 'aria-invalid="true"' in reason.group(0)
    assert 'aria-describedby="reason-error reason-help"' in reason.group(0)
    feedback = re.search(r'<div[^>]*id="reason-error"[^>]*>([^<]*)</div>', html)
    assert feedback is not None and "d-block" in feedback.group(0)
    assert "podaj powód" in feedback.group(1)
    # The summary on top links to the field.
    assert 'href="#reason"' in html
    # Every mark and the minutes typed are kept; nothing was saved.
    assert _checked(html, first, "absent") and not _checked(html, first, "present")
    assert _checked(html, second, "late")
    assert re.search(rf'<input[^>]*id="late-{second}"[^>]*value="20"', html)
    assert set(Attendance.objects.values_list("mark", flat=True)) == {"present"}
    # What was saved before is said on the row being changed, and the hours stay shown.
    assert "zapisano: obecny" in html.lower()
    assert "4" in html.split(f'id="late-{second}"')[1].split("</tr>")[0]

    # The same post with the reason saves the correction, audited with its reason.
    response = client.post(url, {**corrected, "reason": "Pomyłka przy liście."})
    assert response.status_code == 302
    marks = dict(Attendance.objects.values_list("participant_id", "mark"))
    assert marks == {first: "absent", second: "late"}
    late = Attendance.objects.get(participant_id=second)
    assert late.minutes_late == 20 and late.hours == Decimal("3.67")
    entries = LogEntry.objects.filter(
        content_type__model="attendance", action=LogEntry.Action.UPDATE
    )
    assert entries.count() == 2
    assert {entry.additional_data["reason"] for entry in entries} == {"Pomyłka przy liście."}
    assert {entry.actor for entry in entries} == {trainer}


def test_a_first_save_shows_no_reason_field_and_other_errors_keep_the_marks(
    workshop, client_for, trainer
):
    session = new_session(workshop, TODAY, leader=trainer.staff, leader_name="")
    first, second = sorted(session.roster.values_list("participant_id", flat=True))
    client = client_for(trainer)
    url = reverse("activities:session", args=[session.pk])
    assert 'name="reason"' not in client.get(url).content.decode()
    # Late without the minutes: refused, the marks stay as posted, no reason asked yet.
    response = client.post(url, {f"mark-{first}": "excused", f"mark-{second}": "late"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert _checked(html, first, "excused") and _checked(html, second, "late")
    assert 'name="reason"' not in html
    assert not Attendance.objects.exists()


def test_a_session_still_ahead_offers_no_marks_and_says_when_they_are_taken(
    workshop, client_for, trainer
):
    """Found on the demo's week: Friday's session opened on Thursday offered "Zapisz obecność",
    which the save then refused."""
    session = new_session(workshop, date(2026, 11, 27), leader=trainer.staff, leader_name="")
    client = client_for(trainer)
    url = reverse("activities:session", args=[session.pk])
    html = client.get(url).content.decode()
    assert "Zajęcia jeszcze się nie odbyły" in html
    assert "Zapisz obecność" not in html and "kis-marks" not in html
    assert "2 osoby oczekiwane" in html
    person = session.roster.values_list("participant_id", flat=True).first()
    response = client.post(url, {f"mark-{person}": "present"})
    assert response.status_code == 200 and not Attendance.objects.exists()


# --- Defect 6: a group's roster holds the group, not people enrolled individually -------------


def test_a_new_session_of_a_group_lists_exactly_its_members(cohort, workshop):
    members = set(cohort.enrolments.values_list("participant_id", flat=True))
    individual = EnrolmentFactory(cohort=None, starts_on=date(2026, 10, 1))
    own = services.programme_copy(template=ProgrammeTemplate.objects.get(), enrolment=individual)
    session = new_session(workshop, date(2026, 11, 24))
    assert set(session.roster.values_list("participant_id", flat=True)) == members
    # A series of the group too.
    result = services.series_create(
        template=Session(
            module=workshop,
            starts_at=time(9),
            ends_at=time(13),
            leader_name="Trener",
        ),
        dates=[date(2026, 11, 26), date(2026, 12, 3)],
    )
    assert len(result.created) == 2
    for created in result.created:
        assert set(created.roster.values_list("participant_id", flat=True)) == members
    # The person's own programme: its sessions list the person alone.
    mine = new_session(own.modules.get(name="Psychoedukacja"), date(2026, 11, 25))
    assert list(mine.roster.values_list("participant_id", flat=True)) == [individual.participant_id]
    # Added on purpose (what an IPD's module action does): on the group's coming sessions.
    added = services.roster_plan(
        participant_id=individual.participant_id,
        module=own.modules.get(name="Psychoedukacja"),
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
    )
    assert added == 2  # 24 and 26 November (its own session of the 25th had them already)
    rostered = set(
        RosterEntry.objects.filter(participant_id=individual.participant_id).values_list(
            "session__date", flat=True
        )
    )
    assert rostered == {date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 26)}


# --- Defect 10 (part): PSU hours refused on a public holiday or a Sunday ----------------------


@pytest.fixture
def psu(cohort):
    return Placement.objects.create(
        participant_id=cohort.enrolments.first().participant_id,
        kind="psu",
        employer="Zakład Usług Komunalnych",
        starts_on=date(2026, 10, 1),
        hours_per_week=10,
    )


def test_psu_hours_are_refused_on_a_public_holiday_and_a_sunday(psu, client_for, case_manager):
    with pytest.raises(ValidationError) as error:
        services.placement_hours_record(placement=psu, day=date(2026, 11, 11), hours=4)
    assert "Narodowe Święto Niepodległości" in error.value.message_dict["day"][0]
    with pytest.raises(ValidationError) as error:
        services.placement_hours_record(placement=psu, day=date(2026, 11, 22), hours=4)
    assert "day" in error.value.message_dict

    client = client_for(case_manager)
    url = reverse("activities:placement", args=[psu.pk])
    response = client.post(url, {"day": "2026-11-11", "hours": "4"})
    assert response.status_code == 200
    assert response.context["form"].errors["day"] == [
        "11.11.2026 to dzień ustawowo wolny od pracy (Narodowe Święto Niepodległości): "
        "w tym dniu nie wykonuje się prac społecznie użytecznych."
    ]
    html = response.content.decode()
    assert "Narodowe Święto Niepodległości" in html
    assert re.search(r'<input[^>]*name="hours"[^>]*value="4"', html)  # nothing typed is lost
    response = client.post(url, {"day": "2026-11-22", "hours": "3"})
    assert response.context["form"].errors["day"] == [
        "22.11.2026 to niedziela: w tym dniu nie wykonuje się prac społecznie użytecznych."
    ]
    assert not psu.hours.exists()

    # A working day is accepted; so is a month's total, kept on the month's 1st (here All
    # Saints' Day, a Sunday).
    assert client.post(url, {"day": "2026-10-15", "hours": "4"}).status_code == 302
    response = client.post(url, {"day": "2026-11-20", "hours": "40", "whole_month": "on"})
    assert response.status_code == 302
    assert sorted(psu.hours.values_list("day", "hours")) == [
        (date(2026, 10, 15), Decimal("4.00")),
        (date(2026, 11, 1), Decimal("40.00")),
    ]


def test_other_placements_keep_their_days(cohort):
    internship = Placement.objects.create(
        participant_id=cohort.enrolments.first().participant_id,
        kind="supported",
        employer="Sklep",
        starts_on=date(2026, 10, 1),
        hours_per_week=20,
    )
    record = services.placement_hours_record(placement=internship, day=date(2026, 11, 22), hours=4)
    assert record.day == date(2026, 11, 22)


# --- The trainer's start page: today's sessions and attendance not taken --------------------


def test_the_trainers_start_page_says_what_to_do_today(programme, cohort, trainer, client_for):
    member = EnrolmentFactory(cohort=cohort, starts_on=date(2026, 9, 1)).participant
    module = programme.modules.first()

    def session(day, hour):
        return services.session_create(
            session=Session(
                module=module,
                date=day,
                starts_at=time(hour),
                ends_at=time(hour + 2),
                leader=trainer.staff,
            ),
            roster=[member.pk],
        )

    today = session(TODAY, 9)
    forgotten = session(date(2026, 11, 18), 10)
    taken = session(date(2026, 11, 16), 10)
    services.attendance_save(
        session=taken, marks=[services.MarkInput(member.pk, "present")], by=trainer
    )
    home = client_for(trainer).get(reverse("home"))
    html = home.content.decode()
    assert "Moje zajęcia" in html
    assert reverse("activities:session", args=[today.pk]) in html
    assert reverse("activities:session", args=[forgotten.pk]) in html
    assert reverse("activities:session", args=[taken.pk]) not in html
    assert "nie masz tu nic do zrobienia".lower() not in html.lower()
    tile = next(t for t in home.context["tiles"] if "#panel-my-sessions" in t["url"])
    assert tile["count"] == 1

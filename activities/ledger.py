"""The hour ledger: hours planned (the sessions a person is rostered for) and done (hours credited
by attendance), per module, per category and per week, summed in the database — the number of
queries does not grow with the number of marks.

The KSR rule: social reintegration is at least 2/3 of the participant's weekly time, continuously;
any rolling four-week window below 2/3 is flagged, on the plan and on what was attended.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from activities.hours import Done, Planned, hours_done_by_period, planned_and_done
from activities.models import Category, HoursBasis, Session
from kis_site.access import Action, policy
from participants.access import managed_participants

SHARE = Decimal(2) / Decimal(3)
WINDOW = 4  # weeks


@dataclass
class ModuleRow:
    module_id: int
    name: str
    category: str
    category_label: str
    programme_hours: Decimal
    basis: str
    sessions: int = 0
    planned: Decimal = Decimal(0)
    done: Decimal = Decimal(0)
    marked: int = 0
    attended: int = 0
    excused: int = 0
    absent: int = 0

    @property
    def rate(self) -> int | None:
        """Attendance rate in per cent of the sessions already marked."""
        return round(100 * self.attended / self.marked) if self.marked else None


_NO_HOURS = {Category.SOCIAL: 0, Category.VOCATIONAL: 0}


def social_share(social, vocational) -> Decimal | None:
    """The share of social reintegration in the hours (None without hours)."""
    total = social + vocational
    return Decimal(social) / Decimal(total) if total else None


def is_below(share) -> bool:
    """Below the 2/3 rule."""
    return share is not None and share < SHARE


@dataclass
class Week:
    monday: date
    planned: dict = field(default_factory=_NO_HOURS.copy)
    done: dict = field(default_factory=_NO_HOURS.copy)
    planned_window_share: Decimal | None = None
    done_window_share: Decimal | None = None

    @staticmethod
    def share(hours: dict) -> Decimal | None:
        return social_share(hours[Category.SOCIAL], hours[Category.VOCATIONAL])

    @property
    def planned_share(self):
        return self.share(self.planned)

    @property
    def done_share(self):
        return self.share(self.done)

    @property
    def planned_below(self) -> bool:
        return is_below(self.planned_window_share)

    @property
    def done_below(self) -> bool:
        return is_below(self.done_window_share)


MODULE_KEYS = (
    "module_id",
    "module__name",
    "module__category",
    "module__hours",
    "module__basis",
    "module__order",
)


def module_rows(participant_id: int, *, start=None, end=None) -> list[ModuleRow]:
    """Per module (optionally within dates), hours planned and done (``activities.hours``) and
    the marks: three aggregated queries, whatever the number of sessions and marks. A
    consultation counts as a session planned and attended."""
    planned, done = planned_and_done(
        MODULE_KEYS, participants=[participant_id], since=start, until=end
    )
    labels = dict(Category.choices)
    rows = []
    for key in sorted(planned.keys() | done.keys(), key=lambda key: (key[5], key[0])):
        module, name, category, programme_hours, basis, _order = key
        plan = planned.get(key) or Planned()
        hours = done.get(key) or Done()
        rows.append(
            ModuleRow(
                module_id=module,
                name=name,
                category=category,
                category_label=labels[category],
                programme_hours=programme_hours,
                basis=basis,
                sessions=plan.sessions + plan.consultations,
                planned=plan.hours,
                done=hours.hours,
                marked=hours.marked + hours.consultations,
                attended=hours.present + hours.consultations,
                excused=hours.excused,
                absent=hours.absent,
            )
        )
    return rows


def totals(rows: list[ModuleRow]) -> dict:
    result = {}
    for category, label in Category.choices:
        mine = [row for row in rows if row.category == category]
        result[category] = {
            "label": label,
            "planned": sum((row.planned for row in mine), Decimal(0)),
            "done": sum((row.done for row in mine), Decimal(0)),
        }
    marked = sum(row.marked for row in rows)
    attended = sum(row.attended for row in rows)
    result["planned"] = sum((row.planned for row in rows), Decimal(0))
    result["done"] = sum((row.done for row in rows), Decimal(0))
    result["rate"] = round(100 * attended / marked) if marked else None
    result["excused"] = sum(row.excused for row in rows)
    result["absent"] = sum(row.absent for row in rows)
    return result


def weeks(participant_id: int) -> list[Week]:
    """Hours per week and category, planned and done, with the rolling four-week share."""
    by_week: dict[date, Week] = {}

    def week_of(day) -> Week:
        return by_week.setdefault(day, Week(day))

    planned, done = planned_and_done(("week", "module__category"), participants=[participant_id])
    for (monday, category), hours in planned.items():
        week_of(monday).planned[category] += hours.hours
    for (monday, category), hours in done.items():
        week_of(monday).done[category] += hours.hours
    if not by_week:
        return []
    return _rolling(by_week, min(by_week), max(by_week))


def _rolling(by_week: dict, first: date, last: date) -> list[Week]:
    """The weeks from ``first`` to ``last`` (those without hours too), each with the share of
    its window: the week and the three before it."""
    result = []
    monday = first
    while monday <= last:
        result.append(by_week.get(monday) or Week(monday))
        monday += timedelta(weeks=1)
    for index, week in enumerate(result):
        window = result[max(0, index - WINDOW + 1) : index + 1]
        week.planned_window_share = window_share(window, "planned")
        week.done_window_share = window_share(window, "done")
    return result


def window_weeks(participants, *, mondays: list[date]) -> dict[int, list[tuple[date, Decimal]]]:
    """The weeks the 2/3 rule checks, by person: for each of ``participants`` (ids or a queryset
    of ids), (Monday, share) of the weeks of ``mondays`` with a share of the hours done (group
    sessions attended and consultations, by their module's category) over the window ending that
    week — the share the hour card shows (only the share: a week's own hours are on the hour
    card). A week without hours of the person's own is checked like any other: it is the window
    that counts. The hours of each window are summed in the database (two aggregated queries, a
    row per person and category), whatever the number of people and marks."""
    wanted = sorted(set(mondays))
    if not wanted:
        return {}
    # Per Monday its window: the week and the three before it. (The week's own hours are the
    # hour card's; the rule needs only the window's share, so only the windows are summed.)
    periods = [
        (monday - timedelta(weeks=WINDOW - 1), monday + timedelta(days=6)) for monday in wanted
    ]
    sums = hours_done_by_period(
        periods, ("participant_id", "module__category"), participants=participants
    )
    by_person: dict[int, dict[str, list[Decimal]]] = {}
    for (person, category), hours in sums.items():
        by_person.setdefault(person, {})[category] = hours
    none = [0] * len(wanted)
    result = {}
    for person, by_category in by_person.items():
        social = by_category.get(Category.SOCIAL, none)
        vocational = by_category.get(Category.VOCATIONAL, none)
        checked = []
        for index, monday in enumerate(wanted):
            share = social_share(social[index], vocational[index])
            if share is not None:
                checked.append((monday, share))
        if checked:
            result[person] = checked
    return result


def only_below(checked: dict[int, list[tuple[date, Decimal]]]) -> dict[int, list[Week]]:
    """Of the weeks checked by person (``window_weeks``), those below 2/3 on what was attended:
    the weeks the hour card flags "below 2/3"; people with none are left out."""
    result = {}
    for person, weeks_checked in checked.items():
        below = [
            Week(monday, done_window_share=share)
            for monday, share in weeks_checked
            if is_below(share)
        ]
        if below:
            result[person] = below
    return result


def below_two_thirds(participants, *, mondays: list[date]) -> dict[int, list[Week]]:
    """The 2/3 rule by person: for each of ``participants`` (ids or a queryset of ids), the weeks
    of ``mondays`` in which the social share of the hours done over the window fell below 2/3 —
    the weeks the hour card flags "below 2/3" on what was attended, whether or not the person
    had hours of their own that week. Two aggregated queries, whatever the number of people and
    marks. The one definition: the to-do lists and the manager's club figures both use it."""
    return only_below(window_weeks(participants, mondays=mondays))


def below_two_thirds_for(user, *, today: date) -> dict[int, list[Week]] | None:
    """The 2/3 rule on a to-do list: the user's own participants (the manager's: everyone in
    scope) below 2/3 in a week of the last four complete weeks; None when following people up
    is not the user's work (case managers and the manager)."""
    if not policy().can(user, Action.CHANGE_STATUS):
        return None
    return below_two_thirds(managed_participants(user).values("pk"), mondays=last_weeks(today))


def last_weeks(today: date, count: int = WINDOW) -> list[date]:
    """The Mondays of the ``count`` complete weeks before the week of ``today``."""
    this_monday = today - timedelta(days=today.weekday())
    return [this_monday - timedelta(weeks=n) for n in range(count, 0, -1)]


def month_mondays(today: date) -> list[date]:
    """The Mondays of the weeks of ``today``'s month checked so far: those beginning in the
    month and over before the week of ``today``."""
    this_monday = today - timedelta(days=today.weekday())
    first = today.replace(day=1)
    monday = first + timedelta(days=-first.weekday() % 7)
    mondays = []
    while monday < this_monday:
        mondays.append(monday)
        monday += timedelta(weeks=1)
    return mondays


# --- The programme's hours and a module's quota ---------------------------------------------


@dataclass(frozen=True)
class ProgrammeHours:
    """A programme's hours by category: the group's hours (the modules run for the group and the
    consultants' pool), and the hours per participant individually (the diagnostic interview)
    on top of them."""

    social: Decimal
    vocational: Decimal
    individual: Decimal

    @property
    def total(self) -> Decimal:
        return self.social + self.vocational

    @property
    def share(self) -> Decimal | None:
        return self.social / self.total if self.total else None

    @property
    def share_percent(self) -> Decimal | None:
        if self.share is None:
            return None
        return (self.share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def meets_rule(self) -> bool:
        return self.share is not None and self.share >= SHARE


def programme_hours(modules: Iterable) -> ProgrammeHours:
    """The total and the social share of a programme's modules still run (a programme's own
    modules or a template's): the Radom default gives 439 h, 349 h of them social."""
    hours = {Category.SOCIAL: Decimal(0), Category.VOCATIONAL: Decimal(0)}
    individual = Decimal(0)
    for module in modules:
        if getattr(module, "is_retired", False):
            continue
        if module.basis == HoursBasis.INDIVIDUAL:
            individual += module.hours
        else:
            hours[module.category] += module.hours
    return ProgrammeHours(hours[Category.SOCIAL], hours[Category.VOCATIONAL], individual)


def module_scheduled_hours(module, *, exclude=None) -> Decimal:
    """Hours of the module's sessions not cancelled (optionally without the session ``exclude``)."""
    sessions = Session.objects.filter(module=module, cancelled=False)
    if exclude is not None:
        sessions = sessions.exclude(pk=exclude)
    return sessions.aggregate(total=Sum("planned_hours"))["total"] or Decimal(0)


@dataclass(frozen=True)
class OverQuota:
    """What planning ``adding`` hours more would do to a module's quota."""

    module: object
    quota: Decimal
    scheduled: Decimal
    adding: Decimal
    sessions: int = 1

    @property
    def after(self) -> Decimal:
        return self.scheduled + self.adding

    @property
    def over(self) -> Decimal:
        return self.after - self.quota


def over_quota(module, *, adding: Decimal, sessions: int = 1, exclude=None) -> OverQuota | None:
    """The warning when sessions adding ``adding`` hours would take the module's planned hours
    over its quota (the hours of the programme), or None. Modules counted per participant
    individually (the diagnostic interview) have no group quota to check."""
    if module.basis == HoursBasis.INDIVIDUAL or adding <= 0:
        return None
    scheduled = module_scheduled_hours(module, exclude=exclude)
    if scheduled + adding <= module.hours:
        return None
    return OverQuota(module, module.hours, scheduled, adding, sessions)


def window_share(window: list[Week], kind: str) -> Decimal | None:
    social = sum(getattr(week, kind)[Category.SOCIAL] for week in window)
    vocational = sum(getattr(week, kind)[Category.VOCATIONAL] for week in window)
    total = social + vocational
    return Decimal(social) / Decimal(total) if total else None


BEHIND = Decimal("0.8")  # done below 80% of the pro-rata share of the programme: behind the plan


@dataclass
class PersonRow:
    participant: object
    planned: dict = field(default_factory=lambda: {c: Decimal(0) for c in Category.values})
    done: dict = field(default_factory=lambda: {c: Decimal(0) for c in Category.values})
    marked: int = 0
    attended: int = 0
    excused: int = 0
    absent: int = 0
    expected: Decimal = Decimal(0)

    @property
    def done_total(self) -> Decimal:
        return sum(self.done.values(), Decimal(0))

    @property
    def rate(self) -> int | None:
        return round(100 * self.attended / self.marked) if self.marked else None

    @property
    def behind(self) -> bool:
        return self.expected > 0 and self.done_total < self.expected * BEHIND


def cohort_rows(cohort, people, *, today: date) -> list[PersonRow]:
    """Per participant of a cohort: hours planned to date and done per category, marks, and the
    hours expected by now (the programme's group hours, pro rata of the cycle). Four aggregated
    queries whatever the number of sessions and marks."""
    from activities.models import ProgrammeModule

    rows = {person.pk: PersonRow(person) for person in people}
    if not rows:
        return []
    planned, done = planned_and_done(
        ("participant_id", "module__category"), participants=list(rows), cohort=cohort, until=today
    )
    for (person, category), hours in planned.items():
        rows[person].planned[category] += hours.hours
    for (person, category), hours in done.items():
        row = rows[person]
        row.done[category] += hours.hours
        row.marked += hours.marked
        row.attended += hours.present
        row.excused += hours.excused
        row.absent += hours.absent
    group_hours = ProgrammeModule.objects.filter(
        programme__cohort=cohort, is_retired=False, basis="per_participant"
    ).aggregate(total=Sum("hours"))["total"] or Decimal(0)
    length = (cohort.ends_on - cohort.starts_on).days + 1
    elapsed = min(max((today - cohort.starts_on).days + 1, 0), length)
    expected = (group_hours * elapsed / length).quantize(Decimal("0.1")) if length else 0
    for person in rows.values():
        person.expected = expected
    return list(rows.values())


def certificate_lines(enrolment) -> list[dict]:
    """The certificate lists the modules the person took part in, with the hours done."""
    from django.utils.formats import number_format

    return [
        {"label": row.name, "hours": number_format(row.done.normalize(), use_l10n=True)}
        for row in module_rows(
            enrolment.participant_id, start=enrolment.starts_on, end=enrolment.ended_on
        )
        if row.done > 0
    ]

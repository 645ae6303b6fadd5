"""The hour ledger: hours planned (the sessions a person is rostered for) and done (hours credited
by attendance), per module, per category and per week, summed in the database — the number of
queries does not grow with the number of marks.

The KSR rule: social reintegration is at least 2/3 of the participant's weekly time, continuously;
any rolling four-week window below 2/3 is flagged, on the plan and on what was attended.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncWeek

from activities.models import Attendance, Category, Consultation, Mark, RosterEntry

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


@dataclass
class Week:
    monday: date
    planned: dict = field(default_factory=lambda: {Category.SOCIAL: 0, Category.VOCATIONAL: 0})
    done: dict = field(default_factory=lambda: {Category.SOCIAL: 0, Category.VOCATIONAL: 0})
    planned_window_share: Decimal | None = None
    done_window_share: Decimal | None = None

    @staticmethod
    def share(hours: dict) -> Decimal | None:
        total = hours[Category.SOCIAL] + hours[Category.VOCATIONAL]
        return Decimal(hours[Category.SOCIAL]) / Decimal(total) if total else None

    @property
    def planned_share(self):
        return self.share(self.planned)

    @property
    def done_share(self):
        return self.share(self.done)

    @property
    def planned_below(self) -> bool:
        return self.planned_window_share is not None and self.planned_window_share < SHARE

    @property
    def done_below(self) -> bool:
        return self.done_window_share is not None and self.done_window_share < SHARE


def module_rows(participant_id: int, *, start=None, end=None) -> list[ModuleRow]:
    """Per module (optionally within dates): three aggregated queries, whatever the number of
    sessions and marks."""
    sessions, days = Q(), Q()
    if start is not None:
        sessions &= Q(session__date__gte=start)
        days &= Q(date__gte=start)
    if end is not None:
        sessions &= Q(session__date__lte=end)
        days &= Q(date__lte=end)
    planned = (
        RosterEntry.objects.filter(
            sessions, participant_id=participant_id, session__cancelled=False
        )
        .values(
            "session__module_id",
            "session__module__name",
            "session__module__category",
            "session__module__hours",
            "session__module__basis",
            "session__module__order",
        )
        .annotate(sessions=Count("id"), planned=Sum("session__planned_hours"))
        .order_by("session__module__order", "session__module_id")
    )
    done = {
        row["session__module_id"]: row
        for row in Attendance.objects.filter(sessions, participant_id=participant_id)
        .values("session__module_id")
        .annotate(
            done=Sum("hours"),
            marked=Count("id"),
            attended=Count("id", filter=Q(mark__in=[Mark.PRESENT, Mark.LATE])),
            excused=Count("id", filter=Q(mark=Mark.EXCUSED)),
            absent=Count("id", filter=Q(mark=Mark.ABSENT)),
        )
        .order_by()
    }
    labels = dict(Category.choices)
    rows = []
    rows_by_module = {}
    for row in planned:
        module = row["session__module_id"]
        marks = done.get(module, {})
        rows.append(
            ModuleRow(
                module_id=module,
                name=row["session__module__name"],
                category=row["session__module__category"],
                category_label=labels[row["session__module__category"]],
                programme_hours=row["session__module__hours"],
                basis=row["session__module__basis"],
                sessions=row["sessions"],
                planned=row["planned"] or Decimal(0),
                done=marks.get("done") or Decimal(0),
                marked=marks.get("marked", 0),
                attended=marks.get("attended", 0),
                excused=marks.get("excused", 0),
                absent=marks.get("absent", 0),
            )
        )
        rows_by_module[module] = rows[-1]
    # Consultations and interviews count in their module's category (one more query).
    for row in (
        Consultation.objects.filter(days, participant_id=participant_id)
        .values("module_id", "module__name", "module__category", "module__hours", "module__basis")
        .annotate(hours=Sum("duration"), count=Count("id"))
        .order_by("module__order", "module_id")
    ):
        target = rows_by_module.get(row["module_id"])
        if target is None:
            target = ModuleRow(
                module_id=row["module_id"],
                name=row["module__name"],
                category=row["module__category"],
                category_label=labels[row["module__category"]],
                programme_hours=row["module__hours"],
                basis=row["module__basis"],
            )
            rows.append(target)
            rows_by_module[row["module_id"]] = target
        target.sessions += row["count"]
        target.planned += row["hours"]
        target.done += row["hours"]
        target.marked += row["count"]
        target.attended += row["count"]
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
    result["rate"] = round(100 * attended / marked) if marked else None
    result["excused"] = sum(row.excused for row in rows)
    result["absent"] = sum(row.absent for row in rows)
    return result


def weeks(participant_id: int) -> list[Week]:
    """Hours per week and category, planned and done, with the rolling four-week share."""
    by_week: dict[date, Week] = {}

    def week_of(day) -> Week:
        day = day.date() if hasattr(day, "date") else day
        return by_week.setdefault(day, Week(day))

    for row in (
        RosterEntry.objects.filter(participant_id=participant_id, session__cancelled=False)
        .annotate(week=TruncWeek("session__date"))
        .values("week", "session__module__category")
        .annotate(hours=Sum("session__planned_hours"))
        .order_by()
    ):
        week_of(row["week"]).planned[row["session__module__category"]] += row["hours"] or 0
    for row in (
        Attendance.objects.filter(participant_id=participant_id)
        .annotate(week=TruncWeek("session__date"))
        .values("week", "session__module__category")
        .annotate(hours=Sum("hours"))
        .order_by()
    ):
        week_of(row["week"]).done[row["session__module__category"]] += row["hours"] or 0
    for row in (
        Consultation.objects.filter(participant_id=participant_id)
        .annotate(week=TruncWeek("date"))
        .values("week", "module__category")
        .annotate(hours=Sum("duration"))
        .order_by()
    ):
        week = week_of(row["week"])
        week.planned[row["module__category"]] += row["hours"]
        week.done[row["module__category"]] += row["hours"]
    if not by_week:
        return []
    first, last = min(by_week), max(by_week)
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
    for row in (
        RosterEntry.objects.filter(
            participant_id__in=rows,
            session__module__programme__cohort=cohort,
            session__cancelled=False,
            session__date__lte=today,
        )
        .values("participant_id", "session__module__category")
        .annotate(hours=Sum("session__planned_hours"))
        .order_by()
    ):
        rows[row["participant_id"]].planned[row["session__module__category"]] += row["hours"] or 0
    for row in (
        Attendance.objects.filter(
            participant_id__in=rows, session__module__programme__cohort=cohort
        )
        .values("participant_id", "session__module__category")
        .annotate(
            hours=Sum("hours"),
            marked=Count("id"),
            attended=Count("id", filter=Q(mark__in=[Mark.PRESENT, Mark.LATE])),
            excused=Count("id", filter=Q(mark=Mark.EXCUSED)),
            absent=Count("id", filter=Q(mark=Mark.ABSENT)),
        )
        .order_by()
    ):
        person = rows[row["participant_id"]]
        person.done[row["session__module__category"]] += row["hours"] or 0
        person.marked += row["marked"]
        person.attended += row["attended"]
        person.excused += row["excused"]
        person.absent += row["absent"]
    for row in (
        Consultation.objects.filter(
            participant_id__in=rows, module__programme__cohort=cohort, date__lte=today
        )
        .values("participant_id", "module__category")
        .annotate(hours=Sum("duration"))
        .order_by()
    ):
        person = rows[row["participant_id"]]
        person.planned[row["module__category"]] += row["hours"]
        person.done[row["module__category"]] += row["hours"]
    group_hours = ProgrammeModule.objects.filter(
        programme__cohort=cohort, is_retired=False, basis="per_participant"
    ).aggregate(total=Sum("hours"))["total"] or Decimal(0)
    length = (cohort.ends_on - cohort.starts_on).days + 1
    elapsed = min(max((today - cohort.starts_on).days + 1, 0), length)
    expected = (group_hours * elapsed / length).quantize(Decimal("0.1")) if length else 0
    for person in rows.values():
        person.expected = expected
    return list(rows.values())

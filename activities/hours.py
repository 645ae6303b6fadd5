"""Hours done and hours planned: the one definition every page, PDF, export and report uses.

**Hours done** are a person's
- hours credited on their attendance at group sessions that took place (``Attendance.hours``:
  the session's hours when present, less the minutes missed when late, none when absent or
  excused; a cancelled session credits nothing), counted on the session's (first) day and in its
  module, and
- the duration of their individual consultations and diagnostic interviews, counted on the day of
  the consultation and in its module.

**Hours planned** are the hours of the sessions a person is on the roster of (sessions not
cancelled) and, because a consultation is planned the moment it is held, the consultations'
duration.

Attendance is not taken ahead of a session's day, and a session with attendance cannot be
cancelled from the pages; should one be cancelled all the same, its marks stay and credit
nothing. Placement hours (work outside the KIS) are not hours of the programme and are kept
apart (``activities.selectors``).

Both are summed in the database (``hours_done``; ``planned_and_done`` for both), grouped by
any of the keys below, in two or three aggregated queries whatever the number of people, marks
and consultations:

- ``"participant_id"``;
- a field of the module, by its path from a consultation: ``"module_id"``, ``"module__name"``,
  ``"module__category"``, ``"module__hours"``, ``"module__basis"``, ``"module__order"``;
- ``"week"`` (the Monday) and ``"month"`` (its first day) of the day the hours count on.

**Took part** (``hours_done(..., count_people=True)``, ``Done.people``): a person took part under
a key when they attended (present or late) a session there that took place, or had a
consultation there; each person once.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, F, Func, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual

from activities.models import Attendance, Consultation, Mark, RosterEntry


class _Monday(TruncWeek):
    """The Monday of the week, as ``TruncWeek``; on SQLite by its own date functions rather
    than the Python function Django registers (called once per row of a large aggregate)."""

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        weekday = f"CAST(strftime('%%w', {sql}) AS INTEGER)"  # 0 = Sunday
        return f"date({sql}, '-' || (({weekday} + 6) %% 7) || ' days')", [*params, *params]


class _FirstOfMonth(TruncMonth):
    """The first day of the month, as ``TruncMonth``; on SQLite by its own date functions."""

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        return f"date({sql}, 'start of month')", params


_TRUNCATED = {"week": _Monday, "month": _FirstOfMonth}
_PRESENT = Q(mark__in=[Mark.PRESENT, Mark.LATE])


@dataclass
class Done:
    """Hours done under one key, with the marks behind them."""

    attended: Decimal = Decimal(0)  # hours credited on attendance at group sessions
    consulted: Decimal = Decimal(0)  # duration of consultations and interviews
    marked: int = 0  # attendance marks recorded
    present: int = 0  # of which present or late
    excused: int = 0
    absent: int = 0
    consultations: int = 0
    people: int | None = None  # who took part, when counted (``count_people``)

    @property
    def hours(self) -> Decimal:
        return self.attended + self.consulted

    @property
    def rate(self) -> int | None:
        """Attendance rate in per cent of the marks recorded (group sessions only)."""
        return round(100 * self.present / self.marked) if self.marked else None


@dataclass
class Planned:
    """Hours planned under one key."""

    rostered: Decimal = Decimal(0)  # hours of the sessions on the person's roster
    sessions: int = 0
    consulted: Decimal = Decimal(0)
    consultations: int = 0

    @property
    def hours(self) -> Decimal:
        return self.rostered + self.consulted


def _key_path(key: str, *, via_session: bool):
    """The database path of a grouping key from a consultation, or from a record of a session
    (attendance, roster entry) when ``via_session``."""
    if key in _TRUNCATED:
        return _TRUNCATED[key]("session__date" if via_session else "date")
    if key.startswith("module"):
        return f"session__{key}" if via_session else key
    return key


class _Unindexed(Func):
    """A column, which SQLite is not to read through an index: behind a unary plus (a no-op).

    With the index on the sessions' days, SQLite would otherwise answer "the hours of these
    3,000 people in 2025" by reading the year's sessions by day and looking each of the people
    up in each session's marks: millions of lookups where reading the people's marks is a few
    hundred thousand rows. Only the sums over a few weeks (``hours_done_by_period``) read the
    sessions by day."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"+{sql}", params


def _filters(
    *,
    via_session: bool,
    participants,
    since: date | None,
    until: date | None,
    cohort,
    programme,
    modules: Iterable[int] | None,
    module_names: Iterable[str] | None,
    by_day: bool = False,
) -> Q:
    """The rows of a scope; ``by_day``: the database may find them through the sessions' days
    (a few weeks of the whole club), else through the people's marks (``_Unindexed``)."""
    prefix = "session__" if via_session else ""
    where = Q()
    if participants is not None:
        where &= Q(participant_id__in=participants)
    day = F(f"{prefix}date") if by_day or not via_session else _Unindexed(F(f"{prefix}date"))
    if since is not None:
        where &= Q(GreaterThanOrEqual(day, since))
    if until is not None:
        where &= Q(LessThanOrEqual(day, until))
    if cohort is not None:
        where &= Q(**{f"{prefix}module__programme__cohort": cohort})
    if programme is not None:
        where &= Q(**{f"{prefix}module__programme": programme})
    if modules is not None or module_names is not None:
        which = Q(pk__in=[])
        if modules is not None:
            which |= Q(**{f"{prefix}module_id__in": list(modules)})
        if module_names:
            which |= Q(**{f"{prefix}module__name__in": list(module_names)})
        where &= which
    return where


def _grouped(queryset, by: Sequence[str], *, via_session: bool, **aggregates):
    """Rows of ``queryset`` grouped by the keys ``by``, each with its key tuple."""
    if not by:
        row = queryset.aggregate(**aggregates)
        if any(value for value in row.values()):
            yield (), row
        return
    named = {f"k{index}": _key_path(key, via_session=via_session) for index, key in enumerate(by)}
    plain = [path for path in named.values() if isinstance(path, str)]
    expressions = {name: path for name, path in named.items() if not isinstance(path, str)}
    rows = queryset.annotate(**expressions).values(*plain, *expressions).annotate(**aggregates)
    for row in rows.order_by():
        key = []
        for name, path in named.items():
            value = row[path] if isinstance(path, str) else row[name]
            if name in expressions and hasattr(value, "date"):
                value = value.date()
            key.append(value)
        yield tuple(key), row


class Scope(dict):
    """Which hours: of ``participants`` (ids or a queryset of ids; None: everyone), on days from
    ``since`` to ``until``, in a cohort's or a programme's modules, in the modules ``modules``
    or (rolling intake) in the modules named ``module_names``."""

    def __init__(
        self,
        *,
        participants=None,
        since: date | None = None,
        until: date | None = None,
        cohort=None,
        programme=None,
        modules: Iterable[int] | None = None,
        module_names: Iterable[str] | None = None,
    ):
        super().__init__(
            participants=participants,
            since=since,
            until=until,
            cohort=cohort,
            programme=programme,
            modules=modules,
            module_names=module_names,
        )


def _attendance(by, scope, done: dict, *, count_people: bool = False) -> None:
    people = {}
    if count_people:
        people["people"] = Count("participant_id", distinct=True, filter=_PRESENT)
    for key, row in _grouped(
        _held(scope),
        by,
        via_session=True,
        hours=Sum("hours"),
        marked=Count("id"),
        present=Count("id", filter=_PRESENT),
        excused=Count("id", filter=Q(mark=Mark.EXCUSED)),
        absent=Count("id", filter=Q(mark=Mark.ABSENT)),
        **people,
    ):
        entry = done.setdefault(key, Done())
        entry.attended += row["hours"] or 0
        entry.marked += row["marked"]
        entry.present += row["present"]
        entry.excused += row["excused"]
        entry.absent += row["absent"]
        if count_people:
            entry.people = row["people"]


def _held(scope, *, by_day: bool = False):
    """The attendance at the sessions of ``scope`` that took place (not cancelled)."""
    return Attendance.objects.filter(
        _filters(via_session=True, by_day=by_day, **scope), session__cancelled=False
    )


def _consulted_people(by, scope, done: dict) -> None:
    """Add to ``Done.people`` those consulted under a key who were not present at a session
    under it: a row per consulted person (few), none per person present."""
    consulted: dict[tuple, set] = {}
    for key, _row in _grouped(
        Consultation.objects.filter(_filters(via_session=False, **scope)),
        (*by, "participant_id"),
        via_session=False,
        count=Count("id"),
    ):
        consulted.setdefault(key[:-1], set()).add(key[-1])
    attended: dict[tuple, set] = {}
    if consulted:
        for key, _row in _grouped(
            _held(scope).filter(_PRESENT, participant_id__in=set().union(*consulted.values())),
            (*by, "participant_id"),
            via_session=True,
            count=Count("id"),
        ):
            attended.setdefault(key[:-1], set()).add(key[-1])
    for key, entry in done.items():
        entry.people = (entry.people or 0) + len(
            consulted.get(key, set()) - attended.get(key, set())
        )


def _roster(by, scope, planned: dict) -> None:
    for key, row in _grouped(
        RosterEntry.objects.filter(_filters(via_session=True, **scope), session__cancelled=False),
        by,
        via_session=True,
        hours=Sum("session__planned_hours"),
        count=Count("id"),
    ):
        entry = planned.setdefault(key, Planned())
        entry.rostered += row["hours"] or 0
        entry.sessions += row["count"]


def _consultations(by, scope, *targets: tuple[dict, type]) -> None:
    for key, row in _grouped(
        Consultation.objects.filter(_filters(via_session=False, **scope)),
        by,
        via_session=False,
        hours=Sum("duration"),
        count=Count("id"),
    ):
        for target, kind in targets:
            entry = target.setdefault(key, kind())
            entry.consulted += row["hours"] or 0
            entry.consultations += row["count"]


def hours_done(by: Sequence[str] = (), *, count_people: bool = False, **scope) -> dict[tuple, Done]:
    """Hours done grouped by the keys ``by`` (a tuple of their values; ``()`` for everything),
    within ``scope`` (the arguments of ``Scope``). Two aggregated queries; with
    ``count_people``, ``Done.people`` too (one or two queries more)."""
    scope = Scope(**scope)
    done: dict[tuple, Done] = {}
    _attendance(by, scope, done, count_people=count_people)
    _consultations(by, scope, (done, Done))
    if count_people:
        _consulted_people(by, scope, done)
    return done


def planned_and_done(
    by: Sequence[str] = (), **scope
) -> tuple[dict[tuple, Planned], dict[tuple, Done]]:
    """Both, in three aggregated queries (the consultations are read once)."""
    scope = Scope(**scope)
    planned: dict[tuple, Planned] = {}
    done: dict[tuple, Done] = {}
    _roster(by, scope, planned)
    _attendance(by, scope, done)
    _consultations(by, scope, (planned, Planned), (done, Done))
    return planned, done


def _among(participants) -> Q:
    """Rows of ``participants`` (ids, or a queryset of one column of ids). A queryset is checked
    row by row (EXISTS) rather than listed (IN), so that the database reads the marks of the
    period's sessions (by date) instead of every mark of every person in the list."""
    if participants is None:
        return Q()
    if isinstance(participants, QuerySet):
        column = participants.query.values_select[0] if participants.query.values_select else "pk"
        return Q(Exists(participants.filter(**{column: OuterRef("participant_id")})))
    return Q(participant_id__in=participants)


def hours_done_by_period(
    periods: Sequence[tuple[date, date]], by: Sequence[str] = (), **scope
) -> dict[tuple, list[Decimal]]:
    """Hours done (as ``hours_done``) in each of ``periods`` (first and last day, inclusive),
    grouped by the keys ``by`` (not ``week`` or ``month``): for each key, a list with the hours
    of each period. Two aggregated queries with one conditional sum a period, whatever the
    number of people, marks and periods — rather than a row per week to add up afterwards."""
    if not periods:
        return {}
    first, last = min(start for start, _end in periods), max(end for _start, end in periods)
    people = _among(scope.pop("participants", None))
    scope = Scope(**{**scope, "since": first, "until": last})
    consulted = Consultation.objects.filter(_filters(via_session=False, **scope), people)
    result: dict[tuple, list[Decimal]] = {}
    sources = (
        (_held(scope, by_day=True).filter(people), "session__date", "hours", True),
        (consulted, "date", "duration", False),
    )
    for queryset, day, hours, via_session in sources:
        sums = {
            f"p{index}": Sum(hours, filter=Q(**{f"{day}__range": period}))
            for index, period in enumerate(periods)
        }
        for key, row in _grouped(queryset, by, via_session=via_session, **sums):
            totals = result.setdefault(key, [Decimal(0)] * len(periods))
            for index in range(len(periods)):
                totals[index] += row[f"p{index}"] or 0
    return result

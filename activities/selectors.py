"""Reads that pages, PDFs and exports share.

The money of socially useful work (PSU) is computed here and only here: the monthly statement's
page, PDF and XLSX all take their figures from ``psu_money``.
"""

import calendar
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from activities.models import PlacementHours, PlacementKind, PsuRates
from kis_site.access import Action, policy
from kis_site.roles import user_staff_id

GROSZ = Decimal("0.01")


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def grosze(amount: Decimal) -> Decimal:
    """An amount rounded to whole grosze, halves up (as the accountants do)."""
    return amount.quantize(GROSZ, rounding=ROUND_HALF_UP)


class PsuRatesTimeline:
    """The rates in force on any day, from one query."""

    def __init__(self, rates=None):
        self.rates = sorted(
            PsuRates.objects.all() if rates is None else rates, key=lambda r: r.valid_from
        )
        self._starts = [rate.valid_from for rate in self.rates]

    def on(self, day: date) -> PsuRates | None:
        index = bisect_right(self._starts, day)
        return self.rates[index - 1] if index else None


def psu_rates_on(day: date) -> PsuRates | None:
    """The PSU rates in force on ``day`` (None before the first ones were set)."""
    return PsuRates.objects.filter(valid_from__lte=day).order_by("-valid_from").first()


def psu_hours_in_month(*, participant_id: int, month: date, exclude=None) -> Decimal:
    """PSU hours a person has recorded in the month of ``month``, on every PSU placement
    (``exclude``: the record about to be replaced)."""
    records = PlacementHours.objects.filter(
        placement__participant_id=participant_id,
        placement__kind=PlacementKind.PSU,
        day__range=month_bounds(month),
    )
    if exclude is not None:
        records = records.exclude(pk=exclude.pk)
    return records.aggregate(total=Sum("hours"))["total"] or Decimal(0)


@dataclass
class PsuLine:
    """One placement's hours of a month at one set of rates (two lines when the rates changed
    within the month)."""

    participant_id: int
    placement_id: int
    where: str
    pup_referral: str
    rates: PsuRates | None
    days: int = 0
    hours: Decimal = Decimal(0)

    @property
    def hourly_rate(self) -> Decimal | None:
        return self.rates.hourly_rate if self.rates else None

    @property
    def refund_percent(self) -> Decimal | None:
        return self.rates.refund_percent if self.rates else None

    @property
    def paid(self) -> Decimal | None:
        """What the gmina pays: hours × the hourly rate in force, in grosze."""
        return grosze(self.hours * self.rates.hourly_rate) if self.rates else None

    @property
    def refund(self) -> Decimal | None:
        """What the PUP refunds: the amount paid × the share in force, in grosze."""
        return grosze(self.paid * self.rates.refund_share) if self.rates else None


@dataclass
class PsuMoney:
    lines: list[PsuLine]
    rates: list[PsuRates] = field(default_factory=list)  # the rates used, oldest first

    @property
    def hours(self) -> Decimal:
        return sum((line.hours for line in self.lines), Decimal(0))

    @property
    def paid(self) -> Decimal:
        return sum((line.paid or Decimal(0) for line in self.lines), Decimal(0))

    @property
    def refund(self) -> Decimal:
        return sum((line.refund or Decimal(0) for line in self.lines), Decimal(0))

    @property
    def without_rates(self) -> bool:
        return any(line.rates is None for line in self.lines)


def psu_money(*, first: date, last: date, participants) -> PsuMoney:
    """The PSU hours of ``participants`` between the dates with the money: each day's hours at
    the rates in force on that day (a month's total at those of its first day)."""
    timeline = PsuRatesTimeline()
    records = (
        PlacementHours.objects.filter(
            day__range=(first, last),
            placement__kind=PlacementKind.PSU,
            placement__participant__in=participants,
        )
        .order_by(
            "placement__participant__sort_name",
            "placement__participant_id",
            "placement__starts_on",
            "placement_id",
            "day",
        )
        .values_list(
            "placement__participant_id",
            "placement_id",
            "placement__institution__name",
            "placement__employer",
            "placement__pup_referral",
            "day",
            "whole_month",
            "hours",
        )
    )
    lines: dict[tuple, PsuLine] = {}
    for person, placement, institution, employer, referral, day, whole_month, hours in records:
        rates = timeline.on(day)
        key = (person, placement, rates.valid_from if rates else None)
        line = lines.get(key)
        if line is None:
            line = lines[key] = PsuLine(
                participant_id=person,
                placement_id=placement,
                where=institution or employer,
                pup_referral=referral,
                rates=rates,
            )
        line.hours += hours
        if not whole_month:
            line.days += 1
    ordered = list(lines.values())  # the query's order: by person, placement, then day
    used = {line.rates.valid_from: line.rates for line in ordered if line.rates}
    return PsuMoney(lines=ordered, rates=[used[key] for key in sorted(used)])


MISSING_SINCE_DAYS = 30


def my_session_lists(user):
    """Today's sessions the user leads, and their past sessions (the last 30 days) with people
    on the roster and no attendance taken: one query, once per request (the start page's panel
    and tile both read them)."""
    cached = getattr(user, "_kis_my_sessions", None)
    if cached is not None:
        return cached
    from datetime import timedelta

    from django.db.models import Exists, OuterRef, Q
    from django.utils import timezone

    from activities.models import Attendance, RosterEntry, Session

    staff_id = user_staff_id(user)
    if staff_id is None or not policy().can(user, Action.ATTENDANCE):
        user._kis_my_sessions = None
        return None
    today = timezone.localdate()
    mine = (
        Session.objects.filter(leader_id=staff_id, cancelled=False)
        .select_related("module__programme__cohort", "module__programme__enrolment__participant")
        .annotate(
            taken=Exists(Attendance.objects.filter(session=OuterRef("pk"))),
            rostered=Exists(RosterEntry.objects.filter(session=OuterRef("pk"))),
        )
    )
    recent = list(
        mine.filter(
            Q(date=today)
            | Q(
                date__lt=today,
                date__gte=today - timedelta(days=MISSING_SINCE_DAYS),
                taken=False,
                rostered=True,
            )
        ).order_by("-date", "-starts_at")
    )
    today_sessions = sorted(
        (session for session in recent if session.date == today), key=lambda s: s.starts_at
    )
    missing = [session for session in recent if session.date < today]
    user._kis_my_sessions = (today_sessions, missing)
    return user._kis_my_sessions

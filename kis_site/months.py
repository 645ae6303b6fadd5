"""Calendar months: the unit of change reports and of the evaluations a contract sets (end of
month and leap years included). Shared by every app, so it lives on the left."""

import calendar
from datetime import date


def first_day(day: date) -> date:
    return day.replace(day=1)


def last_day(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier); the 31st becomes the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(first: date, last: date) -> list[date]:
    """First days of the months from ``first``'s to ``last``'s, both included."""
    months, current = [], first_day(first)
    while current <= last:
        months.append(current)
        current = add_months(current, 1)
    return months


def period_label(start: date, end: date) -> str:
    """ "11.2026", or "11.2026–12.2026" for a period of more than one month."""
    if (start.year, start.month) == (end.year, end.month):
        return start.strftime("%m.%Y")
    return f"{start.strftime('%m.%Y')}–{end.strftime('%m.%Y')}"

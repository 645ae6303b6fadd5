"""The monthly statements the KIS sends out: PSU hours for the PUP refund, an attendance summary
for the OPS, and who attended on which days (meals, travel tickets, accident insurance).

Each is a table (title, column headings, rows) printed as PDF with the letterhead and a signature
line, or written as XLSX; the numbers come from aggregated queries.
"""

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities import selectors
from activities.hours import hours_done
from activities.models import Attendance, Mark
from activities.selectors import month_bounds
from kis_site.exports import neutralise

KINDS = {
    "psu": gettext_lazy("PSU hours for the labour office (refund)"),
    "ops": gettext_lazy("Attendance summary for the social welfare centre"),
    "days": gettext_lazy("Days of attendance (meals, travel tickets, insurance)"),
}


class Money(Decimal):
    """An amount in złoty: shown with two decimals, a number in the XLSX."""

    is_money = True


def _money(amount: Decimal | None) -> Money | None:
    return None if amount is None else Money(amount)


@dataclass
class Statement:
    title: str
    subtitle: str
    columns: list
    rows: list  # [participant, *cells]
    totals: list | None = None
    notes: list = field(default_factory=list)  # printed under the table

    @property
    def participants(self):
        return [row[0] for row in self.rows]

    def shown(self) -> tuple[list, list | None]:
        """The rows (the person, then the cells as text) and the totals as the page and the PDF
        show them: money with two decimals, other numbers with up to two, a dash for nothing.
        Formatted here, once per distinct value, not cell by cell in the template (a PSU
        statement of a large club is thousands of cells)."""
        texts: dict = {}

        def text(cell) -> str:
            key = (type(cell), cell)
            if key not in texts:
                if cell is None:
                    texts[key] = "—"
                elif getattr(cell, "is_money", False):
                    texts[key] = floatformat(cell, "2g")
                else:
                    texts[key] = floatformat(cell, "-2") or str(cell)
            return texts[key]

        rows = [(row[0], [text(cell) for cell in row[1:]]) for row in self.rows]
        totals = [text(cell) for cell in self.totals[1:]] if self.totals else None
        return rows, totals


def _month_name(month: date) -> str:
    return date_format(month, "F Y")


def psu(month: date, participants) -> Statement:
    """Hours of socially useful work with the money: what the gmina paid and what the PUP
    refunds (``selectors.psu_money`` computes every figure)."""
    first, last = month_bounds(month)
    money = selectors.psu_money(first=first, last=last, participants=participants)
    people = {
        p.pk: p for p in participants.filter(pk__in={line.participant_id for line in money.lines})
    }
    table = [
        [
            people[line.participant_id],
            line.where,
            line.pup_referral,
            line.days or "",
            line.hours,
            _money(line.hourly_rate),
            _money(line.paid),
            line.refund_percent,
            _money(line.refund),
        ]
        for line in money.lines
    ]
    notes = [
        _(
            "Rates in force from %(date)s: %(rate)s PLN an hour, %(share)s%% refunded by the PUP, "
            "at most %(limit)s hours in a month."
        )
        % {
            "date": date_format(rates.valid_from, "SHORT_DATE_FORMAT"),
            "rate": floatformat(rates.hourly_rate, 2),
            "share": floatformat(rates.refund_percent, -2),
            "limit": floatformat(rates.monthly_hours_limit, -1),
        }
        for rates in money.rates
    ]
    if money.without_rates:
        notes.append(
            _(
                "Some hours fall before any PSU rates were set: the manager adds them in the "
                "administration panel (PSU rates)."
            )
        )
    return Statement(
        title=_("Statement of hours of socially useful work"),
        subtitle=_month_name(first),
        columns=[
            _("Participant"),
            _("Where"),
            capfirst(_("PUP referral number")),
            _("Days"),
            _("Hours"),
            _("Hourly rate (PLN)"),
            _("Amount paid (PLN)"),
            _("Refund share (%)"),
            _("Amount to refund (PLN)"),
        ],
        rows=table,
        totals=["", "", "", "", money.hours, "", _money(money.paid), "", _money(money.refund)],
        notes=notes,
    )


def ops(month: date, participants) -> Statement:
    """Per person with marks or consultations in the month: the group sessions marked, how, the
    hours done (``activities.hours``: consultations included) and the attendance rate."""
    first, last = month_bounds(month)
    done = hours_done(
        ("participant_id",), participants=participants.values("pk"), since=first, until=last
    )
    table = []
    for person in participants.filter(pk__in=[key for (key,) in done]).order_by("sort_name"):
        row = done[(person.pk,)]
        table.append(
            [
                person,
                row.marked,
                row.present,
                row.excused,
                row.absent,
                row.hours,
                "—" if row.rate is None else f"{row.rate}%",
            ]
        )
    return Statement(
        title=_("Attendance summary"),
        subtitle=_month_name(first),
        columns=[
            _("Participant"),
            _("Sessions"),
            _("Present"),
            _("Justified absences"),
            _("Unjustified absences"),
            _("Hours"),
            _("Attendance"),
        ],
        rows=table,
    )


def days(month: date, participants) -> Statement:
    first, last = month_bounds(month)
    marks = (
        Attendance.objects.filter(
            session__date__range=(first, last),
            participant__in=participants,
            mark__in=[Mark.PRESENT, Mark.LATE],
        )
        .values_list("participant_id", "session__date")
        .distinct()
    )
    present: dict[int, set] = {}
    for participant_id, day in marks:
        present.setdefault(participant_id, set()).add(day)
    all_days = sorted({day for days_ in present.values() for day in days_})
    people = participants.filter(pk__in=present).order_by("sort_name")
    table = [
        [
            person,
            *["✓" if day in present[person.pk] else "" for day in all_days],
            len(present[person.pk]),
        ]
        for person in people
    ]
    return Statement(
        title=_("Days of attendance"),
        subtitle=_month_name(first),
        columns=[_("Participant"), *[str(day.day) for day in all_days], _("Days")],
        rows=table,
        totals=["", *[sum(1 for row in table if row[i + 1]) for i in range(len(all_days))], ""],
    )


BUILDERS = {"psu": psu, "ops": ops, "days": days}


def xlsx(statement: Statement, *, kis_name: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = statement.title[:31]
    sheet.append([kis_name])
    sheet.append([f"{statement.title} — {statement.subtitle}"])
    sheet["A1"].font = Font(bold=True)
    sheet["A2"].font = Font(bold=True)
    sheet.append([])
    sheet.append([str(column) for column in statement.columns])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for row in statement.rows:
        sheet.append([neutralise(row[0].full_name), *[_cell(value) for value in row[1:]]])
        _format_money(sheet, row)
    if statement.totals:
        sheet.append([_("Total"), *[_cell(value) for value in statement.totals[1:]]])
        _format_money(sheet, statement.totals)
    for note in statement.notes:
        sheet.append([neutralise(note)])
    sheet.column_dimensions["A"].width = 32
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _cell(value):
    return neutralise(value)


def _format_money(sheet, row) -> None:
    """Amounts in złoty show two decimals (the cell keeps the number)."""
    for cell, value in zip(sheet[sheet.max_row], row, strict=False):
        if isinstance(value, Money):
            cell.number_format = "#,##0.00"

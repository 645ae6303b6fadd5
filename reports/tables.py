"""The reports as tables for CSV and XLSX (kis_site.exports neutralises the cells)."""

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kis_site.exports import Table
from participants.models import ExitOutcome


def _percent(rate):
    return rate.percent if rate.percent is not None else ""


def yearly_tables(report) -> list[Table]:
    year = report.year
    staff = Table(_("Employees")).add(
        _("Basis of employment"), _("People"), _("FTE"), _("Hours a month"), _("Positions")
    )
    for row in report.staff:
        staff.add(row["basis"], row["people"], row["fte"], row["hours"], row["positions"])
    total = report.staff_total
    staff.add(_("Total"), total.get("people", 0), total.get("fte", 0), total.get("hours", 0), "")

    groups = Table(_("Participants by group (art. 1 ust. 2)")).add(
        _("Primary group"),
        _("Participants in %(year)s") % {"year": year},
        _("Ended in the year"),
        _("Completed"),
        _("Social reintegration effect"),
        _("Vocational reintegration effect"),
        _("Employed after completing"),
    )
    for row in [*report.groups, {"group": _("Total"), **report.groups_total}]:
        groups.add(
            row["group"],
            row.get("people", 0),
            row.get("left", 0),
            row.get("completed", 0),
            row.get("social", 0),
            row.get("vocational", 0),
            row.get("employed", 0),
        )

    activities = Table(_("Reintegration activities")).add(
        _("Activity"),
        _("Reintegration"),
        _("Number of sessions"),
        _("Hours run"),
        _("Participants"),
        _("Participant-hours"),
    )
    for row in report.activities:
        activities.add(
            row["name"],
            row["category_label"],
            row["sessions"],
            row["hours"],
            row["people"],
            row["person_hours"],
        )

    effects = Table(_("Effects")).add(_("Effect"), _("Count"))
    for label, count in report.exit_outcomes:
        effects.add(_("Exit: %(outcome)s") % {"outcome": label}, count)
    for label, count in report.effects:
        effects.add(label, count)

    grants = Table(_("Grants and their settlement")).add(
        _("Funding source"),
        _("Purpose"),
        _("Granted (PLN)"),
        _("Received (PLN)"),
        _("Spent (PLN)"),
        _("Returned (PLN)"),
        _("Settlement submitted on"),
    )
    for grant in report.grants:
        grants.add(
            grant.funding_source.name,
            grant.purpose,
            grant.granted,
            grant.received,
            grant.spent,
            grant.returned,
            grant.settled_on,
        )
    totals = report.grants_total
    grants.add(
        _("Total"),
        "",
        totals.get("granted", 0),
        totals.get("received", 0),
        totals.get("spent", 0),
        totals.get("returned", 0),
        "",
    )
    return [staff, groups, activities, effects, grants]


def outcome_tables(report, scope) -> list[Table]:
    summary = Table(_("Summary")).add(_("Figure"), _("Value"))
    summary.add(_("Period"), f"{date_format(report.start)} – {date_format(report.end)}")
    summary.add(_("Cohort"), str(scope["cohort"] or _("all cohorts")))
    summary.add(_("Funding source"), str(scope["funding_source"] or _("all sources")))
    summary.add(_("Participants"), report.people)
    summary.add(_("Started in the period"), report.starts)
    summary.add(_("Completed in the period"), report.completions)
    summary.add(_("Dropped out or removed in the period"), report.dropouts)
    summary.add(_("Completed with employment or education (numerator)"), report.rate.numerator)
    summary.add(_("Completed (denominator)"), report.rate.denominator)
    summary.add(_("Employment-or-education rate (%)"), _percent(report.rate))

    people = Table(_("Participants")).add(_("Breakdown"), _("Category"), _("Count"))
    for name, rows in (
        (_("Primary group"), report.by_group),
        (_("Sex"), report.by_sex),
        (_("Age"), report.by_age),
        (_("Education"), report.by_education),
        (_("Reason for dropping out"), report.dropout_reasons),
        (_("Outcome of the exit"), report.exit_outcomes),
    ):
        for label, count in rows:
            people.add(name, label, count)

    follow = Table(_("Follow-ups after the exit")).add(
        _("After (months)"),
        _("Planned"),
        _("Due"),
        _("Checked"),
        _("Working"),
        _("In education"),
        _("Working or learning (%)"),
    )
    for row in report.follow_ups:
        follow.add(
            row["months"],
            row["planned"],
            row["due"],
            row["checked"],
            row["working"],
            row["learning"],
            _percent(row["rate"]),
        )

    hours = Table(_("Hours")).add(
        _("Activity"), _("Reintegration"), _("Planned"), _("Done"), _("Done (%)")
    )
    for row in report.hours:
        hours.add(
            row["name"],
            row["category_label"],
            row["planned"],
            row["done"],
            row["rate"] if row["rate"] is not None else "",
        )

    spheres = Table(_("Sphere ratings")).add(
        _("Life sphere"),
        _("Participations"),
        _("Initial diagnosis (average)"),
        _("Final diagnosis (average)"),
        _("Average change"),
    )
    for row in report.spheres:
        spheres.add(
            str(row["label"]),
            row["count"],
            row["initial"] if row["initial"] is not None else "",
            row["final"] if row["final"] is not None else "",
            row["change"] if row["change"] is not None else "",
        )
    return [summary, people, follow, hours, spheres]


def people_table(participations) -> list[Table]:
    """The participations (``Outcomes.participations``) as a list of people: no PESEL, health,
    psychological, criminal-record or risk-group data."""
    effective = set(ExitOutcome.employment_or_education())
    table = Table(_("Participants")).add(
        _("First name"),
        _("Last name"),
        _("Cohort"),
        _("Start"),
        _("End of participation"),
        _("Status"),
        _("Outcome"),
        _("Employment or education"),
    )
    for enrolment in participations:
        person = enrolment.participant
        table.add(
            person.first_name,
            person.last_name,
            enrolment.cohort.name if enrolment.cohort else _("individual enrolment"),
            enrolment.starts_on,
            enrolment.ended_on,
            enrolment.get_status_display(),
            enrolment.get_exit_outcome_display(),
            _("yes") if enrolment.exit_outcome in effective else _("no"),
        )
    return [table]

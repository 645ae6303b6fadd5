"""The activities' part of a person's copy of their data (GDPR art. 15): the sessions they were on
the roster of and their attendance, the hours done and planned (``activities.hours``, the one
definition), the absence cases, the consultations and the placements, with the scans of sick
notes and the groups' attendance lists (``kis_site.subject_access``)."""

from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from activities.hours import planned_and_done
from activities.models import (
    AbsenceAction,
    AbsenceCase,
    AbsenceCaseEntry,
    Attendance,
    Consultation,
    Placement,
    PlacementHours,
    RosterEntry,
    Session,
)
from kis_site.subject_access import (
    SCAN_EXTENSIONS,
    Contribution,
    Copy,
    Paragraph,
    Table,
    date_text,
    plain,
)


def _prepare(copy: Copy) -> None:
    """The people on the rosters of the same sessions: their names are not the person's data."""
    sessions = RosterEntry.objects.filter(participant=copy.participant).values("session_id")
    others = (
        RosterEntry.objects.filter(session_id__in=sessions)
        .exclude(participant=copy.participant)
        .values_list("participant__first_name", "participant__last_name")
        .distinct()
    )
    for first, last in others:
        copy.withhold_name(f"{first} {last}")


def _build(copy: Copy) -> None:
    _attendance(copy)
    _consultations(copy)
    _placements(copy)


def _attendance(copy: Copy) -> None:
    participant = copy.participant
    section = copy.section(
        "attendance",
        _("Sessions, attendance and hours"),
        purpose="activities",
        retention="attendance",
        order=80,
        empty=_("No sessions."),
    )
    planned, done = planned_and_done(("module__name",), participants=[participant.pk])
    if planned or done:
        section.add(
            Paragraph(
                _(
                    "Hours done are the hours credited for attending group sessions that took "
                    "place (the whole session when present, less the minutes missed when late) "
                    "and the duration of individual consultations; hours planned are those of "
                    "the sessions on your roster and of the consultations."
                )
            )
        )
        table = section.add(
            Table(
                "hours_by_module",
                _("Hours by module"),
                [
                    ("module", _("Module")),
                    ("planned", _("Hours planned")),
                    ("done", _("Hours done")),
                ],
            )
        )
        for key in sorted(set(planned) | set(done), key=lambda key: str(key[0])):
            table.add(
                plain(key[0]),
                plain(planned[key].hours if key in planned else 0),
                plain(done[key].hours if key in done else 0),
            )
        # The modules' sums (exact decimals): the same hours, not counted a second time.
        table.total = [
            _("Total"),
            plain(sum((row.hours for row in planned.values()), Decimal(0)))[0],
            plain(sum((row.hours for row in done.values()), Decimal(0)))[0],
        ]
    _sessions(copy, section, participant)
    _absence_cases(copy, section, participant)


def _sessions(copy, section, participant) -> None:
    marks = {
        mark.session_id: mark
        for mark in Attendance.objects.filter(participant=participant)
        .select_related("excuse_scan")
        .defer("excuse_scan__data")
    }
    walk_ins = dict(
        RosterEntry.objects.filter(participant=participant).values_list("session_id", "walk_in")
    )
    sessions = (
        Session.objects.filter(Q(pk__in=list(walk_ins)) | Q(pk__in=list(marks)))
        .select_related("module", "list_scan")
        .defer("list_scan__data")
        .order_by("date", "starts_at", "pk")
    )
    if not sessions:
        return
    table = section.add(
        Table(
            "sessions",
            _("Sessions and attendance"),
            [
                ("date", _("Date")),
                ("time", _("Time")),
                ("module", _("Module")),
                ("topic", _("Topic")),
                ("on_roster", _("On the roster")),
                ("mark", _("Attendance")),
                ("hours", _("Hours credited")),
                ("excuse", _("Justification of the absence")),
            ],
        )
    )
    for session in sessions:
        mark = marks.get(session.pk)
        time = f"{session.starts_at:%H:%M}–{session.ends_at:%H:%M}"
        if session.cancelled:
            time += " " + _("(cancelled)")
        roster = (
            (_("walk-in") if walk_ins.get(session.pk) else _("yes"))
            if session.pk in walk_ins
            else _("no")
        )
        excuse = ""
        if mark is not None:
            excuse = ", ".join(
                part
                for part in (
                    mark.get_excuse_display(),
                    date_text(mark.excuse_date) if mark.excuse_date else "",
                    copy.mask(mark.excuse_note),
                )
                if part
            )
            if mark.excuse_scan_id:
                extension = SCAN_EXTENSIONS.get(mark.excuse_scan.content_type, "bin")
                excuse += ("; " if excuse else "") + _("scan: %(file)s") % {
                    "file": copy.add_file(
                        mark.excuse_scan,
                        path=f"skany/usprawiedliwienie-{mark.pk}.{extension}",
                        key=f"excuse:{mark.pk}",
                        group=_("Scans of justifications of absence"),
                        label=_("Justification of the absence on %(date)s")
                        % {"date": date_text(session.date)},
                    )
                }
        table.add(
            plain(session.date),
            (time, {"from": f"{session.starts_at:%H:%M}", "until": f"{session.ends_at:%H:%M}"}),
            plain(session.module.name),
            plain(copy.mask(session.topic)),
            (roster, walk_ins.get(session.pk)),
            (mark.get_mark_display(), mark.mark) if mark else ("—", None),
            plain(mark.hours) if mark else ("—", None),
            (excuse or "—", excuse),
        )
        if session.list_scan_id:
            copy.add_file(
                session.list_scan,
                path=f"skany/lista-obecnosci-{session.pk}.pdf",
                key=f"list:{session.pk}",
                group=_("Scans of the groups' attendance lists"),
                label=_("Attendance list of %(session)s") % {"session": session},
                detail=_("The whole group's list: other participants' names and signatures."),
                others=True,
            )


def _absence_cases(copy, section, participant) -> None:
    cases = (
        AbsenceCase.objects.filter(participant=participant)
        .select_related("enrolment", "attendance__session__module", "attendance__participant")
        .prefetch_related(
            Prefetch(
                "entries",
                queryset=AbsenceCaseEntry.objects.select_related("attendance__session__module"),
            ),
            "actions",
        )
    )
    for case in cases.order_by("opened_at", "pk"):
        title = _("Absence case: %(reason)s") % {"reason": case.get_reason_display()}
        opened_by = case.attendance.session if case.attendance_id else None
        section.add(
            copy.record(
                case,
                kind="absence_case",
                title=title,
                texts={"attendance": str(opened_by) if opened_by else ""},
            )
        )
        entries = case.entries.all()
        actions = case.actions.all()
        if entries:
            table = section.add(
                Table(
                    "absence_case_entries",
                    _("%(case)s: absences counted") % {"case": title},
                    [("absence", _("The absence")), ("reason", _("Counts as"))],
                )
            )
            for entry in entries:
                table.add(
                    (str(entry.attendance.session), entry.attendance_id),
                    (entry.get_reason_display(), entry.reason),
                )
        if actions:
            table = section.add(
                Table(
                    "absence_case_actions",
                    _("%(case)s: what followed") % {"case": title},
                    [("kind", _("What followed")), ("taken_on", _("Date")), ("note", _("Notes"))],
                )
            )
            for action in actions:
                table.add(
                    (action.get_kind_display(), action.kind),
                    plain(action.taken_on),
                    plain(copy.mask(action.note)),
                )


def _consultations(copy: Copy) -> None:
    section = copy.section(
        "consultations",
        _("Individual consultations"),
        purpose="activities",
        retention="attendance",
        order=90,
        empty=_("No consultations."),
    )
    consultations = Consultation.objects.filter(participant=copy.participant).select_related(
        "module", "specialist"
    )
    if not consultations:
        return
    table = section.add(
        Table(
            "consultations",
            _("Consultations"),
            [
                ("date", _("Date")),
                ("kind", _("Kind")),
                ("module", _("Module")),
                ("specialist", _("Specialist")),
                ("duration", _("Duration (hours)")),
                ("note", _("Short note")),
            ],
        )
    )
    for consultation in consultations.order_by("date", "pk"):
        specialist = (
            str(consultation.specialist)
            if consultation.specialist_id
            else consultation.specialist_name
        )
        table.add(
            plain(consultation.date),
            (consultation.get_kind_display(), consultation.kind),
            plain(consultation.module.name),
            plain(specialist),
            plain(consultation.duration),
            plain(copy.mask(consultation.note)),
        )


def _placements(copy: Copy) -> None:
    section = copy.section(
        "placements",
        _("Socially useful work, internships and other placements"),
        purpose="activities",
        retention="attendance",
        order=100,
        empty=_("No placements."),
    )
    placements = (
        Placement.objects.filter(participant=copy.participant)
        .select_related("institution")
        .prefetch_related(Prefetch("hours", queryset=PlacementHours.objects.order_by("day")))
    )
    for placement in placements.order_by("starts_on", "pk"):
        title = str(placement)
        section.add(copy.record(placement, kind="placement", title=title))
        hours = placement.hours.all()
        if hours:
            table = section.add(
                Table(
                    "placement_hours",
                    _("%(placement)s: hours worked") % {"placement": title},
                    [
                        ("day", _("Day")),
                        ("whole_month", _("Total for the month")),
                        ("hours", _("Hours")),
                    ],
                )
            )
            for row in hours:
                table.add(plain(row.day), plain(row.whole_month), plain(row.hours))


part = Contribution(
    "activities",
    models={
        RosterEntry: "activities",
        Attendance: "activities",
        AbsenceCase: "activities",
        AbsenceCaseEntry: "activities",
        AbsenceAction: "activities",
        Consultation: "activities",
        Placement: "activities",
        PlacementHours: "activities",
    },
    build=_build,
    prepare=_prepare,
)

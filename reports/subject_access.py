"""The reports' part of a person's copy of their data (GDPR art. 15): the change reports with
every sphere, the exit assessments and the letters to the institution that referred them (which
are recipients of the data), with every stored version and scan (``kis_site.subject_access``)."""

from django.db.models import Prefetch
from django.utils.formats import localize
from django.utils.translation import gettext as _

from kis_site.subject_access import Contribution, Copy, add_document, plain
from reports.models import ChangeReport, ChangeSphere, Effect, ExitAssessment, ReferrerLetter


def _effects(codes) -> str:
    labels = dict(Effect.choices)
    return ", ".join(str(labels.get(code, code)) for code in codes)


def _build(copy: Copy) -> None:
    _change_reports(copy)
    _letters(copy)
    _exits(copy)


def _change_reports(copy: Copy) -> None:
    section = copy.section(
        "change_reports",
        _("Change reports"),
        purpose="plan",
        retention="case_documents",
        order=120,
        empty=_("No change report has been written."),
    )
    reports = (
        ChangeReport.objects.filter(participant=copy.participant)
        .select_related("enrolment")
        .prefetch_related(Prefetch("spheres", queryset=ChangeSphere.objects.order_by("pk")))
    )
    for report in reports.order_by("period_start", "pk"):
        title = str(report)
        section.add(
            copy.record(
                report,
                kind="change_report",
                title=title,
                texts={"effects": _effects(report.effects)},
            )
        )
        for part in report.spheres.all():
            section.add(
                copy.record(
                    part,
                    kind="change_sphere",
                    title=f"{title}: {str(part).lower()}",
                    exclude=("report",),
                )
            )
        add_document(copy, section, report, title=title)


def _letters(copy: Copy) -> None:
    section = copy.section(
        "referrer_letters",
        _("Letters to the institution that referred you"),
        purpose="referrals",
        retention="case_documents",
        order=130,
        empty=_("No letter has been written."),
    )
    letters = ReferrerLetter.objects.filter(participant=copy.participant).select_related(
        "institution", "contact_person", "enrolment"
    )
    for letter in letters.order_by("written_on", "pk"):
        title = str(letter)
        attendance = letter.attendance or {}
        hours = ""
        if attendance:
            hours = _(
                "hours planned %(planned)s, done %(done)s; absences justified %(excused)s, "
                "unjustified %(absent)s"
            ) % {
                "planned": localize(attendance.get("planned", 0)),
                "done": localize(attendance.get("done", 0)),
                "excused": attendance.get("excused", 0),
                "absent": attendance.get("absent", 0),
            }
        ratings = "; ".join(
            _("%(sphere)s: %(first)s → %(now)s")
            % {
                "sphere": row.get("label", row.get("sphere")),
                "first": row.get("first") or "—",
                "now": row.get("now") or "—",
            }
            for row in letter.ratings or []
        )
        section.add(
            copy.record(
                letter,
                kind="referrer_letter",
                title=title,
                texts={"attendance": hours, "ratings": ratings},
            )
        )
        add_document(copy, section, letter, title=title)
        if letter.sent_on:
            what = [_("participation, attendance and hours"), _("stage of the cycle")]
            if letter.ratings:
                what.append(_("ratings of the spheres"))
            copy.recipient(
                name=letter.institution.name,
                on=letter.sent_on,
                what=", ".join(what),
                basis=letter.health_basis
                or _("a statutory task: informing the institution that referred you"),
                kind="letter",
            )


def _exits(copy: Copy) -> None:
    section = copy.section(
        "exit",
        _("Assessment at the exit"),
        purpose="plan",
        retention="case_documents",
        order=140,
        empty=_("No exit has been assessed."),
    )
    assessments = ExitAssessment.objects.filter(participant=copy.participant).select_related(
        "enrolment"
    )
    for assessment in assessments.order_by("assessed_on", "pk"):
        section.add(
            copy.record(
                assessment,
                kind="exit_assessment",
                title=_("Assessment of %(date)s") % {"date": plain(assessment.assessed_on)[0]},
                texts={"effects": _effects(assessment.effects)},
            )
        )


part = Contribution(
    "reports",
    models={
        ChangeReport: "plan",
        ChangeSphere: "plan",
        ExitAssessment: "plan",
        ReferrerLetter: "referrals",
    },
    build=_build,
)

"""The diagnosis's part of a person's copy of their data (GDPR art. 15): every diagnostic report
with its five spheres (the health and psychological ones and the legal situation included: the
person is entitled to them), the sources of income, the work history, the tools used and the
Holland test, with every stored version and scan (``kis_site.subject_access``)."""

from django.utils.translation import gettext as _

from diagnosis.models import (
    SPHERE_RELATED,
    DiagnosticReport,
    HealthSphere,
    HollandResult,
    IncomeSource,
    Job,
    PsychologicalSphere,
    SocialSphere,
    SocioLivingSphere,
    ToolUse,
    VocationalSphere,
)
from kis_site.subject_access import Contribution, Copy, Table, add_document, plain


def _removed(row) -> str:
    return _(" (removed from the report)") if row.removed else ""


def _build(copy: Copy) -> None:
    section = copy.section(
        "diagnosis",
        _("Diagnosis"),
        purpose="diagnosis",
        retention="case_documents",
        order=60,
        empty=_("No diagnosis has been made."),
    )
    reports = DiagnosticReport.objects.filter(participant=copy.participant).select_related(
        "enrolment", *SPHERE_RELATED.values()
    )
    for report in reports.order_by("started_on", "pk"):
        title = str(report).capitalize()
        section.add(copy.record(report, kind="diagnostic_report", title=title))
        for sphere, related in SPHERE_RELATED.items():
            part = getattr(report, related)
            section.add(
                copy.record(
                    part,
                    kind=f"sphere_{sphere}",
                    title=f"{title}: {str(part).lower()}",
                    exclude=("report",),
                )
            )
        _rows(copy, section, report, title)
        holland = HollandResult.objects.filter(report=report).select_related("tested_by").first()
        if holland is not None:
            section.add(
                copy.record(
                    holland,
                    kind="holland_result",
                    title=f"{title}: {holland!s}",
                    exclude=("report",),
                )
            )
        add_document(copy, section, report, title=title)


def _rows(copy, section, report, title) -> None:
    incomes = IncomeSource.objects.filter(sphere__report=report).order_by("pk")
    if incomes:
        table = section.add(
            Table(
                "income_sources",
                _("%(report)s: sources of income") % {"report": title},
                [
                    ("kind", _("Source")),
                    ("amount", _("Monthly amount (PLN)")),
                    ("regular", _("Regular income")),
                ],
            )
        )
        for income in incomes:
            table.add(
                (income.get_kind_display() + _removed(income), income.kind),
                plain(income.amount),
                plain(income.regular),
            )
    jobs = Job.objects.filter(sphere__report=report).order_by("started_on", "pk")
    if jobs:
        table = section.add(
            Table(
                "jobs",
                _("%(report)s: work history") % {"report": title},
                [
                    ("employer", _("Employer")),
                    ("position", _("Position")),
                    ("started_on", _("From")),
                    ("ended_on", _("Until")),
                ],
            )
        )
        for job in jobs:
            table.add(
                (copy.mask(job.employer) + _removed(job), copy.mask(job.employer)),
                plain(copy.mask(job.position)),
                plain(job.started_on),
                plain(job.ended_on),
            )
    tools = ToolUse.objects.filter(report=report).select_related("used_by").order_by("used_on")
    if tools:
        table = section.add(
            Table(
                "tools",
                _("%(report)s: diagnostic tools used") % {"report": title},
                [
                    ("tool", _("Tool")),
                    ("used_on", _("Date")),
                    ("used_by", _("Carried out by")),
                    ("hours", _("Duration (hours)")),
                    ("notes", _("Notes")),
                ],
            )
        )
        for tool in tools:
            by = str(tool.used_by) if tool.used_by_id else tool.used_by_external
            table.add(
                (tool.get_tool_display() + _removed(tool), tool.tool),
                plain(tool.used_on),
                plain(by),
                plain(tool.hours),
                plain(copy.mask(tool.notes)),
            )


part = Contribution(
    "diagnosis",
    models={
        DiagnosticReport: "diagnosis",
        SocioLivingSphere: "diagnosis",
        IncomeSource: "diagnosis",
        HealthSphere: "diagnosis",
        SocialSphere: "diagnosis",
        PsychologicalSphere: "diagnosis",
        VocationalSphere: "diagnosis",
        Job: "diagnosis",
        ToolUse: "diagnosis",
        HollandResult: "diagnosis",
    },
    build=_build,
)

"""Reads of the diagnosis: one report with everything its page or PDF shows, in a fixed number
of queries, and the parts of it a given user may see."""

from django.db.models import Prefetch

from diagnosis.form_spec import SPHERES
from diagnosis.models import (
    SPHERE_RELATED,
    DiagnosticReport,
    IncomeSource,
    Job,
    ToolUse,
)
from kis_site.access import policy
from kis_site.vocabulary import sphere_visible


def report_for_page(pk) -> DiagnosticReport:
    """The report with its five spheres, rows, tools and Holland result (five queries)."""
    return (
        DiagnosticReport.objects.select_related(
            "participant",
            "participant__case_manager",
            "enrolment",
            *[f"{related}__updated_by" for related in SPHERE_RELATED.values()],
            "holland",
            "holland__tested_by",
        )
        .prefetch_related(
            Prefetch(
                "socio_living__incomes",
                queryset=IncomeSource.objects.filter(removed=False),
                to_attr="current_incomes",
            ),
            Prefetch(
                "vocational__jobs",
                queryset=Job.objects.filter(removed=False),
                to_attr="current_jobs",
            ),
            Prefetch(
                "tools",
                queryset=ToolUse.objects.filter(removed=False).select_related("used_by"),
                to_attr="current_tools",
            ),
        )
        .get(pk=pk)
    )


def holland_of(report):
    try:
        return report.holland
    except DiagnosticReport.holland.RelatedObjectDoesNotExist:
        return None


def visible_spheres(user, report, *, sections=None) -> list[dict]:
    """The spheres ``user`` may see, each with the form's items (sensitive items left out).

    ``sections=None`` asks the access policy; the PDF passes every section (it opens whole).
    """
    if sections is None:
        sections = policy().sections_for(user, report.participant)
    result = []
    for spec in SPHERES:
        part = getattr(report, SPHERE_RELATED[spec.sphere])
        if not sphere_visible(spec.sphere, sections):
            continue
        items = [item for item in spec.items if item.section is None or item.section in sections]
        result.append(
            {
                "sphere": spec.sphere,
                "spec": spec,
                "part": part,
                "items": items,
                "hidden_items": len(spec.items) - len(items),
            }
        )
    return result

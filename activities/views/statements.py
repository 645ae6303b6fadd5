"""The monthly statements: seen on the page, printed (PDF) or downloaded (XLSX)."""

from datetime import date, timedelta

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from activities import statements
from activities.views._common import _crumbs, _schedule_gate
from kis_site.access import AccessKind, log_access
from kis_site.models import KisSettings
from kis_site.pdf import render_pdf
from participants.access import participants_visible_to
from participants.models import Cohort


@require_safe
def monthly_statements(request):
    """Choose a statement, a month and a group; see it, print it (PDF) or download it (XLSX)."""
    _schedule_gate(request.user)
    kind = request.GET.get("kind", "ops")
    if kind not in statements.BUILDERS:
        kind = "ops"
    today = timezone.localdate()
    try:
        month = date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    cohorts = list(Cohort.objects.filter(ends_on__gte=month).order_by("-starts_on"))
    cohort_id = request.GET.get("cohort", "")
    people = participants_visible_to(request.user)
    chosen = next((c for c in cohorts if str(c.pk) == cohort_id), None)
    if chosen is not None:
        people = people.filter(enrolments__cohort=chosen).distinct()
    statement = statements.BUILDERS[kind](month, people)
    output = request.GET.get("format")
    if output in ("pdf", "xlsx"):
        for person in statement.participants:
            log_access(user=request.user, instance=person, kind=AccessKind.EXPORT, what=kind)
        name = f"zestawienie-{kind}-{month:%Y-%m}"
        if output == "pdf":
            content = render_pdf(
                "activities/pdf/statement.html",
                {"statement": statement, "cohort": chosen, "title": statement.title},
            )
            response = HttpResponse(content, content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
        else:
            content = statements.xlsx(statement, kis_name=KisSettings.load().name)
            response = HttpResponse(
                content,
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    return render(
        request,
        "activities/statements.html",
        {
            "statement": statement,
            "kinds": statements.KINDS.items(),
            "kind": kind,
            "month": month,
            "cohorts": cohorts,
            "chosen": chosen,
            "query": request.GET.urlencode(),
            "title": _("Monthly statements"),
            "breadcrumbs": _crumbs(),
        },
    )

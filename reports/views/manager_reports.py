"""The manager's reports: the yearly report to the voivode (page, PDF, XLSX, CSV) and the cohort /
funding-source / period report (page, figures as XLSX/CSV, the list of people without sensitive
data). Every download is recorded in the audit log. With a replica of the database
(DATABASE_REPLICA_URL) both read from it (kis_site/replica.py)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kis_site.access import AccessKind, Action, log_access, policy
from kis_site.exports import download
from kis_site.models import KisSettings
from kis_site.pdf import render_pdf
from kis_site.replica import reads_from_replica
from reports import figures, tables
from reports.forms import OutcomesForm, YearForm, default_report_year

FORMATS = ("csv", "xlsx")


def _gate(user):
    if not policy().can(user, Action.EXPORT):
        raise PermissionDenied


@require_safe
@reads_from_replica
def yearly_report(request):
    _gate(request.user)
    form = YearForm(request.GET or None)
    year = (
        form.cleaned_data["year"] if form.is_valid() else default_report_year(timezone.localdate())
    )
    report = figures.yearly(year)
    output = request.GET.get("format")
    if output in ("pdf", *FORMATS):
        if report.empty:
            messages.error(
                request,
                _(
                    "Nothing is recorded for %(year)s: no participations, activities or grants. "
                    "Choose another year."
                )
                % {"year": year},
            )
            return redirect(reverse("reports:yearly") + f"?year={year}")
        log_access(
            user=request.user,
            instance=KisSettings.load(),
            kind=AccessKind.EXPORT,
            what=f"yearly report {year} ({output})",
        )
        filename = f"sprawozdanie-kis-{year}"
        if output == "pdf":
            content = render_pdf(
                "reports/pdf/yearly.html",
                {
                    "report": report,
                    "title": _("Report on the activity of the KIS in %(year)s") % {"year": year},
                },
            )
            response = HttpResponse(content, content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
            return response
        return download(
            tables.yearly_tables(report),
            fmt=output,
            filename=filename,
            heading=KisSettings.load().name,
        )
    return render(
        request,
        "reports/yearly.html",
        {
            "form": form,
            "report": report,
            "year": year,
            "title": _("Yearly report to the voivode"),
        },
    )


@require_safe
@reads_from_replica
def outcomes_report(request):
    _gate(request.user)
    chosen = "start" in request.GET or "end" in request.GET
    form = OutcomesForm(request.GET if chosen else None)
    valid = not chosen or form.is_valid()
    scope = form.cleaned_data if chosen and valid else OutcomesForm.defaults()
    start, end = scope["start"], scope["end"]
    enrolments = figures.enrolments_in(
        start, end, cohort=scope["cohort"], funding_source=scope["funding_source"]
    )
    if request.GET.get("part") == "hours" and request.htmx:
        # The hours per activity, the page's slowest part, load on their own below the fold.
        return render(
            request,
            "reports/_outcome_hours.html",
            {"hours": figures.outcome_hours(enrolments, start, end)},
        )
    output = request.GET.get("format")
    exporting = output in FORMATS and valid
    report = figures.outcomes(enrolments, start, end, hours=exporting)
    if exporting:
        people = request.GET.get("list") == "people"
        if people:
            # A list of people: each person's file read is recorded.
            participations = report.participations()
            for enrolment in participations:
                log_access(
                    user=request.user,
                    instance=enrolment.participant,
                    kind=AccessKind.EXPORT,
                    what="participation list",
                )
        else:
            log_access(
                user=request.user,
                instance=KisSettings.load(),
                kind=AccessKind.EXPORT,
                what=f"outcomes report {start}–{end} ({output})",
            )
        filename = f"raport-efektow-{start:%Y%m%d}-{end:%Y%m%d}"
        return download(
            tables.people_table(participations) if people else tables.outcome_tables(report, scope),
            fmt=output,
            filename=filename + ("-uczestnicy" if people else ""),
            heading=KisSettings.load().name,
        )
    query = {"start": start.isoformat(), "end": end.isoformat()}
    for name in ("cohort", "funding_source"):
        if scope[name] is not None:
            query[name] = scope[name].pk
    return render(
        request,
        "reports/outcomes.html",
        {
            "form": form,
            "report": report,
            "query": urlencode(query),
            "title": _("Participation and outcomes"),
        },
    )

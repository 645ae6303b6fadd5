"""The manager's reports: the yearly report to the voivode (page, PDF, XLSX, CSV) and the cohort /
funding-source / period report (page, figures as XLSX/CSV, the list of people without sensitive
data). Every download is recorded in the audit log."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kis_site.access import Action, policy
from kis_site.audit import AccessKind, log_access
from kis_site.exports import download
from kis_site.models import KisSettings
from kis_site.pdf import render_pdf
from reports import figures, tables
from reports.forms import OutcomesForm, YearForm, default_report_year

FORMATS = ("csv", "xlsx")


def _gate(user):
    if not policy().can(user, Action.EXPORT):
        raise PermissionDenied


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
            "form": form if form.is_bound else YearForm(),
            "report": report,
            "year": year,
            "title": _("Yearly report to the voivode"),
        },
    )


def outcomes_report(request):
    _gate(request.user)
    form = OutcomesForm(request.GET or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
    else:
        today = timezone.localdate()
        data = {
            "start": today.replace(month=1, day=1),
            "end": today,
            "cohort": None,
            "funding_source": None,
        }
    enrolments = figures.enrolments_in(
        data["start"], data["end"], cohort=data["cohort"], funding_source=data["funding_source"]
    )
    report = figures.outcomes(enrolments, data["start"], data["end"])
    output = request.GET.get("format")
    scope = {
        "start": data["start"],
        "end": data["end"],
        "cohort": data["cohort"],
        "funding_source": data["funding_source"],
    }
    if output in FORMATS and not (form.is_bound and not form.is_valid()):
        people = request.GET.get("list") == "people"
        if people:
            # A list of people: each person's file read is recorded.
            for enrolment in report.rows:
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
                what=f"outcomes report {data['start']}–{data['end']} ({output})",
            )
        filename = f"raport-efektow-{data['start']:%Y%m%d}-{data['end']:%Y%m%d}"
        return download(
            tables.people_table(report) if people else tables.outcome_tables(report, scope),
            fmt=output,
            filename=filename + ("-uczestnicy" if people else ""),
            heading=KisSettings.load().name,
        )
    return render(
        request,
        "reports/outcomes.html",
        {
            "form": form if form.is_bound else OutcomesForm(),
            "report": report,
            "scope": scope,
            "query": request.GET.urlencode() if form.is_bound else "",
            "title": _("Participation and outcomes"),
        },
    )

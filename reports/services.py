"""Writes of the change report: open it pre-filled for a period, save a sphere, the grid at once,
the report's own part, and open the new version of the action plan its recommendations call for."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from diagnosis.models import SPHERE_RELATED, DiagnosisKind, DiagnosticReport
from ipd.models import ActionPlan, Goal
from kis_site.documents import (
    document_changed,
    document_created,
    document_new_revision,
    ensure_editable,
)
from kis_site.locking import save_versioned
from kis_site.models import DocumentState, KisSettings
from kis_site.vocabulary import Section, Sphere
from participants.models import Enrolment
from reports.models import ChangeReport, ChangeSphere
from reports.months import add_months, first_day, last_day


def baseline(enrolment: Enrolment) -> DiagnosticReport | None:
    """The signed initial diagnosis the reports are read against."""
    return (
        DiagnosticReport.objects.filter(
            enrolment=enrolment, kind=DiagnosisKind.INITIAL, state=DocumentState.LOCKED
        )
        .select_related(*SPHERE_RELATED.values())
        .first()
    )


def previous_ratings(enrolment: Enrolment, before, diagnosis) -> dict[str, tuple]:
    """Per sphere: (rating, where it comes from) — the latest earlier change report that rated
    the sphere, else the initial diagnosis."""
    result = {}
    if diagnosis is not None:
        label = str(diagnosis)
        for sphere, related in SPHERE_RELATED.items():
            rating = getattr(diagnosis, related).rating
            if rating is not None:
                result[sphere] = (rating, label)
    earlier = (
        ChangeSphere.objects.filter(
            report__enrolment=enrolment, report__period_start__lt=before, rating__isnull=False
        )
        .select_related("report")
        .order_by("report__period_start")
    )
    for part in earlier:
        result[part.sphere] = (part.rating, str(part.report))
    return result


def _goal_lines(enrolment: Enrolment) -> dict[tuple[str, bool], str]:
    """The plan's goals with their status, for the report to comment on: per sphere, and apart
    from the rest the legal matters of an open sphere (they go to the legal notes, which only
    those who see the legal section read)."""
    lines: dict[tuple[str, bool], list[str]] = {}
    goals = Goal.objects.filter(plan__enrolment=enrolment, removed=False).order_by("order", "pk")
    for goal in goals:
        legal = goal.section == Section.LEGAL
        lines.setdefault((goal.sphere, legal), []).append(
            # no trailing colon: left as it is, the signed report still reads as a sentence
            f"• {goal.description} — {goal.get_status_display()}"
        )
    return {key: "\n".join(items) for key, items in lines.items()}


def report_start(*, enrolment: Enrolment, period_start, months: int = 1, by) -> ChangeReport:
    """Open the change report of a period (one or two calendar months), pre-filled: the previous
    rating of each sphere and the plan's goals with their status."""
    errors = {}
    today = timezone.localdate()
    if period_start is None:
        raise ValidationError({"period_start": _("Choose the month the report covers.")})
    start = first_day(period_start)
    end = last_day(add_months(start, months - 1))
    if months not in (1, 2):
        errors["months"] = _("A report covers one month, at most two.")
    if start > today:
        errors["period_start"] = _("The period has not begun yet.")
    elif end < enrolment.starts_on:
        errors["period_start"] = _("The participation began later (%(date)s).") % {
            "date": date_format(enrolment.starts_on, "SHORT_DATE_FORMAT")
        }
    elif enrolment.ended_on and start > enrolment.ended_on:
        errors["period_start"] = _("The participation ended before this period (%(date)s).") % {
            "date": date_format(enrolment.ended_on, "SHORT_DATE_FORMAT")
        }
    overlapping = ChangeReport.objects.filter(
        enrolment=enrolment, period_start__lte=end, period_end__gte=start
    ).first()
    if overlapping is not None and "period_start" not in errors:
        errors["period_start"] = _("There is already a report for this period: %(report)s.") % {
            "report": overlapping
        }
    diagnosis = baseline(enrolment)
    if diagnosis is None:
        errors[NON_FIELD_ERRORS] = _(
            "The participant has no signed initial diagnosis: a change report is read against it. "
            "Sign the diagnosis first."
        )
    if errors:
        raise ValidationError(errors)
    report = ChangeReport(
        participant=enrolment.participant,
        enrolment=enrolment,
        period_start=start,
        period_end=end,
        met_on=min(today, end),
        cosigners=list(KisSettings.load().change_report_cosigners),
        created_by=by,
    )
    previous = previous_ratings(enrolment, start, diagnosis)
    goals = _goal_lines(enrolment)
    try:
        with transaction.atomic():
            report.full_clean()
            report.save()
            for sphere in Sphere.values:
                rating, source = previous.get(sphere, (None, ""))
                ChangeSphere.objects.create(
                    report=report,
                    sphere=sphere,
                    previous_rating=rating,
                    previous_source=source,
                    goals_progress=goals.get((sphere, False), ""),
                    legal_notes=goals.get((sphere, True), ""),
                )
            document_created(document=report, by=by)
    except IntegrityError as error:
        raise ValidationError(
            {"period_start": _("This participation already has a report for this period.")}
        ) from error
    return report


def sphere_save(*, part: ChangeSphere, expected_version: int | None, by) -> ChangeSphere:
    report = part.report
    ensure_editable(report)
    with transaction.atomic():
        part.updated_at = timezone.now()
        part.updated_by = by
        save_versioned(part, expected_version=expected_version)
        document_changed(document=report, by=by)
    return part


ROW_RATINGS = ("resources_rating", "awareness_rating", "participation_rating", "rating")
ROW_TEXTS = ("resources", "awareness", "participation")


def same_as_before(*, part: ChangeSphere, typed: dict) -> dict:
    """ "Same as last month" on a row of the grid: ``typed`` (the row as the form holds it) with
    the ratings of the sphere in the latest earlier report that rated it, and its three texts
    where the row's are still empty; without such a report, the initial diagnosis's rating of
    the sphere (the row's previous rating). "What changed", when empty, says nothing did. The
    progress on the goals and the legal notes stay as typed. Nothing is saved."""
    earlier = (
        ChangeSphere.objects.filter(
            report__enrolment_id=part.report.enrolment_id,
            report__period_start__lt=part.report.period_start,
            sphere=part.sphere,
            rating__isnull=False,
        )
        .order_by("-report__period_start", "-pk")
        .first()
    )
    values = dict(typed)
    if earlier is not None:
        for name in ROW_RATINGS:
            values[name] = getattr(earlier, name)
        for name in ROW_TEXTS:
            if not str(values.get(name) or "").strip():
                values[name] = getattr(earlier, name)
    else:
        values["rating"] = part.previous_rating
    if not str(values.get("what_changed") or "").strip():
        values["what_changed"] = _("No change since the previous period.")
    return values


def report_grid_save(
    *,
    report: ChangeReport,
    parts: list[tuple[ChangeSphere, int | None]],
    report_version: int | None = None,
    save_report: bool = False,
    by,
) -> ChangeReport:
    """Save the changed rows of the grid (each against the version it was read at) and, when
    asked, the report's own part, together: all or nothing. A stale row raises ConflictError
    and nothing is saved. Signatures already given to the draft are cleared."""
    ensure_editable(report)
    with transaction.atomic():
        for part, expected_version in parts:
            part.report = report
            sphere_save(part=part, expected_version=expected_version, by=by)
        if save_report:
            report_save(report=report, expected_version=report_version, by=by)
    return report


def report_save(*, report: ChangeReport, expected_version: int | None, by) -> ChangeReport:
    """The participant's view, the effects, the recommendations of a draft."""
    ensure_editable(report)
    if report.met_on and report.met_on > timezone.localdate():
        raise ValidationError({"met_on": _("The date cannot be in the future.")})
    with transaction.atomic():
        save_versioned(report, expected_version=expected_version)
        document_changed(document=report, by=by)
    return report


def plan_revision_from(*, report: ChangeReport, by) -> ActionPlan:
    """Open the new version of the participation's plan that the report's recommendations call
    for, with the reason filled in from the report."""
    if not report.is_locked:
        raise ValidationError(_("Sign the change report first: the plan changes on its basis."))
    plan = ActionPlan.objects.filter(enrolment_id=report.enrolment_id).first()
    if plan is None:
        raise ValidationError(_("This participation has no action plan yet."))
    text = (report.ipd_changes or report.recommendations or "").strip()
    reason = _("Change report for %(period)s: %(text)s") % {
        "period": report.period_label,
        "text": text or _("recommendations of the report"),
    }
    return document_new_revision(document=plan, reason=reason[:1000], by=by)

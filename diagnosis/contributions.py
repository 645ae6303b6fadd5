"""What the diagnosis adds to the shared pages: the document kind, the panel on the participant's
file, the signers' to-do tiles."""

from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy

from diagnosis.form_spec import RECOMMENDATIONS, SIGNATURE_LABELS, SPHERES, SUBTITLE, TITLE
from diagnosis.models import SENSITIVE, SIGNERS, SPHERE_RELATED, DiagnosticReport, Rating
from diagnosis.selectors import (
    DiagnosisState,
    active_signatures_by_report,
    holland_of,
    signer_keys,
    spheres_to_fill,
    state_of,
    unsigned_diagnoses,
    waiting_for_signature,
)
from kis_site.access import Action, policy
from kis_site.models import DocumentState, KisSettings
from kis_site.registries import (
    DocumentKind,
    Panel,
    TodoCount,
    TodoItem,
    document_kinds,
    participant_panels,
    todo_items,
)
from kis_site.search import normalise
from kis_site.vocabulary import Section, sphere_visible


def _pdf_context(report, sections=SENSITIVE | {Section.RISK_GROUPS}) -> dict:
    from diagnosis.selectors import report_for_page, visible_spheres

    full = report_for_page(report.pk)
    return {
        "report": full,
        "participant": full.participant,
        "spheres": visible_spheres(None, full, sections=sections),
        "tools": full.current_tools,
        "holland": holland_of(full),
        "programme": KisSettings.load().programme_name,
        "rating_legend": Rating.choices,
        "signature_class": "three",
        "form_title": TITLE,
        "form_subtitle": SUBTITLE,
        "recommendations_label": RECOMMENDATIONS,
        "title": gettext_lazy("Diagnostic report"),
    }


def _filename(report) -> str:
    kind = report.get_kind_display()
    return slugify(normalise(f"diagnoza {kind} {report.participant.last_name} {report.pk}"))


def register():
    document_kinds.register(
        DocumentKind(
            key="diagnosis",
            title=gettext_lazy("Diagnostic report"),
            model=DiagnosticReport,
            pdf_context=_pdf_context,
            url=lambda r: reverse("diagnosis:report", args=[r.pk]),
            filename=_filename,
            subject=lambda r: r.participant.full_name,
            order=15,
        )
    )
    participant_panels.register(
        Panel(
            key="diagnosis",
            title=gettext_lazy("Diagnosis"),
            template="diagnosis/_file_panel.html",
            context=_file_panel,
        )
    )
    todo_items.register(
        TodoItem(
            "diagnoses-to-sign",
            gettext_lazy("Diagnoses waiting for my signature"),
            _to_sign_count,
            35,
        )
    )
    todo_items.register(
        TodoItem(
            "diagnoses-to-fill",
            gettext_lazy("Diagnosis spheres for me to fill in"),
            _to_fill_count,
            34,
        )
    )
    todo_items.register(
        TodoItem(
            "diagnoses-unsigned",
            gettext_lazy("Diagnoses not signed yet"),
            _unsigned_count,
            36,
        )
    )


def _file_panel(request, participant):
    user = request.user
    if not policy().can(user, Action.VIEW, participant):
        return None
    reports = list(
        DiagnosticReport.objects.filter(participant=participant)
        .select_related(*SPHERE_RELATED.values())
        .only(
            "pk",
            "kind",
            "started_on",
            "state",
            "revision",
            "participant_id",
            *[f"{related}__rating" for related in SPHERE_RELATED.values()],
        )
        .order_by("-started_on", "-pk")
    )
    drafts = [report for report in reports if report.state != DocumentState.LOCKED]
    signed = {report.pk: set() for report in reports} | active_signatures_by_report(drafts)
    sections = policy().sections_for(user, participant)
    labels = dict(SIGNATURE_LABELS)
    rows = []
    for report in reports:
        state = state_of(report, signed[report.pk])
        ratings = []
        for spec in SPHERES:
            if not sphere_visible(spec.sphere, sections):
                continue
            part = getattr(report, SPHERE_RELATED[spec.sphere])
            ratings.append(
                {"sphere": spec.sphere, "label": spec.sphere.label, "rating": part.rating}
            )
        rows.append(
            {
                "report": report,
                "state": state,
                "state_label": DiagnosisState.LABELS[state],
                "missing": [labels[key] for key in SIGNERS if key not in signed[report.pk]]
                if state != DiagnosisState.SIGNED
                else [],
                "ratings": ratings,
            }
        )
    enrolled = bool(participant.enrolments.all())
    return {
        "rows": rows,
        "can_start": enrolled and policy().may_start(user, DiagnosticReport, participant),
        "participant": participant,
        "can_compare": any(r["report"].kind == "final" for r in rows)
        and any(r["report"].kind == "initial" for r in rows),
    }


# --- To-do -----------------------------------------------------------------------------------


def _to_sign_count(user):
    if not signer_keys(user):
        return None
    count = waiting_for_signature(user)
    return TodoCount(count, reverse("diagnosis:to-sign"), "warning")


def _to_fill_count(user):
    if not signer_keys(user):
        return None
    count = spheres_to_fill(user)
    return TodoCount(count, reverse("diagnosis:to-fill"), "warning")


def _unsigned_count(user):
    if not policy().follows_cases(user):
        return None
    count = unsigned_diagnoses(user)
    return TodoCount(count, reverse("diagnosis:unsigned"), "info")

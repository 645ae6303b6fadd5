"""What the diagnosis adds to the shared pages: the document kind, the panel on the participant's
file, the signers' to-do tiles."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy, pgettext_lazy

from diagnosis.form_spec import RECOMMENDATIONS, SIGNATURE_LABELS, SPHERES, SUBTITLE, TITLE
from diagnosis.models import SENSITIVE, SIGNERS, SPHERE_RELATED, DiagnosticReport, Rating
from diagnosis.selectors import holland_of
from kis_site.access import Action, policy
from kis_site.models import DocumentState, KisSettings, Signature
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

SIGNER_ROLES = frozenset(role for role, _spheres in SIGNERS.values())


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


# --- States ----------------------------------------------------------------------------------


class DiagnosisState:
    PREPARING = "preparing"
    AWAITING = "awaiting"
    SIGNED = "signed"

    LABELS = {
        PREPARING: pgettext_lazy("diagnosis state", "in preparation"),
        AWAITING: pgettext_lazy("diagnosis state", "waiting for signatures"),
        SIGNED: pgettext_lazy("diagnosis state", "signed"),
    }


def state_of(report, signed_slots) -> str:
    if report.state == DocumentState.LOCKED:
        return DiagnosisState.SIGNED
    parts = [getattr(report, related) for related in SPHERE_RELATED.values()]
    if signed_slots or all(part.is_filled for part in parts):
        return DiagnosisState.AWAITING
    return DiagnosisState.PREPARING


def active_signatures_by_report(reports) -> dict[int, set[str]]:
    """Active signatures of the current version of each report, in one query."""
    if not reports:
        return {}
    revision_of = {report.pk: report.revision for report in reports}
    signed: dict[int, set[str]] = {pk: set() for pk in revision_of}
    rows = Signature.objects.filter(
        revision__content_type=ContentType.objects.get_for_model(DiagnosticReport),
        revision__object_id__in=revision_of,
        cleared_at__isnull=True,
    ).values_list("revision__object_id", "revision__number", "slot")
    for report_id, number, slot in rows:
        if revision_of.get(report_id) == number:
            signed[report_id].add(slot)
    return signed


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


def _signed_slot(slot: str):
    return Signature.objects.filter(
        revision__content_type=ContentType.objects.get_for_model(DiagnosticReport),
        revision__object_id=OuterRef("pk"),
        revision__number=OuterRef("revision"),
        slot=slot,
        cleared_at__isnull=True,
    )


def unsigned_diagnoses(user):
    """Drafts in the user's scope (the manager: all; a case manager: their participants)."""
    from participants.access import managed_participants

    return DiagnosticReport.objects.filter(
        state=DocumentState.DRAFT, participant__in=managed_participants(user)
    )


def _my_slots(user) -> list[str]:
    roles = policy().roles(user)
    return [key for key, (role, _spheres) in SIGNERS.items() if role in roles]


def _my_spheres_unrated(keys) -> Q:
    """A sphere of the user's (in the roles they sign in) still without its rating."""
    unrated = Q()
    for key in keys:
        for sphere in SIGNERS[key][1]:
            unrated |= Q(**{f"{SPHERE_RELATED[sphere]}__rating__isnull": True})
    return unrated


def spheres_to_fill(user):
    """Drafts where a sphere the user writes (as a signer of the form) is not rated yet."""
    from participants.access import participants_visible_to

    keys = _my_slots(user)
    if not keys:
        return DiagnosticReport.objects.none()
    return DiagnosticReport.objects.filter(
        _my_spheres_unrated(keys),
        state=DocumentState.DRAFT,
        participant__in=participants_visible_to(user),
    )


def waiting_for_signature(user):
    """Drafts the user still has to sign, in one of the roles the form names, whose spheres of
    theirs are filled (the ones still to fill are on the other list)."""
    from participants.access import participants_visible_to

    keys = _my_slots(user)
    if not keys:
        return DiagnosticReport.objects.none()
    missing = Q()
    for key in keys:
        missing |= ~Exists(_signed_slot(key))
    return DiagnosticReport.objects.filter(
        missing, state=DocumentState.DRAFT, participant__in=participants_visible_to(user)
    ).exclude(_my_spheres_unrated(keys))


def _to_sign_count(user):
    if not (SIGNER_ROLES & policy().roles(user)):
        return None
    count = waiting_for_signature(user).count()
    return TodoCount(count, reverse("diagnosis:to-sign"), "warning")


def _to_fill_count(user):
    if not (SIGNER_ROLES & policy().roles(user)):
        return None
    count = spheres_to_fill(user).count()
    return TodoCount(count, reverse("diagnosis:to-fill"), "warning")


def _unsigned_count(user):
    if not policy().follows_cases(user):
        return None
    count = unsigned_diagnoses(user).count()
    return TodoCount(count, reverse("diagnosis:unsigned"), "info")

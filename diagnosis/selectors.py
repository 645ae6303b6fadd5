"""Reads of the diagnosis: one report with everything its page or PDF shows, in a fixed number
of queries, and the parts of it a given user may see."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils.translation import pgettext_lazy

from diagnosis.form_spec import SPHERES
from diagnosis.models import (
    SIGNERS,
    SPHERE_RELATED,
    DiagnosticReport,
    IncomeSource,
    Job,
    ToolUse,
)
from kis_site.access import policy
from kis_site.models import DocumentState, Signature
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


# --- States: in preparation, waiting for signatures, signed ---------------------------


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


# --- What a signer has to do ---------------------------------------------------------------


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
    from participants.access import managed_participants, records_of

    return DiagnosticReport.objects.filter(
        records_of(managed_participants(user)), state=DocumentState.DRAFT
    )


def signer_keys(user) -> list[str]:
    """The slots of the diagnostic form ``user`` signs in (their roles' spheres)."""
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
    from participants.access import participants_visible_to, records_of

    keys = signer_keys(user)
    if not keys:
        return DiagnosticReport.objects.none()
    return DiagnosticReport.objects.filter(
        _my_spheres_unrated(keys),
        records_of(participants_visible_to(user)),
        state=DocumentState.DRAFT,
    )


def waiting_for_signature(user):
    """Drafts the user still has to sign, in one of the roles the form names, whose spheres of
    theirs are filled (the ones still to fill are on the other list)."""
    from participants.access import participants_visible_to, records_of

    keys = signer_keys(user)
    if not keys:
        return DiagnosticReport.objects.none()
    missing = Q()
    for key in keys:
        missing |= ~Exists(_signed_slot(key))
    return DiagnosticReport.objects.filter(
        missing, records_of(participants_visible_to(user)), state=DocumentState.DRAFT
    ).exclude(_my_spheres_unrated(keys))

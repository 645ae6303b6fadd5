"""The parts of a person's copy of their data (GDPR art. 15), in the order they are made: one
per app that holds participant data, and the history of corrections and the access log. An
explicit list, not a registry: a new part is added here, and ``tests/test_subject_access.py``
fails while a model registered as participant data is covered by none of them."""

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from activities import subject_access as activities
from diagnosis import subject_access as diagnosis
from ipd import subject_access as ipd
from kis_site import subject_access as shared
from kis_site.subject_access import Contribution, Copy
from participants import subject_access as participants
from reports import subject_access as reports
from retention.models import Anonymisation
from subject_access.models import AccessRequest


def _build_requests(copy: Copy) -> None:
    """The earlier requests for a copy and how they were answered (this one included)."""
    section = copy.section(
        "access_requests",
        _("Requests for a copy of the data"),
        purpose="rights",
        retention="requests",
        order=180,
    )
    requests = AccessRequest.objects.filter(participant=copy.participant).order_by(
        "received_on", "pk"
    )
    for request in requests:
        section.add(
            copy.record(
                request,
                kind="access_request",
                title=str(request).capitalize(),
                exclude=("reviewed",),
                texts={"withheld": "; ".join(item["label"] for item in request.withheld)},
            )
        )


requests = Contribution("access_requests", models={AccessRequest: "rights"}, build=_build_requests)


def _build_anonymisations(copy: Copy) -> None:
    """An anonymisation of the file proposed, withdrawn or carried out (``retention``). The
    retention app has no part of its own (yet): its one participant-data model is given here."""
    anonymisations = Anonymisation.objects.filter(participant=copy.participant)
    if not anonymisations:
        return
    section = copy.section(
        "anonymisation",
        _("Anonymisation of the file"),
        purpose="rights",
        retention="requests",
        order=175,
    )
    for anonymisation in anonymisations.order_by("proposed_at", "pk"):
        section.add(
            copy.record(
                anonymisation,
                kind="anonymisation",
                title=str(capfirst(anonymisation._meta.verbose_name)),
                exclude=("proposed_at", "confirmed_at"),
                extra=copy.fields(
                    ("proposed_at", _("Proposed on"), anonymisation.proposed_at),
                    ("confirmed_at", _("Carried out on"), anonymisation.confirmed_at),
                ),
            )
        )


anonymisations = Contribution(
    "anonymisations", models={Anonymisation: "rights"}, build=_build_anonymisations
)

PARTS: list[Contribution] = [
    participants.part,
    diagnosis.part,
    activities.part,
    ipd.part,
    reports.part,
    requests,
    anonymisations,
    shared.corrections,
    shared.access_log,
]

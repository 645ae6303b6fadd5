"""What the retention app adds to the shared pages: the destruction record, a signed document."""

from django.urls import reverse
from django.utils.translation import gettext_lazy

from kis_site.registries import DocumentKind, document_kinds


def _record_pdf(record, sections=None) -> dict:
    from retention.anonymise import record_context

    return record_context(record, sections)


def register():
    from retention.models import DestructionRecord

    document_kinds.register(
        DocumentKind(
            key="destruction_record",
            title=gettext_lazy("Destruction record"),
            model=DestructionRecord,
            pdf_context=_record_pdf,
            url=lambda record: reverse("retention:record", args=[record.pk]),
            filename=lambda record: f"protokol-anonimizacji-{record.sequence}-{record.year}",
            subject=lambda record: record.number,
            holds_participant_data=False,
            order=90,
        )
    )

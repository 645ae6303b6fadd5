"""The participant's timeline on their file: applications and decisions, status changes and
follow-ups, notes (the sensitive ones only for who sees their section), newest first."""

from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain

from django.urls import reverse
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _

from participants.models import EnrolmentStatus, FollowUpResult
from participants.selectors import enrolment_events


@dataclass(frozen=True)
class TimelineEntry:
    when: date | datetime
    title: str
    detail: str = ""
    url: str = ""
    kind: str = ""  # a CSS-friendly short word for the entry's badge
    kind_label: str = ""

    @property
    def sort_key(self) -> datetime:
        if isinstance(self.when, datetime):
            return self.when.replace(tzinfo=None)
        return datetime(self.when.year, self.when.month, self.when.day, 23, 59, 59)


def timeline(participant, sections) -> list[TimelineEntry]:
    """The entries ``sections`` allow, newest first (from the records the file page loaded)."""
    entries = chain(
        _application_entries(participant, sections),
        _status_entries(participant),
        _note_entries(participant, sections),
    )
    return sorted(entries, key=lambda entry: entry.sort_key, reverse=True)


def _application_entries(participant, sections):
    for application in participant.applications.all():
        url = reverse("recruitment:detail", args=[application.pk])
        hidden = application.referrer_section not in (None, *sections)
        source = (
            _("referral: sensitive section")
            if hidden
            else application.institution.name
            if application.institution
            else _("own application")
        )
        yield TimelineEntry(
            application.received_on,
            _("Application received"),
            source,
            url,
            "application",
            _("Recruitment"),
        )
        if application.decided_on:
            yield TimelineEntry(
                application.decided_on,
                _("Decision: %(decision)s") % {"decision": application.get_decision_display()},
                application.decision_reason,
                url,
                "decision",
                _("Recruitment"),
            )


def _status_entries(participant):
    statuses = dict(EnrolmentStatus.choices)
    results = dict(FollowUpResult.choices)
    urls = {}
    for kind, enrolment_id, day, value, months, text in enrolment_events(participant):
        url = urls.get(enrolment_id)
        if url is None:
            url = urls[enrolment_id] = reverse("participants:enrolment", args=[enrolment_id])
        if kind == "status":
            yield TimelineEntry(
                day,
                _("Status: %(status)s") % {"status": statuses.get(value, value)},
                text,
                url,
                "status",
                _("Participation"),
            )
        else:
            yield TimelineEntry(
                day,
                _("Follow-up after %(months)s months: %(result)s")
                % {"months": months, "result": results.get(value, value)},
                text,
                url,
                "follow-up",
                _("Follow-up"),
            )


def _note_entries(participant, sections):
    for note in participant.notes.all():
        if note.section and note.section not in sections:
            continue
        yield TimelineEntry(
            note.happened_on,
            f"{capfirst(note.get_kind_display())} — {note.author}",
            Truncator(note.text).chars(200),
            reverse("participants:detail", args=[participant.pk]) + f"#note-{note.pk}",
            "note",
            _("Note"),
        )

"""Which files have passed every retention period: the participant documentation (years after
the participation ends, ``RetentionRule``), an application not followed by a participation
(years after the decision), and every funded project the person's participations were paid
from (``ProjectRetention``; an EU project without its date keeps the file)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from kis_site.models import FundingKind, FundingSource
from participants.models import Application, Enrolment, Participant
from retention.models import ProjectRetention, RecordKind, RetentionRule


def kept_until(ended_on: date, years: int) -> date:
    """Counted from 1 January of the year after the case ended (the archive rule)."""
    return date(ended_on.year + years, 12, 31)


@dataclass
class Retention:
    participant_id: int
    kind: str
    until: date | None = None  # the last day of the longest period; None: not yet known
    blocked_by: list[str] = field(default_factory=list)  # projects without their date

    def passed(self, today: date) -> bool:
        return self.until is not None and not self.blocked_by and self.until < today


def retentions(participant_ids=None) -> dict[int, Retention]:
    """The retention of each file (of ``participant_ids``, or all not anonymised)."""
    years = {kind: RetentionRule.for_kind(kind).years for kind in RecordKind}
    projects = dict(ProjectRetention.objects.values_list("funding_source_id", "retain_until"))
    eu = dict(FundingSource.objects.filter(kind=FundingKind.EU_PROJECT).values_list("pk", "name"))
    people = Participant.objects.filter(anonymised_on__isnull=True)
    if participant_ids is not None:
        people = people.filter(pk__in=participant_ids)
    ids = people.values("pk")  # a subquery, not every id of the club sent back as parameters
    found: dict[int, Retention] = {}
    open_files: set[int] = set()
    for person, ended_on, own, cohort in Enrolment.objects.filter(
        participant_id__in=ids
    ).values_list("participant_id", "ended_on", "funding_source_id", "cohort__funding_source_id"):
        entry = found.setdefault(person, Retention(person, RecordKind.PARTICIPATION))
        if ended_on is None:
            open_files.add(person)
            continue
        until = kept_until(ended_on, years[RecordKind.PARTICIPATION])
        source = own or cohort
        if source is not None:
            if source in projects:
                until = max(until, projects[source])
            elif source in eu:
                entry.blocked_by.append(eu[source])
        entry.until = max(entry.until, until) if entry.until else until
    for person, decided_on in Application.objects.filter(participant_id__in=ids).values_list(
        "participant_id", "decided_on"
    ):
        if person in found and found[person].kind == RecordKind.PARTICIPATION:
            continue
        entry = found.setdefault(person, Retention(person, RecordKind.APPLICATION))
        if decided_on is None:
            open_files.add(person)
            continue
        until = kept_until(decided_on, years[RecordKind.APPLICATION])
        entry.until = max(entry.until, until) if entry.until else until
    for person in open_files:
        if person in found:
            found[person].until = None
    return found


def past_retention(today: date | None = None, participant_ids=None):
    """The files whose every retention period has passed, not yet anonymised (of
    ``participant_ids``, or all): (participant, retention) pairs, by name."""
    today = today or timezone.localdate()
    passed = {pk: entry for pk, entry in retentions(participant_ids).items() if entry.passed(today)}
    people = Participant.objects.filter(pk__in=passed).order_by("sort_name", "pk")
    return [(person, passed[person.pk]) for person in people]


def retention_periods() -> dict[str, tuple[str, str]]:
    """How long each kind of record is kept, in Polish, with the manager's periods: what the
    person's copy of their data (GDPR art. 15) prints (``kis_site.gdpr.RETENTION_TEXTS``)."""
    from django.utils.translation import ngettext, override

    from kis_site.gdpr import RETENTION_TEXTS

    rules = {kind: RetentionRule.for_kind(kind) for kind in RecordKind}
    with override("pl"):
        years = {
            kind: ngettext("%(count)d year", "%(count)d years", rule.years) % {"count": rule.years}
            for kind, rule in rules.items()
        }
    values = {
        "participation": years[RecordKind.PARTICIPATION],
        "application": years[RecordKind.APPLICATION],
    }
    return {
        key: (records, period.format(**values))
        for key, (records, period) in RETENTION_TEXTS.items()
    }

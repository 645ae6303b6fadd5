"""The k-anonymity rule of anonymisation: which details an anonymised person keeps.

An anonymised person always keeps the coarse fields the statistics need: the primary group, sex,
the year of birth, education (``COARSE``). The details (the detailed risk groups and the
municipality) are kept only where at least ``K`` anonymised people of the club share the same
combination of every field kept; otherwise they are removed. A combination, once kept, only
grows (anonymised people never leave), so it never points to fewer than ``K`` people later.

Details removed cannot come back, so the rule is applied to the files confirmed together (one
destruction record): the manager confirms the files past retention in a batch, and details are
kept where the batch and the people anonymised before, who kept theirs, reach ``K`` together.
A person keeps both details where possible, else the municipality, else the risk groups, else
neither (``LEVELS``). ``combinations()`` is the rule's check, used by the tests.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

K = 5

GROUPS, MUNICIPALITY = "risk_groups", "municipality"
LEVELS: tuple[frozenset[str], ...] = (
    frozenset({GROUPS, MUNICIPALITY}),
    frozenset({MUNICIPALITY}),
    frozenset({GROUPS}),
)

COARSE = ("primary_risk_group", "sex", "birth_date__year", "education_level")


def _people(ids: Iterable[int] | None = None, *, anonymised: bool):
    """(pk, coarse fields, detailed risk groups, municipality) of the people."""
    from participants.models import Participant, ParticipantRiskGroup

    people = Participant.objects.filter(anonymised_on__isnull=not anonymised)
    if ids is not None:
        people = people.filter(pk__in=list(ids))
    rows = {
        pk: (tuple(rest[:-1]), rest[-1] or "")
        for pk, *rest in people.values_list("pk", *COARSE, "city")
    }
    groups: dict[int, set[str]] = {pk: set() for pk in rows}
    kept_rows = ParticipantRiskGroup.objects.filter(participant_id__in=list(rows)).exclude(group="")
    if not anonymised:
        kept_rows = kept_rows.filter(ended_on__isnull=True)  # what applies at anonymisation
    for pk, group in kept_rows.values_list("participant_id", "group"):
        groups[pk].add(group)
    return {
        pk: (coarse, frozenset(groups[pk]), city.strip().casefold())
        for pk, (coarse, city) in rows.items()
    }


def _signature(coarse, groups: frozenset, municipality: str, keep: frozenset[str]):
    return (
        coarse,
        groups if GROUPS in keep else frozenset(),
        municipality if MUNICIPALITY in keep else "",
    )


def _has_details(signature) -> bool:
    return bool(signature[1] or signature[2])


def combinations() -> Counter:
    """How many anonymised people share each combination of kept fields that holds a detail."""
    found = Counter()
    for coarse, groups, municipality in _people(anonymised=True).values():
        signature = (coarse, groups, municipality)
        if _has_details(signature):
            found[signature] += 1
    return found


def decide(participant_ids: Iterable[int]) -> dict[int, frozenset[str]]:
    """Which details each of the people about to be anonymised together keeps."""
    batch = _people(participant_ids, anonymised=False)
    existing = combinations()
    decided: dict[int, frozenset[str]] = {pk: frozenset() for pk in batch}
    waiting = set(batch)
    for keep in LEVELS:
        candidates: dict[tuple, list[int]] = {}
        for pk in waiting:
            signature = _signature(*batch[pk], keep)
            if _has_details(signature):
                candidates.setdefault(signature, []).append(pk)
        for signature, pks in candidates.items():
            if existing[signature] + len(pks) >= K:
                existing[signature] += len(pks)
                for pk in pks:
                    decided[pk] = keep
                waiting -= set(pks)
    return decided

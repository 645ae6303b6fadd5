"""The k-anonymity rule of anonymisation: which details an anonymised person keeps.

An anonymised person always keeps the coarse fields the statistics need: the primary group, sex,
the age band, education (``COARSE``). The age band is kept as a representative date of birth
(``representative_birth_date``): 1 January of the youngest year of birth that gives the person
the same age band (``reports.figures.age_band``) at the end of every year of their participation,
so whole-year reports count them as before and people of one band in the same years share it.

The details (the detailed risk groups and the municipality) are kept only where at least ``K``
anonymised people of the club share the same combination of every field kept; otherwise they
are removed. A combination, once kept, only
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
from datetime import date

from django.utils import timezone

K = 5

GROUPS, MUNICIPALITY = "risk_groups", "municipality"
LEVELS: tuple[frozenset[str], ...] = (
    frozenset({GROUPS, MUNICIPALITY}),
    frozenset({MUNICIPALITY}),
    frozenset({GROUPS}),
)

COARSE = ("primary_risk_group", "sex", "birth_date", "education_level")


ADULT = 18  # the youngest age a band stands for ("18–24")


def reference_years(participant_ids: Iterable[int]) -> dict[int, set[int]]:
    """The years whose reports count each person: every year their participations overlap,
    and the years of their applications."""
    from participants.models import Application, Enrolment

    ids = list(participant_ids)
    this_year = timezone.localdate().year
    years: dict[int, set[int]] = {pk: set() for pk in ids}
    for pk, starts_on, ended_on in Enrolment.objects.filter(participant_id__in=ids).values_list(
        "participant_id", "starts_on", "ended_on"
    ):
        years[pk] |= set(range(starts_on.year, (ended_on.year if ended_on else this_year) + 1))
    for pk, received_on in Application.objects.filter(participant_id__in=ids).values_list(
        "participant_id", "received_on"
    ):
        if received_on is not None:
            years[pk].add(received_on.year)
    return years


def representative_birth_date(birth_date: date | None, years: set[int]) -> date | None:
    """The date of birth reduced to the age band: 1 January of the youngest year of birth with
    the same band at the end of each of ``years`` (the true one is among those that do)."""
    from reports.figures import AGE_BANDS, age_band

    if birth_date is None:
        return None
    lows = {label: low for low, _high, label in AGE_BANDS}
    youngest = None
    for year in years or {timezone.localdate().year}:
        low = max(lows.get(age_band(birth_date, date(year, 12, 31)), 55), ADULT)  # "55+"
        youngest = year - low if youngest is None else min(youngest, year - low)
    return date(min(youngest, 9999), 1, 1)


def _people(ids: Iterable[int] | None = None, *, anonymised: bool):
    """(pk, coarse fields, detailed risk groups, municipality) of the people."""
    from participants.models import Participant, ParticipantRiskGroup

    people = Participant.objects.filter(anonymised_on__isnull=not anonymised)
    if ids is not None:
        people = people.filter(pk__in=list(ids))
    rows = {
        pk: (list(rest[:-1]), rest[-1] or "")
        for pk, *rest in people.values_list("pk", *COARSE, "city")
    }
    if not anonymised:  # their age band as it will be kept
        years = reference_years(rows)
        born = COARSE.index("birth_date")
        for pk, (coarse, _city) in rows.items():
            coarse[born] = representative_birth_date(coarse[born], years[pk])
    rows = {pk: (tuple(coarse), city) for pk, (coarse, city) in rows.items()}
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

"""The k-anonymity rule of anonymisation (retention.kanon): the detailed risk groups and the
municipality of an anonymised person stay only where at least five anonymised people of the
club share the same combination of every kept field; no combination ever points to fewer."""

from datetime import date

import pytest
from django.utils import timezone

from participants.models import Participant, ParticipantRiskGroup
from reports.figures import age_band
from retention import anonymise, kanon
from retention.models import Anonymisation
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


def person(*, groups=("homeless",), city="Radom", born=1975, sex="M", ended=()):
    participant = ParticipantFactory(
        birth_date=date(born, 6, 15),
        sex=sex,
        city=city,
        education_level="primary",
        primary_risk_group=groups[0] if groups else "other",
    )
    for group in groups:
        ParticipantRiskGroup.objects.create(participant=participant, group=group)
    for group in ended:
        ParticipantRiskGroup.objects.create(
            participant=participant, group=group, since=date(2010, 1, 1), ended_on=date(2012, 1, 1)
        )
    return participant


def confirm_together(people, manager):
    proposals = [
        anonymise.propose(participant=p, ground="retention", reason="Minął okres.", by=manager)
        for p in people
    ]
    return anonymise.confirm_together(
        anonymisations=proposals, archive_reference="AP.1.2026", by=manager
    )


def kept(participant):
    participant.refresh_from_db()
    groups = set(participant.risk_group_rows.exclude(group="").values_list("group", flat=True))
    return groups, participant.city


def assert_no_small_combination():
    found = kanon.combinations()
    assert all(count >= kanon.K for count in found.values()), found


def test_details_stay_only_for_a_group_of_five_confirmed_together(manager):
    five = [person(ended=("alcohol",)) for _ in range(5)]
    four = [person(groups=("ex_prisoner",), city="Kielce", born=1990) for _ in range(4)]
    alone = person(groups=("refugee", "disabled"), city="Przysucha", born=1960, sex="F")
    record = confirm_together([*five, *four, alone], manager)

    for participant in five:
        # The current group and the municipality stay; a group that had ended goes.
        assert kept(participant) == ({"homeless"}, "Radom")
    for participant in [*four, alone]:
        assert kept(participant) == (set(), "")
    # The coarse fields stay for everyone.
    alone.refresh_from_db()
    assert (alone.sex, alone.education_level, alone.primary_risk_group) == (
        "F",
        "primary",
        "refugee",
    )
    assert age_band(alone.birth_date, date(timezone.localdate().year, 12, 31)) == "55+"
    assert_no_small_combination()
    # The destruction record says which details each file kept (names, not values).
    by_number = {entry["case_number"]: entry["details_kept"] for entry in record.entries}
    assert by_number[f"KIS/{five[0].pk}"] == ["municipality", "risk_groups"]
    assert by_number[f"KIS/{alone.pk}"] == []
    assert Anonymisation.objects.get(participant=alone).details_kept == []


def test_a_later_batch_joins_a_kept_group_but_never_starts_a_small_one(manager):
    confirm_together([person() for _ in range(5)], manager)
    joining = person()
    confirm_together([joining], manager)  # one more of a group already five strong
    assert kept(joining) == ({"homeless"}, "Radom")
    # Three like four people anonymised one by one before, whose details had gone: too few.
    lonely = [person(groups=("drugs",), city="Szydłowiec") for _ in range(4)]
    for participant in lonely:
        confirm_together([participant], manager)
    late = [person(groups=("drugs",), city="Szydłowiec") for _ in range(3)]
    confirm_together(late, manager)
    for participant in [*lonely, *late]:
        assert kept(participant) == (set(), "")
    assert_no_small_combination()


def test_the_municipality_alone_or_the_groups_alone_where_only_they_are_shared(manager):
    # Five of one municipality with different groups: the municipality stays, the groups go.
    same_town = [
        person(groups=(group,), city="Radom")
        for group in ("homeless", "alcohol", "drugs", "disabled", "refugee")
    ]
    for participant in same_town:  # the same primary group, so the coarse fields match
        Participant.objects.filter(pk=participant.pk).update(primary_risk_group="other")
    # Five of one group from different municipalities: the groups stay, the municipality goes.
    same_group = [
        person(groups=("ex_prisoner",), city=town, born=1985)
        for town in ("Iłża", "Pionki", "Zwoleń", "Lipsko", "Kozienice")
    ]
    confirm_together([*same_town, *same_group], manager)
    for participant in same_town:
        assert kept(participant)[0] == set() and kept(participant)[1] == "Radom"
    for participant in same_group:
        assert kept(participant) == ({"ex_prisoner"}, "")
    assert_no_small_combination()


def test_no_combination_of_many_random_people_points_to_fewer_than_five(manager):
    import random

    chooser = random.Random(7)
    people = [
        person(
            groups=tuple(chooser.sample(["homeless", "alcohol", "drugs"], chooser.randint(1, 2))),
            city=chooser.choice(["Radom", "Radom", "Radom", "Pionki", "Iłża"]),
            born=chooser.choice([1970, 1970, 1971]),
            sex=chooser.choice("MMF"),
        )
        for _ in range(60)
    ]
    for start in range(0, 60, 20):  # three yearly batches
        confirm_together(people[start : start + 20], manager)
    assert_no_small_combination()
    assert kanon.combinations(), "some details were kept"


def test_the_date_of_birth_becomes_the_age_band_of_the_years_reported():
    """1 January of the youngest year of birth with the same band at the end of every year of
    the participation: people of one band in the same years share it."""
    born = kanon.representative_birth_date
    assert born(date(1999, 12, 30), {2025}) == date(2000, 1, 1)  # 25 at the end of 2025
    assert born(date(1991, 3, 1), {2024}) == born(date(1995, 7, 7), {2024}) == date(1999, 1, 1)
    # A band changing between two years of one participation pins it down, as the band does.
    assert born(date(1970, 6, 15), {2024, 2025}) == date(1970, 1, 1)
    for true, years in [(date(1950, 2, 2), {2014}), (date(2004, 5, 5), {2021, 2022})]:
        kept = born(true, years)
        for year in years:
            assert age_band(kept, date(year, 12, 31)) == age_band(true, date(year, 12, 31))
    assert born(None, {2025}) is None

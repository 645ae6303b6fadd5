"""The money of socially useful work (PSU): dated rates, the monthly hours limit, and the monthly
PSU statement's figures computed a second way and compared with its page, PDF and XLSX."""

import io
import random
import re
from collections import defaultdict
from contextlib import suppress
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from activities import services
from activities.models import Placement, PlacementHours, PlacementKind, PsuRates
from tests.factories import CohortFactory, EnrolmentFactory
from tests.records import frozen_on, pdf_text

pytestmark = pytest.mark.django_db


_frozen = frozen_on(date(2026, 11, 23))


@pytest.fixture
def rates(db):
    """The rates before and after the labour market act of 2025 (values of a test agreement)."""
    PsuRates.objects.all().delete()
    old = PsuRates.objects.create(
        valid_from=date(2024, 6, 1),
        hourly_rate=Decimal("11.30"),
        refund_percent=Decimal("60"),
        monthly_hours_limit=Decimal("40"),
        basis="art. 73a ustawy z 20 kwietnia 2004 r.",
    )
    new = PsuRates.objects.create(
        valid_from=date(2025, 6, 1),
        hourly_rate=Decimal("12.35"),
        refund_percent=Decimal("55"),
        monthly_hours_limit=Decimal("40"),
        basis="ustawa z 20 marca 2025 r.",
    )
    return old, new


@pytest.fixture
def cohort(db):
    return CohortFactory(starts_on=date(2025, 3, 3), ends_on=date(2025, 12, 19))


def enrol(cohort, last_name, first_name="Jan"):
    return EnrolmentFactory(
        cohort=cohort,
        starts_on=cohort.starts_on,
        participant__first_name=first_name,
        participant__last_name=last_name,
    ).participant


def xlsx_rows(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def pln(amount: Decimal) -> str:
    """An amount as the page and the PDF print it: 1 234,50."""
    whole, grosze = f"{amount:.2f}".split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return "\xa0".join(groups) + "," + grosze


def flat(text: str) -> str:
    """Text with every run of spaces (non-breaking too) as one space."""
    return " ".join(text.replace("\xa0", " ").split())


def number(value: Decimal) -> str:
    """Hours or a share as printed: whole numbers bare, others with two decimals."""
    text = f"{value:.0f}" if value == value.to_integral_value() else f"{value:.2f}"
    return text.replace(".", ",")


# --- The rates in force on the day ----------------------------------------------------------


def test_may_2025_uses_the_old_rates_and_june_the_new(rates, cohort, client_for, manager):
    person = enrol(cohort, "Kowalski")
    placement = Placement.objects.create(
        participant=person,
        kind=PlacementKind.PSU,
        employer="ZUK Radom",
        starts_on=date(2025, 5, 5),
        hours_per_week=10,
        pup_referral="PSU/3/2025",
    )
    for day, hours in [
        (date(2025, 5, 20), "4"),
        (date(2025, 5, 21), "3.5"),
        (date(2025, 6, 2), "4"),
        (date(2025, 6, 3), "3.5"),
    ]:
        services.placement_hours_record(placement=placement, day=day, hours=Decimal(hours))

    client = client_for(manager)
    url = reverse("activities:statements")
    may = client.get(url, {"kind": "psu", "month": "2025-05"})
    assert may.context["statement"].rows[0][1:] == [
        "ZUK Radom",
        "PSU/3/2025",
        2,
        Decimal("7.5"),
        Decimal("11.30"),
        Decimal("84.75"),  # 7.5 h × 11,30 zł
        Decimal("60"),
        Decimal("50.85"),  # 60% of 84,75 zł
    ]
    june = client.get(url, {"kind": "psu", "month": "2025-06"})
    row = june.context["statement"].rows[0]
    # 7.5 h × 12,35 zł = 92,625 zł: half a grosz rounds up (banker's rounding would give 92,62)
    assert row[5:] == [Decimal("12.35"), Decimal("92.63"), Decimal("55"), Decimal("50.95")]
    html = june.content.decode()
    for text in ["12,35", "92,63", "50,95", "Stawki obowiązujące od 01.06.2025"]:
        assert text in html, text
    assert "11,30" not in html  # May's rate is not June's


def test_the_rates_are_kept_in_the_admin_by_the_manager(rates, client_for, manager):
    client = client_for(manager)
    changelist = client.get(reverse("admin:activities_psurates_changelist"))
    assert changelist.status_code == 200
    assert "12,35" in changelist.content.decode()
    response = client.post(
        reverse("admin:activities_psurates_add"),
        {
            "valid_from": "2026-06-01",
            "hourly_rate": "13.10",
            "refund_percent": "50",
            "monthly_hours_limit": "40",
            "basis": "aneks do porozumienia",
            "expected_version": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    added = PsuRates.objects.get(valid_from=date(2026, 6, 1))
    assert added.updated_by == manager and added.hourly_rate == Decimal("13.10")
    page = client.get(reverse("admin:activities_psurates_change", args=[added.pk])).content
    assert b'name="updated_by"' not in page  # the audit fields are read-only


def test_default_rates_from_june_2025_ship_with_every_database():
    rates = PsuRates.objects.get()
    assert rates.valid_from == date(2025, 6, 1)
    assert rates.monthly_hours_limit == 40 and rates.refund_percent == 60


# --- The monthly limit ----------------------------------------------------------------------


def test_hours_over_the_monthly_limit_are_refused(rates, cohort, client_for, manager):
    person = enrol(cohort, "Nowak")
    psu = Placement.objects.create(
        participant=person,
        kind=PlacementKind.PSU,
        employer="Biblioteka",
        starts_on=date(2026, 9, 1),
        hours_per_week=10,
    )
    other_psu = Placement.objects.create(
        participant=person,
        kind=PlacementKind.PSU,
        employer="Schronisko",
        starts_on=date(2026, 9, 1),
        hours_per_week=10,
    )
    works = Placement.objects.create(
        participant=person,
        kind=PlacementKind.PUBLIC_WORKS,
        employer="Zarząd Dróg",
        starts_on=date(2026, 9, 1),
        hours_per_week=40,
    )
    for day in (1, 2, 5, 6, 7, 8, 9, 12):  # 8 working days of October × 4 h = 32 h
        services.placement_hours_record(placement=psu, day=date(2026, 10, day), hours=4)
    services.placement_hours_record(placement=works, day=date(2026, 10, 13), hours=8)
    services.placement_hours_record(placement=other_psu, day=date(2026, 10, 13), hours=4)

    with pytest.raises(ValidationError) as error:
        services.placement_hours_record(placement=psu, day=date(2026, 10, 14), hours=5)
    assert error.value.message_dict["hours"] == [
        "Prace społecznie użyteczne to najwyżej 40 godz. w miesiącu (od 01.06.2025). "
        "Za październik 2026 zapisano już 36 godz., można dodać najwyżej 4 godz."
    ]
    # Correcting a day replaces its hours: 36 − 4 + 8 = 40 is within the limit.
    services.placement_hours_record(placement=other_psu, day=date(2026, 10, 13), hours=8)
    # Public works do not count towards the PSU limit; a new month starts afresh.
    services.placement_hours_record(placement=works, day=date(2026, 10, 14), hours=8)
    services.placement_hours_record(placement=psu, day=date(2026, 11, 2), hours=4)

    client = client_for(manager)
    url = reverse("activities:placement", args=[psu.pk])
    page = client.get(url).content.decode()
    assert "najwyżej 40 godz. w miesiącu" in page  # the limit is said before typing
    response = client.post(url, {"day": "2026-10-15", "hours": "0.5"})
    assert response.status_code == 200
    assert response.context["form"].errors["hours"] == [
        "Prace społecznie użyteczne to najwyżej 40 godz. w miesiącu (od 01.06.2025). "
        "Za październik 2026 zapisano już 40 godz., można dodać najwyżej 0 godz."
    ]
    response = client.post(url, {"day": "2026-10-20", "hours": "41", "whole_month": "on"})
    assert "hours" in response.context["form"].errors
    assert not PlacementHours.objects.filter(day=date(2026, 10, 15)).exists()
    # The public holiday rule stays: 11 November is refused for the day, not the limit.
    response = client.post(url, {"day": "2026-11-11", "hours": "4"})
    assert "Narodowe Święto Niepodległości" in response.context["form"].errors["day"][0]


# --- The statement computed a second way ----------------------------------------------------


PEOPLE = [
    ("Adam", "Adamczyk"),
    ("Barbara", "Bąk"),
    ("Czesław", "Cieślak"),
    ("Dorota", "Dudek"),
    ("Grzegorz", "Górski"),
    ("Joanna", "Jasińska"),
    ("Krzysztof", "Kubiak"),
]
EMPLOYERS = ["ZUK", "Biblioteka", "Schronisko", "MOSiR", "Szkoła 5"]


def generate(cohort, rng):
    """Several people, placements of every kind, hours from March to October 2025 (over the
    change of 1 June and a mid-month change of 16 August), some as a month's total."""
    PsuRates.objects.create(
        valid_from=date(2025, 8, 16),
        hourly_rate=Decimal("12.85"),
        refund_percent=Decimal("57.5"),
        monthly_hours_limit=Decimal("40"),
    )
    counter = 0
    for first_name, last_name in PEOPLE:
        person = enrol(cohort, last_name, first_name)
        kinds = [PlacementKind.PSU, rng.choice(list(PlacementKind))]
        if rng.random() < 0.4:
            kinds.append(PlacementKind.PSU)
        for kind in kinds:
            counter += 1
            placement = Placement.objects.create(
                participant=person,
                kind=kind,
                employer=rng.choice(EMPLOYERS),
                starts_on=date(2025, 3, 3),
                hours_per_week=10,
                pup_referral=f"PSU/{counter}/2025",
            )
            for month in range(3, 11):
                first = date(2025, month, 1)
                if rng.random() < 0.2:
                    hours = Decimal(rng.randrange(10, 60)) / 4  # 2,5 to 14,75 h
                    _record(placement, first, hours, whole_month=True)
                    continue
                day = first
                while day.month == month:
                    if day.weekday() < 5 and rng.random() < 0.3:
                        hours = Decimal(rng.choice(["1", "1.5", "2.25", "3", "3.5", "4", "4.75"]))
                        _record(placement, day, hours)
                    day += timedelta(days=1)


def _record(placement, day, hours, whole_month=False):
    # a holiday, or the month's limit reached, is refused as on the page
    with suppress(ValidationError):
        services.placement_hours_record(
            placement=placement, day=day, hours=hours, whole_month=whole_month
        )


def expected_statement(month: date):
    """Each figure of the PSU statement from the models in plain Python: per person, placement
    and rates in force on each day, hours × rate, refund = paid × share, in grosze."""
    rates = sorted(PsuRates.objects.all(), key=lambda r: r.valid_from)

    def in_force(day):
        return [r for r in rates if r.valid_from <= day][-1]

    lines = defaultdict(lambda: {"hours": Decimal(0), "days": 0})
    for record in PlacementHours.objects.select_related("placement__participant"):
        placement = record.placement
        if placement.kind != PlacementKind.PSU or (record.day.year, record.day.month) != (
            month.year,
            month.month,
        ):
            continue
        rate = in_force(record.day)
        key = (placement.participant.full_name, placement.pk, rate.valid_from)
        line = lines[key]
        line.update(where=placement.employer, referral=placement.pup_referral, rates=rate)
        line["hours"] += record.hours
        line["days"] += 0 if record.whole_month else 1
    cent = Decimal("0.01")
    result = {}
    for key, line in lines.items():
        paid = (line["hours"] * line["rates"].hourly_rate).quantize(cent, ROUND_HALF_UP)
        refund = (paid * line["rates"].refund_percent / 100).quantize(cent, ROUND_HALF_UP)
        result[key] = [
            line["where"],
            line["referral"],
            line["days"] or "",
            line["hours"],
            line["rates"].hourly_rate,
            paid,
            line["rates"].refund_percent,
            refund,
        ]
    totals = [
        sum((row[3] for row in result.values()), Decimal(0)),
        sum((row[5] for row in result.values()), Decimal(0)),
        sum((row[7] for row in result.values()), Decimal(0)),
    ]
    return result, totals


def test_the_psu_statement_agrees_with_a_second_computation(
    rates, cohort, client_for, manager, django_assert_max_num_queries
):
    generate(cohort, random.Random(20250601))
    non_psu = PlacementHours.objects.exclude(placement__kind=PlacementKind.PSU)
    assert non_psu.exists()  # the other kinds have hours too, and must not count
    client = client_for(manager)
    url = reverse("activities:statements")
    checked_lines = 0
    for month in [date(2025, m, 1) for m in range(3, 11)]:
        expected, totals = expected_statement(month)
        query = {"kind": "psu", "month": f"{month:%Y-%m}"}
        with django_assert_max_num_queries(20):
            page = client.get(url, query)
        statement = page.context["statement"]

        # The page's figures, as computed.
        got = sorted(
            (row[0].full_name, *row[1:]) for row in statement.rows
        )  # people once per placement and rates
        want = sorted((key[0], *row) for key, row in expected.items())
        assert got == want, month
        assert [statement.totals[i] for i in (4, 6, 8)] == totals, month

        # The page as printed: each row's money in Polish notation, and the totals.
        html = page.content.decode()
        body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
        printed = re.findall(r"<tr>(.*?)</tr>", body, re.S)
        assert len(printed) == len(expected)
        for tr in printed:
            cells = [
                re.sub(r"<[^>]+>", "", cell).strip()
                for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
            ]
            assert cells[2:] in [
                [
                    row[0],
                    row[1],
                    str(row[2]),
                    number(row[3]),
                    pln(row[4]),
                    pln(row[5]),
                    number(row[6]),
                    pln(row[7]),
                ]
                for row in expected.values()
            ], cells
        footer = re.search(r"<tfoot>(.*?)</tfoot>", html, re.S).group(1)
        total_line = flat(f"{number(totals[0])} {pln(totals[1])} {pln(totals[2])}")
        assert total_line in flat(re.sub(r"<[^>]+>", " ", footer))

        # The PDF's text: every row's line and the totals.
        text = pdf_text(client.get(url, {**query, "format": "pdf"}).content)
        lines = [flat(line) for line in text.splitlines()]
        for (name, _pk, _valid), row in expected.items():
            wanted = flat(
                f"{row[1]} {row[2]} {number(row[3])} {pln(row[4])} {pln(row[5])} "
                f"{number(row[6])} {pln(row[7])}"
            )
            assert any(name in line and wanted in line for line in lines), (name, wanted)
            checked_lines += 1
        assert any(line.startswith("Razem") and total_line in line for line in lines), total_line

        # The XLSX cells: numbers, equal to the second computation.
        sheet = xlsx_rows(client.get(url, {**query, "format": "xlsx"}).content)
        header = sheet[3]
        assert header[5:] == [
            "Stawka za godzinę (zł)",
            "Kwota wypłacona (zł)",
            "Udział refundacji (%)",
            "Kwota do refundacji (zł)",
        ]
        cells = sorted(
            (
                row[0],
                row[1],
                row[2],
                row[3] or "",
                *[Decimal(str(value)).quantize(Decimal("0.01")) for value in row[4:9]],
            )
            for row in sheet[4 : 4 + len(expected)]
        )
        cent = Decimal("0.01")
        assert cells == sorted(
            (key[0], *row[:3], *[value.quantize(cent) for value in row[3:]])
            for key, row in expected.items()
        ), month
        total_row = sheet[4 + len(expected)]
        assert total_row[0] == "Razem"
        assert [Decimal(str(total_row[i])).quantize(cent) for i in (4, 6, 8)] == [
            value.quantize(cent) for value in totals
        ]
    assert checked_lines > 40  # the generated data really filled the statements

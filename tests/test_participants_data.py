"""The participant's personal data: PESEL rules, duplicates, the edit form, the list and search."""

from datetime import date

import pytest
from django.urls import reverse

from kis_site.vocabulary import RiskGroup
from participants.forms import ParticipantForm
from participants.models import Participant, ParticipantRiskGroup
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

ALL_RISK = frozenset({"risk_groups"})


def form_data(**overrides):
    data = {
        "first_name": "Anna",
        "last_name": "Kowalska",
        "pesel": "",
        "birth_date": "",
        "sex": "",
        "id_document_type": "",
        "id_document_number": "",
        "postal_code": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("pesel", ["44051401359", "02122401358", "02211307589"])
def test_valid_pesels_are_accepted_and_give_birth_date_and_sex(pesel):
    form = ParticipantForm(form_data(pesel=pesel))
    assert form.is_valid(), form.errors
    from stdnum.pl import pesel as stdnum_pesel

    assert form.cleaned_data["birth_date"] == stdnum_pesel.get_birth_date(pesel)
    expected_sex = "M" if stdnum_pesel.get_gender(pesel) == "M" else "F"
    assert form.cleaned_data["sex"] == expected_sex


def test_pesel_with_bad_check_digit_gets_a_polish_message():
    form = ParticipantForm(form_data(pesel="44051401358"))
    assert not form.is_valid()
    assert form.errors["pesel"] == ["Ten PESEL jest nieprawidłowy: cyfra kontrolna się nie zgadza."]


def test_pesel_of_wrong_length_is_refused():
    form = ParticipantForm(form_data(pesel="4405140135"))
    assert not form.is_valid()
    assert "11 cyfr" in form.errors["pesel"][0]


def test_birth_date_must_match_the_pesel():
    form = ParticipantForm(form_data(pesel="44051401359", birth_date="1944-05-15"))
    assert not form.is_valid()
    assert "nie zgadza się" in form.errors["birth_date"][0]


def test_without_pesel_birth_date_and_document_are_required():
    form = ParticipantForm(form_data())
    assert not form.is_valid()
    assert "birth_date" in form.errors
    assert "id_document_number" in form.errors
    form = ParticipantForm(
        form_data(birth_date="1990-02-03", id_document_type="passport", id_document_number="EP123")
    )
    assert form.is_valid(), form.errors


def test_same_pesel_is_refused_with_a_link_to_the_existing_file():
    existing = ParticipantFactory(pesel="02211307589", birth_date=date(2002, 1, 13))
    form = ParticipantForm(form_data(pesel="02211307589"))
    assert not form.is_valid()
    message = form.errors["pesel"][0]
    assert reverse("participants:detail", args=[existing.pk]) in message


def test_same_name_and_birth_date_warns_and_asks_for_confirmation():
    existing = ParticipantFactory(
        first_name="Anna", last_name="Kowalska", pesel=None, birth_date=date(1990, 2, 3)
    )
    data = form_data(
        birth_date="1990-02-03", id_document_type="passport", id_document_number="EP123"
    )
    form = ParticipantForm(data)
    assert not form.is_valid()
    assert reverse("participants:detail", args=[existing.pk]) in form.errors["confirm_duplicate"][0]
    form = ParticipantForm({**data, "confirm_duplicate": "on"})
    assert form.is_valid(), form.errors


def test_primary_risk_group_must_be_one_of_the_ticked():
    form = ParticipantForm(
        form_data(pesel="44051401359", risk_groups=["alcohol"], primary_risk_group="homeless"),
        sections=ALL_RISK,
    )
    assert not form.is_valid()
    assert "primary_risk_group" in form.errors
    form = ParticipantForm(
        form_data(pesel="44051401359", risk_groups=["other"], primary_risk_group="other"),
        sections=ALL_RISK,
    )
    assert not form.is_valid()
    assert "risk_group_other" in form.errors


def test_edit_page_saves_data_and_risk_groups_keeping_history(
    client_for, social_worker, participant
):
    client = client_for(social_worker)
    url = reverse("participants:edit", args=[participant.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(
        first_name="Łukasz",
        last_name="Żółkiewski",
        pesel="44051401359",
        street="ul. Długa 5",
        postal_code="26-600",
        city="Radom",
        risk_groups=["long_term_unemployed", "homeless"],
        primary_risk_group="homeless",
        case_manager=participant.case_manager_id,
        expected_version=participant.version,
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    participant.refresh_from_db()
    assert participant.street == "ul. Długa 5"
    assert participant.version == 2
    current = set(
        ParticipantRiskGroup.objects.filter(
            participant=participant, ended_on__isnull=True
        ).values_list("group", flat=True)
    )
    assert current == {"long_term_unemployed", "homeless"}
    # The removed group is ended, not deleted.
    assert ParticipantRiskGroup.objects.filter(
        participant=participant, group=RiskGroup.ALCOHOL, ended_on__isnull=False
    ).exists()


def test_bad_postal_code_shows_a_message_and_keeps_the_input(
    client_for, social_worker, participant
):
    client = client_for(social_worker)
    url = reverse("participants:edit", args=[participant.pk])
    response = client.post(
        url,
        form_data(
            first_name="Łukasz",
            last_name="Żółkiewski",
            pesel="44051401359",
            street="ul. Nowa 1",
            postal_code="26600",
            expected_version=1,
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Wpisz kod pocztowy w formacie 00-000." in html
    assert 'value="ul. Nowa 1"' in html


# --- List and search --------------------------------------------------------------------------


def test_search_finds_polish_names_without_diacritics_and_in_any_case(client_for, manager):
    ParticipantFactory(first_name="Łukasz", last_name="Śliwiński")
    ParticipantFactory(first_name="Zenon", last_name="Nowak")
    client = client_for(manager)
    for text in ["łukasz", "LUKASZ", "sliwinski", "ŚLIWIŃSKI", "łuk śliw"]:
        client.post(reverse("participants:list"), {"q": text})
        page = client.get(reverse("participants:list"))
        names = [p.last_name for p in page.context["page"]]
        assert names == ["Śliwiński"], text


def test_search_by_pesel_prefix(client_for, manager, participant):
    ParticipantFactory(first_name="Zenon", last_name="Nowak")
    client = client_for(manager)
    client.post(reverse("participants:list"), {"q": "4405140"})
    page = client.get(reverse("participants:list"))
    assert [p.pk for p in page.context["page"]] == [participant.pk]


def test_search_text_never_travels_in_a_url(client_for, manager, participant):
    client = client_for(manager)
    response = client.post(reverse("participants:list"), {"q": "44051401359"})
    assert response.status_code == 302
    assert "44051401359" not in response["Location"]
    page = client.get(response["Location"])
    html = page.content.decode()
    # The PESEL shows in the search box only, never inside a link.
    assert html.count("44051401359") == 1
    assert 'value="44051401359"' in html
    # Clearing the search empties it.
    client.post(reverse("participants:list"), {"clear": "1"})
    assert client.session.get("participant_search") is None


def test_list_filters_by_status_and_case_manager(client_for, manager, case_manager):
    from tests.factories import EnrolmentFactory

    active = EnrolmentFactory(participant__case_manager=case_manager.staff).participant
    ParticipantFactory()  # not enrolled
    client = client_for(manager)
    page = client.get(reverse("participants:list"), {"status": "active"})
    assert [p.pk for p in page.context["page"]] == [active.pk]
    page = client.get(reverse("participants:list"), {"status": "none"})
    assert active.pk not in [p.pk for p in page.context["page"]]
    page = client.get(reverse("participants:list"), {"case_manager": case_manager.staff.pk})
    assert [p.pk for p in page.context["page"]] == [active.pk]


@pytest.mark.parametrize("rows", [5, 50])
def test_list_queries_do_not_grow_with_rows(
    client_for, manager, rows, django_assert_max_num_queries
):
    from tests.factories import EnrolmentFactory

    for _ in range(rows):
        EnrolmentFactory(participant__case_manager=manager.staff)
    client = client_for(manager)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("participants:list"))
    assert response.status_code == 200
    assert len(response.context["page"]) == min(rows, 25)


@pytest.mark.parametrize("notes", [2, 40])
def test_file_queries_do_not_grow_with_records(
    client_for, manager, participant, notes, django_assert_max_num_queries
):
    from tests.factories import CaseNoteFactory, EnrolmentFactory, FamilyMemberFactory

    for _ in range(notes):
        CaseNoteFactory(participant=participant, author=manager.staff)
        FamilyMemberFactory(participant=participant)
    enrolment = EnrolmentFactory(participant=participant)
    from diagnosis.services import report_start

    for kind in ["initial", *["other"] * (notes // 10)]:
        report_start(enrolment=enrolment, kind=kind, started_on=enrolment.starts_on, by=manager)
    from ipd import services as ipd_services
    from ipd.models import Goal, PlanAction

    plan = ipd_services.plan_start(
        enrolment=enrolment,
        diagnosis=None,
        no_diagnosis_reason="Z papieru.",
        drawn_up_on=enrolment.starts_on,
        review_on=None,
        by=manager,
    )
    for index in range(notes // 2):
        goal = ipd_services.goal_save(
            goal=Goal(
                plan=plan,
                sphere="social",
                description=f"Cel {index}",
                indicator="-",
                target_on=enrolment.starts_on,
            ),
            expected_version=None,
            by=manager,
        )
        ipd_services.action_save(
            action=PlanAction(goal=goal, title="Wolontariat", kind="own_task"),
            expected_version=None,
            by=manager,
        )
    client = client_for(manager)
    # The file's own records above the fold, one query each (the hours panel has none); the
    # first request of a session also renews it.
    with django_assert_max_num_queries(15):
        response = client.get(reverse("participants:detail", args=[participant.pk]))
    assert response.status_code == 200
    # Below the fold, each part loads when it comes into view, within the budget of a page: the
    # diagnoses (with the drafts' signatures), the plan at a glance (its goals with the plan,
    # their actions; the hour sums only when actions link to modules, consultations or
    # placements), the change reports (and the trajectory once there is a report), the notes,
    # the timeline.
    parts = [
        reverse("participants:panel", args=[participant.pk, key])
        for key in ("diagnosis", "ipd", "change_reports")
    ] + [
        reverse(name, args=[participant.pk])
        for name in ("participants:notes", "participants:timeline")
    ]
    for url in parts:
        with django_assert_max_num_queries(15):
            response = client.get(url, headers={"HX-Request": "true"})
        assert response.status_code == 200, url


def test_participant_str_never_contains_the_pesel(participant):
    assert "44051401359" not in str(participant)
    assert Participant.objects.get(pk=participant.pk).search_text == "lukasz zolkiewski"


def test_list_is_in_polish_alphabetical_order(client_for, manager):
    for last in ["Żak", "Dudek", "Dąbrowska", "Dabrowski", "Ćwik", "Cyran", "Łuczak", "Lis"]:
        ParticipantFactory(last_name=last, first_name="Jan")
    page = client_for(manager).get(reverse("participants:list"))
    assert [p.last_name for p in page.context["page"]] == [
        "Cyran",
        "Ćwik",
        "Dabrowski",
        "Dąbrowska",
        "Dudek",
        "Lis",
        "Łuczak",
        "Żak",
    ]


def test_every_read_of_the_files_deferred_parts_is_audited(manager, client_for):
    """The file page records the read and gives its deferred parts a signed proof of it; a part
    asked without that proof (straight, not from the page) records the read itself."""
    import re

    from auditlog.models import LogEntry

    from tests.factories import ParticipantFactory

    person = ParticipantFactory()
    client = client_for(manager)
    reads = LogEntry.objects.filter(object_pk=str(person.pk), action=LogEntry.Action.ACCESS)
    page = client.get(reverse("participants:detail", args=[person.pk])).content.decode()
    assert reads.count() == 1
    notes_url = re.search(r'hx-get="([^"]*/notes/[^"]*)"', page).group(1).replace("&amp;", "&")
    assert client.get(notes_url, headers={"HX-Request": "true"}).status_code == 200
    assert reads.count() == 1  # the page's own part: the page recorded the read
    straight = reverse("participants:notes", args=[person.pk])
    assert client.get(straight, headers={"HX-Request": "true"}).status_code == 200
    assert reads.count() == 2
    assert client.get(straight + "?read=forged", headers={"HX-Request": "true"}).status_code == 200
    assert reads.count() == 3

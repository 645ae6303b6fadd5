"""The individual action plan: set against the signed diagnosis, goals and actions with their
hours, the participant's part, signing, versions with what changed, reviews, what each role sees,
and the printed plan."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities import services as activity_services
from activities.models import Consultation, Mark, RosterEntry, Session
from activities.services import MarkInput
from diagnosis import services as diagnosis_services
from diagnosis.models import DiagnosisKind
from ipd import services
from ipd.models import (
    ActionKind,
    ActionPlan,
    ActionStatus,
    CatalogueEntry,
    Goal,
    GoalStatus,
    PlanAction,
)
from ipd.selectors import history, plan_for_page, sphere_blocks
from kis_site import documents
from kis_site.locking import ConflictError
from kis_site.vocabulary import Section, Sphere
from tests.cycle import (  # noqa: F401 - fixtures
    TODAY,
    _frozen,
    add_action,
    add_goal,
    cohort,
    diagnosis,
    enrolment,
    plan,
    programme,
    sign,
    signed_diagnosis,
)
from tests.factories import EnrolmentFactory, InstitutionFactory
from tests.records import file_panel, paper, pdf_words

pytestmark = pytest.mark.django_db


# --- Starting from the diagnosis ---------------------------------------------------------------


def test_the_plan_is_laid_out_against_what_the_diagnosis_found(plan, case_manager, client_for):
    assert plan.diagnosis.is_locked and plan.revision == 1
    add_goal(plan, case_manager)
    page = client_for(case_manager).get(reverse("ipd:plan", args=[plan.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    for text in (
        "Zadłużenie czynszowe",  # the deficits of each sphere
        "Stałe miejsce zamieszkania",  # ... and its strengths
        "Terapia uzależnień, kurs zawodowy.",  # the Zalecenia
        "Podjęcie zatrudnienia w zawodzie magazyniera",
        "I. Sfera socjalno-bytowa",
        "V. Sfera zawodowa",
    ):
        assert text in html, text
    assert LogEntry.objects.filter(object_pk=str(plan.pk), action=LogEntry.Action.ACCESS).exists()


def test_the_start_page_offers_the_signed_diagnosis_and_opens_one_plan_per_participation(
    enrolment, diagnosis, case_manager, client_for
):
    client = client_for(case_manager)
    url = reverse("ipd:plan-start", args=[enrolment.participant_id])
    form = client.get(url)
    assert "podpisana" in form.content.decode()
    response = client.post(
        url,
        {
            "diagnosis": diagnosis.pk,
            "drawn_up_on": "2026-11-23",
            "review_on": "2027-02-23",
        },
    )
    plan = ActionPlan.objects.get(enrolment=enrolment)
    assert response.status_code == 302 and response.url == reverse("ipd:plan", args=[plan.pk])
    assert client.get(url).url == reverse("ipd:plan", args=[plan.pk])  # one per participation
    with pytest.raises(ValidationError):
        services.plan_start(
            enrolment=enrolment,
            diagnosis=diagnosis,
            drawn_up_on=TODAY,
            review_on=date(2027, 1, 1),
            by=case_manager,
        )


def test_without_a_signed_diagnosis_a_plan_needs_the_reason(enrolment, case_manager, client_for):
    draft = diagnosis_services.report_start(
        enrolment=enrolment, kind=DiagnosisKind.INITIAL, started_on=TODAY, by=case_manager
    )
    with pytest.raises(ValidationError) as error:
        services.plan_start(
            enrolment=enrolment,
            diagnosis=draft,
            no_diagnosis_reason="",
            drawn_up_on=TODAY,
            review_on=None,
            by=case_manager,
        )
    assert "diagnosis" in error.value.message_dict
    client = client_for(case_manager)
    url = reverse("ipd:plan-start", args=[enrolment.participant_id])
    response = client.post(url, {"drawn_up_on": "2026-11-23", "review_on": "2027-02-23"})
    assert response.status_code == 200
    assert "Bez niej podaj, dlaczego" in response.content.decode()
    assert not ActionPlan.objects.exists()
    response = client.post(
        url,
        {
            "drawn_up_on": "2026-11-23",
            "review_on": "2027-02-23",
            "no_diagnosis_reason": "Psycholog na zwolnieniu, plan potrzebny do skierowania.",
        },
    )
    plan = ActionPlan.objects.get()
    assert plan.diagnosis is None and plan.no_diagnosis_reason.startswith("Psycholog")


# --- Goals and actions ---------------------------------------------------------------------------


def test_bad_goals_and_actions_get_clear_polish_messages_and_nothing_is_lost(
    plan, case_manager, client_for
):
    client = client_for(case_manager)
    url = reverse("ipd:goal-add", args=[plan.pk, "vocational"])
    response = client.post(
        url,
        {
            "sphere": "",
            "description": "Zdobycie uprawnień UDT",
            "indicator": "Zaświadczenie UDT",
            "target_on": "2027-08-01",  # after the participation ends
            "status": "new",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Zdobycie uprawnień UDT" in html  # the text stays in the form
    assert "To pole jest wymagane." in html
    response = client.post(
        url,
        {
            "sphere": "vocational",
            "description": "Zdobycie uprawnień UDT",
            "indicator": "Zaświadczenie UDT",
            "target_on": "2027-08-01",
            "status": "new",
        },
    )
    assert "po zakończeniu udziału (28.05.2027)" in response.content.decode()
    assert not Goal.objects.exists()
    goal = add_goal(plan, case_manager)
    response = client.post(
        reverse("ipd:action-add", args=[goal.pk]),
        {"title": "Kurs UDT", "kind": "own_task", "planned_hours": "-5", "status": "planned"},
    )
    assert "Liczba godzin nie może być ujemna." in response.content.decode()
    response = client.post(
        reverse("ipd:action-add", args=[goal.pk]),
        {"title": "", "kind": "", "status": "planned"},
    )
    assert "Wpisz działanie albo wybierz je z katalogu." in response.content.decode()
    assert not PlanAction.objects.exists()
    with pytest.raises(ValidationError) as error:
        add_goal(plan, case_manager, sphere="")
    assert "sphere" in error.value.message_dict


def test_a_catalogue_action_fills_its_name_and_kind_and_a_legal_one_stays_legal(
    plan, case_manager, client_for
):
    goal = add_goal(
        plan, case_manager, sphere=Sphere.SOCIO_LIVING, description="Spłata zadłużenia czynszowego"
    )
    entry = CatalogueEntry.objects.get(sphere="socio_living", name="Pomoc prawna")
    response = client_for(case_manager).post(
        reverse("ipd:action-add", args=[goal.pk]),
        {"catalogue_entry": entry.pk, "title": "", "kind": "", "status": "planned"},
    )
    assert response.status_code == 302
    action = PlanAction.objects.get()
    assert (action.title, action.kind, action.section) == (
        "Pomoc prawna",
        ActionKind.CONSULTATION,
        Section.LEGAL,
    )
    assert action.catalogue_entry == entry


def test_catalogue_entries_in_use_are_retired_not_deleted(plan, case_manager, client_for, manager):
    assert CatalogueEntry.objects.filter(sphere="vocational", name="Staż").exists()
    assert CatalogueEntry.objects.count() >= 30  # the KSR table
    goal = add_goal(plan, case_manager)
    entry = CatalogueEntry.objects.get(sphere="vocational", name="Klub pracy")
    add_action(goal, case_manager, catalogue_entry=entry, title="Klub pracy")
    admin = client_for(manager)
    listing = admin.get(reverse("admin:ipd_catalogueentry_changelist")).content.decode()
    assert "Klub pracy" in listing and "delete_selected" not in listing
    plan_page = admin.get(reverse("admin:ipd_actionplan_change", args=[plan.pk]))
    assert plan_page.status_code == 200 and 'name="_save"' not in plan_page.content.decode()
    response = admin.get(reverse("admin:ipd_catalogueentry_delete", args=[entry.pk]))
    assert response.status_code == 403
    unused = CatalogueEntry.objects.get(sphere="vocational", name="Targi pracy")
    assert (
        admin.get(reverse("admin:ipd_catalogueentry_delete", args=[unused.pk])).status_code == 200
    )
    entry.is_active = False
    entry.save()
    form = client_for(case_manager).get(reverse("ipd:action-add", args=[goal.pk]))
    assert (
        "Klub pracy"
        not in form.content.decode().split('name="catalogue_entry"')[1].split("</select>")[0]
    )


def test_a_module_action_puts_the_person_on_coming_sessions_and_shows_hours_done(
    plan, programme, case_manager
):
    module = programme.modules.get(name="Kurs: podstawy obsługi komputera i internetu")
    past = activity_services.session_create(
        session=Session(
            module=module,
            date=date(2026, 11, 16),
            starts_at=time(9),
            ends_at=time(13),
            leader_name="Trener",
        ),
        roster=[plan.participant_id],
    )
    activity_services.attendance_save(
        session=past, marks=[MarkInput(plan.participant_id, Mark.PRESENT)], by=case_manager
    )
    coming = [
        activity_services.session_create(
            session=Session(
                module=module,
                date=day,
                starts_at=time(9),
                ends_at=time(13),
                leader_name="Trener",
            ),
            roster=[],  # a subgroup course: the plan says who takes part
        )
        for day in (date(2026, 11, 30), date(2026, 12, 7), date(2027, 1, 11))
    ]
    goal = add_goal(plan, case_manager)
    _action, added = add_action(
        goal,
        case_manager,
        kind=ActionKind.MODULE,
        title="Kurs komputerowy",
        module=module,
        planned_hours=Decimal(30),
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 12, 31),
    )
    assert added == 2  # not the past session, not after the action's end
    assert set(
        RosterEntry.objects.filter(participant=plan.participant).values_list(
            "session_id", flat=True
        )
    ) == {past.pk, coming[0].pk, coming[1].pk}
    assert LogEntry.objects.filter(additional_data__bulk="roster").exists()
    full = plan_for_page(plan.pk)
    blocks, _spheres, _goals = sphere_blocks(full, frozenset(Section))
    shown = next(g for b in blocks for g in b.goals if g.pk == goal.pk).visible_actions[0]
    assert (shown.progress.done, shown.progress.planned) == (Decimal(4), Decimal(30))
    assert shown.progress.percent == 13


def test_consultations_and_placements_count_against_their_planned_hours(
    plan, programme, case_manager, psychologist
):
    module = programme.modules.get(form="consultation")
    activity_services.consultation_save(
        consultation=Consultation(
            participant=plan.participant,
            module=module,
            kind="vocational",
            specialist_name="Doradca z PUP",
            date=date(2026, 11, 20),
            duration=Decimal(2),
        ),
        by=case_manager,
    )
    goal = add_goal(plan, case_manager)
    _action, _added = add_action(
        goal,
        case_manager,
        kind=ActionKind.CONSULTATION,
        title="Poradnictwo zawodowe",
        module=module,
        planned_hours=Decimal(6),
    )
    full = plan_for_page(plan.pk)
    blocks, _spheres, _goals = sphere_blocks(full, frozenset(Section))
    goal_shown = next(g for b in blocks for g in b.goals)
    assert goal_shown.visible_actions[0].progress.done == Decimal(2)
    assert goal_shown.progress.planned == Decimal(6)
    workshop = programme.modules.get(name="Psychoedukacja")
    with pytest.raises(ValidationError) as error:
        add_action(goal, case_manager, kind=ActionKind.CONSULTATION, module=workshop)
    assert "module" in error.value.message_dict


def test_queries_do_not_grow_with_the_number_of_goals(plan, programme, case_manager, client_for):
    client = client_for(case_manager)
    url = reverse("ipd:plan", args=[plan.pk])
    module = programme.modules.get(name="Psychoedukacja")
    institution = InstitutionFactory()

    def grow(count):
        for index in range(count):
            goal = add_goal(plan, case_manager, description=f"Cel {index}")
            add_action(goal, case_manager, kind=ActionKind.MODULE, module=module, title="Zajęcia")
            add_action(goal, case_manager, kind=ActionKind.REFERRAL, institution=institution)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    grow(2)
    queries()  # the first request fills the caches (content types, the KIS settings)
    few = queries()
    grow(10)
    assert queries() == few


# --- Signing, versions, history ------------------------------------------------------------------


def test_signed_by_the_participant_on_paper_and_the_case_manager_in_the_app(plan, case_manager):
    goal = add_goal(plan, case_manager)
    add_action(goal, case_manager)
    plan = paper(ActionPlan.objects.get(pk=plan.pk), "participant", case_manager, "Ł. Żółkiewski")
    assert not plan.is_locked
    plan = documents.document_sign(document=plan, slot_key="case_manager", user=case_manager)
    assert plan.is_locked
    with pytest.raises(ValidationError):
        add_goal(plan, case_manager)
    # Progress is recorded on the signed plan without a new version.
    goal = Goal.objects.get(pk=goal.pk)
    goal.status = GoalStatus.ACHIEVED
    with pytest.raises(ValidationError) as error:
        services.goal_progress_save(goal=goal, expected_version=goal.version, by=case_manager)
    assert {"achieved_on", "evidence"} <= set(error.value.message_dict)
    goal = Goal.objects.get(pk=goal.pk)
    goal.status, goal.achieved_on, goal.evidence = GoalStatus.ACHIEVED, TODAY, "Umowa z 20.11."
    services.goal_progress_save(goal=goal, expected_version=goal.version, by=case_manager)
    assert ActionPlan.objects.get(pk=plan.pk).revision == 1


def test_a_new_version_keeps_the_signed_one_and_the_history_says_what_changed(
    plan, case_manager, client_for
):
    kept = add_goal(plan, case_manager, description="Rejestracja w PUP")
    reached = add_goal(plan, case_manager, description="Ukończenie kursu")
    dropped = add_goal(plan, case_manager, description="Prawo jazdy kat. C")
    add_action(kept, case_manager, title="Wizyta w PUP")
    plan = sign(plan, case_manager)
    first_pdf = documents.document_pdf(document=plan)
    reached = Goal.objects.get(pk=reached.pk)
    reached.status, reached.achieved_on, reached.evidence = (
        GoalStatus.ACHIEVED,
        TODAY,
        "Zaświadczenie",
    )
    services.goal_progress_save(goal=reached, expected_version=reached.version, by=case_manager)
    plan = documents.document_new_revision(
        document=plan, reason="Zalecenie raportu zmiany za listopad", by=case_manager
    )
    services.goal_remove(goal=Goal.objects.get(pk=dropped.pk), by=case_manager)
    added = add_goal(plan, case_manager, description="Staż w hurtowni", sphere=Sphere.VOCATIONAL)
    kept = Goal.objects.get(pk=kept.pk)
    kept.indicator = "Status osoby bezrobotnej potwierdzony"
    services.goal_save(goal=kept, expected_version=kept.version, by=case_manager)
    plan = sign(plan, case_manager)
    assert plan.revision == 2
    assert documents.document_pdf(document=plan, number=1).sha256 == first_pdf.sha256
    entries = history(ActionPlan.objects.get(pk=plan.pk), frozenset(Section))
    changes = {(c.kind, c.goal) for c in entries[0]["changes"]}
    assert ("added", "Staż w hurtowni") in changes
    assert ("removed", "Prawo jazdy kat. C") in changes
    assert ("closed", "Ukończenie kursu") in changes
    assert ("changed", "Rejestracja w PUP") in changes
    assert entries[0]["revision"].reason == "Zalecenie raportu zmiany za listopad"
    html = client_for(case_manager).get(reverse("ipd:plan", args=[plan.pk])).content.decode()
    for text in ("cel dodany", "cel usunięty", "cel zamknięty", "Staż w hurtowni"):
        assert text in html, text
    assert added.created_in == 2


def test_two_people_editing_one_goal_do_not_overwrite_each_other(plan, case_manager, client_for):
    goal = add_goal(plan, case_manager)
    first = Goal.objects.get(pk=goal.pk)
    second = Goal.objects.get(pk=goal.pk)
    first.indicator = "Umowa na min. 1/2 etatu"
    services.goal_save(goal=first, expected_version=first.version, by=case_manager)
    second.indicator = "Umowa na czas nieokreślony"
    form = client_for(case_manager).get(reverse("ipd:goal", args=[goal.pk])).content.decode()
    assert f'name="expected_version" value="{first.version}"' in form  # the form carries it
    with pytest.raises(ConflictError):
        services.goal_save(goal=second, expected_version=second.version, by=case_manager)
    response = client_for(case_manager).post(
        reverse("ipd:goal", args=[goal.pk]),
        {
            "expected_version": second.version,
            "sphere": "vocational",
            "description": goal.description,
            "indicator": "Umowa na czas nieokreślony",
            "target_on": "2027-05-01",
            "status": "new",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Umowa na czas nieokreślony" in html and "Umowa na min. 1/2 etatu" in html
    assert Goal.objects.get(pk=goal.pk).indicator == "Umowa na min. 1/2 etatu"


# --- Sensitive spheres ---------------------------------------------------------------------------


def test_health_psychological_and_legal_goals_only_for_those_who_see_them(
    plan, case_manager, career_advisor, psychologist, client_for
):
    health = add_goal(
        plan, case_manager, sphere=Sphere.HEALTH, description="Podjęcie terapii odwykowej"
    )
    add_action(health, case_manager, title="Terapia w poradni leczenia uzależnień")
    add_goal(
        plan,
        case_manager,
        sphere=Sphere.SOCIO_LIVING,
        legal_matter=True,
        description="Ugoda z komornikiem",
    )
    add_goal(plan, case_manager, description="Kurs magazyniera")
    assert ActionPlan.objects.get(pk=plan.pk).sensitive_sections() == {
        Section.HEALTH,
        Section.LEGAL,
    }
    url = reverse("ipd:plan", args=[plan.pk])
    advisor = client_for(career_advisor).get(url).content.decode()
    assert "Kurs magazyniera" in advisor
    for secret in ("terapii odwykowej", "poradni leczenia", "Ugoda z komornikiem"):
        assert secret not in advisor
    assert "Drukuj (PDF)" not in advisor and "projekt do podpisu" not in advisor
    file_page = file_panel(client_for(career_advisor), plan.participant_id, "ipd")
    assert "terapii odwykowej" not in file_page.content.decode()
    assert "Kurs magazyniera" in file_page.content.decode()
    assert client_for(career_advisor).get(reverse("ipd:goal", args=[health.pk])).status_code == 404
    pdf = client_for(career_advisor).get(reverse("documents:pdf", args=["ipd", plan.pk]))
    assert pdf.status_code in (403, 404)
    psych = client_for(psychologist).get(url).content.decode()
    assert "terapii odwykowej" in psych and "Ugoda z komornikiem" not in psych
    owner = client_for(case_manager).get(url).content.decode()
    assert "terapii odwykowej" in owner and "Ugoda z komornikiem" in owner
    masked = LogEntry.objects.get_for_object(Goal.objects.get(pk=health.pk)).first()
    assert "terapii" not in str(masked.changes)


# --- The printed plan ----------------------------------------------------------------------------


def test_the_printed_plan_mirrors_the_form(plan, case_manager, programme, client_for):
    institution = InstitutionFactory(name="Powiatowy Urząd Pracy w Radomiu")
    goal = add_goal(plan, case_manager)
    add_action(
        goal,
        case_manager,
        kind=ActionKind.REFERRAL,
        title="Rejestracja i poradnictwo w PUP",
        institution=institution,
        responsible=case_manager.staff,
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 15),
    )
    plan = ActionPlan.objects.get(pk=plan.pk)
    plan.participant_goals = "Chcę wrócić do pracy i oddać długi."
    plan.participant_commitments = "Będę przychodzić na zajęcia."
    plan.participant_agrees = True
    services.plan_save(plan=plan, expected_version=plan.version, by=case_manager)
    response = client_for(case_manager).get(reverse("documents:pdf", args=["ipd", plan.pk]))
    assert response.status_code == 200
    text = pdf_words(response.content)  # table cells in reading order
    for expected in (
        "Indywidualny plan działania",
        "Łukasz Żółkiewski",
        "Na podstawie diagnozy: Diagnoza wstępna z dnia 10.09.2026, wersja 1",
        "wersja 1",
        "V. Sfera zawodowa",
        "Podjęcie zatrudnienia w zawodzie magazyniera",
        "Rejestracja i poradnictwo w PUP",
        "Marek Wiśniewski",
        "01.12.2026 – 15.12.2026",
        "Powiatowy Urząd Pracy w Radomiu",
        "Chcę wrócić do pracy i oddać długi.",
        "Będę przychodzić na zajęcia.",
        "Termin przeglądu: 23.02.2027",
        "Uczestnik",
        "Case manager",
        "Strona 1 z",
    ):
        assert expected in text, expected


# --- Reviews, the file, the export ---------------------------------------------------------------


def test_reviews_due_are_on_the_case_managers_list_until_recorded(
    plan, case_manager, other_case_manager, client_for
):
    plan = sign(plan, case_manager)
    client = client_for(case_manager)
    assert "Łukasz Żółkiewski" not in client.get(reverse("ipd:reviews")).content.decode()
    with time_machine.travel(date(2027, 2, 20), tick=False):
        client = client_for(case_manager)  # the session of November has expired
        assert "Łukasz Żółkiewski" in client.get(reverse("ipd:reviews")).content.decode()
        other = client_for(other_case_manager).get(reverse("ipd:reviews")).content.decode()
        assert "Łukasz Żółkiewski" not in other
        response = client.post(
            reverse("ipd:plan-review", args=[plan.pk]),
            {"reviewed_on": "2027-02-20", "next_review_on": "2027-02-19", "note": ""},
        )
        html = response.content.decode()
        assert "Kolejny przegląd musi nastąpić po tym." in html
        response = client.post(
            reverse("ipd:plan-review", args=[plan.pk]),
            {
                "reviewed_on": "2027-02-20",
                "next_review_on": "2027-04-20",
                "note": "Cele aktualne, realizacja zgodnie z planem.",
            },
        )
        assert response.status_code == 302
        assert "Łukasz Żółkiewski" not in client.get(reverse("ipd:reviews")).content.decode()
    plan = ActionPlan.objects.get(pk=plan.pk)
    assert plan.revision == 1 and plan.review_on == date(2027, 4, 20)


def test_the_file_shows_the_plan_at_a_glance(plan, case_manager, client_for):
    goal = add_goal(plan, case_manager)
    goal = Goal.objects.get(pk=goal.pk)
    goal.status = GoalStatus.IN_PROGRESS
    services.goal_save(goal=goal, expected_version=goal.version, by=case_manager)
    html = file_panel(client_for(case_manager), plan.participant_id, "ipd").content.decode()
    assert "Podjęcie zatrudnienia w zawodzie magazyniera" in html
    assert "w trakcie" in html and "0 z 1 celu osiągnięto" in html


def test_actions_cannot_link_someone_elses_records_or_run_past_the_participation(
    plan, case_manager
):
    goal = add_goal(plan, case_manager)
    with pytest.raises(ValidationError) as error:
        add_action(goal, case_manager, ends_on=date(2027, 9, 1))
    assert "ends_on" in error.value.message_dict
    stranger = EnrolmentFactory(starts_on=TODAY - timedelta(days=5))
    from activities.models import Placement

    placement = Placement.objects.create(
        participant=stranger.participant,
        kind="psu",
        employer="ZUK",
        starts_on=TODAY,
        hours_per_week=10,
    )
    with pytest.raises(ValidationError) as error:
        add_action(goal, case_manager, kind=ActionKind.PLACEMENT, placement=placement)
    assert "placement" in error.value.message_dict
    assert PlanAction._meta.get_field("status").default == ActionStatus.PLANNED


def test_reaching_a_goal_with_its_hours_not_done_asks_for_a_confirmation(
    plan, programme, case_manager, client_for
):
    goal = add_goal(plan, case_manager)
    module = programme.modules.get(name="Kurs: podstawy obsługi komputera i internetu")
    add_action(goal, case_manager, kind=ActionKind.MODULE, module=module, planned_hours=30)
    sign(plan, case_manager)
    goal = Goal.objects.get(pk=goal.pk)
    url = reverse("ipd:goal", args=[goal.pk])
    data = {
        "status": "achieved",
        "achieved_on": "2026-11-20",
        "evidence": "Umowa o pracę z 20.11.",
        "expected_version": goal.version,
    }
    client = client_for(case_manager)
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Zrealizowano dopiero 0 z 30 godzin" in html
    assert 'value="Umowa o pracę z 20.11."' in html or "Umowa o pracę z 20.11." in html
    assert Goal.objects.get(pk=goal.pk).status != "achieved"
    response = client.post(url, {**data, "confirm_hours": "on"})
    assert response.status_code == 302
    assert Goal.objects.get(pk=goal.pk).status == "achieved"

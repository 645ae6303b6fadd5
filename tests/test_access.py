"""Access: every URL with an id, walked as every role; sensitive sections; the policy table."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kis_site.access import Action, participant_data_registry, policy
from kis_site.vocabulary import Section
from participants.models import Participant
from tests.roles import (
    ATTENDANCE_TAKERS,
    DIAGNOSIS_STARTERS,
    EDITORS,
    ENROLLERS,
    FILE_ROLES,
    NETWORKERS,
    NO_SCOPE,
)

pytestmark = pytest.mark.django_db

RECRUITERS = EDITORS
# A contract holds risk-group content: whole to those who see it, never in part.
CONTRACT_READERS = {"manager", "case_manager", "social_worker", "psychologist"}
CONTRACT_EDITORS = {"manager", "case_manager", "social_worker"}
# The diagnosis: the whole report is written by those who see it whole and by its three signers;
# each sphere by its specialists (see test_diagnosis for every sphere).
TOOL_WRITERS = DIAGNOSIS_STARTERS | {"other_case_manager"}
HOLLAND_WRITERS = {"manager", "case_manager", "other_case_manager", "psychologist"}
# The action plan: drawn up by the case managers and the manager; goals and actions also by the
# specialists (each sensitive goal only by those who see its section). The victim's plan is signed:
# changing it redirects to "open a new version"; its progress and reviews are recorded.
PLAN_WRITERS = {"manager", "case_manager", "other_case_manager"}
# Each sphere's goals are written by its specialists (the victim's goal is vocational).
GOAL_WRITERS = PLAN_WRITERS | {"career_advisor"}
SOCIAL_SPHERE_WRITERS = PLAN_WRITERS | {"social_worker"}
# A change report's rows: the social ones above, the vocational the career advisor, the health and
# psychological ones the psychologist and the therapist (they see those sections of the victim).
REPORT_ROW_WRITERS = SOCIAL_SPHERE_WRITERS | {"career_advisor", "psychologist", "therapist"}
# Excusing an absence weighs a sick note: the case managers and the manager.
EXCUSERS = ENROLLERS


def expect(allowed: set[str], scoped: bool = True, ok: int = 200):
    """Status per persona: ``ok`` when allowed, 403 in scope but forbidden, 404 outside scope."""

    def status(persona):
        if persona in allowed:
            return ok
        if scoped and persona in NO_SCOPE:
            return 404
        return 403

    return status


def one(kind):
    return lambda victim: [victim[kind]]


def doc(kind, *rest):
    return lambda victim: [kind, victim[kind], *rest]


def anonymisation_proposal(victim):
    """A proposal to anonymise the victim's file, made once (retention.anonymise)."""
    from retention.models import Anonymisation

    participant = Participant.objects.get(pk=victim["participant"])
    proposal = Anonymisation.objects.filter(
        participant=participant, state="proposed"
    ).first() or Anonymisation.objects.create(
        participant=participant,
        case_number=f"KIS/{participant.pk}",
        ground="retention",
        reason="Minął okres przechowywania.",
        proposed_by=participant.case_manager.user,
    )
    return [proposal.pk]


def destruction_record(*rest):
    """A destruction record (retention.models.DestructionRecord), drawn up once; its document
    arguments for the shared document URLs when ``rest`` is given, else its id."""

    def arguments(victim):
        from kis_site.documents import document_created
        from retention.models import DestructionRecord

        record = DestructionRecord.objects.first()
        if record is None:
            manager = Participant.objects.get(pk=victim["participant"]).case_manager.user
            record = DestructionRecord.objects.create(
                year=2026, sequence=1, drawn_up_by=manager, entries=[]
            )
            document_created(document=record, by=manager)
        return ["destruction_record", record.pk, *rest] if rest else [record.pk]

    return arguments


GET, POST = "get", "post"
# The contract's keepers (who see it whole) record the signatures of those without a login,
# open its new versions and keep its scan; its slots (participant, OPS worker) sign on paper.
KEEPERS = CONTRACT_EDITORS

# Every URL pattern with an id: its arguments, who may use it, and how it is called. POST-only
# actions are posted empty: the allowed get a redirect (with a message), the others 403/404.
WALK = {
    "participants:detail": (one("participant"), expect(FILE_ROLES), GET),
    # The file's parts below the fold answer htmx from the file page; a plain request is sent to
    # the file (where the read is recorded).
    "participants:panel": (
        lambda victim: [victim["participant"], "diagnosis"],
        expect(FILE_ROLES, ok=302),
        GET,
    ),
    "participants:notes": (one("participant"), expect(FILE_ROLES, ok=302), GET),
    "participants:timeline": (one("participant"), expect(FILE_ROLES, ok=302), GET),
    "participants:edit": (one("participant"), expect(EDITORS), GET),
    "participants:audit": (one("participant"), expect({"manager"}), GET),
    "participants:rodo-clause": (one("participant"), expect(FILE_ROLES), GET),
    "participants:restrict": (one("participant"), expect({"manager"}), GET),
    # Lifting a file not restricted sends the manager back to the file.
    "participants:lift-restriction": (one("participant"), expect({"manager"}, ok=302), GET),
    # Anonymisation (retention): proposed by the person's case manager or the manager,
    # confirmed by the manager alone.
    "retention:propose": (one("participant"), expect({"manager", "case_manager"}), GET),
    "retention:confirm": (anonymisation_proposal, expect({"manager"}), GET),
    # The destruction records, and the anonymisations, are the manager's alone.
    "retention:record": (destruction_record(), expect({"manager"}, scoped=False), GET),
    # Withdrawing a proposal: its author (the case manager here) or the manager.
    "retention:withdraw": (
        anonymisation_proposal,
        expect({"manager", "case_manager"}, ok=302),
        POST,
    ),
    "participants:family-add": (one("participant"), expect(EDITORS), GET),
    "participants:family-edit": (one("family"), expect(EDITORS), GET),
    "participants:note-add": (one("participant"), expect(FILE_ROLES), GET),
    "participants:note-edit": (one("note"), expect({"manager", "case_manager"}), GET),
    "participants:application-add": (one("participant"), expect(RECRUITERS), GET),
    "participants:enrol": (one("participant"), expect(ENROLLERS), GET),
    "participants:enrolment": (one("enrolment"), expect(FILE_ROLES), GET),
    "participants:enrolment-edit": (one("enrolment"), expect(ENROLLERS), GET),
    "participants:follow-up": (one("follow_up"), expect(ENROLLERS), GET),
    "recruitment:detail": (one("application"), expect(FILE_ROLES), GET),
    "recruitment:edit": (one("application"), expect(RECRUITERS), GET),
    "recruitment:decide": (one("application"), expect(ENROLLERS), GET),
    "participants:contract-add": (one("participant"), expect(EDITORS), GET),
    "participants:contract": (one("contract"), expect(CONTRACT_READERS), GET),
    # The victim's contract is signed: editing it redirects to "open a new version".
    "participants:contract-edit": (one("contract"), expect(CONTRACT_EDITORS, ok=302), GET),
    "participants:evaluation-plan": (one("contract"), expect(CONTRACT_EDITORS, ok=302), POST),
    "participants:evaluation-cancel": (
        one("evaluation"),
        expect(CONTRACT_EDITORS, ok=302),
        POST,
    ),
    "participants:evaluation": (one("evaluation"), expect(CONTRACT_EDITORS), GET),
    "participants:certificate-issue": (one("enrolment"), expect(ENROLLERS, ok=302), POST),
    "participants:certificate": (one("certificate"), expect(FILE_ROLES), GET),
    "documents:pdf": (doc("contract"), expect(CONTRACT_READERS), GET),
    "documents:sign": (doc("contract", "participant"), expect(set(), ok=302), POST),
    "documents:paper": (doc("contract", "participant"), expect(KEEPERS), GET),
    "documents:revise": (doc("contract"), expect(KEEPERS), GET),
    "documents:scan-upload": (doc("contract", 1), expect(KEEPERS, ok=302), POST),
    "documents:scan": (doc("contract", 1), expect(CONTRACT_READERS), GET),
    "participants:referral-add": (one("participant"), expect(EDITORS), GET),
    "participants:referral": (one("referral"), expect(FILE_ROLES), GET),
    "participants:referral-edit": (one("referral"), expect(EDITORS), GET),
    "partners:detail": (one("institution"), expect(FILE_ROLES, scoped=False), GET),
    "partners:archive": (one("institution"), expect(NETWORKERS, scoped=False, ok=302), POST),
    "partners:agreement": (one("agreement"), expect(FILE_ROLES, scoped=False), GET),
    "partners:agreement-edit": (one("agreement"), expect(NETWORKERS, scoped=False), GET),
    "partners:meeting": (one("meeting"), expect(FILE_ROLES, scoped=False), GET),
    "partners:meeting-edit": (one("meeting"), expect(NETWORKERS, scoped=False), GET),
    "partners:minutes": (one("meeting"), expect(FILE_ROLES, scoped=False), GET),
    # An empty task form is answered with the form and its errors.
    "partners:task-add": (one("meeting"), expect(NETWORKERS, scoped=False), POST),
    "partners:task": (one("task"), expect(NETWORKERS, scoped=False), GET),
    "cohorts:detail": (one("cohort"), expect(FILE_ROLES, scoped=False), GET),
    "cohorts:edit": (one("cohort"), expect(ENROLLERS, scoped=False), GET),
    "diagnosis:report-start": (one("participant"), expect(DIAGNOSIS_STARTERS), GET),
    "diagnosis:compare": (one("participant"), expect(FILE_ROLES), GET),
    "diagnosis:report": (one("diagnosis"), expect(FILE_ROLES), GET),
    "diagnosis:sphere": (
        lambda victim: [victim["diagnosis"], "socio_living"],
        expect(EDITORS),
        GET,
    ),
    "diagnosis:holland": (one("diagnosis"), expect(HOLLAND_WRITERS), GET),
    "diagnosis:recommendations": (one("diagnosis"), expect(DIAGNOSIS_STARTERS), GET),
    # An empty tool form is answered with a message on the report.
    "diagnosis:tool-add": (one("diagnosis"), expect(TOOL_WRITERS, ok=302), POST),
    "diagnosis:tool-remove": (one("tool"), expect(TOOL_WRITERS, ok=302), POST),
    "activities:programme": (one("cohort"), expect(FILE_ROLES, scoped=False), GET),
    "activities:cohort-hours": (one("cohort"), expect(FILE_ROLES, scoped=False), GET),
    "activities:month-list": (one("cohort"), expect(FILE_ROLES, scoped=False), GET),
    "activities:enrolment-programme": (one("enrolment"), expect(FILE_ROLES), GET),
    "activities:module-new": (one("programme"), expect(ENROLLERS, scoped=False), GET),
    "activities:module-edit": (one("module"), expect(ENROLLERS, scoped=False), GET),
    "activities:session-new": (one("programme"), expect(ENROLLERS, scoped=False), GET),
    "activities:series-new": (one("programme"), expect(ENROLLERS, scoped=False), GET),
    "activities:session": (one("session"), expect(FILE_ROLES, scoped=False), GET),
    "activities:attendance-list": (one("session"), expect(FILE_ROLES, scoped=False), GET),
    "activities:list-scan": (one("session"), expect(FILE_ROLES, scoped=False), GET),
    # Without a file: a message on the session page.
    "activities:list-scan-upload": (
        one("session"),
        expect(ATTENDANCE_TAKERS, scoped=False, ok=302),
        POST,
    ),
    "activities:hour-card": (one("participant"), expect(FILE_ROLES), GET),
    "activities:consultations": (one("participant"), expect(FILE_ROLES), GET),
    "activities:timetable": (one("participant"), expect(FILE_ROLES), GET),
    "activities:placement-new": (one("participant"), expect(EDITORS), GET),
    "activities:placement": (one("placement"), expect(FILE_ROLES), GET),
    "activities:placement-edit": (one("placement"), expect(EDITORS), GET),
    "activities:absence-case": (one("absence_case"), expect(ENROLLERS), GET),
    "activities:absence-case-warning": (one("absence_case"), expect(ENROLLERS), GET),
    "activities:absence-case-decision": (one("absence_case"), expect(ENROLLERS), GET),
    "activities:excuse": (one("absence"), expect(EXCUSERS), GET),
    "activities:hour-card-pdf": (one("participant"), expect(FILE_ROLES), GET),
    # A walk-in without a person is answered with a message on the session.
    "activities:walk-in": (one("session"), expect(ATTENDANCE_TAKERS, scoped=False, ok=302), POST),
    "activities:session-edit": (one("session"), expect(ENROLLERS, scoped=False), GET),
    "activities:session-cancel": (one("session"), expect(ENROLLERS, scoped=False, ok=302), POST),
    "ipd:plan-start": (one("participant"), expect(PLAN_WRITERS, ok=302), GET),
    "ipd:plan": (one("plan"), expect(FILE_ROLES), GET),
    "ipd:plan-edit": (one("plan"), expect(PLAN_WRITERS, ok=302), GET),
    "ipd:plan-review": (one("plan"), expect(PLAN_WRITERS), GET),
    "ipd:goal-add": (
        lambda victim: [victim["plan"], "vocational"],
        expect(GOAL_WRITERS, ok=302),
        GET,
    ),
    "ipd:goal": (one("goal"), expect(GOAL_WRITERS), GET),
    "ipd:goal-remove": (one("goal"), expect(GOAL_WRITERS, ok=302), POST),
    "ipd:action-add": (one("goal"), expect(GOAL_WRITERS, ok=302), GET),
    "ipd:action": (one("plan_action"), expect(GOAL_WRITERS), GET),
    "ipd:action-remove": (one("plan_action"), expect(GOAL_WRITERS, ok=302), POST),
    # A change report holds the health and psychological spheres: the report opens for every file
    # role with the spheres they see; the whole (and the plan's new version) for those who see all.
    "reports:change-report-start": (one("participant"), expect({"manager", "case_manager"}), GET),
    "reports:change-report": (one("change_report"), expect(FILE_ROLES), GET),
    # The grid opens for everyone who writes a row of it (each writes only their rows); the
    # former address of a sphere's form leads its writers to the sphere's row.
    "reports:change-report-edit": (
        one("change_report"),
        expect(REPORT_ROW_WRITERS),
        GET,
    ),
    "reports:change-report-sphere": (
        lambda victim: [victim["change_report"], "social"],
        expect(SOCIAL_SPHERE_WRITERS, ok=302),
        GET,
    ),
    # The victim's report is a draft: the plan's new version is refused with a message.
    "reports:plan-revision": (
        one("change_report"),
        expect({"manager", "case_manager"}, ok=302),
        POST,
    ),
    # The exit assessment and the letters to the referrer: written by the case managers and the
    # manager (like the exit itself); a letter without the health spheres is read by every file
    # role.
    "reports:exit-assessment": (one("enrolment"), expect(ENROLLERS), GET),
    "reports:letter-start": (one("enrolment"), expect(ENROLLERS, ok=302), POST),
    "reports:letter": (one("letter"), expect(FILE_ROLES), GET),
    "reports:letter-edit": (one("letter"), expect(ENROLLERS), GET),
    "reports:letter-sent": (one("letter"), expect(ENROLLERS, ok=302), POST),
    # The copy of a person's data (GDPR art. 15): prepared by the manager and the person's case
    # manager, released by the manager alone (an empty post: the review page with its errors).
    "subject_access:prepare": (one("participant"), expect({"manager", "case_manager"}), GET),
    "subject_access:release": (one("participant"), expect({"manager"}), POST),
    "club-document-file": (
        one("club_document"),
        expect(FILE_ROLES | {"trainer", "administrator"}, scoped=False),
        GET,
    ),
}


def patterns_with_ids(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            if item.namespace == "admin":
                continue
            inner = f"{namespace}{item.namespace}:" if item.namespace else namespace
            yield from patterns_with_ids(item, inner)
        elif isinstance(item, URLPattern) and item.pattern.converters:
            yield f"{namespace}{item.name}"


def test_every_url_with_an_id_is_walked():
    missing = sorted(set(patterns_with_ids()) - set(WALK))
    assert not missing, f"add these URL names to WALK with their expected access: {missing}"


def test_walk_every_url_with_an_id_as_every_role(personas, victim, client_for):
    failures = []
    for persona, user in personas.items():
        client = client_for(user)
        for name, (arguments, expected, method) in WALK.items():
            url = reverse(name, args=arguments(victim))
            response = client.post(url) if method == POST else client.get(url)
            want = expected(persona)
            if response.status_code != want:
                failures.append(f"{persona} {name}: {response.status_code}, expected {want}")
                continue
            html = response.content.decode(errors="replace")
            if "Postronny" in html or "02211307589" in html:
                failures.append(f"{persona} {name}: shows another person's data")
            is_page = response.get("Content-Type", "").startswith("text/html")
            if response.status_code == 200 and is_page and len(re.findall(r"<h1[\s>]", html)) != 1:
                failures.append(f"{persona} {name}: not exactly one <h1>")
    assert not failures, "\n".join(failures)


def test_unknown_ids_answer_404(client_for, manager):
    client = client_for(manager)
    assert client.get(reverse("participants:detail", args=[999999])).status_code == 404
    assert client.get(reverse("participants:enrolment", args=[999999])).status_code == 404


def test_pages_without_ids_follow_the_roles(personas, client_for):
    pages = {
        "participants:list": FILE_ROLES,
        "recruitment:list": RECRUITERS,
        "recruitment:new": RECRUITERS,
        "cohorts:list": FILE_ROLES,
        "cohorts:new": ENROLLERS,
        "participants:follow-ups": ENROLLERS,
        "participants:ending": ENROLLERS,
        "audit-log": {"manager"},
    }
    for persona, user in personas.items():
        client = client_for(user)
        assert client.get(reverse("home")).status_code == 200
        for name, allowed in pages.items():
            status = client.get(reverse(name)).status_code
            assert status == (200 if persona in allowed else 403), (persona, name, status)


# --- Sensitive sections ---------------------------------------------------------------------

RISK_SEEN = {"manager", "case_manager", "social_worker", "psychologist"}
PSYCH_SEEN = {"manager", "case_manager", "psychologist", "therapist"}


def test_risk_groups_and_sensitive_notes_only_for_roles_that_may_see_them(
    personas, participant, client_for
):
    url = reverse("participants:detail", args=[participant.pk])
    for persona in FILE_ROLES:
        client = client_for(personas[persona])
        html = client.get(url).content.decode()
        sees_risk = "Uzależniony od alkoholu".lower() in html.lower()
        assert sees_risk == (persona in RISK_SEEN), persona
        # The notes and the timeline load when they come into view, each as its own part.
        assert "Zwykła notatka z rozmowy." not in html
        for part in ("participants:notes", "participants:timeline"):
            html = client.get(
                reverse(part, args=[participant.pk]), headers={"HX-Request": "true"}
            ).content.decode()
            sees_note = "Sekretna notatka psychologiczna" in html
            assert sees_note == (persona in PSYCH_SEEN), (persona, part)
            assert "Zwykła notatka z rozmowy." in html, (persona, part)


def test_case_manager_sees_sections_only_for_own_participants(
    participant, case_manager, other_case_manager
):
    assert policy().sections_for(case_manager, participant) == frozenset(Section)
    assert policy().sections_for(other_case_manager, participant) == frozenset()


def test_risk_group_filter_only_for_roles_that_may_see_it(personas, participant, client_for):
    for persona in FILE_ROLES:
        response = client_for(personas[persona]).get(reverse("participants:list"))
        has_filter = "risk_group" in response.context["filter"].form.fields
        expected = persona in RISK_SEEN | {"other_case_manager"}
        assert has_filter == expected, persona


def test_other_case_manager_filtering_by_risk_group_finds_only_their_people(
    participant, other_case_manager, client_for
):
    response = client_for(other_case_manager).get(
        reverse("participants:list"), {"risk_group": "alcohol"}
    )
    assert list(response.context["page"]) == []


def test_sensitive_note_edit_answers_404_to_roles_without_the_section(
    participant, career_advisor, client_for
):
    note = participant.notes.get(section=Section.PSYCHOLOGICAL)
    response = client_for(career_advisor).get(reverse("participants:note-edit", args=[note.pk]))
    assert response.status_code == 404


def test_edit_form_leaves_out_risk_groups_for_a_case_manager_of_someone_else(
    participant, other_case_manager, client_for
):
    response = client_for(other_case_manager).get(
        reverse("participants:edit", args=[participant.pk])
    )
    assert "risk_groups" not in response.context["form"].fields
    html = response.content.decode()
    assert "Grupy ryzyka" not in html


# --- Registration guards --------------------------------------------------------------------


def test_every_model_with_a_participant_link_is_registered():
    from django.apps import apps

    registered = participant_data_registry()
    missing = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            linked = field.is_relation and field.concrete and field.related_model is Participant
            if linked and model not in registered:
                missing.append(f"{model._meta.label}.{field.name}")
    assert not missing, f"register these with register_participant_data(): {missing}"


def test_registered_paths_reach_the_participant():
    for model, registration in participant_data_registry().items():
        if not registration.path:
            assert model is Participant
            continue
        model._default_manager.filter(**{f"{registration.path}__pk": 1}).exists()
        field = model
        for part in registration.path.split("__"):
            field = field._meta.get_field(part).related_model
        assert field is Participant, model


def test_document_kinds_are_registered_for_access():
    from kis_site.registries import document_kinds

    for kind in document_kinds:
        if kind.holds_participant_data:
            assert kind.model in participant_data_registry(), kind.key


def test_policy_table_is_the_issue_table(personas):
    p = policy()
    assert p.can(personas["manager"], Action.VIEW_AUDIT)
    assert p.can(personas["case_manager"], Action.ENROL)
    assert not p.can(personas["social_worker"], Action.ENROL)
    assert p.can(personas["social_worker"], Action.EDIT)
    assert not p.can(personas["psychologist"], Action.EDIT)
    assert p.can(personas["lawyer"], Action.ADD_NOTE)
    assert not p.can(personas["lawyer"], Action.SIGN)
    assert p.can(personas["trainer"], Action.ATTENDANCE)
    assert not p.can(personas["trainer"], Action.VIEW)
    assert not p.can(personas["administrator"], Action.VIEW)
    assert p.participants_visible_to(personas["administrator"]).count() == 0

"""Every write obeys the role table: every URL pattern that accepts POST, posted by every role with
a valid CSRF token. A role the table does not allow is answered 403 (or 404 outside its scope)
and nothing is written; an allowed role is not refused. A guard keeps the table complete: every
URL pattern declares its methods, and each one that accepts POST is listed here.
"""

import pytest
from auditlog.models import LogEntry
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kis_site.models import DocumentRevision, Signature, StoredFile
from tests.roles import (
    ATTENDANCE_TAKERS,
    DIAGNOSIS_STARTERS,
    EDITORS,
    ENROLLERS,
    EVERYONE,
    FILE_ROLES,
    NETWORKERS,
    OWN,
)
from tests.test_access import anonymisation_proposal, destruction_record

pytestmark = pytest.mark.django_db

# Each sphere of the plan and of the change report is written by the case managers, the
# manager and that sphere's specialists (the vocational sphere: the career advisor).
VOCATIONAL_WRITERS = ENROLLERS | {"career_advisor"}
SOCIAL_WRITERS = ENROLLERS | {"social_worker"}
# Keepers of a document open its new versions, record the paper signatures of people without a
# login and keep the scan; they must see the whole document.
CONTRACT_KEEPERS = OWN | {"social_worker"}  # the contract holds risk groups
REFERRAL_KEEPERS = EDITORS
CERTIFICATE_KEEPERS = ENROLLERS
PLAN_KEEPERS = ENROLLERS  # like its editors (the victim's plan holds no sensitive goal)
REPORT_KEEPERS = OWN  # the change report holds the health spheres
LETTER_KEEPERS = ENROLLERS  # a letter without the health spheres
# A change report's rows: social, vocational, and health (seen by the psychologist and therapist).
REPORT_ROW_WRITERS = SOCIAL_WRITERS | VOCATIONAL_WRITERS | OWN | {"psychologist", "therapist"}


def one(kind):
    return lambda victim: [victim[kind]]


def doc(kind, key=None, *rest):
    return lambda victim: [kind, victim[key or kind], *rest]


def none(victim):
    return []


# URL name -> [(arguments, who may post)]; several entries walk the same URL on several records.
WRITES = {
    "login": [(none, EVERYONE)],
    "admin-login": [(none, EVERYONE)],  # a redirect to the login page
    "logout": [(none, EVERYONE)],
    "session-keepalive": [(none, EVERYONE)],
    # Two-factor login (tests/test_two_factor.py): the code and setting up the app, for anyone
    # logged in; new recovery codes only for who has set it up (no persona has); the requirement
    # per role, the manager alone.
    "two-factor-verify": [(none, EVERYONE)],
    "two-factor-enrol": [(none, EVERYONE)],
    "two-factor-recovery-codes": [(none, frozenset())],
    "two-factor-roles": [(none, {"manager"})],
    "participants:list": [(none, FILE_ROLES)],  # the search is POSTed (kept out of URLs)
    "participants:edit": [(one("participant"), EDITORS)],
    "participants:family-add": [(one("participant"), EDITORS)],
    "participants:family-edit": [(one("family"), EDITORS)],
    "participants:note-add": [(one("participant"), FILE_ROLES)],
    # Restricting processing of a file and lifting it (GDPR art. 18): the manager alone.
    "participants:restrict": [(one("participant"), {"manager"})],
    "participants:lift-restriction": [(one("participant"), {"manager"})],
    # Anonymisation (retention): proposed by the person's case manager or the manager,
    # confirmed by the manager alone.
    "retention:propose": [(one("participant"), {"manager", "case_manager"})],
    "retention:confirm": [(anonymisation_proposal, {"manager"})],
    "retention:confirm-together": [(none, {"manager"})],
    "retention:propose-together": [(none, {"manager"})],
    "retention:withdraw": [(anonymisation_proposal, {"manager", "case_manager"})],
    "participants:note-edit": [(one("note"), OWN)],  # its author; the manager corrects
    "participants:application-add": [(one("participant"), EDITORS)],
    "participants:enrol": [(one("participant"), ENROLLERS)],
    "participants:enrolment": [(one("enrolment"), ENROLLERS)],
    "participants:enrolment-edit": [(one("enrolment"), ENROLLERS)],
    "participants:follow-up": [(one("follow_up"), ENROLLERS)],
    "participants:contract-add": [(one("participant"), EDITORS)],
    "participants:contract-edit": [(one("contract"), CONTRACT_KEEPERS)],
    "participants:evaluation-plan": [(one("contract"), CONTRACT_KEEPERS)],
    "participants:evaluation-cancel": [(one("evaluation"), CONTRACT_KEEPERS)],
    "participants:evaluation": [(one("evaluation"), CONTRACT_KEEPERS)],
    "participants:certificate-issue": [(one("enrolment"), ENROLLERS)],
    "participants:referral-add": [(one("participant"), EDITORS)],
    "participants:referral": [(one("referral"), EDITORS)],
    "participants:referral-edit": [(one("referral"), EDITORS)],
    "recruitment:new": [(none, EDITORS)],
    "recruitment:edit": [(one("application"), EDITORS)],
    "recruitment:decide": [(one("application"), ENROLLERS)],
    "cohorts:new": [(none, ENROLLERS)],
    "cohorts:edit": [(one("cohort"), ENROLLERS)],
    "documents:sign": [
        # Only the holder of a slot signs it in the app.
        (doc("certificate", None, "manager"), {"manager"}),
        (doc("diagnosis", None, "psychologist"), {"psychologist"}),
        (doc("contract", None, "participant"), set()),
        (doc("change_report", None, "case_manager"), {"case_manager"}),
        (destruction_record("manager"), {"manager"}),
    ],
    "documents:paper": [
        (doc("contract", None, "participant"), CONTRACT_KEEPERS),
        (doc("certificate", None, "manager"), CERTIFICATE_KEEPERS),
        # A specialist records their own signature on paper; the keepers anyone's.
        (doc("diagnosis", None, "psychologist"), OWN | {"psychologist"}),
        (doc("ipd", "plan", "participant"), PLAN_KEEPERS),
        (doc("change_report", None, "case_manager"), REPORT_KEEPERS),
        (doc("referrer_letter", "letter", "case_manager"), LETTER_KEEPERS),
        (destruction_record("commission"), {"manager"}),
    ],
    "documents:revise": [
        (doc("contract"), CONTRACT_KEEPERS),
        (doc("referral"), REFERRAL_KEEPERS),
        (doc("certificate"), CERTIFICATE_KEEPERS),
        (doc("diagnosis"), OWN),
        (doc("ipd", "plan"), PLAN_KEEPERS),
        (doc("change_report"), REPORT_KEEPERS),
        (doc("referrer_letter", "letter"), LETTER_KEEPERS),
    ],
    "documents:scan-upload": [
        (doc("contract", None, 1), CONTRACT_KEEPERS),
        (doc("change_report", None, 1), REPORT_KEEPERS),
        (doc("certificate", None, 1), CERTIFICATE_KEEPERS),
    ],
    "partners:archive": [(one("institution"), NETWORKERS)],
    "partners:agreement-add": [(none, NETWORKERS)],
    "partners:agreement-edit": [(one("agreement"), NETWORKERS)],
    "partners:meeting-add": [(none, NETWORKERS)],
    "partners:meeting-edit": [(one("meeting"), NETWORKERS)],
    "partners:task-add": [(one("meeting"), NETWORKERS)],
    "partners:task": [(one("task"), NETWORKERS)],
    "diagnosis:report-start": [(one("participant"), DIAGNOSIS_STARTERS)],
    "diagnosis:sphere": [
        (lambda victim: [victim["diagnosis"], "socio_living"], EDITORS),
        (lambda victim: [victim["diagnosis"], "vocational"], ENROLLERS | {"career_advisor"}),
        (lambda victim: [victim["diagnosis"], "health"], OWN | {"psychologist"}),
    ],
    "diagnosis:holland": [(one("diagnosis"), ENROLLERS | {"psychologist"})],
    "diagnosis:recommendations": [(one("diagnosis"), DIAGNOSIS_STARTERS)],
    "diagnosis:tool-add": [(one("diagnosis"), DIAGNOSIS_STARTERS | {"other_case_manager"})],
    "diagnosis:tool-remove": [(one("tool"), DIAGNOSIS_STARTERS | {"other_case_manager"})],
    "activities:programme": [(one("cohort"), ENROLLERS)],
    "activities:enrolment-programme": [(one("enrolment"), ENROLLERS)],
    "activities:module-new": [(one("programme"), ENROLLERS)],
    "activities:module-edit": [(one("module"), ENROLLERS)],
    "activities:session-new": [(one("programme"), ENROLLERS)],
    "activities:series-new": [(one("programme"), ENROLLERS)],
    "activities:session-edit": [(one("session"), ENROLLERS)],
    "activities:session-cancel": [(one("session"), ENROLLERS)],
    "activities:session": [(one("session"), ATTENDANCE_TAKERS)],
    "activities:walk-in": [(one("session"), ATTENDANCE_TAKERS)],
    "activities:list-scan-upload": [(one("session"), ATTENDANCE_TAKERS)],
    # Excusing an absence weighs a sick note: the person's case managers and the manager.
    "activities:excuse": [(one("absence"), ENROLLERS)],
    "activities:absence-case": [(one("absence_case"), ENROLLERS)],
    "activities:consultations": [(one("participant"), FILE_ROLES)],
    "activities:placement-new": [(one("participant"), EDITORS)],
    "activities:placement": [(one("placement"), EDITORS)],
    "activities:placement-edit": [(one("placement"), EDITORS)],
    "ipd:plan-start": [(one("participant"), ENROLLERS)],
    "ipd:plan-edit": [(one("plan"), ENROLLERS)],
    "ipd:plan-review": [(one("plan"), ENROLLERS)],
    "ipd:goal-add": [
        (lambda victim: [victim["plan"], "vocational"], VOCATIONAL_WRITERS),
        (lambda victim: [victim["plan"], "social"], SOCIAL_WRITERS),
    ],
    "ipd:goal": [(one("goal"), VOCATIONAL_WRITERS)],
    "ipd:goal-remove": [(one("goal"), VOCATIONAL_WRITERS)],
    "ipd:action-add": [(one("goal"), VOCATIONAL_WRITERS)],
    "ipd:action": [(one("plan_action"), VOCATIONAL_WRITERS)],
    "ipd:action-remove": [(one("plan_action"), VOCATIONAL_WRITERS)],
    "reports:change-report-start": [(one("participant"), OWN)],
    # The change report in one screen: posted by everyone who writes a row of it (the rows a
    # person may not write are ignored: tests/test_change_report_grid.py).
    "reports:change-report-edit": [(one("change_report"), REPORT_ROW_WRITERS)],
    # The plan's new version from a change report: the plan's keepers who see the whole report.
    "reports:plan-revision": [(one("change_report"), PLAN_KEEPERS & REPORT_KEEPERS)],
    "reports:exit-assessment": [(one("enrolment"), ENROLLERS)],
    "reports:letter-start": [(one("enrolment"), ENROLLERS)],
    "reports:letter-edit": [(one("letter"), LETTER_KEEPERS)],
    "reports:letter-sent": [(one("letter"), LETTER_KEEPERS)],
    # The copy of a person's data (GDPR art. 15): the review by those who see the whole file,
    # the release by the manager alone.
    "subject_access:prepare": [(one("participant"), OWN)],
    "subject_access:release": [(one("participant"), {"manager"})],
}


def url_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            if item.namespace == "admin":
                continue  # the admin's own forms: tests/test_security_accounts.py
            inner = f"{namespace}{item.namespace}:" if item.namespace else namespace
            yield from url_patterns(item, inner)
        elif isinstance(item, URLPattern):
            yield f"{namespace}{item.name}", item


def allowed_methods(pattern) -> set[str] | None:
    """The methods a view declares (require_http_methods and friends; a class-based view's
    handlers), or None when it declares nothing."""
    view = pattern.callback
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)}
    seen = set()
    while view is not None and id(view) not in seen:
        seen.add(id(view))
        for name, cell in zip(view.__code__.co_freevars, view.__closure__ or (), strict=False):
            if name == "request_method_list":
                return set(cell.cell_contents)
        view = getattr(view, "__wrapped__", None)
    return None


def test_every_view_declares_its_methods():
    undeclared = sorted(name for name, p in url_patterns() if allowed_methods(p) is None)
    assert not undeclared, f"decorate with @require_safe or @require_http_methods: {undeclared}"


def test_every_url_that_accepts_post_is_in_the_write_table():
    posting = {name for name, p in url_patterns() if "POST" in (allowed_methods(p) or {"POST"})}
    missing = sorted(posting - set(WRITES))
    assert not missing, f"add these URL names to WRITES with who may post: {missing}"
    stale = sorted(set(WRITES) - posting)
    assert not stale, f"these no longer accept POST: {stale}"


def written():
    """What a refused write must leave unchanged."""
    return (
        LogEntry.objects.exclude(action=LogEntry.Action.ACCESS).count(),
        Signature.objects.count(),
        DocumentRevision.objects.count(),
        StoredFile.objects.count(),
    )


def csrf_client(user):
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    client.get(reverse("login") if user is None else reverse("home"))
    return client, client.cookies["csrftoken"].value


@pytest.mark.parametrize("persona", sorted(EVERYONE | {"anonymous"}))
def test_every_write_as_every_role(persona, request, victim):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    client, token = csrf_client(user)
    failures = []
    for name, variants in WRITES.items():
        for arguments, allowed in variants:
            url = reverse(name, args=arguments(victim))
            before = written()
            with transaction.atomic():
                response = client.post(url, {"csrfmiddlewaretoken": token})
                after = written()
                transaction.set_rollback(True)
            if name == "logout":
                client, token = csrf_client(user)
            status = response.status_code
            if persona == "anonymous":
                if name not in ("login", "logout", "session-keepalive") and not (
                    status == 302 and response["Location"].startswith(reverse("login"))
                ):
                    failures.append(f"{name} {url}: {status}, expected the login page")
            elif persona in allowed:
                if status in (403, 404, 405):
                    failures.append(f"{name} {url}: refused ({status}) though allowed")
            elif status not in (403, 404):
                failures.append(f"{name} {url}: {status}, expected 403 or 404")
            if (persona == "anonymous" or persona not in allowed) and after != before:
                failures.append(f"{name} {url}: a refused post wrote {before} -> {after}")
    assert not failures, f"{persona}:\n" + "\n".join(failures)

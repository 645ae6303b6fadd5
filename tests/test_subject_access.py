"""The person's copy of their data (GDPR art. 15): one ZIP with a readable PDF in Polish, the same
in JSON and every stored document version and scan; other people's data withheld unless released;
prepared by the case manager or the manager, released by the manager alone; audited; no PESEL in
its names or addresses; every participant-data model given by a part of the one explicit list."""

import hashlib
import io
import json
import re
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from activities.hours import hours_done
from activities.models import (
    AbsenceAction,
    AbsenceCase,
    Attendance,
    Consultation,
    Placement,
    PlacementHours,
    RosterEntry,
    Session,
)
from diagnosis.models import DiagnosticReport
from kis_site import documents
from kis_site.access import AccessKind, participant_data_registry
from kis_site.models import DocumentRevision, StoredFile
from participants.models import (
    ApplicationSource,
    CaseNote,
    FamilyMember,
    OutgoingReferral,
    Participant,
    ProcessingRestriction,
    ReferralStatus,
    SocialContract,
)
from reports.models import ExitAssessment
from subject_access.models import AccessRequest
from subject_access.parts import PARTS
from tests.factories import (
    HollandResultFactory,
    IncomeSourceFactory,
    InstitutionFactory,
    JobFactory,
    image_bytes,
)
from tests.records import pdf_words
from tests.roles import FILE_ROLES, NO_SCOPE, OWN

pytestmark = pytest.mark.django_db

OTHER_PARTICIPANT = "Bartłomiej Postronny"  # in the victim's group, named in one of her notes
CHILD = "Ola"  # the victim's daughter (tests.records.victim: FamilyMemberFactory)
MARK = "[dane innej osoby — wyłączone]"


@pytest.fixture
def person(victim, case_manager, manager):
    """The victim (tests.records: a record of every kind) with what the copy must also carry:
    her health, addiction and criminal record, a note naming another participant, an excused
    absence with the scan of the sick note, a consultation, placement hours, an exit assessment,
    a referral sent with her consent, a restriction lifted, a correction of her phone."""
    participant = Participant.objects.get(pk=victim["participant"])
    report = DiagnosticReport.objects.get(pk=victim["diagnosis"])
    health = report.health
    health.addictions = "Uzależnienie od alkoholu, terapia w poradni od 2024 r."
    health.mental_illness = "Epizod depresyjny leczony w 2022 r."
    health.save()
    socio = report.socio_living
    socio.criminal_record = True
    socio.legal_notes = "Wyrok w zawieszeniu z 2019 r. za kradzież."
    socio.save()
    IncomeSourceFactory(sphere=socio)
    JobFactory(sphere=report.vocational)
    HollandResultFactory(report=report)

    session = Session.objects.get(pk=victim["session"])
    other = Participant.objects.get(last_name="Postronny")
    RosterEntry.objects.create(session=session, participant=other)
    CaseNoteFactory = CaseNote.objects.create
    CaseNoteFactory(
        participant=participant,
        author=case_manager.staff,
        text=f"{OTHER_PARTICIPANT} zgłosił konflikt na zajęciach; rozmowa wyjaśniająca.",
    )
    absence = Attendance.objects.get(pk=victim["absence"])
    absence.excuse_scan = documents.stored_file(
        name="zwolnienie.png", content=image_bytes(), content_type="image/png"
    )
    absence.excuse_note = "Zwolnienie lekarskie L4."
    absence.save()
    module = session.module
    Consultation.objects.create(
        participant=participant,
        module=module,
        kind="psychological",
        date=session.date,
        duration=Decimal("1.5"),
        note="Rozmowa o nawrocie i motywacji do terapii.",
        specialist_name="Psycholog poradni",
    )
    placement = Placement.objects.get(pk=victim["placement"])
    PlacementHours.objects.create(placement=placement, day=placement.starts_on, hours=Decimal("4"))
    case = AbsenceCase.objects.get(pk=victim["absence_case"])
    AbsenceAction.objects.create(
        case=case, kind="talk", taken_on=session.date, note="Rozmowa o nieobecności."
    )
    enrolment = participant.enrolments.get()
    ExitAssessment.objects.create(
        participant=participant,
        enrolment=enrolment,
        effects=["motivation", "job_search"],
        notes="Podjęła pracę w sklepie.",
    )
    ops = InstitutionFactory(name="MOPS w Radomiu")
    application = enrolment.application
    application.source = ApplicationSource.REFERRAL
    application.institution = ops
    application.save()
    referral = OutgoingReferral.objects.get(pk=victim["referral"])
    referral.institution.name = "Poradnia Terapii Uzależnień"
    referral.institution.save()
    referral.status = ReferralStatus.SENT
    referral.sent_on = timezone.localdate()
    referral.data_passed = ["identity", "health"]
    referral.save()
    ProcessingRestriction.objects.create(
        participant=participant,
        restricted_on=timezone.localdate() - timedelta(days=20),
        reason="Osoba zakwestionowała adres.",
        recorded_by=manager,
        lifted_on=timezone.localdate() - timedelta(days=10),
        person_told_on=timezone.localdate() - timedelta(days=11),
        lift_note="Adres poprawiony.",
    )
    with set_actor(case_manager):
        participant.phone = "600 700 800"
        participant.save()
    participant.refresh_from_db()
    return participant


def prepare_url(participant):
    return reverse("subject_access:prepare", args=[participant.pk])


def release_url(participant):
    return reverse("subject_access:release", args=[participant.pk])


def review(client, participant, *, withheld=None, reason=None, url=None, meanwhile=None):
    """Post the review as the page offers it (its ticks as they stand unless ``withheld``);
    ``meanwhile`` runs while the page is open."""
    page = client.get(prepare_url(participant))
    assert page.status_code == 200
    form = page.context["form"]
    data = {
        "received_on": timezone.localdate().isoformat(),
        "withheld": sorted(form.checked()) if withheld is None else withheld,
        "reviewed": [item.key for item in form.items],
        "reason": form.initial["reason"] if reason is None else reason,
    }
    if meanwhile is not None:
        meanwhile()
    return client.post(url or prepare_url(participant), data)


def release(client, participant, **kwargs):
    response = review(client, participant, url=release_url(participant), **kwargs)
    assert response.status_code == 200, response.content[:500]
    assert response.streaming
    content = b"".join(response.streaming_content)
    return response, zipfile.ZipFile(io.BytesIO(content))


def contents(archive):
    names = archive.namelist()
    pdf_name = next(name for name in names if name.endswith(".pdf") and "/" not in name)
    json_name = next(name for name in names if name.endswith(".json"))
    return pdf_words(archive.read(pdf_name)), json.loads(archive.read(json_name)), names


@pytest.fixture
def released(person, manager, client_for):
    _response, archive = release(client_for(manager), person)
    return (*contents(archive), archive)


# --- The list of parts ----------------------------------------------------------------------------


def test_every_participant_data_model_is_given_by_a_part():
    """A model registered with register_participant_data and given by no part fails here: a new
    model cannot be forgotten in the copy."""
    covered = {}
    for part in PARTS:
        for model in part.models:
            assert model not in covered, (
                f"{model.__name__} is in {covered.get(model)} and {part.key}"
            )
            covered[model] = part.key
    registered = set(participant_data_registry())
    missing = sorted(model.__name__ for model in registered - set(covered))
    assert not missing, f"add these to a part in subject_access/parts.py: {missing}"
    assert not set(covered) - registered


def test_the_parts_are_one_explicit_list():
    text = (settings.BASE_DIR / "subject_access" / "parts.py").read_text()
    for app in ("participants", "diagnosis", "activities", "ipd", "reports"):
        assert f"from {app} import subject_access as {app}" in text
        assert f"    {app}.part," in text


# --- What the copy holds --------------------------------------------------------------------------


def test_the_copy_holds_every_app_and_the_sensitive_sections(released, person):
    words, data, _names, _archive = released
    assert "Pani/Pana dane osobowe (art. 15 RODO)" in words
    for heading in (
        "Dane osobowe",
        "Rodzina i gospodarstwo domowe",
        "Zgłoszenia i skierowania do Klubu",
        "Uczestnictwo w Klubie",
        "Kontrakt socjalny i podstawa uczestnictwa",
        "Diagnoza",
        "Indywidualne plany działania",
        "Zajęcia, obecność i godziny",
        "Konsultacje indywidualne",
        "Prace społecznie użyteczne, staże i inne formy zatrudnienia",
        "Skierowania do instytucji (odbiorcy danych)",
        "Raporty zmiany",
        "Pisma do instytucji, która Panią/Pana skierowała",
        "Ocena efektów przy zakończeniu",
        "Monitoring po zakończeniu udziału",
        "Notatki",
        "Ograniczenie przetwarzania (art. 18 RODO)",
        "Żądania kopii danych",
        "Historia poprawek",
        "Kto czytał dane",
    ):
        assert heading in words, heading
    # The sensitive sections are the person's too: health, addiction, criminal record, risk.
    for text in (
        "Uzależnienie od alkoholu, terapia w poradni od 2024 r.",
        "Epizod depresyjny leczony w 2022 r.",
        "Wyrok w zawieszeniu z 2019 r. za kradzież.",
        "Rozmowa o nawrocie i motywacji do terapii.",
        "Podjęła pracę w sklepie.",
        "Targi pracy",
        person.pesel,
    ):
        assert text in words, text
        assert text in json.dumps(data, ensure_ascii=False), text
    sections = data["sections"]
    health = sections["diagnosis"]["records"]["sphere_health"][0]
    assert health["addictions"] == "Uzależnienie od alkoholu, terapia w poradni od 2024 r."
    assert sections["diagnosis"]["records"]["sphere_socio_living"][0]["criminal_record"] is True
    assert sections["registry"]["records"]["participant"][0]["pesel"] == person.pesel
    assert {
        "recruitment",
        "participation",
        "contracts",
        "plans",
        "attendance",
        "consultations",
    } <= set(sections)
    assert sections["consultations"]["records"]["consultations"][0]["duration"] == "1.50"


def test_what_the_person_is_told_purposes_recipients_retention_sources_rights(released):
    words, data, _names, _archive = released
    info = data["information"]
    assert [item["key"] for item in info["purposes"]][:2] == ["recruitment", "participation"]
    assert "Cele i podstawy prawne" in words and "art. 9 ust. 2 lit. b, g i h RODO" in words
    # The referral sent with her consent: the recipient, the data and the legal basis.
    recipient = next(item for item in info["recipients"] if item["kind"] == "referral")
    assert recipient["name"] == "Poradnia Terapii Uzależnień"
    assert recipient["legal_basis"].startswith("Pani/Pana zgoda z ")
    assert "Poradnia Terapii Uzależnień" in words
    assert any(item["name"] == "MOPS w Radomiu" for item in info["sources"])
    assert "MOPS w Radomiu" in words
    assert {item["key"] for item in info["retention"]} >= {"file", "attendance", "access_log"}
    assert "10 lat" in words
    assert "Prezesa Urzędu Ochrony Danych Osobowych" in words
    assert "prawo żądać sprostowania" in words


def test_hours_are_the_one_definition_of_hours_done(released, person):
    _words, data, _names, _archive = released
    done = hours_done(participants=[person.pk])
    total = done[()].hours if () in done else Decimal(0)
    rows = data["sections"]["attendance"]["records"]["hours_by_module"]
    assert sum(Decimal(row["done"]) for row in rows) == total


# --- Document versions and scans ------------------------------------------------------------------


def test_every_stored_version_and_scan_with_its_sha256(released, person, victim):
    _words, data, names, archive = released
    listed = {item["path"]: item for item in data["files"]}
    contract = SocialContract.objects.get(pk=victim["contract"])
    revision = documents.revisions_of(contract).get(number=1)
    expected = {
        f"dokumenty/contract-{contract.pk}-v1.pdf": revision.pdf,
        f"skany/contract-{contract.pk}-v1-skan.pdf": revision.scan,
    }
    for path, stored in expected.items():
        assert path in names, path
        content = archive.read(path)
        assert hashlib.sha256(content).hexdigest() == stored.sha256 == listed[path]["sha256"]
    # Every file in the ZIP is listed with the hash of its bytes, and stored as such.
    for path in names:
        if "/" not in path:
            continue
        digest = hashlib.sha256(archive.read(path)).hexdigest()
        assert listed[path]["sha256"] == digest
        assert StoredFile.objects.filter(sha256=digest).exists()
    plan_revisions = DocumentRevision.objects.filter(object_id=victim["plan"], pdf__isnull=False)
    assert any(f"dokumenty/ipd-{victim['plan']}-v1.pdf" == path for path in names)
    assert plan_revisions.exists()
    # The sick note's scan goes with the copy; a version of each document is in the table.
    assert any(name.startswith("skany/usprawiedliwienie-") for name in names)
    versions = data["sections"]["contracts"]["records"]["document_versions"]
    assert versions[0]["version"] == 1 and versions[0]["state"] == "locked"


# --- Other people's data --------------------------------------------------------------------------


def test_other_peoples_data_is_withheld_by_default(released, person, victim):
    words, data, names, _archive = released
    text = json.dumps(data, ensure_ascii=False)
    assert OTHER_PARTICIPANT not in words and OTHER_PARTICIPANT not in text
    assert "Postronny" not in words and "Postronny" not in text
    assert f"{MARK} zgłosił konflikt na zajęciach" in words
    family = data["sections"]["family"]["records"]["family_member"][0]
    assert family["first_name"] == MARK and family["relation"] == "child"
    assert not re.search(rf"\b{CHILD}\b", words) and not re.search(rf"\b{CHILD}\b", text)
    # The group's attendance list shows the others: listed as withheld, not in the ZIP.
    assert not any(name.startswith("skany/lista-obecnosci-") for name in names)
    withheld = {item["key"] for item in data["withheld"]}
    assert f"list:{victim['session']}" in withheld
    assert f"family:{victim['family']}" in withheld
    assert "Dane innych osób" in words  # the reason, given with the copy
    assert data["withheld_reason"]


def test_the_manager_may_release_a_family_members_data_and_withhold_a_note(
    person, victim, manager, client_for
):
    note = CaseNote.objects.get(pk=victim["note"])
    _response, archive = release(
        client_for(manager),
        person,
        withheld=[f"note:{note.pk}", f"list:{victim['session']}"],
        reason="Notatka dotyczy sąsiadki.",
    )
    words, data, _names = contents(archive)
    family = data["sections"]["family"]["records"]["family_member"][0]
    assert family["first_name"] == CHILD
    notes = {record["id"]: record for record in data["sections"]["notes"]["records"]["note"]}
    assert "text" not in notes[note.pk] and notes[note.pk]["note"]
    assert note.text not in words
    assert "Notatka dotyczy sąsiadki." in words
    request = AccessRequest.objects.get(participant=person)
    assert {item["key"] for item in request.withheld} == {
        f"note:{note.pk}",
        f"list:{victim['session']}",
    }


def test_the_history_of_a_withheld_record_is_withheld_with_it(person, victim, manager, client_for):
    member = FamilyMember.objects.get(pk=victim["family"])
    with set_actor(manager):
        member.first_name = "Aleksandra"
        member.save()
    _response, archive = release(client_for(manager), person)
    words, data, _names = contents(archive)
    assert "Aleksandra" not in words and "Aleksandra" not in json.dumps(data, ensure_ascii=False)


# --- Corrections and the access log ---------------------------------------------------------------


def test_the_copy_shows_the_history_of_corrections(released):
    words, data, _names, _archive = released
    corrections = data["sections"]["corrections"]["records"]["corrections"]
    phone = next(row for row in corrections if row["after"] == "600 700 800")
    assert phone["role"] == ["case_manager"] and phone["record"] == "participants.Participant"
    assert "600 700 800" in words


def test_the_access_log_gives_roles_purposes_and_no_staff_names(
    person, manager, case_manager, psychologist, client_for
):
    client_for(case_manager).get(reverse("participants:detail", args=[person.pk]))
    client_for(psychologist).get(reverse("participants:detail", args=[person.pk]))
    _response, archive = release(client_for(manager), person)
    words, data, _names = contents(archive)
    reads = data["sections"]["access_log"]["records"]["access_log"]
    roles = {role for read in reads for role in read["role"]}
    assert {"case_manager", "psychologist", "manager"} <= roles
    assert all(read["purpose"] for read in reads) and all(read["at"] for read in reads)
    review_reads = [read for read in reads if read["what"].startswith("GDPR art. 15 copy")]
    assert review_reads and {read["purpose"] for read in review_reads} == {"rights"}
    log = words[words.index("Kto czytał dane") :]
    log = log[: log.index("Dokumenty i skany w pliku ZIP")]
    assert "Psycholog" in log and "Kierownik KIS" in log
    for user in (manager, case_manager, psychologist):
        assert user.last_name not in log and user.username not in log
        assert user.last_name not in json.dumps(reads, ensure_ascii=False)


def test_the_access_log_gives_the_role_held_at_the_time(person, manager, psychologist, client_for):
    """A role taken away later does not rewrite who read the file: each entry keeps the roles
    its actor had then (kis_site.audit.record_actor_roles)."""
    from django.contrib.auth.models import Group

    from kis_site.vocabulary import Role

    client_for(psychologist).get(reverse("participants:detail", args=[person.pk]))
    psychologist.groups.clear()
    psychologist.groups.add(Group.objects.get(name=Role.TRAINER.group_name))
    _response, archive = release(client_for(manager), person)
    _words, data, _names = contents(archive)
    reads = data["sections"]["access_log"]["records"]["access_log"]
    assert ["psychologist"] in [read["role"] for read in reads]
    assert ["trainer"] not in [read["role"] for read in reads]


# --- Who prepares, who releases, and the audit ----------------------------------------------------


def test_the_case_manager_prepares_and_the_manager_releases(
    person, case_manager, manager, client_for
):
    client = client_for(case_manager)
    page = client.get(prepare_url(person))
    assert page.status_code == 200
    assert "Wydaj kopię (ZIP)" not in page.content.decode()
    response = review(client, person)
    assert response.status_code == 302
    request = AccessRequest.objects.get(participant=person)
    assert request.prepared_by == case_manager and request.released_at is None
    # The case manager may not release it.
    assert review(client, person, url=release_url(person)).status_code == 403
    assert AccessRequest.objects.get(pk=request.pk).released_at is None
    _response, _archive = release(client_for(manager), person)
    request.refresh_from_db()
    assert request.released_by == manager and request.released_at is not None
    assert request.prepared_by == case_manager  # released as she prepared it


def test_the_review_and_the_release_are_audited(person, case_manager, manager, client_for):
    review(client_for(case_manager), person)
    request = AccessRequest.objects.get(participant=person)
    created = LogEntry.objects.get_for_object(request).get(action=LogEntry.Action.CREATE)
    assert created.actor == case_manager
    assert created.additional_data["participant_id"] == person.pk
    assert "withheld" in created.changes_dict
    release(client_for(manager), person)
    export = LogEntry.objects.get(
        action=LogEntry.Action.ACCESS,
        additional_data__access=AccessKind.EXPORT,
        additional_data__participant_id=person.pk,
    )
    assert export.actor == manager and "art. 15" in export.additional_data["what"]
    released = LogEntry.objects.get_for_object(request).filter(action=LogEntry.Action.UPDATE)
    assert released.filter(actor=manager).exists()


def test_refused_to_every_other_role(personas, person, client_for):
    """The manager and the person's case manager prepare; only the manager releases. Every
    other role is refused: 403 in its scope, 404 outside (the project never tells a file exists
    to whom it is out of reach)."""
    for name, user in personas.items():
        client = client_for(user)
        may_prepare = name in OWN
        page = client.get(prepare_url(person))
        expected = 200 if may_prepare else 404 if name in NO_SCOPE else 403
        assert page.status_code == expected, (name, page.status_code)
        posted = client.post(
            release_url(person),
            {"received_on": timezone.localdate(), "reason": "Dane innych osób."},
        )
        expected = 200 if name == "manager" else 404 if name in NO_SCOPE else 403
        assert posted.status_code == expected, (name, posted.status_code)
        if name == "manager":
            assert posted.streaming
            b"".join(posted.streaming_content)
        assert name in FILE_ROLES | NO_SCOPE


def test_the_zip_and_its_address_carry_no_pesel(person, manager, client_for):
    assert person.pesel not in prepare_url(person) and person.pesel not in release_url(person)
    response, archive = release(client_for(manager), person)
    disposition = response["Content-Disposition"]
    assert disposition == (
        f'attachment; filename="dane-osoby-art15-nr-{person.pk}-{timezone.localdate()}.zip"'
    )
    assert person.pesel not in disposition
    for name in archive.namelist():
        assert person.pesel not in name and person.last_name not in name
    assert response["Content-Type"] == "application/zip"


def test_the_zip_is_streamed_and_kept_nowhere(person, manager, client_for):
    media = settings.MEDIA_ROOT
    before = sorted(media.rglob("*")) if media.exists() else []
    files = StoredFile.objects.count()
    response, _archive = release(client_for(manager), person)
    assert response.streaming
    assert (sorted(media.rglob("*")) if media.exists() else []) == before
    assert StoredFile.objects.count() == files  # no copy of the copy is stored


def test_a_restricted_file_still_gives_the_person_their_data(person, manager, client_for):
    from participants import restriction

    restriction.restrict(
        participant=person,
        restricted_on=timezone.localdate(),
        reason="Wniosek osoby.",
        by=manager,
    )
    _response, archive = release(client_for(manager), person)
    words, _data, _names = contents(archive)
    assert "Ograniczenie przetwarzania (art. 18 RODO)" in words


def test_the_review_page_shows_what_the_copy_holds(person, manager, client_for, victim):
    page = client_for(manager).get(prepare_url(person))
    html = page.content.decode()
    assert "Dane osoby (art. 15 RODO)" in html
    assert "Co zawiera kopia" in html
    assert f'value="family:{victim["family"]}" id="id_withheld_' in html
    # The family member and the group's list are ticked (withheld) until released.
    assert page.context["form"].checked() >= {
        f"family:{victim['family']}",
        f"list:{victim['session']}",
    }
    assert LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, additional_data__participant_id=person.pk
    ).exists()


def test_a_withheld_item_needs_a_reason(person, manager, client_for):
    response = review(client_for(manager), person, reason="")
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert not AccessRequest.objects.exists()


def test_the_file_offers_the_copy_to_who_may_prepare_it(person, personas, client_for):
    url = reverse("participants:detail", args=[person.pk])
    for name in ("manager", "case_manager", "other_case_manager", "psychologist"):
        html = client_for(personas[name]).get(url).content.decode()
        assert (prepare_url(person) in html) == (name in OWN), name


def test_the_pdf_reads_in_polish_with_a_chapter_a_part(released):
    words, _data, _names, _archive = released
    for chapter in ("1. Jak przetwarzane są Pani/Pana dane", "2. Dane osobowe"):
        assert chapter in words
    assert "Strona 1 z" in words


def test_what_appears_while_the_page_is_open_keeps_its_default(person, manager, client_for):
    def another_family_member():
        FamilyMember.objects.create(participant=person, first_name="Bożydar", relation="sibling")

    # Everything on the page released; a brother recorded meanwhile was never reviewed.
    _response, archive = release(
        client_for(manager), person, withheld=[], meanwhile=another_family_member
    )
    words, _data, _names = contents(archive)
    assert "Bożydar" not in words
    assert CHILD in words


def test_the_copy_states_the_retention_periods_the_manager_set():
    """One rule, one place: the periods the copy prints are the manager's (RetentionRule)."""
    from retention.models import RecordKind, RetentionRule
    from retention.schedule import retention_periods

    assert retention_periods()["file"][1].startswith("10 lat, licząc od 1 stycznia")
    RetentionRule.objects.update_or_create(
        kind=RecordKind.PARTICIPATION, defaults={"years": 12, "archive_consent_required": True}
    )
    RetentionRule.objects.update_or_create(
        kind=RecordKind.APPLICATION, defaults={"years": 3, "archive_consent_required": False}
    )
    periods = retention_periods()
    assert periods["file"][1].startswith("12 lat, licząc")
    assert periods["attendance"][1].startswith("12 lat, licząc")
    assert "uczestnictwo się nie rozpoczęło — 3 lata, licząc" in periods["recruitment"][1]

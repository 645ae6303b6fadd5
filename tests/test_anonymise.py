"""Retention and anonymisation (issue "Data protection lifecycle (RODO)"): the retention periods
and the files past them, the two steps of an anonymisation and who takes them, and what an
anonymisation leaves: no trace of the person in any table or media file (SQLite and
PostgreSQL), the same yearly figures, one audit entry."""

import dataclasses
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kis_site.access import Action, log_access, participant_data_registry, policy
from kis_site.models import FundingKind, PendingForm, StoredFile
from participants.access import participants_reachable_by, participants_visible_to
from participants.models import Participant
from reports.figures import age_band, enrolments_in, outcomes, yearly
from retention import anonymise
from retention.anonymise import FIELD_RULES, needs_rule
from retention.models import (
    Anonymisation,
    AnonymisationState,
    DestructionRecord,
    Ground,
    ProjectRetention,
    RecordKind,
    RetentionRule,
)
from retention.schedule import past_retention
from tests.factories import (
    ApplicationFactory,
    CaseNoteFactory,
    CompletedEnrolmentFactory,
    ExitAssessmentFactory,
    FamilyMemberFactory,
    FundingSourceFactory,
    ParticipantFactory,
)

pytestmark = pytest.mark.django_db


def anonymised(participant, manager, case_manager=None, reference="AP-1/2026"):
    proposal = anonymise.propose(
        participant=participant,
        ground=Ground.RETENTION,
        reason=f"Okres przechowywania minął ({participant.last_name}).",
        by=case_manager or manager,
    )
    return anonymise.confirm(anonymisation=proposal, archive_reference=reference, by=manager)


# --- The guard: every field of participant data has its rule ----------------------------------


def test_every_short_text_of_participant_data_has_an_anonymisation_rule():
    missing, stale = [], []
    for model in participant_data_registry():
        rules = FIELD_RULES.get(model._meta.label, {})
        names = {field.name for field in model._meta.concrete_fields}
        missing += [
            f"{model._meta.label}.{field.name}"
            for field in model._meta.concrete_fields
            if needs_rule(field) and field.name not in rules
        ]
        stale += [f"{model._meta.label}.{name}" for name in rules if name not in names]
    assert not missing, f"say in retention.anonymise.FIELD_RULES what becomes of: {missing}"
    assert not stale, f"no such fields: {stale}"


# --- Nothing of the person is left anywhere ---------------------------------------------------

MARKERS = {
    "first_name": "Wiktoria",
    "last_name": "Ofiarna",
    "pesel": "85010212345",
    "street": "Ulica Znacznikowa 7",
    "phone": "600700999",
    "email": "wiktoria.ofiarna@example.org",
}
FREE_TEXT = "ZNACZNIK-WOLNY-TEKST"
FAMILY = "Zdzisława"


def planted(victim, manager, case_manager):
    """The victim's file with identifiers and free-text markers planted in many places: its
    records, a family member, a note, the audit log (changes and reads), a draft and a session."""
    participant = Participant.objects.get(pk=victim["participant"])
    for name, value in MARKERS.items():
        setattr(participant, name, value)
    participant.risk_group_other = FREE_TEXT
    participant.save()  # audited: the log holds the old and new values
    CaseNoteFactory(participant=participant, author=case_manager.staff, text=f"{FREE_TEXT} notatka")
    FamilyMemberFactory(participant=participant, first_name=FAMILY, notes=FREE_TEXT)
    # Every free text of every record of the person (every model of the registry) holds one.
    planted_texts = 0
    for model, registration in participant_data_registry().items():
        texts = [
            f.name for f in model._meta.concrete_fields if f.get_internal_type() == "TextField"
        ]
        lookup = {registration.path or "pk": participant.pk}
        if texts:
            planted_texts += model._base_manager.filter(**lookup).update(
                **dict.fromkeys(texts, f"{FREE_TEXT} {model._meta.label}")
            )
    assert planted_texts > 20
    log_access(user=manager, instance=participant, what=f"file: {participant.full_name}")
    PendingForm.objects.create(
        user=manager, path=f"/participants/{participant.pk}/edit/", data={"q": "Ofiarna"}
    )
    session = SessionStore()
    session["kis-search"] = "Wiktoria Ofiarna"
    session.create()
    return participant


def leaks(values) -> list[str]:
    wanted = [*MARKERS.values(), FREE_TEXT, FAMILY]
    found = []
    for where, value in values:
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        text = text.lower()
        found += [f"{where}: {marker}" for marker in wanted if marker.lower() in text]
    return found


def every_value():
    """Every text, JSON and binary value of every table (every model of the app registry,
    the audit log and the sessions, decoded), and every file under MEDIA_ROOT."""
    kinds = ("CharField", "TextField", "JSONField", "BinaryField", "EmailField")
    for model in apps.get_models():
        names = [f.attname for f in model._meta.concrete_fields if f.get_internal_type() in kinds]
        if not names:
            continue
        for row in model._base_manager.values_list("pk", *names):
            for name, value in zip(names, row[1:], strict=True):
                if value is None:
                    continue
                if isinstance(value, memoryview):
                    value = bytes(value)
                elif not isinstance(value, (str, bytes)):
                    value = json.dumps(value, ensure_ascii=False, default=str)
                yield f"{model._meta.label}#{row[0]}.{name}", value
    from django.contrib.sessions.models import Session

    for session in Session.objects.all():
        yield f"session {session.pk}", json.dumps(session.get_decoded(), ensure_ascii=False)
    media = Path(settings.MEDIA_ROOT)
    if media.exists():
        for path in media.rglob("*"):
            if path.is_file():
                yield str(path), path.read_bytes()


def test_no_table_and_no_media_file_holds_the_person_after_anonymisation(
    victim, manager, case_manager
):
    participant = planted(victim, manager, case_manager)
    # The markers are really there before (the scan would find a leak).
    assert len(leaks(every_value())) > 10
    anonymised(participant, manager, case_manager)
    found = leaks(every_value())
    assert not found, "\n".join(found)
    # Another person's data is untouched.
    assert Participant.objects.filter(last_name="Postronny", pesel="02211307589").exists()


def test_stored_pdfs_and_scans_of_the_person_lose_their_bytes(victim, manager, case_manager):
    from kis_site.models import DocumentRevision

    participant = Participant.objects.get(pk=victim["participant"])
    revisions = DocumentRevision.objects.filter(object_id=victim["contract"])
    files = [pk for pair in revisions.values_list("pdf_id", "scan_id") for pk in pair if pk]
    assert files and all(StoredFile.objects.get(pk=pk).data for pk in files)
    anonymised(participant, manager, case_manager)
    assert all(bytes(StoredFile.objects.get(pk=pk).data) == b"" for pk in files)
    assert StoredFile.objects.count() >= len(files)  # rows stay, overwritten


def test_coarse_fields_stay_and_free_texts_are_emptied(participant, manager, case_manager):
    participant.education_level = "secondary"
    participant.sex = "M"
    participant.save()
    before = Participant.objects.get(pk=participant.pk)
    anonymised(participant, manager, case_manager)
    after = Participant.objects.get(pk=participant.pk)
    assert after.pesel is None and after.street == "" and after.city == ""
    # The date of birth says no more than the age band, the same at the end of this year.
    end = date(timezone.localdate().year, 12, 31)
    assert after.birth_date.timetuple()[1:3] == (1, 1)
    assert age_band(after.birth_date, end) == age_band(before.birth_date, end)
    assert (after.sex, after.education_level, after.primary_risk_group) == (
        before.sex,
        before.education_level,
        before.primary_risk_group,
    )
    assert after.last_name == f"KIS/{participant.pk}"
    assert set(after.notes.values_list("text", flat=True)) == {""}
    assert after.notes.count() == 2  # never deleted
    # Detailed risk groups leave with the identity (alone, the k-anonymity rule keeps none).
    assert set(after.risk_group_rows.values_list("group", flat=True)) == {""}


def test_dates_become_months(manager):
    enrolment = CompletedEnrolmentFactory(
        starts_on=date(2020, 3, 17), planned_end_on=date(2021, 1, 10), ended_on=date(2020, 11, 23)
    )
    anonymised(enrolment.participant, manager)
    enrolment.refresh_from_db()
    assert (enrolment.starts_on, enrolment.ended_on) == (date(2020, 3, 1), date(2020, 11, 1))


# --- The audit log ------------------------------------------------------------------------------


def test_audit_keeps_that_it_happened_by_whom_and_when_not_what(participant, manager, case_manager):
    log_access(user=case_manager, instance=participant)
    entries = LogEntry.objects.filter(additional_data__participant_id=participant.pk)
    count = entries.count()
    actors = sorted(entries.values_list("actor_id", flat=True), key=str)
    anonymised(participant, manager, case_manager)
    entries = LogEntry.objects.filter(additional_data__participant_id=participant.pk)
    about_file = entries.exclude(content_type__model="anonymisation")
    assert about_file.count() == count  # every entry stays: who, when, which record
    assert sorted(about_file.values_list("actor_id", flat=True), key=str) == actors
    assert not about_file.exclude(changes=None).exists()  # ... not what it said
    assert set(about_file.values_list("object_repr", flat=True)) == {f"KIS/{participant.pk}"}
    # The proposal and the confirmation: the latter says it happened, by whom, when.
    record = entries.get(content_type__model="anonymisation", action=LogEntry.Action.UPDATE)
    assert record.actor == manager and record.additional_data["anonymised"] is True
    assert "Żółkiewski" not in record.object_repr and record.timestamp is not None


# --- The two steps and who takes them ------------------------------------------------------------


def test_the_case_manager_proposes_the_manager_confirms(
    participant, manager, case_manager, other_case_manager, client_for
):
    url = reverse("retention:propose", args=[participant.pk])
    assert client_for(other_case_manager).get(url).status_code == 403  # not their person
    response = client_for(case_manager).post(url, {"ground": "retention", "reason": "Minął okres."})
    assert response.status_code == 302
    proposal = Anonymisation.objects.get(participant=participant)
    assert proposal.state == AnonymisationState.PROPOSED and proposal.proposed_by == case_manager
    confirm = reverse("retention:confirm", args=[proposal.pk])
    assert client_for(case_manager).post(confirm, {"understood": "on"}).status_code == 403
    # The records rules require the archive's consent: without its reference, nothing happens.
    response = client_for(manager).post(confirm, {"understood": "on"})
    assert response.status_code == 200 and "archive_reference" in response.context["form"].errors
    participant.refresh_from_db()
    assert participant.anonymised_on is None
    response = client_for(manager).post(
        confirm, {"understood": "on", "archive_reference": "AP.6342.1.2026"}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == AnonymisationState.DONE and proposal.confirmed_by == manager
    assert proposal.archive_reference == "AP.6342.1.2026" and proposal.reason == ""


def test_no_archive_reference_needed_where_the_rules_need_none(participant, manager):
    RetentionRule.objects.update_or_create(
        kind=RecordKind.APPLICATION, defaults={"years": 5, "archive_consent_required": False}
    )
    proposal = anonymise.propose(
        participant=participant, ground="erasure", reason="Wniosek.", by=manager
    )
    anonymise.confirm(anonymisation=proposal, archive_reference="", by=manager)
    participant.refresh_from_db()
    assert participant.anonymised_on is not None


def test_a_second_proposal_is_refused(participant, manager):
    anonymise.propose(participant=participant, ground="retention", reason="Minął.", by=manager)
    with pytest.raises(ValidationError):
        anonymise.propose(participant=participant, ground="retention", reason="Znów.", by=manager)


def test_an_anonymised_file_leaves_every_list_and_is_read_only(participant, manager, case_manager):
    anonymised(participant, manager, case_manager)
    participant.refresh_from_db()
    assert participant not in participants_visible_to(manager)
    assert participant in participants_reachable_by(manager)
    assert policy().can(manager, Action.VIEW, participant)
    for action in (Action.EDIT, Action.ADD_NOTE, Action.ENROL, Action.RESTRICT, Action.EXPORT):
        assert not policy().can(manager, action, participant), action


def test_only_the_manager_sees_the_files_past_retention(personas, client_for):
    for name, user in personas.items():
        status = client_for(user).get(reverse("retention:due")).status_code
        assert status == (200 if name == "manager" else 403), name


# --- Retention periods and the files past them ---------------------------------------------------


def test_files_past_every_retention_period(manager, client_for):
    today = timezone.localdate()
    long_ago = CompletedEnrolmentFactory(
        starts_on=date(today.year - 12, 2, 1),
        planned_end_on=date(today.year - 11, 1, 31),
        ended_on=date(today.year - 11, 1, 15),
    )
    recent = CompletedEnrolmentFactory(
        starts_on=date(today.year - 4, 2, 1),
        planned_end_on=date(today.year - 3, 1, 31),
        ended_on=date(today.year - 3, 1, 15),
    )
    eu = FundingSourceFactory(kind=FundingKind.EU_PROJECT)
    unknown_project = CompletedEnrolmentFactory(
        funding_source=eu,
        starts_on=date(today.year - 12, 2, 1),
        planned_end_on=date(today.year - 11, 1, 31),
        ended_on=date(today.year - 11, 1, 15),
    )
    rejected = ApplicationFactory(
        decision="rejected",
        received_on=date(today.year - 7, 1, 1),
        decided_on=date(today.year - 7, 1, 5),
    )
    past = {person.pk for person, _retention in past_retention()}
    assert long_ago.participant_id in past and rejected.participant_id in past
    assert recent.participant_id not in past
    assert unknown_project.participant_id not in past  # an EU project without its date keeps it
    ProjectRetention.objects.create(funding_source=eu, retain_until=today + timedelta(days=400))
    assert unknown_project.participant_id not in {p.pk for p, _r in past_retention()}
    ProjectRetention.objects.filter(funding_source=eu).update(
        retain_until=today - timedelta(days=1)
    )
    assert unknown_project.participant_id in {p.pk for p, _r in past_retention()}
    # The manager shortens the participant documentation's period in the admin: 3 years.
    RetentionRule.objects.filter(kind=RecordKind.PARTICIPATION).update(years=2)
    assert recent.participant_id in {p.pk for p, _r in past_retention()}
    html = client_for(manager).get(reverse("retention:due")).content.decode()
    assert long_ago.participant.last_name in html


def test_retention_defaults_are_in_the_database():
    assert dict(RetentionRule.objects.values_list("kind", "years")) == {
        "participation": 10,
        "application": 5,
    }


# --- The figures stay the same -----------------------------------------------------------------


def plain(value):
    if dataclasses.is_dataclass(value):
        return {
            f.name: plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name != "enrolments"
        }
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def test_the_yearly_report_and_whole_year_figures_are_the_same_after(manager):
    year = timezone.localdate().year - 1
    people = []
    for n, (born, start, end) in enumerate(
        [
            (date(1999, 12, 30), date(year, 1, 20), date(year, 12, 30)),
            (date(1970, 6, 15), date(year - 1, 11, 5), date(year, 6, 17)),
            (date(1990, 1, 1), date(year, 3, 3), None),
        ]
    ):
        person = ParticipantFactory(birth_date=born, education_level="secondary", sex="FM"[n % 2])
        if end is None:
            from tests.factories import EnrolmentFactory

            EnrolmentFactory(
                participant=person, starts_on=start, planned_end_on=date(year + 1, 1, 5)
            )
        else:
            enrolment = CompletedEnrolmentFactory(
                participant=person, starts_on=start, planned_end_on=end, ended_on=end
            )
            ExitAssessmentFactory(enrolment=enrolment, assessed_on=end)
        people.append(person)
    start, end = date(year, 1, 1), date(year, 12, 31)
    # The follow-ups due are counted as of a day: a day outside the months they fall due in.
    later = date(year + 2, 1, 1)

    def figures():
        return (
            plain(yearly(year)),
            plain(outcomes(enrolments_in(start, end), start, end, today=later)),
        )

    before = figures()
    assert before[0]["groups_total"]["people"] == 3 and before[1]["completions"] == 2
    for person in people:
        anonymised(person, manager)
    assert figures() == before


def test_the_file_offers_the_proposal_and_says_it_is_anonymised(
    participant, manager, case_manager, social_worker, client_for
):
    url = reverse("participants:detail", args=[participant.pk])
    propose = reverse("retention:propose", args=[participant.pk])
    assert propose in client_for(case_manager).get(url).content.decode()
    assert propose not in client_for(social_worker).get(url).content.decode()
    anonymised(participant, manager, case_manager)
    html = client_for(manager).get(url).content.decode()
    assert "została zanonimizowana" in html and "Żółkiewski" not in html
    assert propose not in html


def test_the_destruction_record_lists_what_was_destroyed_without_the_identity(
    victim, manager, case_manager, client_for
):
    from kis_site import documents
    from tests.records import pdf_text

    participant = planted(victim, manager, case_manager)
    record = anonymised(participant, manager, case_manager)
    assert record.number == f"1/{timezone.localdate().year}"
    url = reverse("retention:record", args=[record.pk])
    assert client_for(case_manager).get(url).status_code == 403
    page = client_for(manager).get(url).content.decode()
    assert f"KIS/{participant.pk}" in page and not leaks([("page", page)])
    pdf_url = reverse("documents:pdf", args=["destruction_record", record.pk])
    assert client_for(case_manager).get(pdf_url).status_code == 403
    response = client_for(manager).get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert f"KIS/{participant.pk}" in text and "AP-1/2026" in text
    assert "notatki" in text.lower() or "notatk" in text.lower()  # the kinds of records
    assert "Członek komisji" in text and "Kierownik KIS" in text  # who signs it
    assert not leaks([("record", text)])
    # Signed: the manager in the application, a member of the commission by hand; then it is
    # locked and its PDF stored, kept by the club like every signed document.
    documents.document_sign(document=record, slot_key="manager", user=manager)
    documents.document_record_paper_signature(
        document=record,
        slot_key="commission",
        signer_name="Anna Archiwistka",
        signed_on=timezone.localdate(),
        by=manager,
    )
    record.refresh_from_db()
    assert record.is_locked
    stored = documents.current_revision(record).pdf
    assert bytes(stored.data) == client_for(manager).get(pdf_url).content
    assert record in [row["document"] for row in documents.documents_without_scan(manager)]


def test_files_confirmed_together_share_one_destruction_record(manager, client_for):
    year = timezone.localdate().year - 12
    people = [ParticipantFactory(last_name=f"Razem{index}") for index in range(3)]
    for person in people:
        ApplicationFactory(participant=person, decided_on=date(year, 3, 1))
    proposals = [
        anonymise.propose(participant=person, ground="retention", reason="Minął.", by=manager)
        for person in people
    ]
    url = (
        reverse("retention:confirm-together")
        + "?"
        + "&".join(f"id={proposal.pk}" for proposal in proposals[:2])
    )
    page = client_for(manager).get(url).content.decode()
    assert "Razem0" in page and "Razem1" in page and "Razem2" not in page
    response = client_for(manager).post(
        reverse("retention:confirm-together"),
        {
            "proposals": [proposals[0].pk, proposals[1].pk],
            "archive_reference": "AP.1.2026",
            "understood": "on",
        },
    )
    record = DestructionRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "retention:record", args=[record.pk]
    )
    assert sorted(entry["case_number"] for entry in record.entries) == sorted(
        f"KIS/{person.pk}" for person in people[:2]
    )
    assert set(record.anonymisations.all()) == set(proposals[:2])
    people[2].refresh_from_db()
    assert people[2].anonymised_on is None  # not ticked
    # Nothing chosen, or a file no longer waiting: refused with a message, nothing done.
    response = client_for(manager).post(
        reverse("retention:confirm-together"),
        {"proposals": [proposals[0].pk], "archive_reference": "AP", "understood": "on"},
    )
    assert response.status_code == 200
    assert "nie czeka już na zatwierdzenie" in response.content.decode()
    assert DestructionRecord.objects.count() == 1
    response = client_for(manager).post(
        reverse("retention:confirm-together"), {"archive_reference": "AP", "understood": "on"}
    )
    assert response.status_code == 200 and "Wybierz teczki" in response.content.decode()


def test_no_anonymisation_without_its_journal_line(participant, manager, settings, tmp_path):
    settings.ANONYMISATION_JOURNAL = str(tmp_path)  # a folder: the line cannot be written
    proposal = anonymise.propose(
        participant=participant, ground="retention", reason="M.", by=manager
    )
    with pytest.raises(ValidationError):
        anonymise.confirm(anonymisation=proposal, archive_reference="AP-1", by=manager)
    participant.refresh_from_db()
    assert participant.anonymised_on is None and participant.last_name == "Żółkiewski"
    assert participant.notes.exclude(text="").count() == 2


def test_the_journal_reapplies_only_what_is_newer_than_the_backup(
    participant, manager, settings, tmp_path
):
    from retention import journal

    settings.ANONYMISATION_JOURNAL = str(tmp_path / "journal.jsonl")
    anonymised(participant, manager)
    (entry,) = journal.entries()
    # As if restored from a backup taken before: the file is back, unanonymised.
    Participant.objects.filter(pk=participant.pk).update(
        anonymised_on=None, last_name="Żółkiewski", pesel="44051401359"
    )
    after = timezone.datetime.fromisoformat(entry["at"]) + timedelta(seconds=1)
    assert journal.reapply(since=after) == []  # a backup newer than the anonymisation
    assert journal.reapply() == [f"KIS/{participant.pk}"]
    participant.refresh_from_db()
    assert participant.pesel is None and participant.anonymised_on is not None


def test_the_manager_sets_the_retention_periods_in_the_admin(manager, case_manager, client_for):
    from tests.factories import FundingSourceFactory as Sources

    rule = RetentionRule.objects.get(kind=RecordKind.PARTICIPATION)
    url = reverse("admin:retention_retentionrule_change", args=[rule.pk])
    assert client_for(case_manager).get(url).status_code in (302, 403)
    client = client_for(manager)
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"kind": rule.kind, "years": 12, "archive_consent_required": "on", "basis": "B10"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert RetentionRule.objects.get(pk=rule.pk).years == 12
    source = Sources(kind=FundingKind.EU_PROJECT)
    response = client.post(
        reverse("admin:retention_projectretention_add"),
        {"funding_source": source.pk, "retain_until": "31.12.2031", "basis": "umowa"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ProjectRetention.objects.get(funding_source=source).retain_until == date(2031, 12, 31)


def test_hours_and_consultations_count_the_same_after(manager):
    from tests.factories import AttendanceFactory, ConsultationFactory

    attendance = AttendanceFactory()
    consultation = ConsultationFactory()
    AttendanceFactory(session=attendance.session)  # someone else, not anonymised
    years = sorted({attendance.session.date.year, consultation.date.year})

    def figures():
        return [
            (
                plain(yearly(year)),
                plain(
                    outcomes(
                        enrolments_in(date(year, 1, 1), date(year, 12, 31)),
                        date(year, 1, 1),
                        date(year, 12, 31),
                        today=date(year + 2, 1, 1),
                    )
                ),
            )
            for year in years
        ]

    before = figures()
    assert any(row["person_hours"] for year in before for row in year[0]["activities"])
    anonymised(attendance.participant, manager)
    anonymised(consultation.participant, manager)
    assert figures() == before


def test_a_proposal_is_withdrawn_by_its_author_or_the_manager(
    participant, manager, case_manager, other_case_manager, client_for
):
    proposal = anonymise.propose(
        participant=participant, ground="retention", reason="Minął.", by=case_manager
    )
    url = reverse("retention:withdraw", args=[proposal.pk])
    assert client_for(other_case_manager).post(url).status_code == 403
    assert client_for(case_manager).post(url).status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == AnonymisationState.WITHDRAWN
    # The file may be proposed again.
    again = anonymise.propose(
        participant=participant, ground="erasure", reason="Wniosek.", by=manager
    )
    assert again.pk != proposal.pk


def test_the_audit_trail_of_an_anonymised_file_opens_without_its_content(
    participant, manager, case_manager, client_for
):
    anonymised(participant, manager, case_manager)
    response = client_for(manager).get(reverse("participants:audit", args=[participant.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Żółkiewski" not in html and "Sekretna" not in html and "44051401359" not in html
    response = client_for(manager).get(reverse("audit-log"))
    assert response.status_code == 200 and "Żółkiewski" not in response.content.decode()


def test_the_name_in_other_records_is_replaced_by_the_case_number(manager, case_manager):
    """Another participant's note naming the person keeps its text, with the person's full
    name (either order) replaced by the case number."""
    person = ParticipantFactory(first_name="Teodora", last_name="Dawnowska")
    other = ParticipantFactory(first_name="Halina", last_name="Sąsiadka")
    note = CaseNoteFactory(
        participant=other,
        author=case_manager.staff,
        text="Przyszła z Teodora Dawnowska; Dawnowska Teodora pomaga jej w nauce.",
    )
    record = anonymised(person, manager, case_manager)
    note.refresh_from_db()
    assert note.text == (f"Przyszła z [KIS/{person.pk}]; [KIS/{person.pk}] pomaga jej w nauce.")
    assert record.entries[0]["mentions"] == 1
    assert "Dawnowska" not in json.dumps(every_value(), ensure_ascii=False, default=str)


def test_the_manager_proposes_the_files_past_retention_together(manager, client_for):
    year = timezone.localdate().year - 12
    old = [ParticipantFactory(last_name=f"Dawny{index}") for index in range(2)]
    for person in old:
        ApplicationFactory(participant=person, decided_on=date(year, 3, 1))
    recent = ParticipantFactory(last_name="Świeży")
    ApplicationFactory(participant=recent, decided_on=timezone.localdate())
    response = client_for(manager).post(
        reverse("retention:propose-together"),
        {"participant": [old[0].pk, old[1].pk, recent.pk]},  # one not past retention
    )
    assert response.status_code == 302
    proposals = Anonymisation.objects.filter(state=AnonymisationState.PROPOSED)
    assert {item.participant for item in proposals} == set(old)
    assert all(
        item.reason.startswith("Upłynęły wszystkie okresy przechowywania (przechowywano do 31.12.")
        and item.proposed_by == manager
        for item in proposals
    )
    # Posted again: nothing is proposed twice.
    client_for(manager).post(reverse("retention:propose-together"), {"participant": [old[0].pk]})
    assert Anonymisation.objects.count() == 2

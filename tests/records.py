"""Records that several test modules stand on: a signed contract, paper signatures, and the
"victim" — one participant with a record of every kind, for the walks over every URL."""

import subprocess
from datetime import time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from kis_site import documents
from participants import services
from participants.models import BasisKind, ContractOrigin, SocialContract
from tests.factories import (
    CaseNoteFactory,
    CohortFactory,
    EnrolmentFactory,
    FamilyMemberFactory,
    ParticipantFactory,
    pdf_bytes,
)


def file_panel(client, participant_id, key):
    """A panel of the participant's file as the page loads it: by htmx, when it comes into view."""
    url = reverse("participants:panel", args=[participant_id, key])
    return client.get(url, headers={"HX-Request": "true"})


def make_contract(participant, *, by=None, origin=ContractOrigin.RECORDED, **fields):
    today = timezone.localdate()
    contract = SocialContract(
        participant=participant,
        basis_kind=BasisKind.SOCIAL_CONTRACT,
        origin=origin,
        number=fields.pop("number", "KS/12/2026"),
        concluded_on=today - timedelta(days=5),
        valid_from=today - timedelta(days=5),
        valid_until=today + timedelta(days=120),
        ops_worker="Beata Sowa",
        goals=fields.pop("goals", "Podjęcie zatrudnienia."),
        **fields,
    )
    return services.contract_create(contract=contract, by=by)


def paper(document, slot, by, name="Jan Kowalski"):
    return documents.document_record_paper_signature(
        document=document, slot_key=slot, signer_name=name, signed_on=timezone.localdate(), by=by
    )


def new_application_data(**overrides):
    today = timezone.localdate().isoformat()
    data = {
        "person-first_name": "Grażyna",
        "person-last_name": "Łęcka",
        "person-pesel": "02211307589",
        "person-birth_date": "",
        "person-sex": "",
        "person-id_document_type": "",
        "person-id_document_number": "",
        "person-phone": "600 100 200",
        "person-city": "Radom",
        "app-received_on": today,
        "app-source": "self",
        "app-reason": "Długotrwale bezrobotna, chce wrócić do pracy.",
        "app-eligible_groups": ["long_term_unemployed"],
    }
    data.update(overrides)
    return data


@pytest.fixture
def victim(case_manager):
    """Records of one participant, and a second person whose data must never leak."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from diagnosis import services as diagnosis_services
    from diagnosis.models import ToolUse
    from kis_site import documents
    from kis_site.demo import seed_club_documents
    from participants import services
    from participants.models import EnrolmentStatus, ExitOutcome

    enrolment = EnrolmentFactory(
        participant__first_name="Wiktoria",
        participant__last_name="Ofiarna",
        participant__case_manager=case_manager.staff,
    )
    participant = enrolment.participant
    diagnosis = diagnosis_services.report_start(
        enrolment=enrolment, kind="initial", started_on=enrolment.starts_on, by=case_manager
    )
    tool = diagnosis_services.tool_add(
        tool=ToolUse(
            report=diagnosis,
            tool="questionnaire",
            used_on=enrolment.starts_on,
            used_by=case_manager.staff,
        ),
        by=case_manager,
    )
    services.enrolment_change_status(
        enrolment=enrolment,
        to_status=EnrolmentStatus.COMPLETED,
        changed_on=enrolment.starts_on,
        reason="Koniec.",
        by=None,
        expected_version=enrolment.version,
        exit_outcome=ExitOutcome.EMPLOYMENT,
    )
    contract = make_contract(participant, by=case_manager.staff.user)
    evaluation = services.contract_plan_evaluation(
        contract=contract, planned_on=contract.valid_from, by=case_manager
    )
    paper(contract, "participant", case_manager)
    contract = paper(contract, "ops_worker", case_manager, "Beata Sowa")
    documents.document_upload_scan(
        document=contract,
        number=1,
        upload=SimpleUploadedFile("s.pdf", pdf_bytes()),
        by=case_manager,
    )
    certificate = services.certificate_issue(
        enrolment=enrolment, issued_on=enrolment.ended_on, by=case_manager
    )
    seed_club_documents(enrolment.starts_on, case_manager)
    from kis_site.models import ClubDocument

    ParticipantFactory(first_name="Bartłomiej", last_name="Postronny", pesel="02211307589")
    from partners.models import Meeting, MeetingTask
    from tests.factories import AgreementFactory, ReferralFactory

    referral = ReferralFactory(participant=participant)
    agreement = AgreementFactory(institution=referral.institution)
    meeting = Meeting.objects.create(held_on=enrolment.starts_on, place="Sala KIS")
    task = MeetingTask.objects.create(meeting=meeting, description="Ustalić dyżury.")
    from activities.models import ProgrammeTemplate, Session
    from activities.services import programme_copy

    cohort = CohortFactory()
    programme = programme_copy(template=ProgrammeTemplate.objects.get(), cohort=cohort)
    module = programme.modules.first()
    session = Session.objects.create(
        module=module,
        date=cohort.starts_on,
        starts_at=time(9),
        ends_at=time(13),
        leader_name="Trener z zewnątrz",
    )
    from activities.models import AbsenceCase, Attendance, RosterEntry

    RosterEntry.objects.create(session=session, participant=participant)
    absence = Attendance.objects.create(session=session, participant=participant, mark="absent")
    absence_case = AbsenceCase.objects.create(
        participant=participant, enrolment=enrolment, reason="breach", attendance=absence
    )
    from activities.models import Placement

    session.list_scan = documents.stored_file(
        name="lista.pdf", content=pdf_bytes(), content_type="application/pdf"
    )
    session.save()
    placement = Placement.objects.create(
        participant=participant,
        kind="psu",
        employer="ZUK",
        starts_on=enrolment.starts_on,
        hours_per_week=10,
    )
    from ipd import services as ipd_services
    from ipd.models import Goal, PlanAction

    plan = ipd_services.plan_start(
        enrolment=enrolment,
        diagnosis=None,
        no_diagnosis_reason="Wpisany z papieru.",
        drawn_up_on=enrolment.starts_on - timedelta(days=1),
        review_on=enrolment.starts_on,
        by=case_manager,
    )
    goal = ipd_services.goal_save(
        goal=Goal(
            plan=plan,
            sphere="vocational",
            description="Praca",
            indicator="Umowa",
            target_on=enrolment.starts_on,
        ),
        expected_version=None,
        by=case_manager,
    )
    plan_action, _added = ipd_services.action_save(
        action=PlanAction(goal=goal, title="Targi pracy", kind="own_task"),
        expected_version=None,
        by=case_manager,
    )
    plan = paper(plan, "participant", case_manager)
    plan = paper(plan, "case_manager", case_manager)
    assert plan.is_locked
    from reports.models import ChangeReport, ChangeSphere
    from reports.months import first_day, last_day

    change_report = ChangeReport.objects.create(
        participant=participant,
        enrolment=enrolment,
        period_start=first_day(enrolment.starts_on),
        period_end=last_day(enrolment.starts_on),
    )
    for sphere in ("socio_living", "health", "social", "psychological", "vocational"):
        ChangeSphere.objects.create(report=change_report, sphere=sphere)
    documents.document_created(document=change_report, by=case_manager)
    from reports.models import LetterKind, ReferrerLetter

    letter = ReferrerLetter.objects.create(
        participant=participant,
        enrolment=enrolment,
        kind=LetterKind.EXIT,
        institution_id=referral.institution_id,
        period_start=enrolment.starts_on,
        period_end=enrolment.ended_on,
    )
    documents.document_created(document=letter, by=case_manager)
    return {
        "letter": letter.pk,
        "change_report": change_report.pk,
        "plan": plan.pk,
        "goal": goal.pk,
        "plan_action": plan_action.pk,
        "placement": placement.pk,
        "absence": absence.pk,
        "absence_case": absence_case.pk,
        "programme": programme.pk,
        "module": module.pk,
        "session": session.pk,
        "diagnosis": diagnosis.pk,
        "tool": tool.pk,
        "referral": referral.pk,
        "institution": referral.institution_id,
        "agreement": agreement.pk,
        "meeting": meeting.pk,
        "task": task.pk,
        "participant": participant.pk,
        "family": FamilyMemberFactory(participant=participant).pk,
        "note": CaseNoteFactory(participant=participant, author=case_manager.staff).pk,
        "application": enrolment.application_id,
        "enrolment": enrolment.pk,
        "follow_up": enrolment.follow_ups.first().pk,
        "cohort": cohort.pk,
        "contract": contract.pk,
        "evaluation": evaluation.pk,
        "certificate": certificate.pk,
        "club_document": ClubDocument.objects.first().pk,
    }


def pdf_text(content: bytes, *, layout: bool = True) -> str:
    """A PDF's text as pdftotext lays it out (``layout=False``: in reading order, raw)."""
    mode = "-layout" if layout else "-raw"
    result = subprocess.run(
        ["pdftotext", mode, "-", "-"], input=content, capture_output=True, check=True
    )
    return result.stdout.decode()


def pdf_words(content: bytes, *, layout: bool = False) -> str:
    """A PDF's words one space apart (any whitespace, non-breaking too): for phrases that a line
    break or the layout may split."""
    return " ".join(pdf_text(content, layout=layout).split())


def frozen_on(day):
    """An autouse fixture that stops the clock on ``day`` for every test of the module that
    assigns it (``_frozen = frozen_on(TODAY)``)."""

    @pytest.fixture(autouse=True)
    def _frozen():
        with time_machine.travel(day, tick=False):
            yield

    return _frozen

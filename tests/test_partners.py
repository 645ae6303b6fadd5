"""The local reintegration network: institutions, agreements, services, meetings, referrals."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kis_site import documents
from participants import services as participant_services
from participants.models import DataCategory, LegalBasis, OutgoingReferral, ReferralStatus
from partners import services
from partners.models import Agreement, Institution, Meeting, MeetingTask, Service, ServiceSphere
from tests.factories import (
    AgreementFactory,
    ContactPersonFactory,
    InstitutionFactory,
    ParticipantFactory,
    ReferralFactory,
)
from tests.records import pdf_text

pytestmark = pytest.mark.django_db


def institution_post(**overrides):
    data = {
        "name": "Powiatowy Urząd Pracy w Radomiu",
        "kind": "pup",
        "nip": "",
        "regon": "",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


# --- The directory ----------------------------------------------------------------------------


def test_the_same_nip_warns_and_asks_for_confirmation(client_for, manager):
    InstitutionFactory(name="MOPS Radom — Dział Świadczeń", nip="1234563218")
    client = client_for(manager)
    url = reverse("admin:partners_institution_add")
    response = client.post(
        url,
        institution_post(
            name="MOPS Radom — Dział Pracy Socjalnej", kind="ops", nip="123-456-32-18"
        ),
    )
    assert response.status_code == 200
    assert "MOPS Radom — Dział Świadczeń" in response.content.decode()
    response = client.post(
        url,
        institution_post(
            name="MOPS Radom — Dział Pracy Socjalnej",
            kind="ops",
            nip="123-456-32-18",
            confirm_warnings="on",
        ),
    )
    assert response.status_code == 302
    assert Institution.objects.filter(nip="1234563218").count() == 2


def test_a_similar_name_warns(client_for, manager):
    InstitutionFactory(name="Stowarzyszenie Bezrobotnych Nadzieja")
    response = client_for(manager).post(
        reverse("admin:partners_institution_add"),
        institution_post(name="Stowarzyszenie Bezrobotnych „Nadzieja”", kind="ngo"),
    )
    assert response.status_code == 200
    assert "Stowarzyszenie Bezrobotnych Nadzieja" in response.content.decode()


def test_an_institution_with_history_is_archived_not_deleted(client_for, manager):
    institution = ReferralFactory().institution
    client = client_for(manager)
    response = client.post(
        reverse("admin:partners_institution_delete", args=[institution.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert Institution.objects.filter(pk=institution.pk).exists()
    follow = client.get(response["Location"])
    assert "Zarchiwizuj" in follow.content.decode()
    client.post(reverse("partners:archive", args=[institution.pk]), {"archived": "1"})
    institution.refresh_from_db()
    assert institution.is_archived
    # A new institution without history may go.
    fresh = InstitutionFactory()
    client.post(reverse("admin:partners_institution_delete", args=[fresh.pk]), {"post": "yes"})
    assert not Institution.objects.filter(pk=fresh.pk).exists()


def test_nothing_new_for_an_archived_institution(manager, participant):
    institution = InstitutionFactory(is_archived=True)
    with pytest.raises(ValidationError) as error:
        participant_services.referral_create(
            referral=OutgoingReferral(
                participant=participant,
                institution=institution,
                purpose="Terapia.",
                data_passed=["identity"],
                legal_basis=LegalBasis.STATUTORY,
                statutory_basis="art. 12 ust. 1 ustawy o zatrudnieniu socjalnym",
            ),
            by=manager,
        )
    assert "zarchiwizowana" in error.value.message_dict["institution"][0]
    with pytest.raises(ValidationError):
        services.agreement_create(
            agreement=Agreement(
                institution=institution,
                concluded_on=timezone.localdate(),
                valid_from=timezone.localdate(),
                scope="Współpraca.",
            ),
            by=manager,
        )


# --- Agreements -----------------------------------------------------------------------------------


def test_an_agreement_cannot_end_before_it_starts(client_for, manager):
    institution = InstitutionFactory()
    today = timezone.localdate()
    response = client_for(manager).post(
        reverse("partners:agreement-add"),
        {
            "institution": institution.pk,
            "concluded_on": today.isoformat(),
            "valid_from": today.isoformat(),
            "valid_until": (today - timedelta(days=1)).isoformat(),
            "scope": "Staże.",
        },
    )
    assert response.status_code == 200
    assert "Porozumienie nie może kończyć się przed rozpoczęciem." in response.content.decode()
    assert not Agreement.objects.exists()


def test_agreement_is_signed_by_both_sides_and_ending_ones_are_due(client_for, manager):
    agreement = AgreementFactory(valid_until=timezone.localdate() + timedelta(days=40))
    documents.document_sign(document=agreement, slot_key="kis", user=manager)
    agreement = documents.document_record_paper_signature(
        document=agreement,
        slot_key="institution",
        signer_name="Halina Borek",
        signed_on=timezone.localdate(),
        by=manager,
    )
    assert agreement.is_locked
    text = pdf_text(documents.document_pdf(document=agreement).content)
    assert "POROZUMIENIE O WSPÓŁPRACY" in text
    assert "Halina Borek" in text
    home = client_for(manager).get(reverse("home"))
    tiles = {tile["title"]: tile["count"] for tile in home.context["tiles"]}
    assert tiles["Porozumienia kończące się w ciągu 60 dni"] == 1


def test_only_those_who_run_the_network_change_agreements(client_for, psychologist):
    agreement = AgreementFactory()
    client = client_for(psychologist)
    assert client.get(reverse("partners:agreement", args=[agreement.pk])).status_code == 200
    assert client.get(reverse("partners:agreement-edit", args=[agreement.pk])).status_code == 403
    response = client.post(reverse("documents:sign", args=["agreement", agreement.pk, "kis"]))
    assert response.status_code == 403


# --- Services -------------------------------------------------------------------------------------


def test_services_are_tagged_with_life_spheres_and_listed_by_sphere(client_for, manager):
    institution = InstitutionFactory(name="Ośrodek Terapii Uzależnień")
    client = client_for(manager)
    response = client.post(
        reverse("admin:partners_service_add"),
        {
            "institution": institution.pk,
            "name": "Grupa wsparcia AA",
            "is_active": "on",
            "spheres": ["health", "psychological"],
        },
    )
    assert response.status_code == 302
    service = Service.objects.get()
    assert set(ServiceSphere.objects.values_list("sphere", flat=True)) == {
        "health",
        "psychological",
    }
    page = client.get(reverse("partners:services"), {"sphere": "psychological"})
    assert list(page.context["page"]) == [service]
    page = client.get(reverse("partners:services"), {"sphere": "vocational"})
    assert list(page.context["page"]) == []


# --- Meetings -------------------------------------------------------------------------------------


def test_a_meeting_with_its_decisions_prints_minutes(client_for, manager):
    contact = ContactPersonFactory(first_name="Grzegorz", last_name="Lis")
    client = client_for(manager)
    today = timezone.localdate()
    response = client.post(
        reverse("partners:meeting-add"),
        {
            "held_on": today.isoformat(),
            "place": "Sala KIS",
            "institutions": [contact.institution_id],
            "contacts_present": [contact.pk],
            "staff_present": [manager.staff.pk],
            "agenda": "1. Staże w 2027 r.",
            "minutes": "Ustalono harmonogram.",
            "next_meeting_on": (today - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "Następne spotkanie musi odbyć się po tym spotkaniu." in response.content.decode() or (
        "next_meeting_on" in response.context["form"].errors
    )
    response = client.post(
        reverse("partners:meeting-add"),
        {
            "held_on": today.isoformat(),
            "place": "Sala KIS",
            "institutions": [contact.institution_id],
            "contacts_present": [contact.pk],
            "staff_present": [manager.staff.pk],
            "agenda": "1. Staże w 2027 r.",
            "minutes": "Ustalono harmonogram.",
            "next_meeting_on": (today + timedelta(days=60)).isoformat(),
        },
    )
    meeting = Meeting.objects.get()
    response = client.post(
        reverse("partners:task-add", args=[meeting.pk]),
        {
            "task-description": "Przygotować listę miejsc staży.",
            "task-owner_contact": contact.pk,
            "task-due_on": (today + timedelta(days=14)).isoformat(),
            "task-status": "open",
        },
    )
    assert response.status_code == 302
    task = MeetingTask.objects.get()
    assert task.owner == contact
    text = pdf_text(client.get(reverse("partners:minutes", args=[meeting.pk])).content)
    assert "PROTOKÓŁ" in text
    assert "Przygotować listę miejsc staży." in text
    assert "Grzegorz Lis" in text
    institution_page = client.get(reverse("partners:detail", args=[contact.institution_id]))
    assert "Przygotować listę miejsc staży." in institution_page.content.decode()


def test_a_task_has_one_owner(client_for, manager):
    meeting = Meeting.objects.create(held_on=timezone.localdate(), place="KIS")
    contact = ContactPersonFactory()
    response = client_for(manager).post(
        reverse("partners:task-add", args=[meeting.pk]),
        {
            "task-description": "X",
            "task-owner_contact": contact.pk,
            "task-owner_staff": manager.staff.pk,
            "task-status": "open",
        },
    )
    assert response.status_code == 200
    assert not MeetingTask.objects.exists()


# --- Referrals ------------------------------------------------------------------------------------


def referral(participant, **fields):
    values = {
        "participant": participant,
        "institution": fields.pop("institution", None) or InstitutionFactory(),
        "purpose": "Konsultacja psychologiczna.",
        "data_passed": [DataCategory.IDENTITY],
        "legal_basis": LegalBasis.CONSENT,
        "consent_on": timezone.localdate(),
        "consent_categories": [DataCategory.IDENTITY],
    }
    values.update(fields)
    return OutgoingReferral(**values)


def test_a_referral_needs_a_recorded_legal_basis(manager, participant):
    with pytest.raises(ValidationError) as error:
        participant_services.referral_create(
            referral=referral(participant, legal_basis="", consent_on=None), by=manager
        )
    assert "legal_basis" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        participant_services.referral_create(
            referral=referral(participant, legal_basis=LegalBasis.STATUTORY, statutory_basis=""),
            by=manager,
        )
    assert "statutory_basis" in error.value.message_dict


def test_consent_must_cover_every_piece_of_data_passed_on(manager, participant):
    with pytest.raises(ValidationError) as error:
        participant_services.referral_create(
            referral=referral(
                participant,
                data_passed=[DataCategory.IDENTITY, DataCategory.PESEL, DataCategory.HEALTH],
                consent_categories=[DataCategory.IDENTITY, DataCategory.PESEL],
            ),
            by=manager,
        )
    assert "informacje o zdrowiu" in error.value.message_dict["data_passed"][0].lower() or (
        "zdrow" in error.value.message_dict["data_passed"][0]
    )
    with pytest.raises(ValidationError) as error:
        participant_services.referral_create(
            referral=referral(participant, consent_on=timezone.localdate() + timedelta(days=1)),
            by=manager,
        )
    assert "consent_on" in error.value.message_dict


def test_the_letter_carries_only_the_data_the_basis_covers(manager, participant):
    with_name_only = participant_services.referral_create(
        referral=referral(participant), by=manager
    )
    text = pdf_text(documents.document_pdf(document=with_name_only).content)
    assert "SKIEROWANIE" in text
    assert participant.full_name in text
    assert "44051401359" not in text
    assert "alkohol" not in text.lower()
    fuller = participant_services.referral_create(
        referral=referral(
            participant,
            data_passed=[DataCategory.IDENTITY, DataCategory.PESEL, DataCategory.RISK_GROUPS],
            consent_categories=[
                DataCategory.IDENTITY,
                DataCategory.PESEL,
                DataCategory.RISK_GROUPS,
            ],
        ),
        by=manager,
    )
    text = pdf_text(documents.document_pdf(document=fuller).content)
    assert "44051401359" in text
    assert "alkohol" in text.lower()


def advance(item, to_status, user, note="", on=None):
    return participant_services.referral_change_status(
        referral=item,
        to_status=to_status,
        on=on or timezone.localdate(),
        note=note,
        expected_version=item.version,
    )


def test_status_flow_from_prepared_to_completed(manager, participant):
    item = participant_services.referral_create(referral=referral(participant), by=manager)
    with pytest.raises(ValidationError) as error:
        advance(item, ReferralStatus.SENT, manager)
    assert "Podpisz" in error.value.message_dict["to_status"][0]
    item = documents.document_sign(document=item, slot_key="referring", user=manager)
    item = advance(item, ReferralStatus.SENT, manager)
    with pytest.raises(ValidationError):
        advance(item, ReferralStatus.COMPLETED, manager, note="?")
    with pytest.raises(ValidationError) as error:
        advance(item, ReferralStatus.ACCEPTED, manager)
    assert "note" in error.value.message_dict
    item = advance(item, ReferralStatus.ACCEPTED, manager, note="Przyjęto od 1 grudnia.")
    item = advance(item, ReferralStatus.COMPLETED, manager, note="Ukończył terapię.")
    assert (item.status, item.answer, item.outcome) == (
        "completed",
        "Przyjęto od 1 grudnia.",
        "Ukończył terapię.",
    )
    with pytest.raises(ValidationError):
        advance(item, ReferralStatus.CANCELLED, manager)


def test_a_letter_with_health_data_opens_only_for_who_may_see_it(personas, client_for, participant):
    item = participant_services.referral_create(
        referral=referral(
            participant,
            data_passed=[DataCategory.IDENTITY, DataCategory.HEALTH],
            consent_categories=[DataCategory.IDENTITY, DataCategory.HEALTH],
            information="Leczenie odwykowe zakończone w 2025 r.",
        ),
        by=personas["manager"],
    )
    url = reverse("documents:pdf", args=["referral", item.pk])
    allowed = {"manager", "case_manager", "psychologist", "therapist"}
    for name in [
        "manager",
        "case_manager",
        "psychologist",
        "therapist",
        "social_worker",
        "career_advisor",
        "other_case_manager",
    ]:
        status = client_for(personas[name]).get(url).status_code
        assert status == (200 if name in allowed else 403), name
    # The institution's page does not list it for those who may not open it.
    page = client_for(personas["career_advisor"]).get(
        reverse("partners:detail", args=[item.institution_id])
    )
    assert participant.full_name not in page.content.decode()


def test_the_institution_page_lists_its_referrals_in_a_fixed_number_of_queries(
    client_for, manager, career_advisor
):
    institution = InstitutionFactory(name="Centrum Integracji Społecznej", kind="cis")
    ReferralFactory(institution=institution, participant=ParticipantFactory(last_name="Pierwszy"))
    url = reverse("partners:detail", args=[institution.pk])

    def queries(user):
        client = client_for(user)
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url)
        return len(captured), page.content.decode()

    few = {user: queries(user)[0] for user in (manager, career_advisor)}
    for _number in range(5):
        ReferralFactory(institution=institution, participant=ParticipantFactory())
    ReferralFactory(
        institution=institution,
        participant=ParticipantFactory(last_name="Zdrowotny"),
        data_passed=[DataCategory.IDENTITY, DataCategory.HEALTH],
        consent_categories=[DataCategory.IDENTITY, DataCategory.HEALTH],
    )
    for user in (manager, career_advisor):
        count, html = queries(user)
        assert count == few[user]
        assert "Pierwszy" in html
        # Listed only for those who may open the letter (it passes on health data).
        assert ("Zdrowotny" in html) == (user == manager)


def test_referrals_waiting_more_than_two_weeks_are_due(client_for, case_manager, participant):
    item = participant_services.referral_create(referral=referral(participant), by=case_manager)
    item = documents.document_sign(document=item, slot_key="referring", user=case_manager)
    advance(item, ReferralStatus.SENT, case_manager)
    client = client_for(case_manager)
    assert list(client.get(reverse("participants:referrals-waiting")).context["referrals"]) == []
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        page = client_for(case_manager).get(reverse("participants:referrals-waiting"))
        assert [r.pk for r in page.context["referrals"]] == [item.pk]


def test_network_overview_counts_referrals_per_institution(client_for, manager, participant):
    institution = InstitutionFactory(name="Centrum Integracji Społecznej", kind="cis")
    for _ in range(2):
        item = participant_services.referral_create(
            referral=referral(participant, institution=institution), by=manager
        )
    item = documents.document_sign(document=item, slot_key="referring", user=manager)
    item = advance(item, ReferralStatus.SENT, manager)
    advance(item, ReferralStatus.ACCEPTED, manager, note="Przyjęty.")
    page = client_for(manager).get(reverse("partners:network"))
    row = next(row for row in page.context["table"] if row["pk"] == institution.pk)
    assert row["values"] == [2, 1, 0, 0]
    assert any(t["count"] == 1 for t in page.context["types"])


def test_referral_page_records_the_answer(client_for, case_manager, participant):
    item = participant_services.referral_create(referral=referral(participant), by=case_manager)
    item = documents.document_sign(document=item, slot_key="referring", user=case_manager)
    item = advance(item, ReferralStatus.SENT, case_manager)
    client = client_for(case_manager)
    url = reverse("participants:referral", args=[item.pk])
    response = client.post(
        url,
        {
            "to_status": "accepted",
            "on": timezone.localdate().isoformat(),
            "note": "",
            "expected_version": item.version,
        },
    )
    assert response.status_code == 200
    assert "Wpisz odpowiedź instytucji." in response.content.decode()
    response = client.post(
        url,
        {
            "to_status": "accepted",
            "on": timezone.localdate().isoformat(),
            "note": "Przyjęto.",
            "expected_version": item.version,
        },
    )
    assert response.status_code == 302
    assert OutgoingReferral.objects.get(pk=item.pk).status == "accepted"

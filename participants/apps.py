from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = _("Participants")

    def ready(self):
        from kis_site.access import register_participant_data, register_policy
        from kis_site.audit import register_audited
        from kis_site.vocabulary import Section
        from participants import contributions
        from participants.access import ParticipantPolicy
        from participants.models import (
            Application,
            CaseNote,
            Certificate,
            Cohort,
            ContractEvaluation,
            Enrolment,
            EnrolmentStatusChange,
            FamilyMember,
            FollowUp,
            OutgoingReferral,
            Participant,
            ParticipantRiskGroup,
            ProcessingRestriction,
            SocialContract,
        )

        register_policy(ParticipantPolicy())

        risk = Section.RISK_GROUPS
        register_participant_data(
            Participant,
            path="",
            sections={"primary_risk_group": risk, "risk_group_other": risk},
            masked=("pesel", "id_document_number"),
            audit_exclude=("search_text", "sort_name", "current_enrolment", "current_status"),
        )
        register_participant_data(
            ParticipantRiskGroup, path="participant", sections={"group": risk}
        )
        register_participant_data(FamilyMember, path="participant")
        register_participant_data(
            Application,
            path="participant",
            sections={
                "eligible_groups": risk,
                "receives_incapacity_pension": Section.HEALTH,
            },
            masked=("reason",),  # may tell a risk group (a referral after prison, therapy)
        )
        register_participant_data(Enrolment, path="participant")
        register_participant_data(EnrolmentStatusChange, path="enrolment__participant")
        register_participant_data(FollowUp, path="enrolment__participant")
        register_participant_data(CaseNote, path="participant", section_field="section")
        register_participant_data(
            SocialContract,
            path="participant",
            sections=dict.fromkeys(
                ("situation", "goals", "person_obligations", "worker_obligations"), risk
            ),
        )
        register_participant_data(
            ContractEvaluation, path="contract__participant", sections={"result": risk}
        )
        register_participant_data(Certificate, path="enrolment__participant")
        register_participant_data(
            OutgoingReferral,
            path="participant",
            masked=("purpose", "information", "answer", "outcome", "data_passed"),
        )
        register_participant_data(ProcessingRestriction, path="participant")
        register_audited(Cohort)

        contributions.register()

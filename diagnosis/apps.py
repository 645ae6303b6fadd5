from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiagnosisConfig(AppConfig):
    """The diagnostic report: five spheres on the official form, tools, Holland RIASEC."""

    name = "diagnosis"
    verbose_name = _("Diagnosis")

    def ready(self):
        from diagnosis import contributions
        from diagnosis.models import (
            DiagnosticReport,
            HealthSphere,
            HollandResult,
            IncomeSource,
            Job,
            PsychologicalSphere,
            SocialSphere,
            SocioLivingSphere,
            ToolUse,
            VocationalSphere,
        )
        from kis_site.access import register_participant_data
        from kis_site.vocabulary import Role, Section

        # Who writes which part of the form (issue: "Who writes what"). The case manager and the
        # manager may edit everything; a specialist without a login delivers on paper and a staff
        # member with the right role enters it ("filled in on paper by").
        chief = {Role.CASE_MANAGER, Role.MANAGER}
        social_worker = {Role.SOCIAL_WORKER, *chief}
        psychologist = {Role.PSYCHOLOGIST, *chief}
        career_advisor = {Role.CAREER_ADVISOR, *chief}
        specialists = social_worker | psychologist | career_advisor
        bookkeeping = ("updated_at", "updated_by", "version")

        register_participant_data(
            DiagnosticReport, path="participant", writers=specialists, audit_exclude=("version",)
        )
        legal = Section.LEGAL
        register_participant_data(
            SocioLivingSphere,
            path="report__participant",
            sections={
                "criminal_record": legal,
                "probation_officer": legal,
                "debts": legal,
                "legal_notes": legal,
            },
            writers=social_worker,
            audit_exclude=bookkeeping,
        )
        register_participant_data(
            IncomeSource, path="sphere__report__participant", writers=social_worker
        )
        register_participant_data(
            HealthSphere,
            path="report__participant",
            section=Section.HEALTH,
            writers=psychologist,
            audit_exclude=bookkeeping,
        )
        register_participant_data(
            SocialSphere,
            path="report__participant",
            writers=social_worker,
            audit_exclude=bookkeeping,
        )
        register_participant_data(
            PsychologicalSphere,
            path="report__participant",
            section=Section.PSYCHOLOGICAL,
            writers=psychologist,
            audit_exclude=bookkeeping,
        )
        register_participant_data(
            VocationalSphere,
            path="report__participant",
            writers=career_advisor,
            audit_exclude=bookkeeping,
        )
        register_participant_data(Job, path="sphere__report__participant", writers=career_advisor)
        register_participant_data(ToolUse, path="report__participant", writers=specialists)
        register_participant_data(HollandResult, path="report__participant", writers=psychologist)

        contributions.register()

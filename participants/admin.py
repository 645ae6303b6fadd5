"""Case records in the admin: read-only, scoped and filtered by the access policy.

Edits go through the pages (their services, locking and access rules); the admin shows the
records to the manager for reference, never deletes them, and logs each record opened.
"""

from django.contrib import admin

from kis_site.access import AccessKind, log_access, participant_data_for, policy
from kis_site.admin import VersionedAdmin
from participants.models import (
    Application,
    CaseNote,
    Certificate,
    Cohort,
    Enrolment,
    FamilyMember,
    FollowUp,
    Participant,
    SocialContract,
)

HIDDEN = {"search_text", "sort_name", "version", "current_enrolment", "current_status"}


class CaseRecordAdmin(admin.ModelAdmin):
    """View-only admin of participant data, asking the policy for scope and sections."""

    list_per_page = 50

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        registration = participant_data_for(self.model)
        visible = policy().participants_visible_to(request.user)
        if not registration.path:
            return queryset.filter(pk__in=visible.values("pk"))
        return queryset.filter(**{f"{registration.path}__in": visible.values("pk")})

    def get_fields(self, request, obj=None):
        registration = participant_data_for(self.model)
        hidden = set(HIDDEN)
        if obj is not None:
            participant = registration.participant(obj)
            seen = policy().sections_for(request.user, participant)
            hidden |= set(registration.sections) - registration.fields_in(seen)
        else:
            hidden |= set(registration.sections)
        return [
            field.name
            for field in self.model._meta.fields
            if field.name not in hidden and not field.primary_key
        ]

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            return None
        registration = participant_data_for(self.model)
        participant = registration.participant(obj)
        section = registration.record_section(obj)
        if section and section not in policy().sections_for(request.user, participant):
            return None
        return obj

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = self.get_object(request, object_id)
        if obj is not None and response.status_code == 200:
            log_access(user=request.user, instance=obj, kind=AccessKind.VIEW, what="admin")
        return response


class FamilyInline(admin.TabularInline):
    model = FamilyMember
    extra = 0
    fields = [
        "first_name",
        "relation",
        "birth_year",
        "lives_in_household",
        "needs_childcare",
        "is_current",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Participant)
class ParticipantAdmin(CaseRecordAdmin):
    # No search box: a name or PESEL typed there would travel in the URL. The pages search.
    list_display = ["last_name", "first_name", "birth_date", "city", "case_manager", "created_at"]
    list_filter = ["case_manager", "education_level", "sex"]
    list_select_related = ["case_manager"]
    inlines = [FamilyInline]


@admin.register(Application)
class ApplicationAdmin(CaseRecordAdmin):
    list_display = ["participant", "received_on", "source", "institution", "decision", "decided_on"]
    list_filter = ["decision", "source"]
    list_select_related = ["participant", "institution"]
    date_hierarchy = "received_on"


@admin.register(Enrolment)
class EnrolmentAdmin(CaseRecordAdmin):
    list_display = [
        "participant",
        "cohort",
        "starts_on",
        "planned_end_on",
        "status",
        "exit_outcome",
    ]
    list_filter = ["status", "cohort", "exit_outcome", "funding_source"]
    list_select_related = ["participant", "cohort"]


@admin.register(FollowUp)
class FollowUpAdmin(CaseRecordAdmin):
    list_display = ["enrolment", "months", "due_on", "checked_on", "result"]
    list_filter = ["months", "result"]
    list_select_related = ["enrolment__participant"]


@admin.register(CaseNote)
class CaseNoteAdmin(CaseRecordAdmin):
    list_display = ["participant", "kind", "happened_on", "author"]
    list_filter = ["kind"]
    list_select_related = ["participant", "author"]

    def get_queryset(self, request):
        # Notes of a sensitive section are listed only where the user sees that section.
        queryset = super().get_queryset(request)
        from django.db.models import Q

        from kis_site.vocabulary import Section

        allowed = Q(section="")
        for section in Section:
            scope = policy().section_scope(request.user, section)
            if scope is not None:
                allowed |= Q(section=section) & _prefixed(scope, "participant")
        return queryset.filter(allowed)


def _prefixed(q, prefix):
    """Re-root a Q on Participant at ``prefix`` (e.g. case_manager_id -> participant__...)."""
    from django.db.models import Q

    if not q.children:
        return Q()
    clone = Q()
    clone.connector, clone.negated = q.connector, q.negated
    for child in q.children:
        if isinstance(child, Q):
            clone.children.append(_prefixed(child, prefix))
        else:
            key, value = child
            clone.children.append((f"{prefix}__{key}", value))
    return clone


@admin.register(Cohort)
class CohortAdmin(VersionedAdmin):
    list_display = [
        "name",
        "starts_on",
        "ends_on",
        "capacity",
        "lead_social_worker",
        "funding_source",
    ]
    list_filter = ["funding_source"]
    search_fields = ["name"]
    autocomplete_fields = ["lead_social_worker", "funding_source"]
    fields = [
        "name",
        "starts_on",
        "ends_on",
        "capacity",
        "lead_social_worker",
        "funding_source",
        "notes",
    ]


@admin.register(SocialContract)
class SocialContractAdmin(CaseRecordAdmin):
    list_display = ["participant", "basis_kind", "number", "valid_from", "valid_until", "state"]
    list_filter = ["basis_kind", "origin", "state"]
    list_select_related = ["participant"]


@admin.register(Certificate)
class CertificateAdmin(CaseRecordAdmin):
    list_display = ["number", "issued_on", "enrolment", "state"]
    list_filter = ["year", "state"]
    list_select_related = ["enrolment__participant"]

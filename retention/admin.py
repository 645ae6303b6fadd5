from django.contrib import admin

from retention.models import ProjectRetention, RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    """The retention period of each kind of record: the manager's (README, "Retencja")."""

    list_display = ("kind", "years", "archive_consent_required", "basis")


@admin.register(ProjectRetention)
class ProjectRetentionAdmin(admin.ModelAdmin):
    """Until when each funded project's documentation is kept (the grant agreement)."""

    list_display = ("funding_source", "retain_until", "basis")
    autocomplete_fields = ()

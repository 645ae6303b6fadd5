"""The manager keeps the programme templates here (each group gets its own copy on its pages) and
the dated rates of socially useful work (PSU)."""

from django.contrib import admin

from activities.models import ProgrammeTemplate, PsuRates, TemplateModule
from kis_site.admin import VersionedAdmin


class TemplateModuleInline(admin.TabularInline):
    model = TemplateModule
    extra = 1
    fields = ["order", "name", "category", "form", "hours", "basis"]


@admin.register(ProgrammeTemplate)
class ProgrammeTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "weeks", "is_default", "is_archived"]
    list_filter = ["is_archived"]
    inlines = [TemplateModuleInline]

    def has_delete_permission(self, request, obj=None):
        return False  # retire a template (archive it) instead: groups keep their copies


@admin.register(PsuRates)
class PsuRatesAdmin(VersionedAdmin):
    """The money of socially useful work: a change of the rates is a new row from its date, so
    the statements of earlier months keep the values in force then."""

    list_display = [
        "valid_from",
        "hourly_rate",
        "refund_percent",
        "monthly_hours_limit",
        "basis",
        "updated_at",
        "updated_by",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "valid_from",
                    "hourly_rate",
                    "refund_percent",
                    "monthly_hours_limit",
                    "basis",
                    "updated_at",
                    "updated_by",
                ]
            },
        ),
    ]
    readonly_fields = ["updated_at", "updated_by"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

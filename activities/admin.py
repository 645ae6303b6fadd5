"""The manager keeps the programme templates here; each group gets its own copy on its pages."""

from django.contrib import admin

from activities.models import ProgrammeTemplate, TemplateModule


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

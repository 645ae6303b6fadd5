"""The manager keeps the catalogue of actions here; plans are written on the pages (view-only)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ipd.models import ActionPlan, CatalogueEntry, PlanAction
from participants.admin import CaseRecordAdmin


@admin.register(CatalogueEntry)
class CatalogueEntryAdmin(admin.ModelAdmin):
    list_display = ["name", "sphere", "kind", "legal_matter", "is_active", "order"]
    list_filter = ["sphere", "kind", "is_active"]
    list_editable = ["is_active", "order"]
    search_fields = ["name", "description"]
    actions = ["retire"]

    def has_delete_permission(self, request, obj=None):
        """An entry some plan uses is retired, never deleted (the plan keeps its history)."""
        if obj is not None and PlanAction.objects.filter(catalogue_entry=obj).exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a bulk delete would not ask which are in use
        return actions

    @admin.action(description=_("Retire the selected actions (plans keep them)"))
    def retire(self, request, queryset):
        count = queryset.update(is_active=False)
        self.message_user(request, _("%(count)s catalogue actions retired.") % {"count": count})


@admin.register(ActionPlan)
class ActionPlanAdmin(CaseRecordAdmin):
    list_display = ["participant", "drawn_up_on", "review_on", "state", "revision", "locked_at"]
    list_filter = ["state"]
    list_select_related = ["participant"]
    date_hierarchy = "drawn_up_on"

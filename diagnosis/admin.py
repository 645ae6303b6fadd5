"""The manager's view-only list of diagnoses; they are written on the pages, never here."""

from django.contrib import admin

from diagnosis.models import DiagnosticReport
from participants.admin import CaseRecordAdmin


@admin.register(DiagnosticReport)
class DiagnosticReportAdmin(CaseRecordAdmin):
    list_display = ["participant", "kind", "started_on", "state", "revision", "locked_at"]
    list_filter = ["kind", "state"]
    list_select_related = ["participant"]
    date_hierarchy = "started_on"

"""The manager enters the grants received and their settlement for the yearly report."""

from django.contrib import admin

from kis_site.admin import VersionedAdmin
from reports.models import GrantSettlement


@admin.register(GrantSettlement)
class GrantSettlementAdmin(VersionedAdmin):
    list_display = ["year", "funding_source", "purpose", "granted", "received", "spent", "returned"]
    list_filter = ["year", "funding_source"]
    search_fields = ["purpose", "funding_source__name"]
    fields = [
        "year",
        "funding_source",
        "purpose",
        "granted",
        "received",
        "spent",
        "returned",
        "settled_on",
        "notes",
    ]

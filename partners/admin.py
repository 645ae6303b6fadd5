from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kis_site.admin import VersionedAdmin
from partners.models import ContactPerson, Institution


class ContactPersonInline(admin.TabularInline):
    model = ContactPerson
    extra = 0
    fields = ["first_name", "last_name", "position", "phone", "email", "is_active"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Institution)
class InstitutionAdmin(VersionedAdmin):
    list_display = ["name", "kind", "city", "nip", "phone", "email"]
    list_filter = ["kind", "city"]
    search_fields = ["name", "search_text", "city", "nip", "regon"]
    inlines = [ContactPersonInline]
    fieldsets = [
        (None, {"fields": ["name", "kind"]}),
        (_("Address"), {"fields": ["street", "postal_code", "city"]}),
        (_("Registration data and contact"), {"fields": ["nip", "regon", "phone", "email"]}),
    ]


@admin.register(ContactPerson)
class ContactPersonAdmin(VersionedAdmin):
    list_display = ["last_name", "first_name", "institution", "position", "phone", "is_active"]
    list_filter = ["is_active", "institution__kind"]
    search_fields = ["last_name", "first_name", "institution__name"]
    autocomplete_fields = ["institution"]
    list_select_related = ["institution"]
    fields = ["institution", "first_name", "last_name", "position", "phone", "email", "is_active"]

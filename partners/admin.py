"""The manager keeps the directory here: institutions, their contact persons, their services."""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import ProtectedError
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kis_site.admin import VersionedAdmin, VersionedAdminForm
from partners.forms import InstitutionForm, ServiceForm
from partners.models import Agreement, ContactPerson, Institution, Service
from partners.services import service_set_spheres


class ContactPersonInline(admin.TabularInline):
    model = ContactPerson
    extra = 0
    fields = ["first_name", "last_name", "position", "phone", "email", "is_active"]

    def has_delete_permission(self, request, obj=None):
        return False


class InstitutionAdminForm(VersionedAdminForm, InstitutionForm):
    pass


@admin.register(Institution)
class InstitutionAdmin(VersionedAdmin):
    form = InstitutionAdminForm
    list_display = ["name", "kind", "city", "nip", "phone", "main_contact", "is_archived"]
    list_filter = ["is_archived", "kind", "city"]
    search_fields = ["name", "search_text", "city", "nip", "regon"]
    list_select_related = ["main_contact"]
    inlines = [ContactPersonInline]
    actions = ["archive", "restore"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "is_archived"]}),
        (_("Address"), {"fields": ["street", "postal_code", "city"]}),
        (
            _("Registration data and contact"),
            {"fields": ["nip", "regon", "phone", "email", "website", "main_contact"]},
        ),
        (None, {"fields": ["notes", "confirm_warnings", "expected_version"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:  # the main contact is chosen among the contacts, once there are some
            fieldsets = [
                (
                    title,
                    {**options, "fields": [f for f in options["fields"] if f != "main_contact"]},
                )
                for title, options in fieldsets
            ]
        return fieldsets

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("partners.change_institution")

    def delete_view(self, request, object_id, extra_context=None):
        """An institution with history is never deleted: archiving is offered instead."""
        institution = self.get_object(request, object_id)
        if institution is not None and request.method == "POST":
            try:
                with transaction.atomic():
                    ContactPerson.objects.filter(institution=institution).delete()
                    institution.delete()
            except ProtectedError:
                messages.error(request, _history_message(institution))
                return redirect("admin:partners_institution_change", institution.pk)
            messages.success(request, gettext("The institution has been deleted."))
            return redirect("admin:partners_institution_changelist")
        return super().delete_view(request, object_id, extra_context)

    def get_deleted_objects(self, objs, request):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            # Show a short sentence, not the list of other people's records.
            protected = [_history_message(obj) for obj in objs]
        return to_delete, model_count, perms_needed, protected

    @admin.action(description=_("Archive the selected institutions"))
    def archive(self, request, queryset):
        count = queryset.update(is_archived=True)
        messages.success(request, gettext("Archived: %(count)s.") % {"count": count})

    @admin.action(description=_("Restore the selected institutions"))
    def restore(self, request, queryset):
        count = queryset.update(is_archived=False)
        messages.success(request, gettext("Restored: %(count)s.") % {"count": count})


def _history_message(institution):
    return gettext(
        "%(name)s has a history (contacts, agreements, referrals or meetings) and cannot be "
        "deleted. Archive it instead: it stays in the records but is no longer offered."
    ) % {"name": institution.name}


@admin.register(ContactPerson)
class ContactPersonAdmin(VersionedAdmin):
    list_display = ["last_name", "first_name", "institution", "position", "phone", "is_active"]
    list_filter = ["is_active", "institution__kind"]
    search_fields = ["last_name", "first_name", "institution__name"]
    autocomplete_fields = ["institution"]
    list_select_related = ["institution"]
    fields = ["institution", "first_name", "last_name", "position", "phone", "email", "is_active"]


class ServiceAdminForm(VersionedAdminForm, ServiceForm):
    pass


@admin.register(Service)
class ServiceAdmin(VersionedAdmin):
    form = ServiceAdminForm
    list_display = ["name", "institution", "spheres", "is_active"]
    list_filter = ["is_active", "sphere_rows__sphere", "institution__kind"]
    search_fields = ["name", "institution__name"]
    autocomplete_fields = ["institution", "contact"]
    list_select_related = ["institution"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "institution",
                    "name",
                    "spheres",
                    "description",
                    "how_to_refer",
                    "contact",
                    "is_active",
                    "expected_version",
                ]
            },
        )
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sphere_rows")

    @admin.display(description=_("life spheres"))
    def spheres(self, service):
        return ", ".join(service.spheres_display)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        service_set_spheres(service=form.instance, spheres=form.cleaned_data["spheres"])


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    """Agreements are signed documents: read-only here, worked on in the pages."""

    list_display = ["institution", "number", "valid_from", "valid_until", "state"]
    list_filter = ["state"]
    list_select_related = ["institution"]
    readonly_fields = [
        "institution",
        "number",
        "concluded_on",
        "valid_from",
        "valid_until",
        "scope",
        "institution_signatory",
        "state",
        "revision",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

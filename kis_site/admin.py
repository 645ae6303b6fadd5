"""The manager's panel: settings, staff, accounts and roles, funding sources."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kis_site.models import ClubDocument, FundingSource, KisSettings, RoleGroup, StaffMember
from kis_site.vocabulary import Cosigner, Role

admin.site.site_header = _("KIS — administration panel")
admin.site.site_title = _("KIS administration")
admin.site.index_title = _("Club settings, staff and reference data")

CONFLICT = _(
    "Someone else saved this record after you opened it. Copy your changes, open the record "
    "again and repeat them."
)


class VersionedAdminForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            stored = (
                type(self.instance)
                ._default_manager.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if stored != data.get("expected_version"):
                raise forms.ValidationError(CONFLICT, code="conflict")
        return data


class VersionedAdmin(admin.ModelAdmin):
    """Optimistic locking in the admin: a stale form is refused, never silently saved."""

    form = VersionedAdminForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        names = [name for _title, options in fieldsets for name in options["fields"]]
        if "expected_version" not in names:
            fieldsets = [*fieldsets, (None, {"fields": ["expected_version"]})]
        return fieldsets

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            if change:
                model = type(obj)
                current = model._default_manager.select_for_update().get(pk=obj.pk)
                if current.version != form.cleaned_data.get("expected_version"):
                    messages.error(request, CONFLICT)
                    return
                obj.version = current.version + 1
            obj.save()

    def has_delete_permission(self, request, obj=None):
        return False


SETTINGS_FIELDSETS = [
    (_("The club"), {"fields": ["name", "operating_entity", "register_number", "programme_name"]}),
    (_("Letterhead"), {"fields": ["street", "postal_code", "city", "phone", "email", "logo"]}),
    (
        _("Rules of the regulations"),
        {
            "fields": [
                "justified_absence_limit",
                "unjustified_absence_is_breach",
                "participation_months",
                "change_report_interval_months",
                "change_report_overdue_months",
                "referrer_letter_months",
                "change_report_cosigners",
            ]
        },
    ),
]


class KisSettingsForm(VersionedAdminForm):
    class Meta:
        model = KisSettings
        fields = [name for _title, options in SETTINGS_FIELDSETS for name in options["fields"]]

    change_report_cosigners = forms.MultipleChoiceField(
        label=_("The change report is also signed by"),
        choices=Cosigner.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The case manager always signs. A change applies to the reports opened after it."
        ),
    )


@admin.register(KisSettings)
class KisSettingsAdmin(VersionedAdmin):
    form = KisSettingsForm
    fieldsets = SETTINGS_FIELDSETS

    def has_add_permission(self, request):
        return not KisSettings.objects.exists()


@admin.register(StaffMember)
class StaffMemberAdmin(VersionedAdmin):
    list_display = [
        "last_name",
        "first_name",
        "position",
        "employment_basis",
        "fte",
        "hours_per_month",
        "employed_from",
        "employed_to",
        "user",
    ]
    list_filter = ["employment_basis", "user__groups"]
    search_fields = ["last_name", "first_name", "position", "organisation", "user__username"]
    autocomplete_fields = ["user"]
    list_select_related = ["user"]
    fieldsets = [
        (None, {"fields": ["first_name", "last_name", "position", "organisation", "user"]}),
        (
            _("Employment (for the report to the voivode)"),
            {
                "fields": [
                    "employment_basis",
                    "fte",
                    "hours_per_month",
                    "employed_from",
                    "employed_to",
                ]
            },
        ),
        (_("Contact"), {"fields": ["phone", "email", "notes"]}),
    ]


@admin.register(FundingSource)
class FundingSourceAdmin(VersionedAdmin):
    list_display = ["name", "kind", "reference", "starts_on", "ends_on", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "reference"]
    fieldsets = [
        (
            None,
            {"fields": ["name", "kind", "reference", "starts_on", "ends_on", "is_active", "notes"]},
        ),
    ]

    def has_delete_permission(self, request, obj=None):
        # A source that paid for participations stays; an unused one may go.
        if obj is not None and (obj.enrolments.exists() or obj.cohorts.exists()):
            return False
        return super(VersionedAdmin, self).has_delete_permission(request, obj)


class StaffInline(admin.StackedInline):
    model = StaffMember
    extra = 0
    max_num = 1
    can_delete = False
    fields = [
        "first_name",
        "last_name",
        "position",
        "employment_basis",
        "fte",
        "hours_per_month",
        "employed_from",
        "employed_to",
    ]


User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Accounts and their roles. Only a superuser may grant superuser or single permissions."""

    inlines = [StaffInline]
    list_display = [
        "username",
        "first_name",
        "last_name",
        "email",
        "roles",
        "is_active",
        "last_login",
    ]
    list_filter = ["is_active", ("groups", admin.RelatedOnlyFieldListFilter), "is_staff"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups":
            field.label = gettext("Roles")
            field.help_text = gettext("The roles decide what the person may see and do.")
        return field

    @admin.display(description=_("roles"))
    def roles(self, user):
        return ", ".join(group.name for group in user.groups.all())

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        return [
            (None, {"fields": ["username", "password"]}),
            (_("Person"), {"fields": ["first_name", "last_name", "email"]}),
            (_("Roles and access"), {"fields": ["is_active", "is_staff", "groups"]}),
            (_("Dates"), {"fields": ["last_login", "date_joined"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["last_login", "date_joined"]
            if obj is not None and obj.is_superuser:
                readonly += ["username", "is_active", "is_staff", "groups"]
        return readonly

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deactivated, never deleted (the audit trail points at them)


@admin.register(RoleGroup)
class RoleAdmin(BaseGroupAdmin):
    list_display = ["name", "role_description"]

    @admin.display(description=_("role"))
    def role_description(self, group):
        role = Role.from_group_name(group.name)
        return role.label if role else gettext("(not a role of the application)")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and Role.from_group_name(obj.name):
            return ["name"]
        return []

    def has_delete_permission(self, request, obj=None):
        return False


CLUB_FILE_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
CLUB_FILE_MAX_BYTES = 20 * 1024 * 1024


class ClubDocumentForm(VersionedAdminForm):
    upload = forms.FileField(
        label=_("file"),
        required=False,
        help_text=_("PDF, DOCX, ODT, JPEG or PNG, at most 20 MB. A new version is a new entry."),
    )

    class Meta:
        model = ClubDocument
        fields = ["kind", "title", "version_label", "in_force_from", "in_force_until", "notes"]

    def clean_upload(self):
        from kis_site.uploads import sniff_upload

        upload = self.cleaned_data.get("upload")
        if self.instance.pk:
            return None  # the file of a version never changes
        if upload is None:
            raise forms.ValidationError(_("Choose the file."))
        if upload.size > CLUB_FILE_MAX_BYTES:
            raise forms.ValidationError(_("The file may be at most 20 MB."))
        kind = sniff_upload(upload)
        if kind not in CLUB_FILE_TYPES:
            raise forms.ValidationError(
                _(
                    "The file must be a PDF, DOCX, ODT, JPEG or PNG document (checked from its "
                    "content)."
                )
            )
        self.upload_kind = kind
        return upload


@admin.register(ClubDocument)
class ClubDocumentAdmin(VersionedAdmin):
    form = ClubDocumentForm
    list_display = ["title", "kind", "version_label", "in_force_from", "in_force_until"]
    list_filter = ["kind"]
    search_fields = ["title", "version_label"]

    def get_fieldsets(self, request, obj=None):
        fields = ["kind", "title", "version_label", "in_force_from", "in_force_until", "notes"]
        if obj is None:
            fields.append("upload")
        return [(None, {"fields": fields}), (None, {"fields": ["expected_version"]})]

    def get_readonly_fields(self, request, obj=None):
        return ["kind"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if not change:
            from kis_site.documents import stored_file

            upload = form.cleaned_data["upload"]
            upload.seek(0)
            obj.file = stored_file(
                name=upload.name,
                content=upload.read(),
                content_type=CLUB_FILE_TYPES[form.upload_kind],
                by=request.user,
            )
        super().save_model(request, obj, form, change)

"""The manager's panel: settings, staff, accounts and roles, funding sources."""

from auditlog import admin as auditlog_admin
from auditlog.models import LogEntry
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminFileWidget
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from kis_site.accounts import (
    password_set_error,
    role_change_error,
    roles_help_text,
    unlock_error,
)
from kis_site.audit import log_role_change
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
                "absence_warning_at_limit",
                "unjustified_absence_is_breach",
                "participation_months",
                "change_report_interval_months",
                "change_report_overdue_months",
                "referrer_letter_months",
                "change_report_cosigners",
                "diagnosis_due_days",
                "plan_due_days",
            ]
        },
    ),
    (_("Data protection"), {"fields": ["rodo_clause"]}),
]


class _LinkedFile:
    """A stored file as the file widget shows it, linked to ``url`` instead of MEDIA_URL."""

    def __init__(self, file, url):
        self.file, self.url = file, url

    def __str__(self):
        return str(self.file)


class ProtectedFileInput(AdminFileWidget):
    """The current file is linked to the view that checks access (kis_site.serving): the media
    folder is never served as it is, so MEDIA_URL leads nowhere."""

    def __init__(self, *args, url_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.url_name = url_name

    def format_value(self, value):
        value = super().format_value(value)
        return _LinkedFile(value, reverse(self.url_name)) if self.is_initial(value) else value


class KisSettingsForm(VersionedAdminForm):
    class Meta:
        model = KisSettings
        fields = [name for _title, options in SETTINGS_FIELDSETS for name in options["fields"]]
        widgets = {"logo": ProtectedFileInput(url_name="letterhead-logo")}

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


class RoleCheckedForm:
    """Mixed into the admin's user forms: a change of roles is checked against the rules of
    ``kis_site.accounts`` (refused with a message next to the field, never silently applied)."""

    actor = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "groups" in self.fields:
            self.fields["groups"].help_text = roles_help_text(
                actor=self.actor, target=self.instance if self.instance.pk else None
            )

    def clean_groups(self):
        groups = self.cleaned_data["groups"]
        before = set(self.instance.groups.all()) if self.instance.pk else set()
        after = set(groups)
        error = role_change_error(
            actor=self.actor,
            target=self.instance if self.instance.pk else None,
            granted=after - before,
            revoked=before - after,
        )
        if error:
            raise forms.ValidationError(error, code="role_change")
        return groups


ACCOUNT_FIELDSETS = [
    (None, {"fields": ["username", "password", "login_lock", "two_factor"]}),
    (_("Person"), {"fields": ["first_name", "last_name", "email"]}),
    (_("Roles and access"), {"fields": ["is_active", "is_staff", "groups"]}),
    (_("Dates"), {"fields": ["last_login", "date_joined"]}),
]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Accounts and their roles, with the separation of duties of ``kis_site.accounts``.

    Superuser status and single permissions have no field in any form (a posted value is
    ignored); the roles field refuses what the person may not grant or revoke, and every grant
    and revoke is audited.
    """

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
    add_fieldsets = [
        (None, {"fields": ["username", "usable_password", "password1", "password2"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Roles and access"), {"fields": ["groups"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    # The roles as plain checkboxes: a handful of them, readable and keyboard-friendly.
    filter_horizontal = ()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups":
            field.label = gettext("Roles")
        return field

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (RoleCheckedForm, form), {"actor": request.user})

    @admin.display(description=_("roles"))
    def roles(self, user):
        return ", ".join(group.name for group in user.groups.all())

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        return ACCOUNT_FIELDSETS

    def get_readonly_fields(self, request, obj=None):
        readonly = ["last_login", "date_joined", "login_lock", "two_factor"]
        if obj is not None and obj.pk == request.user.pk:
            readonly += ["is_active", "is_staff"]  # nobody locks themselves out or in
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            readonly += ["username", "is_active", "is_staff", "groups"]
        return readonly

    @admin.display(description=_("login"))
    def login_lock(self, user):
        from kis_site.lockout import login_lock_of

        lock = login_lock_of(user)
        if lock is None:
            return gettext("not locked")
        text = _lock_text(lock)
        return format_html(
            '{} <button type="submit" class="button" formaction="{}" formnovalidate>{}</button>',
            text,
            reverse("admin:auth_user_unlock", args=[user.pk]),
            gettext("Unlock"),
        )

    @admin.display(description=_("two-factor login"))
    def two_factor(self, user):
        from kis_site import two_factor

        if not two_factor.has_device(user):
            if two_factor.requires_two_factor(user):
                return gettext("off: required for the role, set up at the next login")
            return gettext("off")
        text = gettext("on (recovery codes left: %(left)s)") % {
            "left": two_factor.recovery_codes_left(user)
        }
        return format_html(
            '{} <button type="submit" class="button" formaction="{}" formnovalidate>{}</button>',
            text,
            reverse("admin:auth_user_two_factor_reset", args=[user.pk]),
            gettext("Reset (lost phone)"),
        )

    def save_related(self, request, form, formsets, change):
        user = form.instance
        before = set(Group.objects.filter(user=user)) if change else set()
        super().save_related(request, form, formsets, change)
        if "groups" not in form.cleaned_data:
            return
        after = set(form.cleaned_data["groups"])
        for group in sorted(after - before, key=lambda g: g.name):
            log_role_change(by=request.user, user=user, group=group, granted=True)
        for group in sorted(before - after, key=lambda g: g.name):
            log_role_change(by=request.user, user=user, group=group, granted=False)

    def user_change_password(self, request, id, form_url=""):
        target = self.get_object(request, unquote(id))
        if target is not None:
            error = password_set_error(actor=request.user, target=target)
            if error:
                messages.error(request, error)
                return redirect("admin:auth_user_change", target.pk)
        return super().user_change_password(request, id, form_url)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/unlock/",
                self.admin_site.admin_view(self.unlock_view),
                name="auth_user_unlock",
            ),
            path(
                "<path:object_id>/two-factor-reset/",
                self.admin_site.admin_view(self.two_factor_reset_view),
                name="auth_user_two_factor_reset",
            ),
            *super().get_urls(),
        ]

    def unlock_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        from kis_site.lockout import login_unlock

        target = self.get_object(request, unquote(object_id))
        if target is None:
            raise Http404
        if unlock_error(actor=request.user, target=target):
            raise PermissionDenied
        login_unlock(user=target, by=request.user)
        messages.success(
            request,
            gettext("The login of %(name)s is unlocked.")
            % {"name": target.get_full_name() or target.get_username()},
        )
        next_url = request.POST.get("next", "")
        if next_url and url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(next_url)
        return redirect("admin:auth_user_change", target.pk)

    def two_factor_reset_view(self, request, object_id):
        """A lost phone: the manager or the administrator forgets the person's app and recovery
        codes (audited); they set up a new app at their next login."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        from kis_site import two_factor

        target = self.get_object(request, unquote(object_id))
        if target is None:
            raise Http404
        error = two_factor.reset_error(actor=request.user, target=target)
        if error:
            messages.error(request, error)
        else:
            two_factor.reset_two_factor(user=target, by=request.user)
            messages.success(
                request,
                gettext(
                    "The two-factor login of %(name)s is reset: the old phone and recovery codes "
                    "no longer work, and a new app is set up at the next login."
                )
                % {"name": target.get_full_name() or target.get_username()},
            )
        return redirect("admin:auth_user_change", target.pk)

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deactivated, never deleted (the audit trail points at them)


def _lock_text(lock) -> str:
    until = date_format(timezone.localtime(lock.until), "H:i")
    if lock.everywhere:
        return gettext("locked from every address until %(time)s") % {"time": until}
    return gettext("locked from %(addresses)s until %(time)s") % {
        "addresses": ", ".join(lock.addresses),
        "time": until,
    }


@admin.register(RoleGroup)
class RoleAdmin(BaseGroupAdmin):
    """Roles are read-only here: each role's permissions are fixed in code
    (``kis_site.roles.ADMIN_PERMISSIONS``), so nobody widens a role through the web."""

    list_display = ["name", "role_description"]

    @admin.display(description=_("role"))
    def role_description(self, group):
        role = Role.from_group_name(group.name)
        return role.label if role else gettext("(not a role of the application)")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

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


class PolishLogEntryAdmin(auditlog_admin.LogEntryAdmin):
    """django-auditlog's screens, in Polish (its strings: locale_vendor/)."""

    @admin.display(description=_("Changes"))
    def msg_short(self, obj):
        if obj.action in (LogEntry.Action.DELETE, LogEntry.Action.ACCESS):
            return ""
        changes = obj.changes_dict
        return ngettext(
            "%(count)d change: %(fields)s", "%(count)d changes: %(fields)s", len(changes)
        ) % {"count": len(changes), "fields": Truncator(", ".join(changes)).chars(60)}

    @admin.display(description=_("Correlation ID"))
    def cid_url(self, obj):
        return super().cid_url(obj)


admin.site.unregister(LogEntry)
admin.site.register(LogEntry, PolishLogEntryAdmin)

# Two-factor devices hold secret keys: nobody browses them. A person's two-factor login is shown
# and reset on their account (UserAdmin.two_factor).
for _device in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device):
        admin.site.unregister(_device)

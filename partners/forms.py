from crispy_forms.layout import Div
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kis_site.forms import clean_postal_code, date_widgets, form_helper, form_row
from kis_site.locking import VersionedFormMixin
from kis_site.models import StaffMember
from kis_site.validators import clean_nip
from kis_site.vocabulary import Sphere
from partners.models import (
    Agreement,
    ContactPerson,
    Institution,
    InstitutionType,
    Meeting,
    MeetingTask,
    Service,
)
from partners.services import institution_warnings


class InstitutionForm(forms.ModelForm):
    """The admin's form: the same NIP or a similar name warns and asks for confirmation."""

    confirm_warnings = forms.BooleanField(
        label=_("I have checked: this is a different institution"), required=False
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Institution
        fields = [
            "name",
            "kind",
            "street",
            "postal_code",
            "city",
            "nip",
            "regon",
            "phone",
            "email",
            "website",
            "main_contact",
            "notes",
            "is_archived",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "main_contact" in self.fields:
            contacts = ContactPerson.objects.none()
            if self.instance.pk:
                contacts = self.instance.contacts.filter(is_active=True)
            self.fields["main_contact"].queryset = contacts

    def clean_postal_code(self):
        return clean_postal_code(self.cleaned_data.get("postal_code"))

    def clean(self):
        data = super().clean()
        if self.errors or data.get("confirm_warnings"):
            return data
        try:
            nip = clean_nip(data["nip"]) if data.get("nip") else ""
        except ValidationError:
            return data  # the model reports a bad NIP next to the field
        probe = Institution(pk=self.instance.pk, name=data.get("name", ""), nip=nip)
        for warning in institution_warnings(probe):
            self.add_error("confirm_warnings", warning)
        return data


class InstitutionFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or city"), required=False)
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("all")), *InstitutionType.choices]
    )
    archived = forms.BooleanField(label=_("show archived"), required=False)


class AgreementForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Agreement
        fields = [
            "institution",
            "number",
            "concluded_on",
            "valid_from",
            "valid_until",
            "scope",
            "institution_signatory",
        ]
        widgets = {
            **date_widgets("concluded_on", "valid_from", "valid_until"),
            "scope": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Institution.objects.active()
        self.fields["institution"].widget.attrs["data-autocomplete"] = "1"
        self.helper = form_helper(
            "institution",
            form_row("number", "concluded_on"),
            form_row("valid_from", "valid_until"),
            "scope",
            "institution_signatory",
            "expected_version",
        )


class ServiceForm(VersionedFormMixin, forms.ModelForm):
    spheres = forms.MultipleChoiceField(
        label=_("Life spheres it serves"),
        choices=Sphere.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Service
        fields = ["institution", "name", "description", "how_to_refer", "contact", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["spheres"].initial = self.instance.sphere_codes

    def clean(self):
        data = super().clean()
        contact = data.get("contact")
        institution = data.get("institution")
        if contact and institution and contact.institution_id != institution.pk:
            self.add_error("contact", _("This person works in another institution."))
        return data


class MeetingForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = [
            "held_on",
            "place",
            "institutions",
            "contacts_present",
            "staff_present",
            "agenda",
            "minutes",
            "next_meeting_on",
        ]
        widgets = {
            **date_widgets("held_on", "next_meeting_on"),
            "institutions": forms.CheckboxSelectMultiple,
            "contacts_present": forms.CheckboxSelectMultiple,
            "staff_present": forms.CheckboxSelectMultiple,
            "agenda": forms.Textarea(attrs={"rows": 4}),
            "minutes": forms.Textarea(attrs={"rows": 10}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institutions"].queryset = Institution.objects.active()
        self.fields["contacts_present"].queryset = ContactPerson.objects.filter(
            is_active=True, institution__is_archived=False
        ).select_related("institution")
        self.fields["contacts_present"].label_from_instance = lambda person: (
            f"{person} — {person.institution.name}"
        )
        self.fields["staff_present"].queryset = StaffMember.objects.active()
        self.helper = form_helper(
            form_row("held_on", "place"),
            "agenda",
            Div(
                Div("institutions", css_class="col-md-6 kis-checklist"),
                Div("contacts_present", css_class="col-md-6 kis-checklist"),
                css_class="row",
            ),
            Div("staff_present", css_class="kis-checklist"),
            "minutes",
            "next_meeting_on",
            "expected_version",
        )

    def clean(self):
        data = super().clean()
        held, following = data.get("held_on"), data.get("next_meeting_on")
        if held and following and following <= held:
            self.add_error("next_meeting_on", _("The next meeting must come after this one."))
        return data


class TaskForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = MeetingTask
        fields = ["description", "owner_staff", "owner_contact", "due_on", "status", "notes"]
        widgets = {
            **date_widgets("due_on"),
            "description": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_staff"].queryset = StaffMember.objects.active()
        self.fields["owner_contact"].queryset = ContactPerson.objects.filter(
            is_active=True
        ).select_related("institution")
        self.fields["owner_contact"].label_from_instance = lambda person: (
            f"{person} — {person.institution.name}"
        )
        self.helper = form_helper(
            "description",
            form_row("owner_staff", "owner_contact"),
            form_row("due_on", "status"),
            "notes",
            "expected_version",
        )

    def clean(self):
        data = super().clean()
        if data.get("owner_staff") and data.get("owner_contact"):
            self.add_error(
                "owner_contact", _("Give one owner: a staff member or a contact person.")
            )
        if not data.get("owner_staff") and not data.get("owner_contact"):
            self.add_error("owner_staff", _("Give the owner of the task."))
        return data


class ServiceFilterForm(forms.Form):
    sphere = forms.ChoiceField(
        label=_("Life sphere"), required=False, choices=[("", _("all")), *Sphere.choices]
    )
    q = forms.CharField(label=_("Service or institution"), required=False)

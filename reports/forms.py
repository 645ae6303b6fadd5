from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kis_site.forms import DateInput, date_widgets, form_helper, form_row
from kis_site.locking import VersionedFormMixin
from reports.models import (
    EFFECT_GROUPS,
    ChangeReport,
    ChangeSphere,
    ExitAssessment,
    ReferrerLetter,
)


class ReportStartForm(forms.Form):
    period_start = forms.DateField(
        label=_("Month the report covers"),
        widget=DateInput(),
        help_text=_("Any day of the month; the report covers the whole calendar month."),
    )
    months = forms.TypedChoiceField(
        label=_("Length of the period"),
        coerce=int,
        choices=[(1, _("one month")), (2, _("two months"))],
        initial=1,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("period_start", timezone.localdate().replace(day=1))
        self.helper = form_helper(form_row("period_start", "months"))


class SphereForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = ChangeSphere
        fields = [
            "resources",
            "resources_rating",
            "awareness",
            "awareness_rating",
            "participation",
            "participation_rating",
            "rating",
            "what_changed",
            "goals_progress",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("resources", "awareness", "participation", "what_changed")
        } | {"goals_progress": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("resources_rating", "awareness_rating", "participation_rating"):
            self.fields[name].help_text = _("Only where you judge it.")
        self.helper = form_helper(
            form_row("resources", "resources_rating", cols="col-md-6"),
            form_row("awareness", "awareness_rating", cols="col-md-6"),
            form_row("participation", "participation_rating", cols="col-md-6"),
            "rating",
            "what_changed",
            "goals_progress",
            "expected_version",
        )


class ReportForm(VersionedFormMixin, forms.ModelForm):
    effects = forms.MultipleChoiceField(
        label=_("Expected effects reached"),
        choices=[
            (group, [(effect.value, effect.label) for effect in effects])
            for group, effects in EFFECT_GROUPS
        ],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ChangeReport
        fields = [
            "met_on",
            "participant_view",
            "effects",
            "effects_notes",
            "recommendations",
            "ipd_changes",
        ]
        widgets = {
            **date_widgets("met_on"),
            "participant_view": forms.Textarea(attrs={"rows": 4}),
            "effects_notes": forms.Textarea(attrs={"rows": 2}),
            "recommendations": forms.Textarea(attrs={"rows": 3}),
            "ipd_changes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant_view"].help_text = _(
            "Write down what the person says at the meeting, in their words."
        )
        self.helper = form_helper(
            "met_on",
            "participant_view",
            "effects",
            "effects_notes",
            "recommendations",
            "ipd_changes",
            "expected_version",
        )


def effect_choices():
    return [
        (group, [(effect.value, effect.label) for effect in effects])
        for group, effects in EFFECT_GROUPS
    ]


class ExitAssessmentForm(VersionedFormMixin, forms.ModelForm):
    effects = forms.MultipleChoiceField(
        label=_("Reintegration effects achieved"),
        choices=effect_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Personal and social effects count as social reintegration, vocational ones as "
            "vocational reintegration in the yearly report."
        ),
    )

    class Meta:
        model = ExitAssessment
        fields = ["assessed_on", "effects", "notes"]
        widgets = {**date_widgets("assessed_on"), "notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper("assessed_on", "effects", "notes", "expected_version")


class LetterStartForm(forms.Form):
    period_start = forms.DateField(label=_("A day in the period"), widget=DateInput())


class LetterForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = ReferrerLetter
        fields = [
            "written_on",
            "contact_person",
            "stage",
            "progress",
            "include_health",
            "health_basis",
        ]
        widgets = {
            **date_widgets("written_on"),
            "stage": forms.Textarea(attrs={"rows": 5}),
            "progress": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from partners.models import ContactPerson

        self.fields["contact_person"].queryset = ContactPerson.objects.filter(
            institution_id=self.instance.institution_id
        )
        self.fields["stage"].help_text = _(
            "Filled in from the records when the letter was drawn up; correct it if needed."
        )
        self.fields["progress"].help_text = _(
            "Attendance, engagement, what the person has achieved — without health, addiction "
            "or criminal-record details unless the basis below covers them."
        )
        self.helper = form_helper(
            form_row("written_on", "contact_person"),
            "stage",
            "progress",
            "include_health",
            "health_basis",
            "expected_version",
        )


class LetterSentForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = ReferrerLetter
        fields = ["sent_on"]
        widgets = date_widgets("sent_on")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sent_on"].required = True
        self.initial.setdefault("sent_on", timezone.localdate())

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kis_site.forms import DateInput, date_widgets, form_helper, form_row
from kis_site.locking import VersionedFormMixin
from reports.models import EFFECT_GROUPS, ChangeReport, ChangeSphere


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

from django import forms
from django.core.validators import MaxLengthValidator
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from diagnosis.models import (
    ANSWER_MAX,
    SPHERE_MODELS,
    DiagnosisKind,
    DiagnosticReport,
    HollandResult,
    IncomeKind,
    Rating,
    ToolUse,
)
from kis_site.forms import DateInput, form_helper, form_row
from kis_site.locking import VersionedFormMixin
from kis_site.models import StaffMember

LIST_MAX_ITEMS = 20
LIST_ITEM_MAX = 200


class ListField(forms.CharField):
    """A short list typed one item per line (strengths, deficits)."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip(" -•\t") for line in text.splitlines() if line.strip(" -•\t")]

    def validate(self, value):
        if len(value) > LIST_MAX_ITEMS:
            raise forms.ValidationError(
                _("Write at most %(count)s short points.") % {"count": LIST_MAX_ITEMS}
            )
        if any(len(item) > LIST_ITEM_MAX for item in value):
            raise forms.ValidationError(
                _("Each point may have at most %(count)s characters.") % {"count": LIST_ITEM_MAX}
            )


class ReportStartForm(forms.Form):
    kind = forms.ChoiceField(label=_("Diagnosis"), choices=DiagnosisKind.choices)
    started_on = forms.DateField(label=_("Started on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(form_row("kind", "started_on"))


def sphere_form_class(sphere, sections=None, programme="KIS"):
    """The form of one sphere: the official form's fields, then strengths, deficits, rating.

    Items of a sensitive section the user may not see (``sections``) are left out of the form:
    they are neither shown nor changed.
    """
    sphere_model = SPHERE_MODELS[sphere]
    from diagnosis.form_spec import SPEC_BY_SPHERE

    items = [
        item
        for item in SPEC_BY_SPHERE[sphere].items
        if sections is None or item.section is None or item.section in sections
    ]
    own_fields = [name for item in items for name in item.fields]

    class SphereForm(VersionedFormMixin, forms.ModelForm):
        strengths = ListField(
            label=_("Strengths (resources)"),
            required=False,
            help_text=_("One per line: what the person can build on."),
        )
        deficits = ListField(label=_("Deficits"), required=False, help_text=_("One per line."))
        rating = forms.TypedChoiceField(
            label=_("Rating of the sphere"),
            choices=Rating.choices,
            coerce=int,
            empty_value=None,
            required=False,
            widget=forms.RadioSelect,
        )

        class Meta:
            model = sphere_model
            fields = [
                *own_fields,
                "strengths",
                "deficits",
                "rating",
                "rating_reason",
                "paper_author",
            ]
            widgets = {
                name: DateInput()
                for name in own_fields
                if sphere_model._meta.get_field(name).get_internal_type() == "DateField"
            }

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for name, field in self.fields.items():
                if isinstance(field.widget, forms.Textarea):
                    field.max_length = ANSWER_MAX
                    field.validators.append(MaxLengthValidator(ANSWER_MAX))
                    if name not in ("strengths", "deficits"):
                        field.widget.attrs["rows"] = 3
                if isinstance(field, forms.NullBooleanField):
                    field.widget = forms.NullBooleanSelect(attrs={"class": "form-select"})
            for item in items:
                if len(item.fields) == 1:
                    # One answer: the form's label and hint are the field's own.
                    field = self.fields[item.fields[0]]
                    field.label = item.on_screen(programme)
                    field.help_text = item.hint

    SphereForm.__name__ = f"{sphere_model.__name__}Form"
    return SphereForm


class RowForm(forms.Form):
    """A row of a small table (incomes, jobs): Bootstrap classes, errors marked on the field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
                widget.attrs["aria-invalid"] = "true"


class IncomeForm(RowForm):
    kind = forms.ChoiceField(
        label=_("Source"), choices=[("", "---------"), *IncomeKind.choices], required=False
    )
    amount = forms.DecimalField(
        label=_("Monthly amount (PLN)"),
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
    )
    regular = forms.BooleanField(label=_("Regular"), required=False, initial=True)


class JobForm(RowForm):
    employer = forms.CharField(label=_("Employer"), max_length=200, required=False)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    started_on = forms.DateField(label=_("From"), required=False, widget=DateInput())
    ended_on = forms.DateField(label=_("Until"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if not data.get("employer"):
            return data
        today = timezone.localdate()
        if not data.get("started_on"):
            self.add_error("started_on", _("Give when the job started."))
        elif data["started_on"] > today:
            self.add_error("started_on", _("The date cannot be in the future."))
        if (
            data.get("ended_on")
            and data.get("started_on")
            and data["ended_on"] < data["started_on"]
        ):
            self.add_error("ended_on", _("A job cannot end before it starts."))
        if data.get("ended_on") and data["ended_on"] > today:
            self.add_error("ended_on", _("The date cannot be in the future."))
        return data


IncomeFormSet = formset_factory(IncomeForm, extra=2, max_num=10)
JobFormSet = formset_factory(JobForm, extra=2, max_num=20)


class ToolForm(forms.ModelForm):
    class Meta:
        model = ToolUse
        fields = ["tool", "used_on", "used_by", "used_by_external", "hours", "notes"]
        widgets = {"used_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["used_by"].queryset = StaffMember.objects.active()


class HollandForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = HollandResult
        fields = [
            "instrument",
            "max_score",
            *HollandResult.SCALES,
            "tested_on",
        ]
        widgets = {"tested_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            form_row("instrument", "max_score"),
            form_row("realistic", "investigative", "artistic", cols="col-sm-4"),
            form_row("social", "enterprising", "conventional", cols="col-sm-4"),
            form_row("tested_on", cols="col-md-6"),
            "expected_version",
        )


class RecommendationsForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = DiagnosticReport
        fields = ["recommendations"]
        widgets = {"recommendations": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recommendations"].validators.append(MaxLengthValidator(ANSWER_MAX))
        self.helper = form_helper()

import hashlib
import json
from datetime import date

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


def _plain(value) -> str:
    """A field's value as the page shows it and as the browser posts it back."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "\x1f".join(sorted(_plain(item) for item in value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").strip()


class SeenMixin(forms.Form):
    """Knows whether the person changed a part of a page that holds several forms: a digest of
    the values the page showed travels with the form. A part left as it was is not saved, even
    when someone else saved it meanwhile (their version stays)."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False)
    NOT_COMPARED = ("seen", "expected_version")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seen"].initial = self._digest(
            {name: self[name].initial for name in self._compared()}
        )

    def _compared(self):
        return [name for name in self.fields if name not in self.NOT_COMPARED]

    @staticmethod
    def _digest(values: dict) -> str:
        plain = json.dumps({name: _plain(value) for name, value in values.items()}, sort_keys=True)
        return hashlib.sha256(plain.encode()).hexdigest()[:32]

    def typed_changes(self) -> bool:
        """Did the person change anything in this part of the page?"""
        if not self.is_bound:
            return False
        shown = self.data.get(self.add_prefix("seen"))
        if not shown:  # posted without the digest: compare with what is stored
            return bool(set(self.changed_data) - set(self.NOT_COMPARED))
        return shown != self._digest({name: self[name].data for name in self._compared()})


class SphereForm(SeenMixin, VersionedFormMixin, forms.ModelForm):
    """One row of the change report's grid: a sphere read against the three dimensions, its
    rating, what changed and the progress on the plan's goals. Rendered by the grid's template
    (templates/reports/change_report_grid.html), prefixed with the sphere."""

    DIMENSIONS = (
        ("resources", "resources_rating"),
        ("awareness", "awareness_rating"),
        ("participation", "participation_rating"),
    )

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
            "legal_notes",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "resources",
                "awareness",
                "participation",
                "what_changed",
                "goals_progress",
                "legal_notes",
            )
        }

    def __init__(self, *args, sections=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        for _text, rating in self.DIMENSIONS:
            self.fields[rating].help_text = _("Only where you judge it.")
        if self.instance.legal_notes_shown(sections):
            self.fields["legal_notes"].help_text = _(
                "Seen only by those who may see the legal section."
            )
        else:  # kept as it is: the form neither shows nor changes it
            del self.fields["legal_notes"]

    def dimensions(self):
        """The grid's three cells: (text field, rating field) each."""
        return [(self[text], self[rating]) for text, rating in self.DIMENSIONS]


class ReportForm(SeenMixin, VersionedFormMixin, forms.ModelForm):
    effects = forms.MultipleChoiceField(
        label=_("Expected effects reached"),
        choices=lambda: effect_choices(),
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
            "seen",
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


def default_report_year(today) -> int:
    """The yearly report is due by 31 March for the year before: until then that year."""
    return today.year - 1 if today.month <= 3 else today.year


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(y, y) for y in range(this_year, this_year - 8, -1)]
        self.fields["year"].initial = default_report_year(timezone.localdate())


class OutcomesForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("Until"), widget=DateInput())
    cohort = forms.ModelChoiceField(
        label=_("Cohort"), queryset=None, required=False, empty_label=_("all cohorts")
    )
    funding_source = forms.ModelChoiceField(
        label=_("Funding source or project"),
        queryset=None,
        required=False,
        empty_label=_("all sources"),
    )

    def __init__(self, *args, **kwargs):
        from kis_site.models import FundingSource
        from participants.models import Cohort

        super().__init__(*args, **kwargs)
        for name, value in self.defaults().items():
            self.fields[name].initial = value
        self.fields["cohort"].queryset = Cohort.objects.order_by("-starts_on")
        self.fields["funding_source"].queryset = FundingSource.objects.order_by("name")
        for name, field in self.fields.items():
            select = name in ("cohort", "funding_source")
            field.widget.attrs["class"] = "form-select" if select else "form-control"

    @staticmethod
    def defaults() -> dict:
        """This year until today, every cohort and source."""
        today = timezone.localdate()
        return {
            "start": today.replace(month=1, day=1),
            "end": today,
            "cohort": None,
            "funding_source": None,
        }

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end cannot be earlier than the start."))
        return data

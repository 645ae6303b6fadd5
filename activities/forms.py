from datetime import datetime
from decimal import Decimal

from django import forms
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from activities import ledger, services
from activities.models import (
    AbsenceAction,
    Consultation,
    ExcuseKind,
    Placement,
    ProgrammeModule,
    ProgrammeTemplate,
    Session,
)
from activities.services import Pattern
from kis_site.forms import DateInput, form_helper, form_row
from kis_site.locking import VersionedFormMixin
from kis_site.models import StaffMember
from partners.models import Institution

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class ProgrammeStartForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Programme template"),
        queryset=ProgrammeTemplate.objects.filter(is_archived=False),
        help_text=_("The group gets its own copy: its modules and hours can then be adjusted."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = ProgrammeTemplate.objects.filter(is_default=True).first()
        if default is not None:
            self.fields["template"].initial = default.pk
        self.helper = form_helper()


class ModuleForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = ProgrammeModule
        fields = ["name", "category", "form", "hours", "basis", "order", "is_retired"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            "name",
            form_row("category", "form"),
            form_row("hours", "basis", "order"),
            "is_retired",
            "expected_version",
        )


class SessionForm(VersionedFormMixin, forms.ModelForm):
    """A session; one that would take its module's planned hours over the module's quota is
    saved only when the user confirms, after a warning with the numbers."""

    confirm_over_quota = forms.BooleanField(
        label=_("Plan it anyway, over the module's hours"),
        required=False,
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Session
        fields = [
            "module",
            "date",
            "last_date",
            "starts_at",
            "ends_at",
            "leader",
            "leader_name",
            "leader_institution",
            "place",
            "topic",
        ]
        widgets = {
            "date": DateInput(),
            "last_date": DateInput(),
            "starts_at": TimeInput(),
            "ends_at": TimeInput(),
        }

    def __init__(self, *args, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        if programme is not None:
            self.fields["module"].queryset = programme.modules.filter(is_retired=False)
        self.fields["leader"].queryset = StaffMember.objects.active()
        self.helper = form_helper(
            "module",
            form_row("date", "last_date"),
            form_row("starts_at", "ends_at"),
            form_row("leader", "leader_name"),
            "leader_institution",
            form_row("place", "topic"),
            "confirm_over_quota",
            "expected_version",
        )

    def clean(self):
        data = super().clean()
        self.clean_dates(data)
        if not self.errors and not data.get("confirm_over_quota"):
            self.warn_over_quota(data)
        return data

    def clean_dates(self, data):
        """What a form adds to the checks of the dates (a series: its pattern)."""

    def added_sessions(self, data) -> list[Session]:
        """The sessions this form would plan, unsaved (to count their hours)."""
        return [
            Session(
                date=data["date"],
                last_date=data.get("last_date"),
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
            )
        ]

    def warn_over_quota(self, data):
        module = data.get("module")
        if module is None or not (
            data.get("date") and data.get("starts_at") and data.get("ends_at")
        ):
            return
        if datetime.combine(data["date"], data["ends_at"]) <= datetime.combine(
            data["date"], data["starts_at"]
        ):
            return
        planned = self.added_sessions(data)
        adding = sum((session.hours for session in planned), Decimal(0))
        instance = self.instance
        if (
            instance.pk is not None
            and instance.module_id == module.pk
            and not instance.cancelled
            and adding <= instance.planned_hours
        ):
            return  # a change that adds no hours to the module is not asked about again
        warning = ledger.over_quota(
            module, adding=adding, sessions=len(planned), exclude=instance.pk
        )
        if warning is None:
            return
        self.fields["confirm_over_quota"].widget = forms.CheckboxInput()
        self.over_quota = warning
        self.add_error("confirm_over_quota", quota_message(warning, instance.pk is not None))


def _hours(value) -> str:
    return floatformat(value, -2)


def quota_message(warning, editing: bool = False) -> str:
    """The warning with the numbers: the module's quota, the hours planned, what is added."""
    numbers = {
        "module": warning.module.name,
        "quota": _hours(warning.quota),
        "scheduled": _hours(warning.scheduled),
        "adding": _hours(warning.adding),
        "after": _hours(warning.after),
        "over": _hours(warning.over),
        "count": warning.sessions,
    }
    if editing:
        added = _("the session, changed, has %(adding)s h") % numbers
    else:
        added = (
            ngettext(
                "this session adds %(adding)s h",
                "these %(count)s sessions add %(adding)s h",
                warning.sessions,
            )
            % numbers
        )
    return str(
        _(
            "Over the module's hours: “%(module)s” has %(quota)s h in the programme, "
            "%(scheduled)s h are planned already and %(added)s — %(after)s h in all, "
            "%(over)s h over. Tick to plan it anyway."
        )
    ) % {**numbers, "added": added}


class SeriesForm(SessionForm):
    pattern = forms.ChoiceField(
        label=_("Repeat"),
        choices=[
            (Pattern.WEEKLY, _("every week on the chosen days")),
            (Pattern.BIWEEKLY, _("every two weeks on the chosen days")),
            (Pattern.MONTHLY, _("once a month (e.g. the first Friday)")),
            (Pattern.WORKDAYS, _("every working day, Monday to Friday")),
        ],
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days of the week"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    week_of_month = forms.TypedChoiceField(
        label=_("Which week of the month"),
        choices=[
            (1, _("first")),
            (2, _("second")),
            (3, _("third")),
            (4, _("fourth")),
            (-1, _("last")),
        ],
        coerce=int,
        initial=1,
    )
    until = forms.DateField(label=_("Until"), widget=DateInput())

    class Meta(SessionForm.Meta):
        fields = [name for name in SessionForm.Meta.fields if name != "last_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].label = _("From")
        self.helper = form_helper(
            "module",
            form_row("pattern", "week_of_month"),
            "weekdays",
            form_row("date", "until"),
            form_row("starts_at", "ends_at"),
            form_row("leader", "leader_name"),
            "leader_institution",
            form_row("place", "topic"),
            "confirm_over_quota",
        )

    def clean_dates(self, data):
        pattern = data.get("pattern")
        if pattern != Pattern.WORKDAYS and not data.get("weekdays"):
            self.add_error("weekdays", _("Choose at least one day of the week."))
        if data.get("date") and data.get("until") and data["until"] < data["date"]:
            self.add_error("until", _("The end cannot be earlier than the start."))
        if data.get("date") and data.get("until") and (data["until"] - data["date"]).days > 400:
            self.add_error("until", _("A series may span at most 400 days."))

    def added_sessions(self, data) -> list[Session]:
        """The sessions of the series, without the holidays and the days outside the group's
        dates (skipped when it is planned)."""
        return [
            Session(date=day, starts_at=data["starts_at"], ends_at=data["ends_at"])
            for day in services.series_plan_dates(
                module=data["module"],
                dates=services.pattern_dates(
                    pattern=data["pattern"],
                    start=data["date"],
                    end=data["until"],
                    weekdays=data.get("weekdays") or (),
                    week_of_month=data.get("week_of_month") or 1,
                ),
            )
        ]


class ExcuseForm(forms.Form):
    excuse = forms.ChoiceField(label=_("Justified by"), choices=ExcuseKind.choices)
    excuse_date = forms.DateField(label=_("Date of the document"), widget=DateInput())
    excuse_note = forms.CharField(label=_("Notes"), max_length=300, required=False)
    scan = forms.FileField(
        label=_("Scan of the document"),
        required=False,
        help_text=_("PDF, JPEG or PNG, at most 10 MB."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(form_row("excuse", "excuse_date"), "excuse_note", "scan")


class AbsenceActionForm(forms.ModelForm):
    class Meta:
        model = AbsenceAction
        fields = ["kind", "taken_on", "note"]
        widgets = {"taken_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(form_row("kind", "taken_on"), "note")


class CloseCaseForm(forms.Form):
    outcome = forms.CharField(
        label=_("How the case ended"),
        max_length=300,
        help_text=_("E.g. the participant came back regularly; or: removed from the list on…"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


class ConsultationForm(forms.ModelForm):
    class Meta:
        model = Consultation
        fields = ["module", "kind", "date", "duration", "specialist", "specialist_name", "note"]
        widgets = {"date": DateInput(), "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, modules=None, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if modules is not None:
            self.fields["module"].queryset = modules
        if kinds is not None:
            self.fields["kind"].choices = [("", "---------"), *kinds]
        self.fields["specialist"].queryset = StaffMember.objects.active()
        self.helper = form_helper(
            form_row("module", "kind"),
            form_row("date", "duration"),
            form_row("specialist", "specialist_name"),
            "note",
        )


class PlacementForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Placement
        fields = [
            "kind",
            "institution",
            "employer",
            "starts_on",
            "ends_on",
            "hours_per_week",
            "pup_referral",
            "outcome",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "outcome": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Institution.objects.filter(is_archived=False)
        self.helper = form_helper(
            form_row("kind", "pup_referral"),
            form_row("institution", "employer"),
            form_row("starts_on", "ends_on", "hours_per_week"),
            "outcome",
            "expected_version",
        )


class PlacementHoursForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DateInput())
    hours = forms.DecimalField(label=_("Hours"), min_value=0, max_value=250, decimal_places=2)
    whole_month = forms.BooleanField(
        label=_("a total for the whole month"),
        required=False,
        help_text=_("When the employer reports monthly: the hours of the month of the day given."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(form_row("day", "hours"), "whole_month")


class SessionEditForm(SessionForm):
    roster = forms.ModelMultipleChoiceField(
        label=_("Roster"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "A subgroup: e.g. a self-help group for one risk group, or a course for those "
            "qualified through their plan."
        ),
    )

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roster"].queryset = candidates
        self.fields["roster"].label_from_instance = lambda person: person.full_name
        if self.instance.pk and not self.is_bound:
            self.initial["roster"] = list(
                self.instance.roster.values_list("participant_id", flat=True)
            )
        self.helper.layout.fields.insert(len(self.helper.layout.fields) - 1, "roster")

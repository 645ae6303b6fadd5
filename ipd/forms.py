from crispy_forms.layout import Div
from django import forms
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipd.models import ActionPlan, CatalogueEntry, Goal, GoalStatus, PlanAction
from ipd.services import REVIEW_AFTER, plan_modules, signed_diagnoses
from kis_site.forms import DateInput, date_widgets, form_helper, form_row
from kis_site.locking import VersionedFormMixin
from kis_site.models import StaffMember
from kis_site.vocabulary import Section, Sphere, sphere_section, sphere_visible
from partners.models import Institution, Service


def _diagnosis_label(report) -> str:
    return _("%(report)s (version %(number)s, signed)") % {
        "report": report,
        "number": report.revision,
    }


class DiagnosisChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _diagnosis_label(obj)


class PlanStartForm(forms.Form):
    diagnosis = DiagnosisChoiceField(
        label=_("Based on the diagnosis"),
        queryset=None,
        required=False,
        empty_label=_("— no signed diagnosis —"),
    )
    no_diagnosis_reason = forms.CharField(
        label=_("Why there is no signed diagnosis"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only when the plan cannot wait for the diagnosis to be signed."),
    )
    drawn_up_on = forms.DateField(label=_("Drawn up on"), widget=DateInput())
    review_on = forms.DateField(label=_("Review date"), widget=DateInput())

    def __init__(self, *args, enrolment, **kwargs):
        super().__init__(*args, **kwargs)
        diagnoses = signed_diagnoses(enrolment)
        self.fields["diagnosis"].queryset = diagnoses
        today = timezone.localdate()
        self.initial.setdefault("diagnosis", diagnoses.first())
        self.initial.setdefault("drawn_up_on", today)
        self.initial.setdefault("review_on", today + REVIEW_AFTER)
        self.helper = form_helper(
            "diagnosis", "no_diagnosis_reason", form_row("drawn_up_on", "review_on")
        )

    def clean(self):
        data = super().clean()
        if not data.get("diagnosis") and not (data.get("no_diagnosis_reason") or "").strip():
            self.add_error(
                "no_diagnosis_reason",
                _(
                    "A plan is set against a signed diagnosis. Without one, say why the plan "
                    "is drawn up now."
                ),
            )
        return data


class PlanForm(VersionedFormMixin, forms.ModelForm):
    """The basis, the review date and the participant's own part of a draft plan."""

    diagnosis = DiagnosisChoiceField(
        label=_("Based on the diagnosis"),
        queryset=None,
        required=False,
        empty_label=_("— no signed diagnosis —"),
    )

    class Meta:
        model = ActionPlan
        fields = [
            "diagnosis",
            "no_diagnosis_reason",
            "drawn_up_on",
            "review_on",
            "participant_goals",
            "participant_commitments",
            "participant_agrees",
            "participant_remarks",
            "family_members",
            "family_involvement",
        ]
        widgets = {
            **date_widgets("drawn_up_on", "review_on"),
            "no_diagnosis_reason": forms.Textarea(attrs={"rows": 2}),
            "participant_goals": forms.Textarea(attrs={"rows": 4}),
            "participant_commitments": forms.Textarea(attrs={"rows": 3}),
            "participant_remarks": forms.Textarea(attrs={"rows": 2}),
            "family_members": forms.CheckboxSelectMultiple,
            "family_involvement": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plan = self.instance
        self.fields["diagnosis"].queryset = signed_diagnoses(plan.enrolment)
        self.fields["family_members"].queryset = plan.participant.family_members.filter(
            is_current=True
        )
        self.fields["participant_goals"].help_text = _(
            "Write down what the person says, in their words."
        )
        self.helper = form_helper(
            "diagnosis",
            "no_diagnosis_reason",
            form_row("drawn_up_on", "review_on"),
            "participant_goals",
            "participant_commitments",
            "participant_agrees",
            "participant_remarks",
            "family_members",
            "family_involvement",
            "expected_version",
        )


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("Reviewed on"), widget=DateInput())
    next_review_on = forms.DateField(label=_("Next review"), widget=DateInput())
    note = forms.CharField(
        label=_("What the review found"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,  # the service asks for it, with the dates, in one answer
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.initial.setdefault("reviewed_on", today)
        self.initial.setdefault("next_review_on", today + REVIEW_AFTER)
        self.helper = form_helper(form_row("reviewed_on", "next_review_on"), "note")


def _visible_spheres(sections):
    return [(value, label) for value, label in Sphere.choices if sphere_visible(value, sections)]


class GoalForm(VersionedFormMixin, forms.ModelForm):
    """A goal of a draft plan; on a signed plan only its progress (``progress=True``)."""

    CONTENT = ["sphere", "legal_matter", "description", "indicator", "target_on"]
    PROGRESS = ["status", "achieved_on", "evidence", "status_note"]

    class Meta:
        model = Goal
        fields = [
            "sphere",
            "legal_matter",
            "description",
            "indicator",
            "target_on",
            "status",
            "achieved_on",
            "evidence",
            "status_note",
        ]
        widgets = {
            **date_widgets("target_on", "achieved_on"),
            "description": forms.Textarea(attrs={"rows": 2}),
            "indicator": forms.Textarea(attrs={"rows": 2}),
            "evidence": forms.Textarea(attrs={"rows": 2}),
            "status_note": forms.Textarea(attrs={"rows": 2}),
        }

    confirm_hours = forms.BooleanField(
        label=_("The goal was reached although its actions' planned hours are not done"),
        required=False,
    )

    def __init__(self, *args, sections, progress=False, hours=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.hours = hours  # the goal's hours planned and done (ipd.selectors.Progress)
        self.was_achieved = self.instance.status == GoalStatus.ACHIEVED
        if progress:
            for name in self.CONTENT:
                del self.fields[name]
        else:
            self.fields["sphere"].choices = [("", "---------"), *_visible_spheres(sections)]
            if Section.LEGAL not in sections:
                del self.fields["legal_matter"]
        layout = [name for name in ("sphere", "legal_matter") if name in self.fields]
        if "description" in self.fields:
            layout += ["description", "indicator", form_row("target_on", "status")]
        else:
            layout += ["status"]
        self.helper = form_helper(
            *layout,
            Div(
                form_row("achieved_on", "evidence"),
                *(["confirm_hours"] if self._hours_short() else []),
                data_show_when="status:achieved",
            ),
            Div("status_note", data_show_when="status:changed,abandoned"),
            "expected_version",
        )
        if not self._hours_short():
            del self.fields["confirm_hours"]

    def _hours_short(self) -> bool:
        hours = self.hours
        return bool(hours and hours.planned and (hours.done or 0) < hours.planned)

    def clean(self):
        data = super().clean()
        reaching = data.get("status") == GoalStatus.ACHIEVED and not self.was_achieved
        if reaching and self._hours_short() and not data.get("confirm_hours"):
            self.add_error(
                "confirm_hours",
                _(
                    "Only %(done)s of the %(planned)s hours planned for this goal's actions are "
                    "done. Confirm that the goal was reached anyway, or keep it in progress."
                )
                % {
                    "done": floatformat(self.hours.done or 0, "-2"),
                    "planned": floatformat(self.hours.planned, "-2"),
                },
            )
        return data


class CatalogueChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        label = obj.name
        if not obj.is_active:
            label += " " + str(_("(retired)"))
        return label


class ActionForm(VersionedFormMixin, forms.ModelForm):
    """An action of a goal; on a signed plan only its status and notes (``progress=True``)."""

    PROGRESS = ["status", "notes"]

    catalogue_entry = CatalogueChoiceField(
        label=_("From the catalogue"),
        queryset=CatalogueEntry.objects.none(),
        required=False,
        empty_label=_("— written freely —"),
        help_text=_("Pick an action of the catalogue, or leave this and write the action below."),
    )

    class Meta:
        model = PlanAction
        fields = [
            "catalogue_entry",
            "title",
            "kind",
            "legal_matter",
            "responsible",
            "module",
            "institution",
            "service",
            "placement",
            "referral",
            "planned_hours",
            "starts_on",
            "ends_on",
            "status",
            "notes",
        ]
        widgets = {
            **date_widgets("starts_on", "ends_on"),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, plan, sphere, sections, progress=False, **kwargs):
        super().__init__(*args, **kwargs)
        if progress:
            for name in list(self.fields):
                if name not in self.PROGRESS and name != "expected_version":
                    del self.fields[name]
            self.helper = form_helper("status", "notes", "expected_version")
            return
        current = self.instance.catalogue_entry_id
        entries = CatalogueEntry.objects.filter(sphere=sphere, is_active=True)
        if current:
            entries = entries | CatalogueEntry.objects.filter(pk=current)
        self.fields["catalogue_entry"].queryset = entries.order_by("order", "name")
        self.fields["title"].required = False
        self.fields["kind"].required = False
        self.fields["responsible"].queryset = StaffMember.objects.active().order_by(
            "last_name", "first_name"
        )
        self.fields["module"].queryset = plan_modules(plan)
        self.fields["institution"].queryset = Institution.objects.filter(
            is_archived=False
        ).order_by("name")
        self.fields["service"].queryset = (
            Service.objects.filter(is_active=True, institution__is_archived=False)
            .select_related("institution")
            .order_by("institution__name", "name")
        )
        self.fields["service"].label_from_instance = lambda s: f"{s.institution.name}: {s.name}"
        self.fields["placement"].queryset = plan.participant.placements.order_by("-starts_on")
        self.fields["referral"].queryset = plan.participant.outgoing_referrals.select_related(
            "institution"
        ).order_by("-referred_on")
        self.fields["referral"].label_from_instance = lambda r: (
            _("%(institution)s, referred on %(date)s")
            % {"institution": r.institution.name, "date": r.referred_on.strftime("%d.%m.%Y")}
        )
        if Section.LEGAL not in sections or sphere_section(sphere):
            del self.fields["legal_matter"]
        self.helper = form_helper(
            "catalogue_entry",
            "title",
            form_row("kind", "status"),
            *(["legal_matter"] if "legal_matter" in self.fields else []),
            "responsible",
            "module",
            form_row("institution", "service"),
            form_row("placement", "referral"),
            form_row("planned_hours", "starts_on", "ends_on"),
            "notes",
            "expected_version",
        )

    def clean(self):
        data = super().clean()
        if "title" not in self.fields:
            return data
        entry = data.get("catalogue_entry")
        if not (data.get("title") or "").strip():
            if entry is None:
                self.add_error("title", _("Write the action or pick it from the catalogue."))
            else:
                data["title"] = entry.name
                self.instance.title = entry.name
        if not data.get("kind"):
            if entry is None:
                self.add_error("kind", _("Choose the kind of action."))
            else:
                data["kind"] = entry.kind
                self.instance.kind = entry.kind
        if entry is not None and entry.legal_matter:
            # A legal matter stays one, whoever picks it (it is then seen by those who may).
            data["legal_matter"] = True
            self.instance.legal_matter = True
        return data

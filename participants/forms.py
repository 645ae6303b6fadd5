from crispy_forms.layout import HTML, Div, Fieldset
from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from stdnum.pl import pesel as pesel_number

from kis_site.forms import (
    DateInput,
    FastSelect,
    clean_postal_code,
    date_widgets,
    form_helper,
    form_row,
)
from kis_site.locking import VersionedFormMixin
from kis_site.models import FundingSource, StaffMember
from kis_site.search import normalise
from kis_site.validators import clean_pesel
from kis_site.vocabulary import RiskGroup, Role, Section
from participants.models import (
    CATEGORY_SECTIONS,
    Application,
    ApplicationSource,
    BasisKind,
    CaseNote,
    Cohort,
    ContractEvaluation,
    DataCategory,
    Decision,
    Enrolment,
    EnrolmentStatus,
    ExitOutcome,
    FamilyMember,
    FollowUp,
    FollowUpResult,
    LegalBasis,
    OutgoingReferral,
    Participant,
    ReferralStatus,
    SocialContract,
)
from participants.services import CASE_MANAGER_ASSIGNED_BY_MANAGER
from partners.models import ContactPerson, Institution

HIDDEN = _(
    "The referring institution and the reason are shown only to the roles that see risk groups."
)


def case_manager_choices():
    return (
        StaffMember.objects.active()
        .with_role(Role.CASE_MANAGER, Role.MANAGER)
        .order_by("last_name", "first_name")
    )


# --- Participant ----------------------------------------------------------------------------

_RISK_FIELDS = ("risk_groups", "primary_risk_group", "risk_group_other")


class ParticipantForm(VersionedFormMixin, forms.ModelForm):
    """The participant's data. Risk-group fields are present only for users who may see them."""

    risk_groups = forms.MultipleChoiceField(
        label=_("Risk groups"),
        choices=RiskGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("All that apply (art. 1 sec. 2 of the act on social employment)."),
    )
    confirm_duplicate = forms.BooleanField(
        label=_("I confirm this is a different person"),
        required=False,
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Participant
        fields = [
            "first_name",
            "last_name",
            "pesel",
            "birth_date",
            "sex",
            "id_document_type",
            "id_document_number",
            "street",
            "postal_code",
            "city",
            "phone",
            "email",
            "education_level",
            "ops_client_since",
            "registered_unemployed_since",
            "primary_risk_group",
            "risk_group_other",
            "case_manager",
            "rodo_clause_given_on",
        ]
        widgets = date_widgets(
            "birth_date", "ops_client_since", "registered_unemployed_since", "rodo_clause_given_on"
        )
        help_texts = {
            "pesel": _("Birth date and sex are taken from it. Leave empty if the person has none."),
            "birth_date": _("Required when there is no PESEL."),
        }

    def __init__(
        self, *args, sections=frozenset(), current_risk_groups=None, can_assign=False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.duplicate_warning = None
        self.can_assign = can_assign
        if Section.RISK_GROUPS not in sections:
            for name in _RISK_FIELDS:
                self.fields.pop(name, None)
        elif "risk_groups" in self.fields and current_risk_groups is not None:
            self.fields["risk_groups"].initial = current_risk_groups
        if "case_manager" in self.fields:
            field = self.fields["case_manager"]
            field.queryset = case_manager_choices()
            if not can_assign:
                # Shown, but assigned and changed only by the manager (a posted value is refused).
                field.disabled = True
                field.help_text = _("Assigned by the KIS manager.")
        if "pesel" in self.fields:
            self.fields["pesel"].widget.attrs.update(
                {"inputmode": "numeric", "autocomplete": "off"}
            )
        if "primary_risk_group" in self.fields:
            self.fields["primary_risk_group"].choices = [("", "---------"), *RiskGroup.choices]
        self.helper = form_helper(*self._layout())

    def _layout(self):
        present = set(self.fields)

        def only(*names):
            return [name for name in names if name in present]

        parts = [
            Fieldset(
                _("Personal data"),
                form_row(*only("first_name", "last_name")),
                form_row(*only("pesel", "birth_date", "sex")),
                form_row(*only("id_document_type", "id_document_number")),
            ),
            Fieldset(
                _("Address and contact"),
                form_row(*only("street")),
                form_row(*only("postal_code", "city")),
                form_row(*only("phone", "email")),
            ),
            Fieldset(
                _("Situation"),
                form_row(
                    *only("education_level", "ops_client_since", "registered_unemployed_since")
                ),
            ),
        ]
        if "risk_groups" in present:
            parts.append(
                Fieldset(
                    _("Risk groups (sensitive data)"),
                    *only("risk_groups", "primary_risk_group", "risk_group_other"),
                    css_class="sensitive",
                )
            )
        parts.append(
            Fieldset(
                _("Case"),
                form_row(*only("case_manager", "rodo_clause_given_on")),
            )
        )
        parts.extend(only("confirm_duplicate", "expected_version"))
        return parts

    def clean_pesel(self):
        value = (self.cleaned_data.get("pesel") or "").strip()
        if not value:
            return None
        value = clean_pesel(value)
        others = Participant.objects.filter(pesel=value)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        existing = others.first()
        if existing is not None:
            raise forms.ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("A participant with this PESEL already exists:"),
                    reverse("participants:detail", args=[existing.pk]),
                    _("open their file"),
                )
            )
        return value

    def clean_postal_code(self):
        return clean_postal_code(self.cleaned_data.get("postal_code"))

    def clean_case_manager(self):
        value = self.cleaned_data.get("case_manager")
        if not self.can_assign and self.is_bound:
            posted = self.data.get(self.add_prefix("case_manager"))
            current = self.instance.case_manager_id
            if posted is not None and str(posted or "") != str(current or ""):
                raise forms.ValidationError(CASE_MANAGER_ASSIGNED_BY_MANAGER)
        return value

    def clean(self):
        data = super().clean()
        pesel = data.get("pesel")
        if pesel:
            born = pesel_number.get_birth_date(pesel)
            if data.get("birth_date") and data["birth_date"] != born:
                self.add_error(
                    "birth_date",
                    _("The date of birth does not match the PESEL (%(date)s).")
                    % {"date": born.strftime("%d.%m.%Y")},
                )
            data["birth_date"] = born
            data["sex"] = "M" if pesel_number.get_gender(pesel) == "M" else "F"
        elif "pesel" in self.fields and "pesel" not in self.errors:
            if not data.get("birth_date"):
                self.add_error("birth_date", _("Without a PESEL give the date of birth."))
            if "id_document_type" in self.fields and not (
                data.get("id_document_type") and data.get("id_document_number")
            ):
                self.add_error(
                    "id_document_number",
                    _("Without a PESEL give the identity document and its number."),
                )
        if data.get("birth_date") and data["birth_date"] > timezone.localdate():
            self.add_error("birth_date", _("The date of birth cannot be in the future."))
        self._clean_risk_groups(data)
        self._check_namesake(data)
        return data

    def _clean_risk_groups(self, data):
        if "risk_groups" not in self.fields:
            return
        groups = data.get("risk_groups") or []
        primary = data.get("primary_risk_group")
        if groups and not primary:
            self.add_error(
                "primary_risk_group",
                _("Mark one of the chosen groups as primary (for the report to the voivode)."),
            )
        if primary and primary not in groups:
            self.add_error(
                "primary_risk_group", _("The primary group must be one of those ticked.")
            )
        if RiskGroup.OTHER in groups and not (data.get("risk_group_other") or "").strip():
            self.add_error("risk_group_other", _("Describe the other risk group."))

    def _check_namesake(self, data):
        """Same name and birth date: warn and ask for confirmation, once."""
        if self.errors or not data.get("birth_date") or data.get("confirm_duplicate"):
            return
        same = Participant.objects.filter(
            search_text=normalise(f"{data.get('first_name', '')} {data.get('last_name', '')}"),
            birth_date=data["birth_date"],
        )
        if self.instance.pk:
            same = same.exclude(pk=self.instance.pk)
        existing = same.first()
        if existing is None:
            return
        self.fields["confirm_duplicate"].widget = forms.CheckboxInput()
        self.duplicate_warning = existing
        self.add_error(
            "confirm_duplicate",
            format_html(
                '{} <a href="{}">{}</a>. {}',
                _("A person with the same name and date of birth is already registered:"),
                reverse("participants:detail", args=[existing.pk]),
                existing.full_name,
                _("If this is a different person, tick the confirmation and save again."),
            ),
        )


class ParticipantBasicsForm(ParticipantForm):
    """The person's basics recorded with their first application."""

    class Meta(ParticipantForm.Meta):
        fields = [
            "first_name",
            "last_name",
            "pesel",
            "birth_date",
            "sex",
            "id_document_type",
            "id_document_number",
            "phone",
            "city",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, sections=frozenset(), **kwargs)
        self.helper = form_helper(
            Fieldset(
                _("The person"),
                form_row("first_name", "last_name"),
                form_row("pesel", "birth_date", "sex"),
                form_row("id_document_type", "id_document_number"),
                form_row("phone", "city"),
                "confirm_duplicate",
            )
        )


class FamilyMemberForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = FamilyMember
        fields = [
            "first_name",
            "relation",
            "birth_year",
            "lives_in_household",
            "needs_childcare",
            "notes",
            "is_current",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields.pop("is_current")
        self.helper = form_helper()

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        if year and not 1900 <= year <= timezone.localdate().year:
            raise forms.ValidationError(
                _("Give a year between 1900 and %(year)s.") % {"year": timezone.localdate().year}
            )
        return year


# --- Recruitment ----------------------------------------------------------------------------


class ApplicationForm(VersionedFormMixin, forms.ModelForm):
    eligible_groups = forms.MultipleChoiceField(
        label=_("Groups of art. 1 sec. 2 that apply"),
        choices=RiskGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Application
        fields = [
            "received_on",
            "source",
            "institution",
            "contact_person",
            "reason",
            "eligible_groups",
            "receives_unemployment_benefit",
            "receives_pre_retirement",
            "receives_structural_pension",
            "receives_retirement_pension",
            "receives_teacher_compensation",
            "receives_incapacity_pension",
        ]
        widgets = {"received_on": DateInput(), "reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, sections=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Institution.objects.order_by("name")
        self.fields["contact_person"].queryset = ContactPerson.objects.filter(
            is_active=True
        ).select_related("institution")
        self.fields["contact_person"].label_from_instance = lambda person: (
            f"{person} — {person.institution.name}"
        )
        for name in ("institution", "contact_person"):  # hundreds of options each
            field = self.fields[name]
            field.widget = FastSelect(attrs={"data-autocomplete": "1"}, choices=field.choices)
        benefits = [
            "receives_unemployment_benefit",
            "receives_pre_retirement",
            "receives_structural_pension",
            "receives_retirement_pension",
            "receives_teacher_compensation",
            "receives_incapacity_pension",
        ]
        groups = ["eligible_groups"]
        if Section.RISK_GROUPS not in sections:
            groups = []
            self.fields.pop("eligible_groups")
        if Section.HEALTH not in sections:
            benefits.remove("receives_incapacity_pension")
            self.fields.pop("receives_incapacity_pension")
        locked = []
        if self.instance.pk and self.instance.decision == Decision.QUALIFIED:
            # The check the qualification stands on: shown as it was, no longer changed.
            decided_on = self.instance.decided_on
            for name in (*groups, *benefits):
                self.fields[name].disabled = True
            locked = [
                HTML(
                    format_html(
                        '<p class="form-text kis-fieldset-help">{}</p>',
                        _(
                            "Qualified on %(date)s: the eligibility check stays as it was when "
                            "the decision was taken."
                        )
                        % {
                            "date": date_format(decided_on, "SHORT_DATE_FORMAT")
                            if decided_on
                            else "—"
                        },
                    )
                )
            ]
        referrer = [
            form_row("received_on", "source"),
            form_row("institution", "contact_person"),
            "reason",
        ]
        section = self.instance.referrer_section if self.instance.pk else None
        if section is not None and section not in sections:
            # Who referred the person, and why, tells their risk group: kept as it is.
            for name in ("source", "institution", "contact_person", "reason"):
                self.fields.pop(name)
            referrer = ["received_on", HTML(format_html('<p class="form-text">{}</p>', HIDDEN))]
        parts = [Fieldset(_("Referral or application"), *referrer)]
        if groups:
            parts.append(
                Fieldset(
                    _("Eligibility: groups of art. 1 sec. 2"),
                    *locked,
                    *groups,
                    css_class="sensitive",
                )
            )
            locked = []
        parts.append(
            Fieldset(
                _("Benefits that exclude participation (art. 1 sec. 3)"),
                *locked,
                HTML(
                    format_html(
                        '<p class="form-text kis-fieldset-help">{}</p>',
                        _(
                            "Tick what the person receives. An incapacity-for-work pension does "
                            "not exclude (art. 1 sec. 3a)."
                        ),
                    )
                ),
                *benefits,
            )
        )
        parts.append("expected_version")
        self.helper = form_helper(*parts)

    def clean_received_on(self):
        received = self.cleaned_data.get("received_on")
        if received and received > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return received

    def clean(self):
        data = super().clean()
        source = data.get("source")
        institution = data.get("institution")
        person = data.get("contact_person")
        if source == ApplicationSource.REFERRAL and not institution:
            self.add_error("institution", _("Choose the institution that refers the person."))
        if source == ApplicationSource.SELF:
            data["institution"] = None
            data["contact_person"] = None
        elif person and institution and person.institution_id != institution.pk:
            self.add_error("contact_person", _("This person works in another institution."))
        return data


class DecisionForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Application
        fields = ["decision", "decided_on", "decided_by", "decision_reason"]
        widgets = {"decided_on": DateInput(), "decision_reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [
            choice for choice in Decision.choices if choice[0] != Decision.PENDING
        ]
        self.fields["decided_on"].required = True
        self.fields["decided_by"].required = True
        # Those who may qualify: the manager and the case managers (as in the role table).
        self.fields["decided_by"].queryset = case_manager_choices()
        self.fields["decision_reason"].required = True
        self.helper = form_helper()


# --- Cohorts and enrolment ------------------------------------------------------------------


class CohortForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Cohort
        fields = [
            "name",
            "starts_on",
            "ends_on",
            "capacity",
            "lead_social_worker",
            "funding_source",
            "notes",
        ]
        widgets = {
            **date_widgets("starts_on", "ends_on"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_social_worker"].queryset = StaffMember.objects.active()
        self.fields["funding_source"].queryset = FundingSource.objects.filter(is_active=True)
        self.helper = form_helper(
            "name",
            form_row("starts_on", "ends_on", "capacity"),
            form_row("lead_social_worker", "funding_source"),
            "notes",
            "expected_version",
        )

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end cannot be earlier than the start."))
        capacity = data.get("capacity")
        if self.instance.pk and capacity is not None:
            taken = self.instance.enrolments.open().count()
            if capacity < taken:
                self.add_error(
                    "capacity",
                    _("The cohort has %(count)s open participations: give at least that many.")
                    % {"count": taken},
                )
        return data


class EnrolmentForm(forms.ModelForm):
    confirm_without_basis = forms.BooleanField(
        label=_("Enrol without a valid social contract or other basis"),
        required=False,
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Enrolment
        fields = [
            "application",
            "cohort",
            "starts_on",
            "planned_end_on",
            "extension_reason",
            "funding_source",
        ]
        widgets = {
            **date_widgets("starts_on", "planned_end_on"),
            "extension_reason": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "planned_end_on": _(
                "Leave empty for the usual length from the club's settings "
                "(or the end of the cohort)."
            ),
        }

    def __init__(self, *args, participant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = participant.applications.filter(
            decision=Decision.QUALIFIED, enrolments__isnull=True
        )
        self.fields["application"].required = True
        self.fields["application"].empty_label = None
        self.fields["cohort"].queryset = Cohort.objects.filter(
            ends_on__gte=timezone.localdate()
        ).order_by("starts_on")
        self.fields["cohort"].empty_label = _("— individual enrolment (no cohort) —")
        self.fields["planned_end_on"].required = False
        self.fields["funding_source"].queryset = FundingSource.objects.filter(is_active=True)
        self.participant = participant
        self.helper = form_helper(
            "application",
            "cohort",
            form_row("starts_on", "planned_end_on"),
            "extension_reason",
            "funding_source",
            "confirm_without_basis",
        )

    def clean(self):
        data = super().clean()
        starts = data.get("starts_on")
        if (
            starts
            and not self.errors
            and not data.get("confirm_without_basis")
            and not self.participant.contracts.valid_on(starts).exists()
        ):
            self.fields["confirm_without_basis"].widget = forms.CheckboxInput()
            self.add_error(
                "confirm_without_basis",
                _(
                    "No social contract or other basis of participation is valid on the start "
                    "date. Record it first, or tick to enrol anyway."
                ),
            )
        return data


class EnrolmentEditForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Enrolment
        fields = ["planned_end_on", "extension_reason", "funding_source"]
        widgets = {
            **date_widgets("planned_end_on"),
            "extension_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


class StatusChangeForm(VersionedFormMixin, forms.Form):
    to_status = forms.ChoiceField(label=_("New status"))
    changed_on = forms.DateField(label=_("Date"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    exit_outcome = forms.ChoiceField(
        label=_("Outcome of the participation"),
        required=False,
        choices=[("", "---------"), *ExitOutcome.choices],
        help_text=_("Required when the participation ends."),
    )
    exit_notes = forms.CharField(
        label=_("Notes on the exit"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, allowed, version, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(EnrolmentStatus.choices)
        self.fields["to_status"].choices = [(status, labels[status]) for status in allowed]
        self.fields["changed_on"].initial = timezone.localdate()
        self.fields["expected_version"].initial = version
        self.helper = form_helper(
            form_row("to_status", "changed_on"),
            "reason",
            Fieldset(
                _("Exit"),
                form_row("exit_outcome"),
                "exit_notes",
                css_id="exit-fields",
                data_show_when="to_status:" + ",".join(EnrolmentStatus.closed()),
            ),
            "expected_version",
        )


class FollowUpForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["checked_on", "result", "notes"]
        widgets = {**date_widgets("checked_on"), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checked_on"].required = True
        self.fields["result"].required = True
        self.fields["result"].choices = [("", "---------"), *FollowUpResult.choices]
        self.helper = form_helper(form_row("checked_on", "result"), "notes", "expected_version")


class CaseNoteForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = CaseNote
        fields = ["kind", "happened_on", "text", "section"]
        widgets = {**date_widgets("happened_on"), "text": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, sections=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        allowed = [("", _("none (visible to everyone working with the person)"))]
        allowed += [choice for choice in Section.choices if choice[0] in sections]
        self.fields["section"].choices = allowed
        self.helper = form_helper(
            form_row("kind", "happened_on"), "text", "section", "expected_version"
        )


# --- Documents ------------------------------------------------------------------------------

_CONTRACT_CONTENT = ("situation", "goals", "person_obligations", "worker_obligations")


class SocialContractForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = SocialContract
        fields = [
            "basis_kind",
            "origin",
            "number",
            "concluded_on",
            "valid_from",
            "valid_until",
            "ops_worker",
            "ops_department",
            "family_parties",
            *_CONTRACT_CONTENT,
            "evaluation_every_months",
            "notes",
        ]
        widgets = {
            **date_widgets("concluded_on", "valid_from", "valid_until"),
            "family_parties": forms.CheckboxSelectMultiple,
            **{name: forms.Textarea(attrs={"rows": 4}) for name in _CONTRACT_CONTENT},
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, participant, sections=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["family_parties"].queryset = participant.family_members.filter(is_current=True)
        self.fields["family_parties"].label_from_instance = str
        self.fields["ops_department"].queryset = Institution.objects.filter(kind="ops")
        content = list(_CONTRACT_CONTENT)
        if Section.RISK_GROUPS not in sections:
            for name in content:
                self.fields.pop(name)
            content = []
        contract_only = "basis_kind:" + BasisKind.SOCIAL_CONTRACT
        parts = [
            Fieldset(
                _("Document"),
                form_row("basis_kind", Div("origin", data_show_when=contract_only)),
                form_row("number", "concluded_on"),
                form_row("valid_from", "valid_until"),
            ),
            Fieldset(
                _("Social welfare centre"),
                form_row("ops_worker", "ops_department"),
                data_show_when=contract_only,
            ),
        ]
        if self.fields["family_parties"].queryset.exists():
            parts.append(Fieldset(_("Parties"), "family_parties", data_show_when=contract_only))
        else:
            self.fields.pop("family_parties")
        if content:
            self.fields["goals"].help_text = _("For a referral: what it refers the person for.")
            parts.append(Fieldset(_("Content"), *content, css_class="sensitive"))
        parts += [
            Div("evaluation_every_months", data_show_when=contract_only),
            "notes",
            "expected_version",
        ]
        self.helper = form_helper(*parts)


class EvaluationPlanForm(forms.Form):
    planned_on = forms.DateField(label=_("Date of the evaluation"), widget=DateInput())


class EvaluationRecordForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = ContractEvaluation
        fields = ["done_on", "result"]
        widgets = {**date_widgets("done_on"), "result": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done_on"].required = True
        self.fields["result"].required = True
        self.helper = form_helper()


class CertificateForm(forms.Form):
    issued_on = forms.DateField(label=_("Date of issue"), widget=DateInput())


class ReferralForm(VersionedFormMixin, forms.ModelForm):
    data_passed = forms.MultipleChoiceField(
        label=_("Personal data passed on"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The letter prints only these."),
    )
    consent_categories = forms.MultipleChoiceField(
        label=_("Data the consent covers"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = OutgoingReferral
        fields = [
            "institution",
            "service",
            "contact_person",
            "referred_on",
            "purpose",
            "data_passed",
            "information",
            "legal_basis",
            "consent_on",
            "consent_categories",
            "statutory_basis",
        ]
        widgets = {
            **date_widgets("referred_on", "consent_on"),
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "information": forms.Textarea(attrs={"rows": 4}),
            "legal_basis": forms.RadioSelect,
        }

    def __init__(self, *args, sections=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        from partners.models import Service

        # Nobody passes on what they may not see themselves.
        allowed = [
            (code, label)
            for code, label in DataCategory.choices
            if CATEGORY_SECTIONS.get(code, set()) <= set(sections)
        ]
        self.fields["data_passed"].choices = allowed
        self.fields["consent_categories"].choices = allowed
        if not self.instance.pk and not self.initial.get("data_passed"):
            self.initial["data_passed"] = [DataCategory.IDENTITY]
        self.fields["institution"].queryset = Institution.objects.active()
        self.fields["institution"].widget.attrs["data-autocomplete"] = "1"
        self.fields["service"].queryset = Service.objects.filter(
            is_active=True, institution__is_archived=False
        ).select_related("institution")
        self.fields["service"].widget.attrs["data-autocomplete"] = "1"
        self.fields["contact_person"].queryset = ContactPerson.objects.filter(
            is_active=True, institution__is_archived=False
        ).select_related("institution")
        self.fields["contact_person"].label_from_instance = lambda person: (
            f"{person} — {person.institution.name}"
        )
        self.fields["contact_person"].widget.attrs["data-autocomplete"] = "1"
        self.fields["legal_basis"].choices = LegalBasis.choices
        self.helper = form_helper(
            Fieldset(
                _("Where to"),
                "institution",
                form_row("service", "contact_person"),
                form_row("referred_on"),
                "purpose",
            ),
            Fieldset(_("What is passed on"), "data_passed", "information"),
            Fieldset(
                _("Legal basis"),
                "legal_basis",
                Div(
                    form_row("consent_on"),
                    "consent_categories",
                    data_show_when="legal_basis:" + LegalBasis.CONSENT,
                ),
                Div("statutory_basis", data_show_when="legal_basis:" + LegalBasis.STATUTORY),
            ),
            "expected_version",
        )


class ReferralStatusForm(VersionedFormMixin, forms.Form):
    to_status = forms.ChoiceField(label=_("New status"))
    on = forms.DateField(label=_("Date"), widget=DateInput())
    note = forms.CharField(
        label=_("The institution's answer or the outcome"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, allowed, version, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(ReferralStatus.choices)
        self.fields["to_status"].choices = [(status, labels[status]) for status in allowed]
        self.fields["on"].initial = timezone.localdate()
        self.fields["expected_version"].initial = version
        self.helper = form_helper(form_row("to_status", "on"), "note", "expected_version")


# --- Restriction of processing (GDPR art. 18) ------------------------------------------------


class RestrictionForm(forms.Form):
    restricted_on = forms.DateField(
        label=_("Processing restricted from"), widget=DateInput(), initial=timezone.localdate
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "E.g. the person contests the accuracy of their data, or objected to the "
            "processing; say when and how they asked."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper("restricted_on", "reason")


class LiftRestrictionForm(forms.Form):
    person_told_on = forms.DateField(
        label=_("The person was told of the lifting on"),
        widget=DateInput(),
        help_text=_("The person must be told before the restriction is lifted (GDPR art. 18(3))."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the restriction ends, and how the person was told."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper("person_told_on", "note")

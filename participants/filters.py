import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from kis_site.access import policy
from kis_site.forms import FastSelect
from kis_site.vocabulary import RiskGroup, Section
from participants.forms import case_manager_choices
from participants.models import Cohort, EnrolmentStatus

NO_ENROLMENT = "none"


class ParticipantFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[*EnrolmentStatus.choices, (NO_ENROLMENT, _("not enrolled yet"))],
        method="filter_status",
        empty_label=_("all"),
    )
    # Choices as plain pairs, not model objects: the list renders them on every click of a filter.
    cohort = django_filters.ChoiceFilter(
        label=_("Cohort"),
        choices=lambda: list(Cohort.objects.order_by("-starts_on").values_list("pk", "name")),
        method="filter_cohort",
        empty_label=_("all"),
    )
    risk_group = django_filters.ChoiceFilter(
        label=_("Risk group"),
        choices=RiskGroup.choices,
        method="filter_risk_group",
        empty_label=_("all"),
    )
    case_manager = django_filters.ChoiceFilter(
        label=_("Case manager"),
        choices=lambda: [
            (pk, f"{first} {last}".strip())
            for pk, first, last in case_manager_choices().values_list(
                "pk", "first_name", "last_name"
            )
        ],
        empty_label=_("all"),
    )

    rodo = django_filters.ChoiceFilter(
        label=_("GDPR clause"),
        choices=[("missing", _("not handed over"))],
        method="filter_rodo",
        empty_label=_("all"),
    )

    def __init__(self, data=None, *args, request=None, **kwargs):
        super().__init__(data, *args, request=request, **kwargs)
        self.risk_scope = policy().section_scope(request.user, Section.RISK_GROUPS)
        if self.risk_scope is None:
            self.filters.pop("risk_group")
        for field in self.form.fields.values():
            field.widget = FastSelect(
                attrs={"class": "form-select form-select-sm"}, choices=field.widget.choices
            )

    def filter_status(self, queryset, name, value):
        if value == NO_ENROLMENT:
            return queryset.filter(current_enrolment__isnull=True)
        return queryset.filter(current_status=value)  # kept with the current participation

    def filter_rodo(self, queryset, name, value):
        return (
            queryset.filter(rodo_clause_given_on__isnull=True) if value == "missing" else queryset
        )

    def filter_cohort(self, queryset, name, value):
        return queryset.filter(enrolments__cohort_id=value).distinct()

    def filter_risk_group(self, queryset, name, value):
        # Only among the people whose risk groups this user may see.
        return queryset.filter(self.risk_scope).filter(
            risk_group_rows__group=value, risk_group_rows__ended_on__isnull=True
        )


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name or PESEL"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "form-control"}),
    )

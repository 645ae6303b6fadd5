from django import forms
from django.utils.translation import gettext_lazy as _

from kis_site.forms import form_helper
from retention.models import Anonymisation, AnonymisationState, Ground


class ProposeForm(forms.Form):
    ground = forms.ChoiceField(label=_("ground"), choices=Ground.choices, initial=Ground.RETENTION)
    reason = forms.CharField(
        label=_("justification"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Emptied when the file is anonymised."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper("ground", "reason")


class ConfirmForm(forms.Form):
    proposals = forms.ModelMultipleChoiceField(
        label=_("files to anonymise"),
        queryset=Anonymisation.objects.none(),
        widget=forms.MultipleHiddenInput,
        error_messages={
            "required": _("Choose the files to anonymise."),
            "invalid_choice": _("One of the files is no longer waiting for confirmation."),
            "invalid_pk_value": _("One of the files is no longer waiting for confirmation."),
        },
    )
    archive_reference = forms.CharField(
        label=_("the archive's consent (reference)"),
        max_length=200,
        required=False,
        help_text=_(
            "The reference of the archival expert opinion or the state archive's consent, where "
            "the operator's records rules require one."
        ),
    )
    understood = forms.BooleanField(
        label=_("I understand that the anonymisation cannot be undone."), required=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposals"].queryset = Anonymisation.objects.filter(
            state=AnonymisationState.PROPOSED
        ).select_related("participant")
        self.helper = form_helper("proposals", "archive_reference", "understood")

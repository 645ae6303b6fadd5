from django import forms
from django.utils.translation import gettext_lazy as _

from kis_site.forms import form_helper
from retention.models import Ground


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
        self.helper = form_helper("archive_reference", "understood")

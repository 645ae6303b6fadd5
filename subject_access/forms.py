"""The review of a copy of a person's data: the date of the request, what is withheld, why."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ItemKeys(forms.MultipleChoiceField):
    """Keys of review items: one that no longer exists (the page was open a while) is ignored
    by the review rather than refused."""

    def valid_value(self, value):
        return True


class ReviewForm(forms.Form):
    received_on = forms.DateField(
        label=_("Request received on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    withheld = ItemKeys(
        label=_("Withheld from the copy"), required=False, widget=forms.CheckboxSelectMultiple
    )
    # The items the page showed: one that appears while the page is open keeps its default.
    reviewed = ItemKeys(required=False, widget=forms.MultipleHiddenInput)
    reason = forms.CharField(
        label=_("Reason for withholding"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Given to the person with the copy (GDPR art. 15 sec. 4)."),
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        self.fields["withheld"].choices = [(item.key, item.label) for item in items]
        self.fields["reviewed"].choices = [(item.key, item.key) for item in items]
        self.fields["reviewed"].initial = [item.key for item in items]

    def checked(self) -> set[str]:
        """The items ticked as withheld: as posted, or as the review saved them."""
        if self.is_bound:
            return set(self.data.getlist(self.add_prefix("withheld")))
        return set(self.initial.get("withheld", ()))

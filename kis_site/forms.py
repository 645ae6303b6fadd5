"""Form pieces shared by every app."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

POSTAL_CODE = re.compile(r"^\d{2}-\d{3}$")


class DateInput(forms.DateInput):
    """The browser's date picker; the value travels as YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def clean_postal_code(value: str) -> str:
    value = (value or "").strip()
    if value and not POSTAL_CODE.match(value):
        raise ValidationError(_("Write the postal code as 00-000."))
    return value


def date_widgets(*names):
    return {name: DateInput() for name in names}

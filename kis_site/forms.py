"""Form pieces shared by every app."""

import html
import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
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


class FastSelect(forms.Select):
    """A <select> rendered in Python: the template-per-option default is slow for long lists
    (170 cohorts, 300 institutions) and this page is rendered on every click of a filter."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if any(isinstance(label, (list, tuple)) for _value, label in choices):
            return super().render(name, value, attrs, renderer)  # option groups: the default
        chosen = set(self.format_value(value))
        options = []
        for option, label in choices:
            # html.escape, not format_html: hundreds of options, each escaped exactly the same.
            option = "" if option is None else str(option)
            selected = " selected" if option in chosen else ""
            text = html.escape(str(label))
            options.append(f'<option value="{html.escape(option)}"{selected}>{text}</option>')
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            mark_safe("".join(options)),  # noqa: S308 - every value and label escaped above
        )


def form_helper(*layout) -> FormHelper:
    """Crispy settings of every form: the page's template writes the <form> tag and the token."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout:
        helper.layout = Layout(*layout)
    return helper


def form_row(*fields, cols="col-md"):
    """Fields side by side on wide screens, stacked on narrow ones."""
    return Div(*[Div(field, css_class=cols) for field in fields], css_class="row")

"""How audit entries are filtered and shown to the manager (read-only; nothing edits them)."""

from urllib.parse import urlencode

from auditlog.models import LogEntry
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from kis_site.audit import MASK

ACCESS_LABELS = {
    "view": _("viewed"),
    "pdf": _("printed (PDF)"),
    "export": _("exported"),
    "audit": _("viewed the audit trail"),
}


class AuditFilterForm(forms.Form):
    actor = forms.ModelChoiceField(
        label=_("Person"),
        queryset=get_user_model().objects.order_by("last_name", "first_name", "username"),
        required=False,
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    action = forms.TypedChoiceField(
        label=_("Event"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", _("all")),
            (LogEntry.Action.CREATE, _("created")),
            (LogEntry.Action.UPDATE, _("changed")),
            (LogEntry.Action.DELETE, _("deleted")),
            (LogEntry.Action.ACCESS, _("read")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].label_from_instance = _user_label

    def filter(self, entries):
        data = self.cleaned_data
        if data.get("actor"):
            entries = entries.filter(actor=data["actor"])
        if data.get("date_from"):
            entries = entries.filter(timestamp__date__gte=data["date_from"])
        if data.get("date_to"):
            entries = entries.filter(timestamp__date__lte=data["date_to"])
        if data.get("action") is not None:
            entries = entries.filter(action=data["action"])
        return entries

    def query_string(self) -> str:
        return urlencode({key: value for key, value in self.data.items() if key != "page"})


def _user_label(user) -> str:
    name = user.get_full_name()
    return f"{name} ({user.username})" if name else user.username


def entry_rows(entries):
    rows = []
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type_id else None
        data = entry.additional_data or {}
        rows.append(
            {
                "entry": entry,
                "actor": _user_label(entry.actor) if entry.actor else _("system"),
                "what": model._meta.verbose_name if model else "",
                "event": _event_label(entry, data),
                "changes": _changes(entry, model),
            }
        )
    return rows


def _event_label(entry, data):
    if entry.action == LogEntry.Action.ACCESS:
        return ACCESS_LABELS.get(data.get("access"), _("read"))
    return {
        LogEntry.Action.CREATE: _("created"),
        LogEntry.Action.UPDATE: _("changed"),
        LogEntry.Action.DELETE: _("deleted"),
    }.get(entry.action, "")


def _changes(entry, model):
    changes = entry.changes_dict if entry.changes else {}
    result = []
    for name, values in changes.items():
        if isinstance(values, dict):  # many-to-many entries
            values = [values.get("operation", ""), ", ".join(values.get("objects", []))]
        old, new = [*values, "", ""][:2]
        label = name
        if model is not None:
            try:
                label = getattr(model._meta.get_field(name), "verbose_name", name)
            except FieldDoesNotExist:
                label = {"bulk": _("bulk change")}.get(name, name)
        masked = MASK in (old, new)
        result.append(
            {
                "label": label,
                "old": "" if old in (None, "None") else old,
                "new": "" if new in (None, "None") else new,
                "masked": masked,
            }
        )
    return result

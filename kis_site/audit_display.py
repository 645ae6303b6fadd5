"""How audit entries are filtered and shown to the manager (read-only; nothing edits them)."""

from datetime import UTC, date, datetime
from urllib.parse import urlencode

from auditlog.models import LogEntry
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.formats import date_format
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
    entries = list(entries)
    related = _resolve_related(entries)
    rows = []
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type_id else None
        data = entry.additional_data or {}
        changes = _changes(entry, model, related)
        rows.append(
            {
                "entry": entry,
                "actor": _user_label(entry.actor) if entry.actor else _("system"),
                "what": model._meta.verbose_name if model else "",
                "event": _event_label(entry, data),
                "changes": changes,
                "long": len(changes) > 4,
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


_SKIPPED = {"id", "created_at", "created_by"}
# Changes logged under a name that is no field of the model.
_CHANGE_LABELS = {"bulk": _("bulk change"), "two_factor": _("two-factor login")}


def _field(model, name):
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if getattr(field, "concrete", False) else None


def _resolve_related(entries):
    """One query per related model for all foreign keys shown on the page."""
    wanted: dict[type, set] = {}
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type_id else None
        for name, values in (entry.changes_dict if entry.changes else {}).items():
            field = _field(model, name)
            if field is None or not field.is_relation or isinstance(values, dict):
                continue
            for value in values:
                if value not in (None, "", "None", MASK):
                    wanted.setdefault(field.related_model, set()).add(str(value))
    resolved = {}
    for related_model, ids in wanted.items():
        valid = [value for value in ids if value.isdigit()]
        objects = related_model._default_manager.in_bulk([int(value) for value in valid])
        for pk, obj in objects.items():
            resolved[(related_model, str(pk))] = str(obj)
    return resolved


def _format(field, value, related):
    if value in (None, "", "None"):
        return ""
    if value == MASK or field is None:
        return value
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    internal = field.get_internal_type()
    if internal == "BooleanField":
        return _("yes") if str(value) == "True" else _("no")
    if field.is_relation:
        return related.get((field.related_model, str(value)), f"#{value}")
    try:
        if internal == "DateField":
            return date_format(date.fromisoformat(str(value)[:10]), "SHORT_DATE_FORMAT")
        if internal == "DateTimeField":
            moment = datetime.fromisoformat(str(value))
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, UTC)
            return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
    except ValueError:
        return value
    return value


def _changes(entry, model, related):
    changes = entry.changes_dict if entry.changes else {}
    creating = entry.action == LogEntry.Action.CREATE
    result = []
    for name, values in changes.items():
        if name in _SKIPPED:
            continue
        field = _field(model, name)
        label = field.verbose_name if field is not None else _CHANGE_LABELS.get(name, name)
        if isinstance(values, dict):  # many-to-many entries: what was added or removed
            objects = ", ".join(str(item) for item in values.get("objects", []))
            old, new = ("", objects) if values.get("operation") == "add" else (objects, "")
        else:
            old, new = [*values, "", ""][:2]
            old, new = _format(field, old, related), _format(field, new, related)
        if creating and new == "":
            continue
        result.append(
            {
                "label": label,
                "old": old,
                "new": new,
                "masked": MASK in (old, new),
                "creating": creating,
            }
        )
    return result

"""Optimistic locking: a version number travels with every edit form.

A save compares the version the person started from with the stored one, under a row lock, in
one transaction. When someone else saved in between, the save is refused with a ``ConflictError``
that carries the stored record, so the page can show both sides and lose neither.
"""

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _


class Versioned(models.Model):
    """Abstract base of every record edited in the pages."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class ConflictError(Exception):
    """Someone saved the record after the editor loaded it."""

    def __init__(self, current):
        super().__init__(f"{type(current).__name__} {current.pk} changed meanwhile")
        self.current = current


def save_versioned(instance: Versioned, *, expected_version: int | None) -> Versioned:
    """Save ``instance`` if the stored version is still ``expected_version``; bump the version.

    New records (no pk yet) are simply saved. Must run inside the caller's transaction or opens
    its own; the row is locked (SELECT ... FOR UPDATE on PostgreSQL, the IMMEDIATE write
    transaction on SQLite) so two saves cannot both pass the check.
    """
    with transaction.atomic():
        if instance.pk is not None:
            model = type(instance)
            current = model._default_manager.select_for_update().get(pk=instance.pk)
            if expected_version is None or current.version != expected_version:
                raise ConflictError(current)
            instance.version = current.version + 1
        instance.full_clean()
        instance.save()
    return instance


class VersionedFormMixin(forms.Form):
    """Adds the hidden version field to a ModelForm of a ``Versioned`` model."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk is not None:
            self.fields["expected_version"].initial = instance.version

    def accept_current_version(self, current: Versioned) -> None:
        """After a conflict, let the next submit of this form overwrite ``current`` knowingly."""
        data = self.data.copy()
        data[self.add_prefix("expected_version")] = current.version
        self.data = data


def conflict_context(form: forms.Form, current: Versioned) -> dict:
    """What the conflict message shows: who saved meanwhile and each field that differs."""
    from auditlog.models import LogEntry

    rows = []
    mine = getattr(form, "instance", None)
    for name in form.fields if mine is not None else ():
        try:
            field = current._meta.get_field(name)
        except FieldDoesNotExist:  # a form-only field has nothing stored to compare
            continue
        if field.many_to_many or not field.concrete:
            continue
        theirs_value = field.value_from_object(current)
        mine_value = field.value_from_object(mine)
        if theirs_value != mine_value:
            rows.append(
                {
                    "label": form.fields[name].label or field.verbose_name,
                    "theirs": _display(current, field),
                    "mine": _display(mine, field),
                }
            )
    last = (
        LogEntry.objects.get_for_object(current)
        .filter(action=LogEntry.Action.UPDATE)
        .select_related("actor")
        .order_by("-timestamp")
        .first()
    )
    return {"rows": rows, "entry": last}


def _display(instance, field):
    if field.choices:
        return getattr(instance, f"get_{field.name}_display")()
    if field.is_relation:
        return getattr(instance, field.name) or ""
    value = field.value_from_object(instance)
    return "" if value is None else value

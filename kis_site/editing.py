"""The one way a page saves a form: validate, call the service, answer errors and conflicts."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from kis_site.locking import ConflictError, conflict_context


def add_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (others on top)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields and field != NON_FIELD_ERRORS else None
            for item in errors:
                form.add_error(target, item)
    else:
        form.add_error(None, error)


def save_form(
    request, form, save: Callable, *, success_url, success_message: str = "", current=None
):
    """Run ``save(form)`` for a valid POSTed form; return the redirect, or None to re-render.

    A ConflictError (someone saved meanwhile) keeps the person's input in the form, shows what
    the other person saved, and lets the next submit overwrite knowingly. Forms whose choices
    depend on the record's state (a status change) pass ``current`` so that a stale form is
    answered as a conflict before its choices are validated.
    """
    if request.method != "POST":
        return None
    if current is not None and _is_stale(form, current):
        mark_conflict(form, current)
        return None
    if not form.is_valid():
        return None
    try:
        result = save(form)
    except ConflictError as conflict:
        mark_conflict(form, conflict.current)
        return None
    except ValidationError as error:
        add_errors(form, error)
        return None
    if success_message:
        messages.success(request, success_message)
    url = success_url(result) if callable(success_url) else success_url
    return redirect(url)


def _is_stale(form, current) -> bool:
    posted = form.data.get(form.add_prefix("expected_version"))
    return str(posted) != str(current.version)


def mark_conflict(form, current) -> None:
    form.conflict = conflict_context(form, current)
    if hasattr(form, "accept_current_version"):
        form.accept_current_version(current)
    form.add_error(
        None,
        _(
            "Someone else saved changes to this record while you were editing it. Your "
            "text is still in the form below. Compare it with what they saved, correct it "
            "if needed and save again."
        ),
    )

"""The page "The person's data (GDPR art. 15)": the case manager or the manager prepares the copy
(what it holds, what is withheld and why); only the manager releases it, as one ZIP streamed to
the browser and kept nowhere."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kis_site.access import Action, log_access, policy
from kis_site.editing import add_errors
from kis_site.subject_access import COPY_ACCESS, Record, Table
from participants.access import get_participant_for_user
from subject_access import export, services
from subject_access.forms import ReviewForm
from subject_access.models import AccessRequest


def _default_reason() -> str:
    return _("Other people's data (family members, other participants): GDPR art. 15 sec. 4.")


def _review_form(request, participant, current):
    """The copy as the saved review (or the defaults) makes it, and the form to change it."""
    copy = export.build_copy(
        participant,
        withheld=current.withheld_keys if current else (),
        reviewed=current.reviewed if current else (),
    )
    initial = {
        "received_on": current.received_on if current else timezone.localdate(),
        "withheld": [item.key for item in copy.items if item.withheld],
        "reason": current.reason if current else _default_reason(),
    }
    data = request.POST if request.method == "POST" else None
    return copy, ReviewForm(data, items=copy.items, initial=initial)


def _save_review(request, participant, form):
    """The review as posted, recorded; None (with the errors on the form) when it is not valid."""
    if not form.is_valid():
        return None
    try:
        return services.prepare(
            participant=participant,
            received_on=form.cleaned_data["received_on"],
            items=form.items,
            withheld_keys=set(form.cleaned_data["withheld"]),
            reviewed_keys=set(form.cleaned_data["reviewed"]),
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except ValidationError as error:
        add_errors(form, error)
        return None


def _page(request, participant, copy, form, current):
    checked = form.checked()
    groups: dict[str, list] = {}
    for index, item in enumerate(copy.items):
        groups.setdefault(item.group, []).append((item, item.key in checked, index))
    contents = []
    for section in copy.sections:
        count = sum(
            1 if isinstance(block, Record) else len(block.rows)
            for block in section.blocks
            if isinstance(block, (Record, Table))
        )
        contents.append({"title": section.title, "count": count})
    return render(
        request,
        "subject_access/prepare.html",
        {
            "participant": participant,
            "title": _("The person's data (GDPR art. 15)"),
            "breadcrumbs": [
                (_("Participants"), reverse("participants:list")),
                (participant.full_name, reverse("participants:detail", args=[participant.pk])),
            ],
            "form": form,
            "groups": [{"title": title, "items": items} for title, items in groups.items()],
            "contents": contents,
            "files": copy.files,
            "recipients": copy.recipients,
            "current": current,
            "can_release": policy().can(request.user, Action.EXPORT, participant),
            "released": AccessRequest.objects.filter(
                participant=participant, released_at__isnull=False
            ).order_by("-released_at"),
        },
    )


@require_http_methods(["GET", "POST"])
def prepare(request, pk):
    """The case manager or the manager reviews what the copy holds and records the review."""
    participant = get_participant_for_user(request.user, pk, Action.PREPARE_COPY)
    current = services.open_request(participant)
    copy, form = _review_form(request, participant, current)
    if request.method == "POST":
        if _save_review(request, participant, form) is not None:
            messages.success(
                request,
                _("The review is saved. The KIS manager releases the copy to the person.")
                if not policy().can(request.user, Action.EXPORT, participant)
                else _("The review is saved."),
            )
            return redirect("subject_access:prepare", pk=participant.pk)
    else:
        log_access(user=request.user, instance=participant, what=f"{COPY_ACCESS}: review")
    return _page(request, participant, copy, form, current)


@require_POST
def release(request, pk):
    """The manager releases the copy as reviewed: one ZIP with the PDF, the JSON and every
    stored document version and scan, streamed and kept nowhere."""
    participant = get_participant_for_user(request.user, pk, Action.EXPORT)
    current = services.open_request(participant)
    copy, form = _review_form(request, participant, current)
    access_request = _save_review(request, participant, form)
    if access_request is None:
        return _page(request, participant, copy, form, current)
    copy = export.build_copy(
        participant,
        withheld=access_request.withheld_keys,
        reviewed=access_request.reviewed,
        final=True,
    )
    info = export.information(copy)
    pdf_content = export.pdf(copy, request=access_request, info=info)
    json_content = export.json_bytes(copy, request=access_request, info=info)
    services.release(request=access_request, by=request.user)
    stem = export.file_stem(participant)
    response = StreamingHttpResponse(
        export.zip_stream(copy, pdf_content=pdf_content, json_content=json_content, stem=stem),
        content_type="application/zip",
    )
    response["Content-Disposition"] = f'attachment; filename="{stem}.zip"'
    return response

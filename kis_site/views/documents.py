"""Pages of the shared document lifecycle: sign, record a paper signature, open a new version,
print, and keep the scan of the signed original. Every one asks the access policy first."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from kis_site import documents
from kis_site.access import AccessKind, Action, log_access, policy
from kis_site.editing import add_errors
from kis_site.forms import DateInput
from kis_site.pending import form_data
from kis_site.registries import document_kinds
from kis_site.serving import stored_file_response


def _document(request, kind_key: str, pk: int, action: Action):
    kind = document_kinds.get(kind_key)
    if kind is None:
        raise Http404
    document = kind.model._default_manager.filter(pk=pk).first()
    if document is None:
        raise Http404
    policy().gate(request.user, document, action)
    return kind, document


def _slot(document, slot_key: str):
    slot = next((s for s in documents.slots_of(document) if s.key == slot_key), None)
    if slot is None:
        raise Http404
    return slot


def _back(kind, document):
    return redirect(kind.url(document))


@require_POST
def sign(request, kind, pk, slot):
    kind, document = _document(request, kind, pk, Action.SIGN)
    if not documents.matches_slot(request.user, document, _slot(document, slot)):
        # Only the holder of a signature signs it with their login.
        raise PermissionDenied
    try:
        documents.document_sign(document=document, slot_key=slot, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        document.refresh_from_db()
        messages.success(
            request,
            _("Signed. The document is now signed by everyone and locked.")
            if document.is_locked
            else _("Signed."),
        )
    return _back(kind, document)


class PaperSignatureForm(forms.Form):
    signer_name = forms.CharField(
        label=gettext_lazy("Name of the person who signed"), max_length=200
    )
    signed_on = forms.DateField(label=gettext_lazy("Date of the signature"), widget=DateInput())


@require_http_methods(["GET", "POST"])
def paper_signature(request, kind, pk, slot):
    kind, document = _document(request, kind, pk, Action.RECORD_PAPER)
    chosen = _slot(document, slot)
    if not policy().may_record_paper(request.user, document, chosen):
        raise PermissionDenied
    initial = {
        "signer_name": chosen.default_name(document) if chosen.default_name else "",
        "signed_on": timezone.localdate(),
    }
    form = PaperSignatureForm(form_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            documents.document_record_paper_signature(
                document=document,
                slot_key=slot,
                signer_name=form.cleaned_data["signer_name"],
                signed_on=form.cleaned_data["signed_on"],
                by=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The signature on paper has been recorded."))
            return _back(kind, document)
    return render(
        request,
        "documents/form.html",
        {
            "form": form,
            "document": document,
            "kind": kind,
            "title": _("Signed by hand: %(slot)s") % {"slot": chosen.label},
            "intro": _(
                "Record that the printed document was signed by hand. Check that the printed "
                "version is the current one (version %(number)s)."
            )
            % {"number": document.revision},
            "breadcrumbs": [(str(document), kind.url(document))],
            "cancel_url": kind.url(document),
        },
    )


class RevisionForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why the signed document needs a new version"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@require_http_methods(["GET", "POST"])
def new_revision(request, kind, pk):
    kind, document = _document(request, kind, pk, Action.REVISE)
    form = RevisionForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            documents.document_new_revision(
                document=document, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("Version %(number)s is open for changes; the earlier version stays as it was.")
                % {"number": document.revision + 1},
            )
            return _back(kind, document)
    return render(
        request,
        "documents/form.html",
        {
            "form": form,
            "document": document,
            "kind": kind,
            "title": _("New version of the document"),
            "intro": _(
                "The signed version stays readable and printable. The new version starts "
                "without signatures and has to be signed again."
            ),
            "breadcrumbs": [(str(document), kind.url(document))],
            "cancel_url": kind.url(document),
        },
    )


@require_GET
def pdf(request, kind, pk):
    kind, document = _document(request, kind, pk, Action.VIEW)
    number = request.GET.get("version")
    user = request.user
    # Print = screen: a signer who does not see every section gets a copy without them.
    sections = (
        None if policy().sees_whole(user, document) else documents.viewer_sections(user, document)
    )
    try:
        result = documents.document_pdf(
            document=document,
            number=int(number) if number and number.isdigit() else None,
            sections=sections,
        )
    except ValidationError as error:
        raise Http404(error.messages[0]) from error
    log_access(user=request.user, instance=document, kind=AccessKind.PDF, what=result.filename)
    response = HttpResponse(result.content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{result.filename}"'
    if result.sha256:
        response["X-Document-SHA256"] = result.sha256
    return response


class ScanForm(forms.Form):
    scan = forms.FileField(
        label=gettext_lazy("Scan of the signed original"),
        help_text=gettext_lazy("PDF, JPEG or PNG, at most 10 MB."),
    )


@require_POST
def upload_scan(request, kind, pk, number):
    kind, document = _document(request, kind, pk, Action.UPLOAD_SCAN)
    form = ScanForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the file with the scan."))
        return _back(kind, document)
    try:
        documents.document_upload_scan(
            document=document, number=number, upload=form.cleaned_data["scan"], by=request.user
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The scan has been added."))
    return _back(kind, document)


@require_GET
def scan(request, kind, pk, number):
    kind, document = _document(request, kind, pk, Action.VIEW)
    if not policy().sees_whole(request.user, document):
        # A scan is an image of the whole signed original: it cannot leave a section out.
        raise PermissionDenied
    revision = documents.revisions_of(document).select_related("scan").filter(number=number).first()
    if revision is None or revision.scan is None:
        raise Http404
    log_access(user=request.user, instance=document, kind=AccessKind.VIEW, what="scan")
    return stored_file_response(revision.scan)


@require_safe
def missing_scans(request):
    """Signed documents whose paper original has not been scanned yet ("do uzupełnienia")."""
    if not policy().can(request.user, Action.SIGN):
        raise PermissionDenied
    page = documents.documents_without_scan_page(request.user, request.GET.get("page"))
    return render(
        request,
        "documents/missing_scans.html",
        {
            "page": page,
            "rows": page.object_list,
            "title": _("Signed documents without a scan"),
            "breadcrumbs": [],
        },
    )

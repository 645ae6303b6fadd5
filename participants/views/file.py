"""The participant's file: the list, the file page, personal data, family, notes, audit trail."""

from auditlog.models import LogEntry
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from kis_site.access import AccessKind, Action, log_access, policy
from kis_site.audit_display import entry_rows
from kis_site.editing import save_form
from kis_site.pending import form_data
from kis_site.registries import panels_for, participant_panels
from kis_site.vocabulary import RiskGroup, Section
from participants import services
from participants.access import (
    get_participant_for_user,
    get_record_for_user,
    institution_hidden,
    participants_visible_to,
    referrer_hidden,
    staff_id,
)
from participants.filters import ParticipantFilter, SearchForm
from participants.forms import CaseNoteForm, FamilyMemberForm, ParticipantForm
from participants.models import CaseNote, FamilyMember
from participants.selectors import (
    current_risk_groups_of,
    with_enrolments,
    with_file_records,
    with_notes,
    with_timeline_records,
)
from participants.timeline import timeline

SEARCH_KEY = "participant_search"
PAGE_SIZE = 25


def breadcrumbs(*items):
    return [(_("Participants"), reverse("participants:list")), *items]


def file_crumb(participant):
    return (participant.full_name, reverse("participants:detail", args=[participant.pk]))


def file_form_page(request, form, participant, title, *, cancel_url=None, **extra):
    """A form about one participant, under their file in the breadcrumbs."""
    return render(
        request,
        "participants/form.html",
        {
            "form": form,
            "participant": participant,
            "title": title,
            "breadcrumbs": breadcrumbs(file_crumb(participant)),
            "cancel_url": cancel_url or reverse("participants:detail", args=[participant.pk]),
            **extra,
        },
    )


@sensitive_post_parameters("q")
@require_http_methods(["GET", "POST"])
def participant_list(request):
    """The list. The search text is POSTed and kept in the session: never in a URL."""
    if not policy().can(request.user, Action.VIEW):
        raise PermissionDenied
    if request.method == "POST":
        if "clear" in request.POST:
            request.session.pop(SEARCH_KEY, None)
        else:
            search = SearchForm(request.POST)
            request.session[SEARCH_KEY] = search.cleaned_data["q"] if search.is_valid() else ""
        query = request.GET.copy()
        query.pop("page", None)
        url = reverse("participants:list")
        return redirect(f"{url}?{query.urlencode()}" if query else url)

    text = request.session.get(SEARCH_KEY, "")
    queryset = participants_visible_to(request.user).search(text).for_list()
    filterset = ParticipantFilter(request.GET or None, queryset=queryset, request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "participants/list.html",
        {
            "page": page,
            "filter": filterset,
            "search_form": SearchForm(initial={"q": text}),
            "search_text": text,
            "can_create": policy().can(request.user, Action.CREATE),
            "can_restrict": policy().can(request.user, Action.RESTRICT),
            "can_anonymise": policy().can(request.user, Action.ANONYMISE),
        },
    )


# The panels below the fold of the file: each loads when it comes into view (participant_panel).
PANELS_BELOW_THE_FOLD = ("diagnosis", "ipd", "change_reports")


@require_safe
def participant_detail(request, pk):
    participant = get_participant_for_user(request.user, pk, Action.VIEW, prepare=with_file_records)
    user = request.user
    sections = policy().sections_for(user, participant)
    log_access(user=user, instance=participant, kind=AccessKind.VIEW)

    read = _file_read_token(user, participant)
    deferred = {
        key: f"{reverse('participants:panel', args=[pk, key])}?read={read}"
        for key in PANELS_BELOW_THE_FOLD
    }
    panels = panels_for(participant_panels, request, participant, deferred=deferred)
    risk_labels = dict(RiskGroup.choices)
    today = timezone.localdate()
    applications = list(participant.applications.all())
    for application in applications:
        application.referrer_hidden = referrer_hidden(user, application)
    contracts = participant.contracts.all()
    referrals = list(participant.outgoing_referrals.all())
    for referral in referrals:
        referral.visible = policy().can(user, Action.VIEW, referral)
        referral.hidden_name = institution_hidden(user, participant, referral.institution)
    return render(
        request,
        "participants/detail.html",
        {
            "participant": participant,
            "sections": sections,
            "risk_groups": [risk_labels[g] for g in current_risk_groups_of(participant)]
            if Section.RISK_GROUPS in sections
            else [],
            "enrolments": participant.enrolments.all(),
            "applications": applications,
            "family": participant.family_members.all(),
            "contracts": contracts,
            "referrals": referrals,
            "valid_contracts": [c for c in contracts if c.covers(today)],
            "panels": panels,
            "file_read": read,
            "can": {
                "edit": policy().can(user, Action.EDIT, participant),
                "enrol": policy().can(user, Action.ENROL, participant),
                "recruit": policy().can(user, Action.RECRUIT, participant),
                "note": policy().can(user, Action.ADD_NOTE, participant),
                "audit": policy().can(user, Action.VIEW_AUDIT, participant),
                "status": policy().can(user, Action.CHANGE_STATUS, participant),
                "restrict": policy().can(user, Action.RESTRICT, participant),
                "propose_anonymisation": policy().can(
                    user, Action.PROPOSE_ANONYMISATION, participant
                ),
            },
            "my_staff_id": staff_id(user),
            "breadcrumbs": breadcrumbs(),
            "title": participant.full_name,
        },
    )


FILE_READ_SALT = "participants.file-read"
FILE_READ_SECONDS = 4 * 60 * 60  # a file left open for a working morning


def _file_read_token(user, participant) -> str:
    """Signed proof, carried by the file's deferred parts, that the file page recorded this
    user's read of this participant's file."""
    return signing.dumps([user.pk, participant.pk], salt=FILE_READ_SALT)


def _for_the_file_page(request, participant, anchor):
    """The parts of the file below the fold answer htmx's request from the file page; any other
    request is sent to the file. A part asked without the file page's proof of the recorded read
    (or after it expired) records the read itself: every read of the file is audited."""
    if not request.htmx:
        return redirect(reverse("participants:detail", args=[participant.pk]) + f"#{anchor}")
    try:
        recorded = signing.loads(
            request.GET.get("read", ""), salt=FILE_READ_SALT, max_age=FILE_READ_SECONDS
        ) == [request.user.pk, participant.pk]
    except signing.BadSignature:
        recorded = False
    if not recorded:
        log_access(user=request.user, instance=participant, what=f"file: {anchor}")
    return None


@require_safe
def participant_panel(request, pk, key):
    """A panel of the file, as the file page would show it, when it comes into view."""
    panel = participant_panels.get(key)
    if panel is None:
        raise Http404
    participant = get_participant_for_user(request.user, pk, Action.VIEW, prepare=with_enrolments)
    elsewhere = _for_the_file_page(request, participant, f"panel-{key}")
    if elsewhere:
        return elsewhere
    context = panel.context(request, participant)
    if context is None:
        return HttpResponse("")
    return render(request, "includes/_panel.html", {"item": {"panel": panel, "context": context}})


@require_safe
def participant_notes(request, pk):
    """The file's case notes (the sensitive ones only for who sees their section)."""
    user = request.user
    participant = get_participant_for_user(user, pk, Action.VIEW, prepare=with_notes)
    elsewhere = _for_the_file_page(request, participant, "notes")
    if elsewhere:
        return elsewhere
    sections = policy().sections_for(user, participant)
    notes = [
        note for note in participant.notes.all() if not note.section or note.section in sections
    ]
    for note in notes:
        note.can_edit = policy().can(user, Action.EDIT, note)
    return render(
        request,
        "participants/_notes.html",
        {
            "participant": participant,
            "notes": notes,
            "can_note": policy().can(user, Action.ADD_NOTE, participant),
        },
    )


@require_safe
def participant_timeline(request, pk):
    """The file's timeline (participants.timeline)."""
    participant = get_participant_for_user(
        request.user, pk, Action.VIEW, prepare=with_timeline_records
    )
    elsewhere = _for_the_file_page(request, participant, "timeline")
    if elsewhere:
        return elsewhere
    sections = policy().sections_for(request.user, participant)
    return render(
        request,
        "participants/_timeline.html",
        {"participant": participant, "timeline": timeline(participant, sections)},
    )


@sensitive_post_parameters("pesel", "id_document_number")
@require_http_methods(["GET", "POST"])
def participant_edit(request, pk):
    participant = get_participant_for_user(request.user, pk, Action.EDIT)
    sections = policy().sections_for(request.user, participant)
    if request.method == "GET":
        log_access(user=request.user, instance=participant, what="edit form")
    form = ParticipantForm(
        form_data(request),
        instance=participant,
        sections=sections,
        current_risk_groups=services.current_risk_groups(participant),
        can_assign=policy().can(request.user, Action.ASSIGN_CASE_MANAGER, participant),
    )

    def save(form):
        return services.participant_update(
            participant=form.instance,
            expected_version=form.cleaned_data.get("expected_version"),
            risk_groups=form.cleaned_data.get("risk_groups")
            if "risk_groups" in form.fields
            else None,
            by=request.user,
        )

    done = save_form(
        request,
        form,
        save,
        success_url=reverse("participants:detail", args=[participant.pk]),
        success_message=_("The participant's data has been saved."),
    )
    return done or file_form_page(
        request, form, participant, _("Edit data: %(name)s") % {"name": participant.full_name}
    )


@require_http_methods(["GET", "POST"])
def family_member_add(request, pk):
    participant = get_participant_for_user(request.user, pk, Action.EDIT)
    form = FamilyMemberForm(form_data(request), instance=FamilyMember(participant=participant))
    done = save_form(
        request,
        form,
        lambda form: services.family_member_save(member=form.instance, expected_version=None),
        success_url=reverse("participants:detail", args=[participant.pk]) + "#family",
        success_message=_("The family member has been added."),
    )
    return done or file_form_page(request, form, participant, _("Add a family member"))


@require_http_methods(["GET", "POST"])
def family_member_edit(request, pk):
    member = get_record_for_user(
        request.user, FamilyMember.objects.select_related("participant"), pk, Action.EDIT
    )
    form = FamilyMemberForm(form_data(request), instance=member)
    done = save_form(
        request,
        form,
        lambda form: services.family_member_save(
            member=form.instance, expected_version=form.cleaned_data.get("expected_version")
        ),
        success_url=reverse("participants:detail", args=[member.participant_id]) + "#family",
        success_message=_("The family member has been saved."),
    )
    return done or file_form_page(request, form, member.participant, _("Edit a family member"))


@require_http_methods(["GET", "POST"])
def note_add(request, pk):
    participant = get_participant_for_user(request.user, pk, Action.ADD_NOTE)
    author = staff_id(request.user)
    if author is None:
        raise PermissionDenied
    sections = policy().sections_for(request.user, participant)
    note = CaseNote(
        participant=participant,
        author_id=author,
        enrolment=participant.enrolments.open().first(),
    )
    form = CaseNoteForm(form_data(request), instance=note, sections=sections)
    done = save_form(
        request,
        form,
        lambda form: services.note_create(note=form.instance),
        success_url=reverse("participants:detail", args=[participant.pk]) + "#notes",
        success_message=_("The note has been added."),
    )
    return done or file_form_page(request, form, participant, _("New note"))


@require_http_methods(["GET", "POST"])
def note_edit(request, pk):
    note = get_record_for_user(
        request.user, CaseNote.objects.select_related("participant"), pk, Action.EDIT
    )
    sections = policy().sections_for(request.user, note.participant)
    form = CaseNoteForm(form_data(request), instance=note, sections=sections)
    done = save_form(
        request,
        form,
        lambda form: services.note_update(
            note=form.instance, expected_version=form.cleaned_data.get("expected_version")
        ),
        success_url=reverse("participants:detail", args=[note.participant_id]) + "#notes",
        success_message=_("The note has been saved."),
    )
    return done or file_form_page(request, form, note.participant, _("Edit the note"))


@require_safe
def participant_audit(request, pk):
    """The participant's audit trail: every change and every read of their data."""
    participant = get_participant_for_user(request.user, pk, Action.VIEW_AUDIT)
    log_access(user=request.user, instance=participant, kind=AccessKind.AUDIT)
    entries = (
        LogEntry.objects.filter(additional_data__participant_id=participant.pk)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "participants/audit.html",
        {
            "participant": participant,
            "page": page,
            "rows": entry_rows(page.object_list),
            "title": _("Audit trail: %(name)s") % {"name": participant.full_name},
            "breadcrumbs": breadcrumbs(file_crumb(participant)),
        },
    )

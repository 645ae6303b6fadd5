"""Pages of the exit assessment and of the letters to the referring institutions."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kis_site.access import Action, log_access, policy
from kis_site.documents import active_signatures, document_panel
from kis_site.editing import save_form
from kis_site.locking import ConflictError
from kis_site.pending import form_data
from kis_site.vocabulary import sphere_visible
from participants.access import get_record_for_user, managed_participants
from participants.models import Enrolment
from participants.views.file import breadcrumbs, file_crumb, file_form_page
from reports import exits, referrers
from reports.forms import ExitAssessmentForm, LetterForm, LetterSentForm
from reports.models import LetterKind, ReferrerLetter


def _enrolment(request, pk) -> Enrolment:
    return get_record_for_user(
        request.user,
        Enrolment.objects.select_related("participant", "cohort", "application"),
        pk,
        Action.VIEW,
    )


def _enrolment_url(enrolment_id, anchor=""):
    url = reverse("participants:enrolment", args=[enrolment_id])
    return f"{url}#{anchor}" if anchor else url


def _enrolment_crumbs(participant, enrolment_id):
    return breadcrumbs(file_crumb(participant), (_("Participation"), _enrolment_url(enrolment_id)))


# --- Exit assessment ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def exit_assessment(request, pk):
    user = request.user
    enrolment = _enrolment(request, pk)
    assessment = exits.assessment_for(enrolment, user)
    assessment.participant = enrolment.participant
    if not policy().can(user, Action.EDIT, assessment):
        raise PermissionDenied
    if enrolment.is_open:
        messages.info(
            request, _("The effects are assessed at the exit: end the participation first.")
        )
        return redirect(_enrolment_url(enrolment.pk))
    form = ExitAssessmentForm(form_data(request), instance=assessment)
    done = save_form(
        request,
        form,
        lambda form: exits.assessment_save(
            assessment=form.instance,
            expected_version=form.cleaned_data.get("expected_version"),
            by=user,
        ),
        success_url=_enrolment_url(enrolment.pk, "panel-exit-assessment"),
        success_message=_("The exit assessment has been saved."),
    )
    if done:
        return done
    if assessment.pk:
        log_access(user=user, instance=assessment)
    sections = policy().sections_for(user, enrolment.participant)
    return file_form_page(
        request,
        form,
        enrolment.participant,
        _("Exit assessment: %(name)s") % {"name": enrolment.participant.full_name},
        cancel_url=_enrolment_url(enrolment.pk),
        breadcrumbs=_enrolment_crumbs(enrolment.participant, enrolment.pk),
        intro=_(
            "Participation ended on %(date)s: %(status)s, outcome: %(outcome)s. Tick the effects "
            "the person achieved; the ratings beside are the evidence."
        )
        % {
            "date": date_format(enrolment.ended_on, "SHORT_DATE_FORMAT")
            if enrolment.ended_on
            else "—",
            "status": enrolment.get_status_display(),
            "outcome": enrolment.get_exit_outcome_display() or "—",
        },
        aside_template="reports/_exit_evidence.html",
        evidence=exits.exit_evidence(enrolment, sections),
    )


# --- Letters to the referring institution --------------------------------------------------------


def _letter(request, pk, action=Action.VIEW) -> ReferrerLetter:
    return get_record_for_user(
        request.user,
        ReferrerLetter.objects.select_related(
            "participant", "enrolment", "institution", "contact_person"
        ),
        pk,
        action,
    )


def _letter_url(letter_id):
    return reverse("reports:letter", args=[letter_id])


@require_POST
def letter_start(request, pk):
    user = request.user
    enrolment = _enrolment(request, pk)
    probe = ReferrerLetter(participant=enrolment.participant, enrolment=enrolment)
    if not policy().can(user, Action.EDIT, probe):
        raise PermissionDenied
    kind = request.POST.get("kind", "")
    period_start = None
    if request.POST.get("period_start"):
        try:
            period_start = date.fromisoformat(request.POST["period_start"])
        except ValueError:
            period_start = None
    try:
        letter = referrers.letter_start(
            enrolment=enrolment, kind=kind, period_start=period_start, by=user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(request.POST.get("back") or _enrolment_url(enrolment.pk))
    messages.success(request, _("The letter has been drawn up from the records; check it."))
    return redirect(_letter_url(letter.pk))


@require_safe
def letter_detail(request, pk):
    user = request.user
    letter = _letter(request, pk)
    log_access(user=user, instance=letter)
    sections = policy().sections_for(user, letter.participant)
    ratings = [row for row in letter.ratings if sphere_visible(row["sphere"], sections)]
    can_edit = not letter.is_locked and policy().can(user, Action.EDIT, letter)
    return render(
        request,
        "reports/letter.html",
        {
            "letter": letter,
            "participant": letter.participant,
            "ratings": ratings,
            "hidden_ratings": len(letter.ratings) - len(ratings),
            "can_edit": can_edit,
            "sent_form": LetterSentForm(instance=letter)
            if letter.is_locked and policy().can(user, Action.EDIT, letter)
            else None,
            "panel": document_panel(request, letter),
            "title": capfirst(str(letter)),
            "breadcrumbs": _enrolment_crumbs(letter.participant, letter.enrolment_id),
        },
    )


@require_http_methods(["GET", "POST"])
def letter_edit(request, pk):
    user = request.user
    letter = _letter(request, pk, Action.EDIT)
    if letter.is_locked:
        messages.info(request, _("The letter is signed. To change it, open a new version."))
        return redirect(_letter_url(letter.pk))
    sections = policy().sections_for(user, letter.participant)
    form = LetterForm(form_data(request), instance=letter)
    done = save_form(
        request,
        form,
        lambda form: referrers.letter_save(
            letter=form.instance,
            expected_version=form.cleaned_data.get("expected_version"),
            sections=sections,
            by=user,
        ),
        success_url=_letter_url(letter.pk),
        success_message=_("The letter has been saved."),
    )
    return done or file_form_page(
        request,
        form,
        letter.participant,
        _("Edit the letter"),
        cancel_url=_letter_url(letter.pk),
        breadcrumbs=breadcrumbs(
            file_crumb(letter.participant), (capfirst(str(letter)), _letter_url(letter.pk))
        ),
        signatures_warning=len(active_signatures(letter)),
    )


@require_POST
def letter_sent(request, pk):
    letter = _letter(request, pk, Action.EDIT)
    form = LetterSentForm(request.POST, instance=letter)
    if form.is_valid():
        try:
            referrers.letter_sent(
                letter=letter,
                sent_on=form.cleaned_data["sent_on"],
                expected_version=form.cleaned_data.get("expected_version"),
                by=request.user,
            )
        except ConflictError:
            messages.error(request, _("Someone else has just changed the letter; try again."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The sending date has been recorded."))
    else:
        messages.error(request, _("Give the date the letter was sent (not in the future)."))
    return redirect(_letter_url(letter.pk))


@require_safe
def letters_due(request):
    """What is due to whom: per referring institution, the letters to draw up and to send."""
    if not policy().can(request.user, Action.VIEW):
        raise PermissionDenied
    due, to_send = referrers.letters_due(managed_participants(request.user))
    groups: dict[int, dict] = {}
    for item in due:
        group = groups.setdefault(
            item.institution.pk, {"institution": item.institution, "due": [], "to_send": []}
        )
        group["due"].append(item)
    for letter in to_send:
        group = groups.setdefault(
            letter.institution_id, {"institution": letter.institution, "due": [], "to_send": []}
        )
        group["to_send"].append(letter)
    return render(
        request,
        "reports/letters_due.html",
        {
            "groups": sorted(groups.values(), key=lambda g: g["institution"].name),
            "today": timezone.localdate(),
            "kinds": LetterKind,
            "title": _("Letters due to referring institutions"),
        },
    )


@require_safe
def exits_due(request):
    if not policy().can(request.user, Action.VIEW):
        raise PermissionDenied
    return render(
        request,
        "reports/exits_due.html",
        {
            "page": Paginator(
                exits.exits_to_assess(managed_participants(request.user)), 50
            ).get_page(request.GET.get("page")),
            "title": _("Exits without the assessment of effects"),
        },
    )

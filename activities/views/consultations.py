"""Individual consultations and interviews of a participant."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from activities import services
from activities.forms import ConsultationForm
from activities.models import CONSULTATION_SECTIONS, Consultation, ConsultationKind
from kis_site.access import Action, log_access, policy
from kis_site.editing import add_errors
from kis_site.pending import form_data
from kis_site.roles import user_staff_id
from participants.access import get_participant_for_user


@require_http_methods(["GET", "POST"])
def consultations(request, pk):
    """A participant's consultations and interviews (sensitive ones only for those who see
    them), and the form to record one."""
    user = request.user
    participant = get_participant_for_user(user, pk, Action.VIEW)
    sections = policy().sections_for(user, participant)
    log_access(user=user, instance=participant, what="consultations")
    kinds = [
        (value, label)
        for value, label in ConsultationKind.choices
        if CONSULTATION_SECTIONS.get(value) is None or CONSULTATION_SECTIONS[value] in sections
    ]
    can_add = policy().can(user, Action.ADD_NOTE, participant)
    form = None
    if can_add:
        day = timezone.localdate()
        modules, _enrolment = services.consultation_modules(participant.pk, day)
        form = ConsultationForm(
            form_data(request),
            instance=Consultation(participant=participant),
            modules=modules,
            kinds=kinds,
            initial={"date": day, "specialist": user_staff_id(user)},
        )
        if request.method == "POST" and form.is_valid():
            consultation = form.instance
            try:
                policy().gate(user, consultation, Action.ADD_NOTE)
                services.consultation_save(consultation=consultation, by=user)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("The consultation has been recorded."))
                return redirect("activities:consultations", pk=participant.pk)
    elif request.method == "POST":
        raise PermissionDenied
    records = [
        c
        for c in Consultation.objects.filter(participant=participant).select_related(
            "module", "specialist"
        )
        if not c.section or c.section in sections
    ]
    return render(
        request,
        "activities/consultations.html",
        {
            "participant": participant,
            "records": records,
            "form": form,
            "title": _("Consultations: %(name)s") % {"name": participant.full_name},
            "breadcrumbs": [
                (_("Participants"), reverse("participants:list")),
                (participant.full_name, reverse("participants:detail", args=[participant.pk])),
            ],
        },
    )

"""What the partners app adds to the shared pages: navigation, to-dos, the agreement document."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy

from kis_site.access import Action, policy
from kis_site.registries import (
    DocumentKind,
    TodoCount,
    TodoItem,
    document_kinds,
    todo_items,
)
from partners.models import Agreement, MeetingTask, TaskStatus
from partners.selectors import agreements_ending


def _agreements_ending(user):
    if not policy().runs_club(user):
        return None
    return TodoCount(agreements_ending(), reverse("partners:network") + "#agreements", "warning")


def _my_network_tasks(user):
    if not policy().can(user, Action.NETWORK):
        return None
    from kis_site.roles import user_staff_id

    count = MeetingTask.objects.filter(
        Q(owner_staff_id=user_staff_id(user)),
        status__in=[TaskStatus.OPEN, TaskStatus.IN_PROGRESS],
    )
    return TodoCount(count, reverse("partners:meetings") + "#tasks", "info")


def _agreement_pdf(agreement, sections=None) -> dict:
    return {
        "agreement": agreement,
        "institution": agreement.institution,
        "title": gettext_lazy("Partnership agreement"),
    }


def register():
    todo_items.register(
        TodoItem(
            "agreements-ending",
            gettext_lazy("Agreements ending within 60 days"),
            _agreements_ending,
            70,
        )
    )
    todo_items.register(
        TodoItem(
            "network-tasks", gettext_lazy("My tasks from network meetings"), _my_network_tasks, 75
        )
    )
    document_kinds.register(
        DocumentKind(
            key="agreement",
            title=gettext_lazy("Partnership agreement"),
            model=Agreement,
            pdf_context=_agreement_pdf,
            url=lambda agreement: reverse("partners:agreement", args=[agreement.pk]),
            filename=lambda agreement: f"porozumienie-{agreement.pk}",
            subject=lambda agreement: agreement.institution.name,
            holds_participant_data=False,
            order=50,
        )
    )

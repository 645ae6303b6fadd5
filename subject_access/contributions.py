"""What the copy of a person's data adds to the shared pages: its panel on the file."""

from django.utils.translation import gettext_lazy

from kis_site.access import Action, policy
from kis_site.registries import Panel, participant_panels


def register():
    participant_panels.register(
        Panel(
            key="subject_access",
            title=gettext_lazy("The person's data (GDPR art. 15)"),
            template="subject_access/_file_panel.html",
            context=_file_panel,
        )
    )


def _file_panel(request, participant):
    """The way to the copy, for who may prepare it. No query: the file page keeps to its budget
    (the request in preparation and its due date are on the copy's page)."""
    if not policy().can(request.user, Action.PREPARE_COPY, participant):
        return None
    return {"participant": participant}

"""Signature slots that documents about one participant share."""

from django.utils.translation import gettext_lazy

from kis_site.registries import SignerSlot
from kis_site.vocabulary import Role


def case_manager_slot() -> SignerSlot:
    """The participant's own case manager signs in the application (``document.participant``)."""
    return SignerSlot(
        "case_manager",
        gettext_lazy("Case manager"),
        roles=(Role.CASE_MANAGER,),
        person=lambda d: (
            d.participant.case_manager.user_id if d.participant.case_manager_id else None
        ),
        default_name=lambda d: (
            d.participant.case_manager.full_name if d.participant.case_manager_id else ""
        ),
    )

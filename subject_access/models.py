"""A person's request for a copy of their data (GDPR art. 15) and how it was answered: what the
copy withheld and why (art. 15 ust. 4), who prepared it and who released it, and when."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kis_site.models import ParticipantRecord
from kis_site.months import add_months
from participants.models import Participant


class AccessRequest(ParticipantRecord):
    """One request, from its preparation to its release. The copy itself is never kept: it is
    made again from the records, with this review, when the manager releases it."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="access_requests",
    )
    received_on = models.DateField(_("request received on"))
    # The review items withheld, each {"key": ..., "label": ...}, and the keys of every item the
    # reviewer saw (an item that appeared later keeps its default).
    withheld = models.JSONField(_("withheld from the copy"), default=list, blank=True)
    reviewed = models.JSONField(default=list, blank=True, editable=False)
    reason = models.TextField(_("reason for withholding"), blank=True)
    prepared_at = models.DateTimeField(_("review saved"), default=timezone.now)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prepared by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("released by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("request for a copy of the data")
        verbose_name_plural = _("requests for a copy of the data")
        ordering = ["-prepared_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(released_at__isnull=True),
                name="one_open_access_request",
            )
        ]

    def __str__(self):
        return str(_("request of %(date)s")) % {"date": self.received_on.strftime("%d.%m.%Y")}

    @property
    def answer_due_on(self):
        """The copy is due within a month of the request (art. 12 ust. 3)."""
        return add_months(self.received_on, 1)

    @property
    def withheld_keys(self) -> set[str]:
        return {item["key"] for item in self.withheld}

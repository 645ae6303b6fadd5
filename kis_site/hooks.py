"""The places where a lower app asks what exactly one higher app holds. Each hook is declared
here, asked by one app and provided once at start-up by another (in its ``contributions.py``);
until provided it answers its default. Where several apps contribute to a page, a registry in
``kis_site.registries`` collects them instead.

| hook | asked by | provided by |
|---|---|---|
| ``rostered_participant_ids`` | ``participants.access`` (what a trainer sees) | ``activities`` |
| ``certificate_lines`` | ``participants.services.certificate_issue`` | ``activities`` (hours) |
| ``planned_enrolments`` | ``activities.services.default_roster`` | ``ipd`` (the plans' modules) |
| ``institution_panel`` | the partner's page (``partners.views``) | ``participants`` (referrals) |
| ``network_numbers`` | the network overview (``partners.views``) | ``participants`` (referrals) |
"""

from typing import Any


class Hook:
    def __init__(self, name: str, default: Any):
        self.name = name
        self._default = default
        self._provided: Any = None

    def provide(self, value: Any) -> None:
        self._provided = value

    @property
    def value(self) -> Any:
        return self._default if self._provided is None else self._provided

    def __call__(self, *args, **kwargs):
        return self.value(*args, **kwargs)


def _nothing(*args, **kwargs):
    return None


# ``(user) -> queryset of participant ids`` on the rosters of the sessions the user leads.
rostered_participant_ids: Hook = Hook("rostered participant ids", _nothing)

# ``(enrolment) -> [{"label": ..., "hours": ...}]``: what the person took part in, for the
# certificate.
certificate_lines: Hook = Hook("certificate lines", lambda enrolment: [])

# ``(session) -> queryset of enrolment ids`` expected on a group's session besides its members
# (those whose plan puts them on its module).
planned_enrolments: Hook = Hook("planned enrolments", _nothing)

# A ``kis_site.registries.Panel`` on the page of an institution (``context(request, institution)``).
institution_panel: Hook = Hook("institution panel", None)

# ``(user) -> ([column titles], {institution_id: [numbers]})`` for the network overview.
network_numbers: Hook = Hook("network numbers", lambda user: ([], {}))

__all__ = [
    "Hook",
    "certificate_lines",
    "institution_panel",
    "network_numbers",
    "planned_enrolments",
    "rostered_participant_ids",
]

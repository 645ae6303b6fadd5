"""Small registries through which apps plug into the pages that gather from every app.

The participant's file, a partner's page, the start page, the document list and the personal-data
export ask these registries; each app registers its contribution in ``AppConfig.ready()``, so a
page never imports the apps to its right.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class Registry:
    """An ordered collection of contributions, keyed so that a reload never registers twice."""

    def __init__(self, name: str):
        self.name = name
        self._items: dict[str, Any] = {}

    def register(self, item) -> Any:
        self._items[item.key] = item
        return item

    def unregister(self, key: str) -> None:
        self._items.pop(key, None)

    def __iter__(self):
        return iter(
            sorted(self._items.values(), key=lambda item: (getattr(item, "order", 0), item.key))
        )

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: str):
        return self._items.get(key)


@dataclass(frozen=True)
class Panel:
    """A panel on a page (the participant's file, a partner's page).

    ``context(request, obj)`` returns the template context or None to leave the panel out (the
    user may not see it). It should cost a constant number of queries (at most two).
    """

    key: str
    title: str
    template: str
    context: Callable[[Any, Any], dict | None]


def panels_for(registry, request, obj, *, deferred=None) -> dict[str, dict]:
    """The panels of ``registry`` the user may see on the page of ``obj``, with their contexts,
    by key. The page's template places each by name (``{% panel "diagnosis" %}``): the order of
    a page's parts is its template's.

    ``deferred`` ({key: url}): the panels below the fold, loaded when they come into view from
    ``url`` (which answers with the panel, or nothing when the user may not see it): the page
    computes nothing of theirs."""
    panels = {}
    for panel in registry:
        if deferred and panel.key in deferred:
            panels[panel.key] = {"panel": panel, "url": deferred[panel.key]}
            continue
        context = panel.context(request, obj)
        if context is not None:
            panels[panel.key] = {"panel": panel, "context": context}
    return panels


@dataclass(frozen=True)
class TodoCount:
    # A number, or a queryset the start page counts together with the other tiles' in one query.
    count: Any
    url: str
    level: str = "info"  # info, warning, danger


@dataclass(frozen=True)
class TodoItem:
    """A tile on the start page: ``count(user)`` returns a TodoCount, or None when not for them."""

    key: str
    title: str
    count: Callable[[Any], TodoCount | None]
    order: int = 100


@dataclass(frozen=True)
class SignerSlot:
    """One signature a document needs.

    ``roles``: staff with one of these roles sign in the app; ``person(document)`` narrows it to
    one person (returns a user id, e.g. the participant's case manager). A slot with neither is
    a person without a login (the participant, an OPS social worker): a staff member records
    their signature on paper. Any slot may be recorded as signed on paper.
    """

    key: str
    label: str
    roles: tuple = ()
    person: Callable[[Any], int | None] | None = None
    default_name: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class DocumentKind:
    """A kind of signed document and everything the shared lifecycle needs to know of it.

    Who signs, the sensitive sections and the print template are the model's own (the
    interface of kis_site.models.SignedDocument); the kind only passes them on.
    """

    key: str
    title: str
    model: type
    pdf_context: Callable[[Any], dict]
    url: Callable[[Any], str]
    filename: Callable[[Any], str]
    subject: Callable[[Any], str] = lambda document: ""
    holds_participant_data: bool = True  # then its model must be registered participant data
    order: int = 100

    @property
    def pdf_template(self) -> str:
        return self.model.pdf_template


def document_kind_for(obj_or_model) -> DocumentKind | None:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    for kind in document_kinds:
        if kind.model is model:
            return kind
    return None


participant_panels = Registry("participant panels")
enrolment_panels = Registry("participation panels")  # on the page of one participation
home_panels = Registry("start page panels")  # context(request, user)
todo_items = Registry("to-do items")
document_kinds = Registry("document kinds")

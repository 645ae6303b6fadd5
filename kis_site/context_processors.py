from functools import cache

from django.conf import settings
from django.urls import reverse

from kis_site.middleware import session_seconds_left
from kis_site.models import KisSettings
from kis_site.navigation import MENU
from kis_site.roles import role_labels


def kis(request):
    user = getattr(request, "user", None)
    context = {"kis_settings": _kis_settings(request)}
    if user is not None and user.is_authenticated:
        context.update(
            {
                "user_role_labels": role_labels(user),
                "nav": [
                    {
                        "title": item.title,
                        "url": _url(item.url_name),
                        "active": request.resolver_match is not None
                        and item.key
                        in (request.resolver_match.namespace, request.resolver_match.url_name),
                    }
                    for item in MENU
                    if item.visible(user)
                ],
                "session_seconds": session_seconds_left(request),
                "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
            }
        )
    return context


@cache
def _url(name: str) -> str:
    """Navigation targets never change while the process runs: reverse each once."""
    return reverse(name)


def _kis_settings(request):
    cached = getattr(request, "_kis_settings", None)
    if cached is None:
        cached = KisSettings.load()
        request._kis_settings = cached
    return cached

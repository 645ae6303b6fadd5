"""Files of the media folder, each behind its own access check (kis_site.serving): the proxy
never serves the media folder by itself."""

from django.core.exceptions import PermissionDenied
from django.views.decorators.http import require_safe

from kis_site.models import KisSettings
from kis_site.roles import user_roles
from kis_site.serving import media_file_response


@require_safe
def letterhead_logo(request):
    """The club's logo, printed on every letter: any member of staff with a role sees it."""
    if not user_roles(request.user):
        raise PermissionDenied
    return media_file_response(KisSettings.load().logo)

"""Forms posted after a session expired: kept on the server for their author, for 60 minutes."""

from django.conf import settings
from django.contrib import messages
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from kis_site.models import PendingForm

LAST_USER_COOKIE = "kis_last_user"
_NOT_KEPT = {"csrfmiddlewaretoken"}


def store_pending_form(*, user_id: int, path: str, post: QueryDict) -> bool:
    data = {key: post.getlist(key) for key in post if key not in _NOT_KEPT}
    if not data:
        return False
    PendingForm.objects.filter(created_at__lt=timezone.now() - settings.PENDING_FORM_TTL).delete()
    PendingForm.objects.update_or_create(user_id=user_id, path=path, defaults={"data": data})
    return True


def pending_path_for(user) -> str | None:
    """The page of the newest form this user lost to an expired session, if still kept."""
    entry = (
        PendingForm.objects.filter(
            user=user, created_at__gte=timezone.now() - settings.PENDING_FORM_TTL
        )
        .order_by("-created_at")
        .first()
    )
    return entry.path if entry else None


def restore_pending_form(request) -> QueryDict | None:
    """The kept form data for this user and page, once; None when there is none."""
    user = request.user
    if not user.is_authenticated:
        return None
    entry = PendingForm.objects.filter(
        user=user,
        path=request.path,
        created_at__gte=timezone.now() - settings.PENDING_FORM_TTL,
    ).first()
    if entry is None:
        return None
    PendingForm.objects.filter(pk=entry.pk).delete()
    data = QueryDict(mutable=True)
    for key, values in entry.data.items():
        data.setlist(key, values)
    messages.warning(
        request,
        _(
            "Your session had expired before this form was saved. What you typed has been "
            "restored: check it and save again."
        ),
    )
    return data


def form_data(request) -> QueryDict | None:
    """The data to bind a form with: the POST, or a form restored after an expired session."""
    if request.method == "POST":
        return request.POST
    return restore_pending_form(request)

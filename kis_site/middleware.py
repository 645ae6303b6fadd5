import time
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.http import HttpResponse, HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse

from kis_site.pending import LAST_USER_COOKIE, store_pending_form

TOUCHED_KEY = "_kis_touched"


def session_seconds_left(request) -> int:
    """Seconds until the session ends if nothing else happens (after this request's touch)."""
    session = request.session
    touched = session.get(TOUCHED_KEY, 0)
    now = time.time()
    if now - touched >= settings.SESSION_TOUCH_SECONDS:
        return settings.SESSION_COOKIE_AGE
    return max(0, int(settings.SESSION_COOKIE_AGE - (now - touched)))


def touch_session(request) -> None:
    request.session[TOUCHED_KEY] = int(time.time())


class SessionTouchMiddleware:
    """Idle expiry with few writes: the session is re-saved (its 30 minutes start again) at most
    once a minute, instead of on every request. Pages show the exact time left."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            touched = session.get(TOUCHED_KEY, 0)
            if time.time() - touched >= settings.SESSION_TOUCH_SECONDS:
                touch_session(request)
        return response


class NoStoreMiddleware:
    """Pages seen by a logged-in person may carry personal data: browsers must not keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response


class ExpiredSessionPostMiddleware:
    """A form posted after the session expired is kept for its author and restored after login.

    The author is known from a signed cookie set at login (the session itself is gone). Files
    are not kept. Runs before LoginRequiredMiddleware, which would otherwise just redirect.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        if (
            request.method == "POST"
            and not request.user.is_authenticated
            and request.path not in self._open_paths()
            and not request.path.startswith(settings.STATIC_URL)
        ):
            return self._keep_and_redirect(request)
        return self.get_response(request)

    @staticmethod
    def _open_paths():
        # A code of the second step is never kept: it is spent or stale by the next login.
        return {
            reverse("login"),
            reverse("logout"),
            reverse("session-keepalive"),
            reverse("two-factor-verify"),
            reverse("two-factor-enrol"),
        }

    def _keep_and_redirect(self, request):
        rejected = self.csrf.process_view(request, None, (), {})
        if rejected is not None:
            return rejected
        kept = False
        try:
            user_id = signing.get_cookie_signer(salt=LAST_USER_COOKIE).unsign(
                request.COOKIES.get(LAST_USER_COOKIE, ""), max_age=12 * 3600
            )
        except signing.BadSignature:
            user_id = None
        if user_id:
            kept = store_pending_form(user_id=int(user_id), path=request.path, post=request.POST)
        query = {"next": request.path, "expired": "1" if kept else "0"}
        url = f"{reverse('login')}?{urlencode(query)}"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)


class AdminStyleMiddleware:
    """Django's own admin templates set a few inline style attributes; allow inline styles (never
    scripts) on admin pages only. Every page of ours keeps the strict policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/admin/"):
            response._csp_update = {"style-src": ["'unsafe-inline'"]}
        return response

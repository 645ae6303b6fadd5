"""The site's own pages: logging in and out, keeping the session alive, the health check, the home
page with its to-do tiles, the audit log and the club's documents."""

import logging

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from kis_site import two_factor
from kis_site.access import Action, policy
from kis_site.audit_display import AuditFilterForm, entry_rows
from kis_site.counts import count_all
from kis_site.middleware import touch_session
from kis_site.models import ClubDocument, ClubDocumentKind
from kis_site.pending import LAST_USER_COOKIE, pending_path_for
from kis_site.registries import home_panels, panels_for, todo_items
from kis_site.roles import user_roles
from kis_site.serving import stored_file_response

logger = logging.getLogger(__name__)


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        pending = pending_path_for(user)
        if pending and url_has_allowed_host_and_scheme(pending, allowed_hosts=None):
            response = redirect(pending)
        # The code from the app (or setting the app up) comes before the page asked for.
        second_step = two_factor.second_step_url(self.request, response.url)
        if second_step:
            response = redirect(second_step)
        response.set_cookie(
            LAST_USER_COOKIE,
            signing.get_cookie_signer(salt=LAST_USER_COOKIE).sign(str(user.pk)),
            max_age=12 * 3600,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["expired"] = self.request.GET.get("expired")
        return context


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response.delete_cookie(LAST_USER_COOKIE)
        return response


@require_POST
@login_not_required
def session_keepalive(request):
    """Renews the session (every request does); answers 401 when it is already gone."""
    if not request.user.is_authenticated:
        return JsonResponse({"ok": False}, status=401)
    touch_session(request)
    return JsonResponse({"ok": True, "seconds": settings.SESSION_COOKIE_AGE})


@require_GET
@login_not_required
def health(request):
    """For the load balancer and the monitoring: can this server reach the database and write to
    the media storage? 200 when both answer, 503 otherwise; no personal data, no error text."""
    checks = {"database": _database_answers(), "media": _media_writable()}
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "failing"}
        | {name: "ok" if fine else "failing" for name, fine in checks.items()},
        status=200 if healthy else 503,
    )


def _database_answers() -> bool:
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:  # any failure is "failing"; the reason goes to the log
        logger.exception("health: the database does not answer")
        return False


def _media_writable() -> bool:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    try:
        name = default_storage.save("health/check.txt", ContentFile(b"ok"))
        default_storage.delete(name)
        return True
    except Exception:
        logger.exception("health: the media storage cannot be written")
        return False


@require_safe
def home(request):
    results = [(item, item.count(request.user)) for item in todo_items]
    results = [(item, result) for item, result in results if result is not None]
    # The tiles that bring a queryset are counted together, in one query.
    pending = [result.count for _item, result in results if isinstance(result.count, QuerySet)]
    counted = iter(count_all(pending))
    tiles = []
    for item, result in results:
        count = next(counted) if isinstance(result.count, QuerySet) else result.count
        tiles.append(
            {
                "title": item.title,
                "count": count,
                "url": result.url,
                "level": result.level if count else "success",
            }
        )
    panels = panels_for(home_panels, request, request.user)
    # What to do today first: the most urgent tiles lead; the zeros collapse into one line.
    urgency = {"danger": 0, "warning": 1, "info": 2}
    todo = sorted((t for t in tiles if t["count"]), key=lambda t: urgency.get(t["level"], 3))
    done = [t for t in tiles if not t["count"]]
    return render(
        request,
        "kis_site/home.html",
        {"tiles": tiles, "todo_tiles": todo, "done_tiles": done, "panels": panels},
    )


@require_safe
def audit_log(request):
    if not policy().can(request.user, Action.VIEW_AUDIT):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp")
    if form.is_valid():
        entries = form.filter(entries)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "kis_site/audit_log.html",
        {
            "form": form,
            "page": page,
            "rows": entry_rows(page.object_list),
            "title": _("Audit log"),
            "query": form.query_string() if form.is_bound else "",
        },
    )


@require_safe
def club_documents(request):
    """The club's regulations, programme and register entry, with the versions in force."""
    if not user_roles(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    documents = list(ClubDocument.objects.select_related("file").order_by("kind", "-in_force_from"))
    in_force = {}
    for document in documents:
        if document.in_force_from <= today and (
            document.in_force_until is None or document.in_force_until >= today
        ):
            in_force.setdefault(document.kind, document)
    groups = []
    for kind, label in ClubDocumentKind.choices:
        versions = [d for d in documents if d.kind == kind]
        if versions:
            groups.append({"label": label, "current": in_force.get(kind), "versions": versions})
    return render(
        request,
        "kis_site/club_documents.html",
        {
            "groups": groups,
            "participation_rules": in_force.get(ClubDocumentKind.PARTICIPATION_RULES),
            "title": _("Club documents"),
            "breadcrumbs": [],
        },
    )


@require_safe
def club_document_file(request, pk):
    if not user_roles(request.user):
        raise PermissionDenied
    document = get_object_or_404(ClubDocument.objects.select_related("file"), pk=pk)
    return stored_file_response(document.file)

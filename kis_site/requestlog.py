"""Every request has an id; every log line of that request carries it; the 500 page shows it.

``RequestIdMiddleware`` (first in MIDDLEWARE) takes the id the proxy sends in ``X-Request-ID``
(nginx's ``$request_id``: 32 lowercase hex digits, nothing else is believed) or makes one
(``uuid4().hex``), keeps it in a context variable for the length of the request, answers it in the
``X-Request-ID`` header (gunicorn's access log prints it from there) and writes one line per
request to the logger ``kis_site.request``: method, path without the query string, status, time,
the user's id — never a name, a query or a form value.

``RequestIdFilter`` (on the handlers in LOGGING) adds ``request_id`` to every record, so the line
``django.request`` writes for an error carries the same id the person sees on the 500 page
(``server_error``, the handler500 of kis_site.urls) and can give to the administrator.

``client_ip`` is axes' AXES_CLIENT_IP_CALLABLE: the address of the person behind the proxy.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import time
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.core.signals import request_finished
from django.http import HttpResponseServerError
from django.template import TemplateDoesNotExist, loader
from django.utils.functional import empty
from django.views.decorators.csrf import requires_csrf_token

REQUEST_ID_HEADER = "X-Request-ID"
NO_REQUEST = "-"
# nginx's $request_id and uuid4().hex: an id from elsewhere is opaque, short and cannot carry data.
VALID_REQUEST_ID = re.compile(r"[0-9a-f]{32}")

_request_id: ContextVar[str] = ContextVar("kis_request_id", default=NO_REQUEST)
request_logger = logging.getLogger("kis_site.request")


def current_request_id() -> str:
    """The id of the request being served, or "-" outside a request."""
    return _request_id.get()


def request_id_from(value: str | None) -> str:
    """The incoming id when it is one we accept, else a new one."""
    if value and VALID_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        # Kept until request_finished, not only until this returns: Django logs a 4xx answer
        # after the last middleware (BaseHandler.get_response), and that line needs the id too.
        _request_id.set(request_id)
        started = time.monotonic()
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        request_logger.info(
            '"%s %s" %s %dms user=%s',
            request.method,
            request.path,  # never get_full_path(): a query string could carry a PESEL
            response.status_code,
            (time.monotonic() - started) * 1000,
            _user_id(request),
        )
        return response


def _forget_request_id(**kwargs) -> None:
    _request_id.set(NO_REQUEST)


request_finished.connect(_forget_request_id, dispatch_uid="kis_site.requestlog")


def _user_id(request) -> str:
    """The user's id when the request already looked them up (never a query just for the log)."""
    user = request.__dict__.get("user")
    if user is None or getattr(user, "_wrapped", None) is empty:
        return NO_REQUEST
    return str(user.pk) if user.is_authenticated else NO_REQUEST


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request); filters nothing out."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


@requires_csrf_token
def server_error(request, template_name: str = "500.html"):
    """handler500: Django's page, with the request's id to give to the administrator.

    Rendered without the request's context processors (they may be what failed)."""
    request_id = getattr(request, "request_id", None) or current_request_id()
    try:
        template = loader.get_template(template_name)
    except TemplateDoesNotExist:
        return HttpResponseServerError(
            f"Server error. Error ID: {request_id}", content_type="text/plain; charset=utf-8"
        )
    return HttpResponseServerError(template.render({"request_id": request_id}))


def client_ip(request) -> str | None:
    """The client's address for the login lockout (AXES_CLIENT_IP_CALLABLE).

    Without a proxy (PROXY_COUNT=0) the address of the connection. Behind PROXY_COUNT proxies,
    each of which sets or appends to X-Forwarded-For, the address the outermost one saw:
    counted from the right, so a client cannot choose it by sending the header itself. Anything
    that is not an IP address falls back to the connection's address.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.PROXY_COUNT
    if not count:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def audit_correlation_id() -> str | None:
    """AUDITLOG_CID_GETTER: an audit entry written during a request keeps the request's id."""
    request_id = current_request_id()
    return None if request_id == NO_REQUEST else request_id

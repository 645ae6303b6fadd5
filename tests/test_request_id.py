"""Every request has an id: on the answer (X-Request-ID), on each log line of the request, on the
500 page (to read out to the administrator) and on the audit entries it wrote. Behind the proxy
the lockout counts the visitor's address, not the proxy's."""

import logging
import re

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.decorators import login_not_required
from django.test import Client, RequestFactory
from django.urls import path, reverse

from kis_site import urls as site_urls
from kis_site.requestlog import (
    REQUEST_ID_HEADER,
    RequestIdFilter,
    client_ip,
    current_request_id,
    request_id_from,
)
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
HEX32 = re.compile(r"[0-9a-f]{32}")


@login_not_required
def fails(request):
    raise RuntimeError("a bug in a view")


# This module is the URLconf of the tests marked below: the site's URLs, one view that fails,
# and the site's handler500.
urlpatterns = [path("fails/", fails), *site_urls.urlpatterns]
handler500 = site_urls.handler500


class Captured(logging.Handler):
    """A handler like the ones of LOGGING: with the request id filter."""

    def __init__(self):
        super().__init__()
        self.records = []
        self.addFilter(RequestIdFilter())

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def captured():
    handler = Captured()
    loggers = [logging.getLogger(name) for name in ("django.request", "kis_site.request")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


def test_every_answer_carries_its_own_request_id(client):
    first = client.get("/health/")[REQUEST_ID_HEADER]
    second = client.get(reverse("login"))[REQUEST_ID_HEADER]
    assert HEX32.fullmatch(first) and HEX32.fullmatch(second) and first != second
    assert current_request_id() == "-"  # nothing is left over between requests


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("0123456789abcdef0123456789abcdef", True),  # nginx's $request_id, uuid4().hex
        ("0123456789ABCDEF0123456789ABCDEF", False),
        ("44051401359", False),  # never a way to put data on the log lines
        ("0123456789abcdef0123456789abcdef0", False),
        ("01234567-89ab-cdef-0123-456789abcdef", False),
        ("", False),
    ],
)
def test_an_incoming_request_id_is_kept_only_when_it_is_an_id(client, sent, kept):
    answered = client.get("/health/", headers={REQUEST_ID_HEADER: sent})[REQUEST_ID_HEADER]
    assert (answered == sent) is kept
    assert HEX32.fullmatch(answered)
    assert request_id_from(sent) == answered if kept else HEX32.fullmatch(request_id_from(sent))


@pytest.mark.urls(__name__)
def test_a_server_error_shows_the_id_that_its_log_line_carries(captured, settings):
    client = Client(raise_request_exception=False)
    response = client.get("/fails/")
    assert response.status_code == 500
    request_id = response[REQUEST_ID_HEADER]
    page = response.content.decode()
    assert f"Identyfikator błędu: <code>{request_id}</code>" in page
    assert "Podaj ten identyfikator administratorowi" in page
    assert "Traceback" not in page and "a bug in a view" not in page
    errors = [r for r in captured.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in errors] == ["Internal Server Error: /fails/"]
    assert errors[0].request_id == request_id and errors[0].exc_info
    # The run's own log file (tests/settings.py) has the same line with the same id.
    logged = settings.TEST_LOG_FILE.read_text()
    assert re.search(
        rf"ERROR django\.request \[{request_id}\] Internal Server Error: /fails/", logged
    )


def test_the_apps_line_per_request_has_the_id_and_no_query_string(client_for, manager, captured):
    response = client_for(manager).get("/participants/?q=Żółkiewski&pesel=44051401359")
    lines = [r for r in captured.records if r.name == "kis_site.request"]
    assert len(lines) == 1
    line = lines[0]
    assert line.request_id == response[REQUEST_ID_HEADER]
    assert (
        line.getMessage().startswith('"GET /participants/" 200 ') and "?" not in line.getMessage()
    )
    assert line.getMessage().endswith(f"user={manager.pk}")
    assert "44051401359" not in line.getMessage() and "Żółkiewski" not in line.getMessage()


def test_a_4xx_line_written_after_the_middleware_carries_the_id_too(client_for, trainer, captured):
    response = client_for(trainer).get(reverse("audit-log"))
    assert response.status_code == 403
    warnings = [r for r in captured.records if r.name == "django.request"]
    assert warnings and {r.request_id for r in warnings} == {response[REQUEST_ID_HEADER]}


def test_an_audit_entry_keeps_the_id_of_the_request_that_wrote_it(client_for, manager, trainer):
    client = client_for(manager)
    url = reverse("admin:kis_site_staffmember_change", args=[trainer.staff.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    response = client.post(url, {**data, "position": "trener zajęć"})
    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(trainer.staff).latest("timestamp")
    assert entry.cid == response[REQUEST_ID_HEADER]


# --- The visitor's address behind the proxy (AXES_CLIENT_IP_CALLABLE) --------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.7", "127.0.0.1"),  # no proxy: the header is the visitor's own words
        (1, "198.51.100.7", "198.51.100.7"),  # nginx sets it to the visitor's address
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # what the visitor sent is ignored
        (2, "198.51.100.7, 203.0.113.1", "198.51.100.7"),  # a CDN, then nginx appending
        (2, "198.51.100.7", "127.0.0.1"),  # fewer entries than proxies: the connection
        (1, "not-an-address", "127.0.0.1"),
        (1, "", "127.0.0.1"),
    ],
)
def test_the_client_address_is_counted_from_the_proxy_side(settings, proxies, forwarded, expected):
    settings.PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_behind_the_proxy_a_locked_visitor_does_not_lock_out_the_others(settings, case_manager):
    settings.PROXY_COUNT = 1
    client = Client()

    def login(password, address):
        return client.post(
            reverse("login"),
            {"username": case_manager.username, "password": password},
            REMOTE_ADDR="127.0.0.1",  # every request comes from nginx
            HTTP_X_FORWARDED_FOR=address,
        )

    for _ in range(settings.AXES_FAILURE_LIMIT):
        login("Zle-haslo-z-jednego-adresu", "198.51.100.7")
    assert login(PASSWORD, "198.51.100.7").status_code == 429
    assert login(PASSWORD, "203.0.113.9").status_code == 302

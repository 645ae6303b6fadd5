"""Nothing is remembered per process: several workers share only the database. The KIS settings
are read once per request (an edit by another worker shows on the next request), and the
manager's club figures are cached in a table of the database."""

from datetime import date

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from kis_site.memo import RequestMemoMiddleware
from kis_site.models import KisSettings
from reports.dashboard import cached_club_figures

pytestmark = pytest.mark.django_db


def test_settings_are_read_once_per_request_and_edits_show_on_the_next():
    KisSettings.load().save()
    seen = []

    def view(request):
        seen.append(KisSettings.load().name)
        # Another worker renames the club in the middle of this request.
        KisSettings.objects.filter(pk=1).update(name="Klub po zmianie")
        seen.append(KisSettings.load().name)
        return HttpResponse("ok")

    handler = RequestMemoMiddleware(view)
    with CaptureQueriesContext(connection) as queries:
        handler(RequestFactory().get("/"))
    reads = [q for q in queries.captured_queries if "kis_site_kissettings" in q["sql"]]
    assert len([q for q in reads if q["sql"].startswith("SELECT")]) == 1
    assert seen[0] == seen[1] != "Klub po zmianie"  # one request, one reading
    handler(RequestFactory().get("/"))
    assert seen[2] == "Klub po zmianie"  # the next request reads the edit


def test_outside_a_request_the_settings_are_read_each_time():
    KisSettings.load()
    KisSettings.objects.filter(pk=1).update(name="Nowa nazwa")
    assert KisSettings.load().name == "Nowa nazwa"


def test_the_club_figures_are_cached_in_the_database():
    cached_club_figures(date(2026, 12, 3))
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM kis_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert any("club-figures-2026-12-03" in key for key in keys)

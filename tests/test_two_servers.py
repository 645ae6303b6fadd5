"""More than one app server: two gunicorns on two ports share nothing but one PostgreSQL database
and one media folder. A session made on one works on the other, a scan uploaded through one
downloads through the other, and two attendance saves of one session through the two at the same
moment leave one consistent set of marks (never a mix, never two marks of one person)."""

import re
import threading
from contextlib import ExitStack
from datetime import timedelta
from html import unescape

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from activities import services
from activities.models import Attendance, Mark, ProgrammeTemplate, Session
from kis_site.models import KisSettings
from tests.conftest import make_persona
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    image_bytes,
    pdf_bytes,
    working_day,
)
from tests.servers import gunicorn, server_env

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two app servers need a database server both can reach: PostgreSQL (CI's second "
        "run, or DATABASE_URL=postgres://...); SQLite's in-memory test database is one process's",
    ),
    # The servers are other processes: they see committed rows only.
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "Dwa-serwery-jedna-baza-2026"
REFUSED = (
    "Zmieniasz zapisane już oznaczenia obecności: podaj powód.",  # the second save needs a reason
    "W tej samej chwili ktoś inny zapisał tę listę obecności.",  # the database refused a second
)


def _database_url() -> str:
    db = connection.settings_dict  # the test database pytest-django created
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.fixture
def servers(tmp_path, settings):
    """Servers A and B on one database and one media folder."""
    media = tmp_path / "shared-media"
    settings.MEDIA_ROOT = media
    env = server_env(
        DATABASE_URL=_database_url(),
        MEDIA_ROOT=str(media),
        PLAIN_STATIC="true",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    with ExitStack() as stack:
        yield [stack.enter_context(gunicorn(env)) for _ in "AB"]


@pytest.fixture
def session_today():
    """A manager who logs in with a password, and a session of five people on a working day up
    to today (attendance is taken on the day or later)."""
    user = make_persona("manager")
    hasher = PBKDF2PasswordHasher()  # what the servers' settings check (the suite's is MD5)
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])
    today = timezone.localdate()
    cohort = CohortFactory(
        starts_on=today - timedelta(days=60), ends_on=today + timedelta(days=200)
    )
    for index in range(5):
        EnrolmentFactory(
            cohort=cohort, starts_on=cohort.starts_on, participant__last_name=f"Serwer{index}"
        )
    programme = services.programme_copy(
        template=ProgrammeTemplate.objects.get(is_default=True), cohort=cohort
    )
    module = programme.modules.get(name="Psychoedukacja")
    day = working_day(cohort.starts_on, cohort.ends_on)  # the latest up to today

    def new_session(hour):
        return services.session_create(
            session=Session(
                module=module,
                date=day,
                starts_at=f"{hour:02d}:00",
                ends_at=f"{hour + 1:02d}:00",
                leader_name="Trener",
            )
        )

    return user, new_session


def _csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _log_in(base: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{base}/login/", timeout=10)
    response = browser.post(
        f"{base}/login/",
        data={
            "username": "kierownik",
            "password": PASSWORD,
            "csrfmiddlewaretoken": _csrf(page.text),
        },
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:500]
    return browser


def _on(base: str, cookies) -> requests.Session:
    """A browser that brings ``cookies`` (from another server) to ``base``."""
    browser = requests.Session()
    for name in ("sessionid", "csrftoken"):
        browser.cookies.set(name, cookies[name], domain="127.0.0.1", path="/")
    return browser


def test_two_servers_share_sessions_files_and_one_set_of_marks(servers, session_today):
    a, b = servers
    _user, new_session = session_today

    # Logged in on A: the same session cookie is a logged-in session on B.
    on_a = _log_in(a.base)
    assert requests.get(f"{b.base}/", allow_redirects=False, timeout=10).status_code == 302
    on_b = _on(b.base, on_a.cookies)
    home = on_b.get(f"{b.base}/", allow_redirects=False, timeout=10)
    assert home.status_code == 200 and "Anna Nowak" in unescape(home.text)

    # A scan uploaded through A downloads through B, byte for byte.
    session = new_session(9)
    page = on_a.get(f"{a.base}/activities/sessions/{session.pk}/", timeout=10)
    scan = pdf_bytes(3)
    upload = on_a.post(
        f"{a.base}/activities/sessions/{session.pk}/scan/upload/",
        data={"csrfmiddlewaretoken": _csrf(page.text)},
        files={"scan": ("lista.pdf", scan, "application/pdf")},
        allow_redirects=False,
        timeout=10,
    )
    assert upload.status_code == 302
    download = on_b.get(f"{b.base}/activities/sessions/{session.pk}/scan/", timeout=10)
    assert download.status_code == 200 and download.content == scan

    # A file of the shared media folder (the letterhead logo) is served by either server.
    logo = image_bytes("png", (80, 40))
    kis = KisSettings.load()
    kis.logo.save("logo.png", ContentFile(logo))
    for server, browser in ((a, on_a), (b, on_b)):
        response = browser.get(f"{server.base}/letterhead-logo/", timeout=10)
        assert response.status_code == 200 and response.content == logo

    # Two saves of one session through A and B at the same moment: without a reason, the
    # second may not change the first's marks; with one, both apply, one after the other.
    for with_reason in (False, True):
        session = new_session(11 if with_reason else 10)
        people = sorted(session.roster.values_list("participant_id", flat=True))
        assert len(people) == 5
        tokens = {
            server.base: _csrf(
                browser.get(f"{server.base}/activities/sessions/{session.pk}/", timeout=10).text
            )
            for server, browser in ((a, on_a), (b, on_b))
        }
        barrier = threading.Barrier(2)
        answers = {}

        def save(
            server,
            browser,
            mark,
            session=session,
            people=people,
            tokens=tokens,
            with_reason=with_reason,
            barrier=barrier,
            answers=answers,
        ):
            data = {f"mark-{pk}": mark for pk in people}
            data["csrfmiddlewaretoken"] = tokens[server.base]
            if with_reason:
                data["reason"] = "Poprawka z drugiego tabletu."
            barrier.wait()
            answers[mark] = browser.post(
                f"{server.base}/activities/sessions/{session.pk}/",
                data=data,
                allow_redirects=False,
                timeout=30,
            )

        threads = [
            threading.Thread(target=save, args=(a, on_a, Mark.PRESENT)),
            threading.Thread(target=save, args=(b, on_b, Mark.ABSENT)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        marks = list(
            Attendance.objects.filter(session=session).values_list("participant_id", "mark")
        )
        assert sorted(pk for pk, _mark in marks) == people  # exactly one mark per person
        assert len({mark for _pk, mark in marks}) == 1, f"a mix of two saves: {marks}"
        statuses = sorted(answer.status_code for answer in answers.values())
        if with_reason:
            assert statuses == [302, 302]  # both applied, one after the other
            versions = set(
                Attendance.objects.filter(session=session).values_list("version", flat=True)
            )
            assert versions == {2}  # the second changed every mark the first made
        else:
            assert statuses == [200, 302]
            (refused,) = [a for a in answers.values() if a.status_code == 200]
            assert any(message in unescape(refused.text) for message in REFUSED)
            (applied,) = [mark for mark, a in answers.items() if a.status_code == 302]
            assert {mark for _pk, mark in marks} == {applied}

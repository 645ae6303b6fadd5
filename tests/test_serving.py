"""Serving as in production: the health URL, and gunicorn with deploy/gunicorn.conf.py (DEBUG
off, whitenoise, a log line per request without its query string)."""

import subprocess
import sys

import pytest

from tests.servers import ROOT, get, gunicorn, server_env

PESEL = "44051401359"


@pytest.mark.django_db
def test_the_health_url_says_which_part_fails(client, settings, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = str(blocked / "media")
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "database": "ok", "media": "failing"}


def test_gunicorn_serves_with_debug_off_and_logs_no_query_strings(tmp_path):
    env = server_env(
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "collectstatic", "--no-input", "-v0"], env=env, check=True)
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], env=env, check=True)
    with gunicorn(env) as server:
        base = server.base
        status, _headers, body = get(f"{base}/health/?who={PESEL}")
        assert status == 200 and b'"database": "ok"' in body
        status, headers, body = get(f"{base}/static/css/kis.css")
        assert status == 200 and b"{" in body  # whitenoise serves the collected files
        assert "max-age" in headers.get("Cache-Control", "")
        status, _headers, body = get(f"{base}/login/")
        assert status == 200 and "Zaloguj się".encode() in body
        status, _headers, body = get(f"{base}/no-such-page/")
        assert status in (302, 404)
        assert b"Traceback" not in body  # DEBUG is off: no technical page
    log = server.log
    assert '"GET /health/" 200' in log
    assert PESEL not in log and "who=" not in log

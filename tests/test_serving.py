"""Serving as in production: the health URL, and gunicorn with deploy/gunicorn.conf.py (DEBUG
off, whitenoise, a log line per request without its query string)."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PESEL = "44051401359"


@pytest.mark.django_db
def test_the_health_url_says_which_part_fails(client, settings, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = str(blocked / "media")
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "database": "ok", "media": "failing"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_gunicorn_serves_with_debug_off_and_logs_no_query_strings(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "serving-test-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "collectstatic", "--no-input", "-v0"], env=env, check=True)
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], env=env, check=True)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "kis_site.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                status, _headers, body = _get(f"{base}/health/?who={PESEL}")
                break
            except OSError:
                time.sleep(0.1)
        assert status == 200 and b'"database": "ok"' in body
        status, headers, body = _get(f"{base}/static/css/kis.css")
        assert status == 200 and b"{" in body  # whitenoise serves the collected files
        assert "max-age" in headers.get("Cache-Control", "")
        status, _headers, body = _get(f"{base}/login/")
        assert status == 200 and "Zaloguj się".encode() in body
        status, _headers, body = _get(f"{base}/no-such-page/")
        assert status in (302, 404)
        assert b"Traceback" not in body  # DEBUG is off: no technical page
    finally:
        server.terminate()
        log, _ = server.communicate(timeout=30)
    assert '"GET /health/" 200' in log
    assert PESEL not in log and "who=" not in log

"""Real app servers for the tests that need one: gunicorn with deploy/gunicorn.conf.py, as in
production (DEBUG off), on a free port of the loopback address (tests/test_serving.py,
tests/test_two_servers.py)."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "serving-test-" + "x" * 50


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, timeout: float = 5):
    """(status, headers, body) of a plain GET, errors included."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def server_env(**overrides) -> dict:
    """The environment of an app server in production mode over plain HTTP on 127.0.0.1: the
    project's settings (never the test suite's), DEBUG off, no TLS redirect, no secure-only
    cookies, no second factor (the tests' users have none)."""
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "TWO_FACTOR_ENFORCED": "false",
        "GUNICORN_WORKERS": "2",
        **overrides,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


@dataclass
class Server:
    base: str
    process: subprocess.Popen
    log: str = ""


@contextmanager
def gunicorn(env: dict, *, wait_seconds: float = 30):
    """A gunicorn on a free port with ``env`` (from ``server_env``); yields a Server once it
    answers /health/, stops it on leaving; its output is then in ``Server.log``."""
    port = free_port()
    output = tempfile.TemporaryFile()  # noqa: SIM115 - read and closed below
    binary = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(binary), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "kis_site.wsgi"],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    server = Server(base=f"http://127.0.0.1:{port}", process=process)
    deadline, started = time.monotonic() + wait_seconds, False
    try:
        while process.poll() is None and time.monotonic() < deadline:
            try:
                get(f"{server.base}/health/", timeout=2)
            except OSError:
                time.sleep(0.1)
            else:
                started = True
                break
        if started:
            yield server
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=30)
        output.seek(0)
        server.log = output.read().decode(errors="replace")
        output.close()
    if not started:
        raise RuntimeError(f"gunicorn did not start:\n{server.log}")

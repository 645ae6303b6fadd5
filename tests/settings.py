"""The test run's environment: the one settings module, with test defaults in the environment.

Not a second settings file: it only fills in what a developer's shell would otherwise have to
export, then loads ``kis_site.settings`` unchanged.
"""

import copy
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdefghij")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("PLAIN_STATIC", "true")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The journal of anonymisations (retention/journal.py): out of the working tree.
os.environ.setdefault(
    "ANONYMISATION_JOURNAL",
    os.path.join(tempfile.gettempdir(), f"kis-test-anonymisation-journal-{os.getpid()}.jsonl"),
)

from kis_site.settings import *  # noqa: F403

# Fast password hashing: the tests log in hundreds of times. It also notes every password it
# hashes, for the log check at the end of the run (tests/logcheck.py).
PASSWORD_HASHERS = ["tests.logcheck.RecordingMD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405

# The tests log in with force_login, without a second factor: tests/test_two_factor.py and the
# two-factor browser journey switch it back on for themselves.
TWO_FACTOR_ENFORCED = False

# The browser tests load axe-core from the live server like any other static file, so the
# strict Content Security Policy stays on while it runs.
STATICFILES_DIRS = [*STATICFILES_DIRS, BASE_DIR / "tests" / "browser" / "vendor"]  # noqa: F405

# The run's log (tests/logcheck.py): every test process writes its records, root at INFO, to its
# own file in one folder per run, which the controller searches for PESELs and passwords at the
# end. The first process (the controller) names a fresh folder (under KIS_TEST_LOG_DIR when set:
# kept afterwards; else in the temporary folder: removed when clean) and hands it to the xdist
# workers through the environment (KIS_TEST_LOG_RUN); the first record makes it
# (tests.logcheck.RunFileHandler), so a mere import of these settings leaves nothing behind.
TEST_LOG_DIR = os.environ.get("KIS_TEST_LOG_RUN", "")
TEST_LOG_KEEP = bool(os.environ.get("KIS_TEST_LOG_DIR"))
if not TEST_LOG_DIR:
    TEST_LOG_DIR = os.path.join(
        os.environ.get("KIS_TEST_LOG_DIR") or tempfile.gettempdir(),
        f"kis-test-logs-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}",
    )
    os.environ["KIS_TEST_LOG_RUN"] = TEST_LOG_DIR
TEST_LOG_FILE = Path(TEST_LOG_DIR) / (
    f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}.log"
)
LOGGING = copy.deepcopy(LOGGING)  # noqa: F405
LOGGING["handlers"]["run_file"] = {
    "class": "tests.logcheck.RunFileHandler",
    "filename": str(TEST_LOG_FILE),
    "encoding": "utf-8",
    "delay": True,
    "filters": ["request_id"],
    "formatter": "kis",
}
LOGGING["handlers"]["console"]["level"] = "WARNING"  # the console as quiet as without the file
LOGGING["root"] = {"handlers": ["console", "run_file"], "level": "INFO"}
for _name in ("django.request", "django.security", "axes"):
    LOGGING["loggers"][_name] = {"handlers": ["run_file"], "level": "INFO", "propagate": False}
LOGGING["loggers"]["django.db.backends"] = {"level": "WARNING"}  # never SQL with its parameters

"""The test run's environment: the one settings module, with test defaults in the environment.

Not a second settings file: it only fills in what a developer's shell would otherwise have to
export, then loads ``kis_site.settings`` unchanged.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdefghij")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("PLAIN_STATIC", "true")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from kis_site.settings import *  # noqa: F403

# Fast password hashing: the tests log in hundreds of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405

# The browser tests load axe-core from the live server like any other static file, so the
# strict Content Security Policy stays on while it runs.
STATICFILES_DIRS = [*STATICFILES_DIRS, BASE_DIR / "tests" / "browser" / "vendor"]  # noqa: F405

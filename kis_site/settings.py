"""Settings of the KIS application, read from the environment (django-environ).

Everything that differs between a laptop and production comes from environment variables:
DEBUG, SECRET_KEY, DATABASE_URL, ALLOWED_HOSTS and the security switches below.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kis_site.media import media_storage

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-development-key-only-for-debug-mode"
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (50+ characters), or set DEBUG=true for local development. "
            "/ Brak SECRET_KEY: ustaw zmienną środowiskową SECRET_KEY albo DEBUG=true."
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is empty. Set ALLOWED_HOSTS to the host names the site answers to, "
        "e.g. ALLOWED_HOSTS=kis.example.pl. / Ustaw ALLOWED_HOSTS."
    )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "csp",
    "auditlog",
    "axes",
    # Two-factor login: TOTP devices, and static devices for the recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Only for its Polish translation of the password strength messages.
    "django_zxcvbn_password_validator",
    # Our apps, in dependency order (an app never imports from one below it).
    "kis_site",
    "partners",
    "participants",
    "diagnosis",
    "activities",
    "ipd",
    "reports",
    "subject_access",
    "retention",
]

MIDDLEWARE = [
    # First: the request's id (X-Request-ID) is on every log line and on the 500 page.
    "kis_site.requestlog.RequestIdMiddleware",
    "kis_site.memo.RequestMemoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kis_site.middleware.SessionTouchMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # No django_otp OTPMiddleware: it reads the verifying device on every request, while the
    # session itself says whether the second step was passed (kis_site.two_factor.is_verified).
    "kis_site.middleware.ExpiredSessionPostMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "kis_site.middleware.AdminStyleMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "kis_site.middleware.NoStoreMiddleware",
    # A person who must give the second factor reaches only its pages until they have.
    "kis_site.two_factor.TwoFactorMiddleware",
    # Last, so that it sees the final response of a failed login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kis_site.urls"
WSGI_APPLICATION = "kis_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kis_site.context_processors.kis",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Optional: a read-only replica of a managed PostgreSQL for the manager's reports over the whole
# club (kis_site/replica.py: only the views marked @reads_from_replica read there; every write and
# every other page uses the primary).
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **env.db("DATABASE_REPLICA_URL"),
        "ATOMIC_REQUESTS": False,
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["kis_site.replica.ReportsReplicaRouter"]
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        # Each gunicorn worker keeps its connection for a minute, checked before reuse: a new one
        # per request starts a server process with cold caches, about half of a page's time in
        # make load. DATABASE_URL=…?conn_max_age=0 gives one per request again.
        _database.setdefault("CONN_MAX_AGE", 60)
        _database.setdefault("CONN_HEALTH_CHECKS", True)
        # No JIT: PostgreSQL compiles a query to machine code when its *estimated* cost is high
        # (the start page's to-do counts), which took 2 s for a query that runs in 50 ms (make
        # load). Behind PgBouncer, which refuses this option: ALTER DATABASE kis SET jit = off.
        _database.setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

# The cache is a table of the database: several workers and servers share nothing else, so a
# figure cached by one (the manager's club figures) is the one every other shows. The table is
# made by a migration (kis_site 0008).
CACHE_TABLE = "kis_cache"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": CACHE_TABLE,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Strength as an attacker would guess it (zxcvbn): "aaaaaaaaaaaa" is long but guessed at once.
    {"NAME": "django_zxcvbn_password_validator.ZxcvbnPasswordValidator"},
]
# 3 of 0-4: a password that cannot be guessed without access to the database (about 10^8
# guesses or more); the demo and test passwords score 4.
PASSWORD_MINIMAL_STRENGTH = 3
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after 30 minutes without a request; requests renew them (at most once a minute,
# see kis_site.middleware.SessionTouchMiddleware).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_TOUCH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A form posted after the session expired is kept this long for its author.
PENDING_FORM_TTL = timedelta(minutes=60)
# The warning appears this many seconds before the session ends.
SESSION_WARNING_SECONDS = env.int("SESSION_WARNING_SECONDS", default=5 * 60)

# Login lockout (kis_site/lockout.py): 5 failed attempts for one username from one address lock
# that pair, 20 within 30 minutes from any addresses lock the username; each lock lasts 30 minutes
# from the last counted failure. Attempts while locked are not counted, so they never extend a
# lock. A success resets only its own address's count. The manager and the administrator unlock.
AXES_HANDLER = "kis_site.lockout.KisLockoutHandler"
AXES_FAILURE_LIMIT = 5
LOCKOUT_USERNAME_FAILURE_LIMIT = 20
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # one row per failure: the per-username count reads it
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind PROXY_COUNT proxies, each setting or appending X-Forwarded-For (deploy/nginx: one, which
# sets it to the client's address), the lockout counts the client's address, not the proxy's.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "kis_site.requestlog.client_ip"
AXES_VERBOSE = False
# The second step's code is never written to the failure log.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]

# Two-factor login (kis_site/two_factor.py): TOTP from an authenticator app, plus ten one-time
# recovery codes. Required for the technical administrator and every role that sees sensitive
# sections, unless the KIS manager relaxes it for a role (audited); anyone may enrol. Wrong codes
# count as failed logins for the lockout above. Only the test suite switches the whole thing off
# (tests/settings.py: the tests log in with force_login); the demo relaxes it per role instead.
TWO_FACTOR_ENFORCED = env.bool("TWO_FACTOR_ENFORCED", default=True)
OTP_TOTP_ISSUER = "KIS"
OTP_TOTP_THROTTLE_FACTOR = 1  # after n wrong codes in a row, wait 2^(n-1) seconds
OTP_STATIC_THROTTLE_FACTOR = 1

# Security switches: secure by default when DEBUG is off, each can be turned off by env
# (e.g. when TLS ends in front of a proxy that does its own redirect).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True

# A strict Content Security Policy: no inline scripts or styles, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("Polish"))]
# Our translation, then the Polish of third-party screens that ship none (django-auditlog).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False
FORMAT_MODULE_PATH = ["kis_site.formats"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "/media-not-served/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Files of the media folder leave only through a view that checks access (kis_site/serving.py).
# Behind nginx, the path of its `internal;` location for MEDIA_ROOT (deploy/nginx/kis.conf, e.g.
# "/_protected_media/"): the view answers X-Accel-Redirect and nginx sends the file. Empty: the
# app streams the file itself.
MEDIA_ACCEL_REDIRECT = env.str("MEDIA_ACCEL_REDIRECT", default="")
if MEDIA_ACCEL_REDIRECT and not (
    MEDIA_ACCEL_REDIRECT.startswith("/") and MEDIA_ACCEL_REDIRECT.endswith("/")
):
    raise ImproperlyConfigured(
        "MEDIA_ACCEL_REDIRECT must be a path that starts and ends with '/', e.g. "
        "/_protected_media/ (or empty). / MEDIA_ACCEL_REDIRECT: ścieżka z '/' na obu końcach."
    )
# The largest file the app accepts: a club document (20 MB; a scan 10 MB, the logo 2 MB). The
# proxy lets a request through up to this plus 1 MB for the rest of the form (deploy/nginx:
# client_max_body_size; tests/test_deploy.py compares them).
UPLOAD_MAX_BYTES = 20 * 1024 * 1024
# manage.py backup FOLDER deletes its own backups there older than this many days (0: none).
# The key (BACKUP_KEY) is read from the environment by kis_site/backup.py, never kept here.
BACKUP_KEEP_DAYS = env.int("BACKUP_KEEP_DAYS", default=30)
# The journal of anonymisations (retention/journal.py): a file next to the backups (in their
# folder, e.g. /var/backups/kis/NAME/anonymisation-journal.jsonl), re-applied after a restore.
ANONYMISATION_JOURNAL = env.str(
    "ANONYMISATION_JOURNAL", default=str(BASE_DIR / "anonymisation-journal.jsonl")
)
STORAGES = {
    # The folder MEDIA_ROOT, or a private S3-compatible bucket when MEDIA_S3_BUCKET is set: several
    # app servers then share it (kis_site/media.py).
    "default": media_storage(os.environ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env.bool("PLAIN_STATIC", default=False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or env.bool("PLAIN_STATIC", default=False)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Audit: who changed what; PESEL and sensitive fields are masked whole.
AUDITLOG_MASK_CALLABLE = "kis_site.audit.mask_value"
AUDITLOG_DISABLE_REMOTE_ADDR = False
AUDITLOG_STORE_JSON_CHANGES = True
# An audit entry keeps the id of the request that wrote it (the id of the log lines).
AUDITLOG_CID_GETTER = "kis_site.requestlog.audit_correlation_id"

# Logs go to standard error (the journal, under systemd: deploy/). Every line carries the id of
# its request (kis_site/requestlog.py), the one the 500 page shows; no line carries a query
# string, a form value or a password. LOG_LEVEL=INFO adds the app's own line per request
# (kis_site.request: path, status, time, user id) to gunicorn's access log.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "kis_site.requestlog.RequestIdFilter"}},
    "formatters": {
        "kis": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "kis",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    "loggers": {
        # 4xx answers are the visitor's, not the server's: only errors (5xx), with their id.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # Failed logins and locks; username and address masked (AXES_SENSITIVE_PARAMETERS), the
        # password never written (axes masks the "password" field).
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # SQL with its parameters (a PESEL) is never logged, whatever LOG_LEVEL says.
        "django.db.backends": {"level": "WARNING"},
        # Each PDF's rendering steps: noise at INFO.
        "weasyprint.progress": {"level": "WARNING"},
    },
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

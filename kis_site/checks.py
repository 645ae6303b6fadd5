"""Start-up checks: a production server that could not serve its pages refuses to start.

With DEBUG off the static files are served from STATIC_ROOT through a manifest of hashed names
that only ``collectstatic`` writes; without it every page that links a stylesheet answers 500
("Missing staticfiles manifest entry"). The WSGI application (and so ``runserver`` too) and
``check --deploy`` stop with a sentence that says what to run. ``collectstatic``, ``migrate``
and the tests (plain static storage) are not affected.
"""

from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

COLLECTSTATIC = (
    "The static files have not been collected: {manifest} does not exist, so every page would "
    "answer 500. Run `python manage.py collectstatic --noinput` with the same settings "
    "(STATIC_ROOT={root}) before starting the server, or set DEBUG=true for development. / "
    "Brak zebranych plików statycznych: przed uruchomieniem serwera wykonaj "
    "`python manage.py collectstatic --noinput`."
)


def missing_static_manifest() -> str | None:
    """What to run, when the static files storage needs a manifest that is not there."""
    from django.conf import settings
    from django.contrib.staticfiles.storage import ManifestFilesMixin
    from django.core.files.storage import storages

    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin) or storage.exists(storage.manifest_name):
        return None
    return COLLECTSTATIC.format(
        manifest=storage.path(storage.manifest_name), root=settings.STATIC_ROOT
    )


def ensure_static_manifest() -> None:
    """Raise ImproperlyConfigured when the static files have not been collected."""
    message = missing_static_manifest()
    if message:
        raise ImproperlyConfigured(message)


@register(Tags.staticfiles, deploy=True)
def static_manifest_check(app_configs, **kwargs):
    message = missing_static_manifest()
    return [Error(message, id="kis.E001")] if message else []


@register(Tags.security, deploy=True)
def two_factor_enforced_check(app_configs, **kwargs):
    """Two-factor login is switched off as a whole only in the test suite: a server runs with it,
    and the manager relaxes it per role when she must."""
    from django.conf import settings

    if getattr(settings, "TWO_FACTOR_ENFORCED", True):
        return []
    return [
        Warning(
            "TWO_FACTOR_ENFORCED is off: nobody is asked for a code from an authenticator app, "
            "whatever the manager set for the roles. Remove it from the environment. / "
            "Logowanie dwuetapowe jest wyłączone (TWO_FACTOR_ENFORCED): usuń tę zmienną.",
            id="kis.W101",
        )
    ]

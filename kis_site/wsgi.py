import os

from django.core.wsgi import get_wsgi_application

from kis_site.checks import ensure_static_manifest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kis_site.settings")

application = get_wsgi_application()
# Without collected static files every page would answer 500: refuse to start instead.
ensure_static_manifest()

import gc
import os

from django.core.wsgi import get_wsgi_application

from kis_site.checks import ensure_static_manifest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kis_site.settings")

application = get_wsgi_application()
# Without collected static files every page would answer 500: refuse to start instead.
ensure_static_manifest()

# What is loaded by now (Django, the apps, their modules) lives as long as the worker: keep it
# out of the garbage collector's passes, which would otherwise walk all of it on every full
# collection, in the middle of some request (the long tail of heavy pages).
gc.collect()
gc.freeze()

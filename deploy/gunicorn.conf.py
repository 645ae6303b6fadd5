"""gunicorn, as the app runs in production: ``gunicorn -c deploy/gunicorn.conf.py kis_site.wsgi``
(``make serve`` does this on 127.0.0.1:8000).

Every value can be changed by an environment variable, so one file serves every installation;
the defaults suit one small server behind nginx (deploy/nginx/kis.conf). Two installations on
one host differ only in their environment file (deploy/kis.env.example: GUNICORN_BIND).
"""

import multiprocessing
import os

# Where to listen: nginx proxies to this address (a local port, or a unix socket "unix:/run/...").
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Workers share nothing but the database and the media folder: two per core is the usual start.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
worker_class = "sync"
# The slowest requests are PDFs and the yearly report: about a second at a large club's size.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (a slow leak never grows for weeks).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200

# The proxy's address, whose X-Forwarded-* headers are believed (BEHIND_PROXY in the settings).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# One line per request to standard output: the path without its query string (a query could
# carry a name or a PESEL), the status, the size, the time it took and the request's id (the
# X-Request-ID the app answers: the id on the app's log lines and on the 500 page).
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms id=%({x-request-id}o)s'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

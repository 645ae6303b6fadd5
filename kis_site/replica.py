"""Reports read from a replica of the database, when there is one (DATABASE_REPLICA_URL).

Only the views marked ``@reads_from_replica`` read there, and only while they run: the manager's
reports over the whole club (the yearly report, the participation-and-outcomes report), which
change nothing but the audit log. Every write, and every read outside those views (a page shown
right after a save), goes to the primary, so a replica a few seconds behind never shows anyone a
stale record of their own work; a report may be those few seconds behind.
"""

from contextvars import ContextVar
from functools import wraps

from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"

_reading_reports: ContextVar[bool] = ContextVar("kis_reading_reports", default=False)


def replica_configured() -> bool:
    from django.conf import settings

    return REPLICA in settings.DATABASES


def reads_from_replica(view):
    """Run ``view`` with its reads on the replica (when one is configured)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        token = _reading_reports.set(True)
        try:
            return view(*args, **kwargs)
        finally:
            _reading_reports.reset(token)

    wrapper.reads_from_replica = True
    return wrapper


class ReportsReplicaRouter:
    """Reads inside ``reads_from_replica`` go to the replica; everything else to the primary."""

    def db_for_read(self, model, **hints):
        if _reading_reports.get() and replica_configured():
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        # Never where the instance was read from: an object read on the replica is written to
        # the primary (the replica refuses writes).
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA  # the replica follows the primary's schema by itself

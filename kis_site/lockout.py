"""Login lockout: two rules on top of django-axes' database handler.

1. Per username and address (axes itself, ``AXES_LOCKOUT_PARAMETERS``): the fifth failure of one
   username from one address locks that pair for ``AXES_COOLOFF_TIME`` (30 minutes).
2. Per username from any address (here): ``LOCKOUT_USERNAME_FAILURE_LIMIT`` (20) failures within
   ``AXES_COOLOFF_TIME`` lock the username everywhere for ``AXES_COOLOFF_TIME`` after the last one.
   It is counted on axes' failure log (one row per failed attempt).

Attempts made while locked are refused before they are counted
(``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False``), so they never extend a lock. The KIS
manager and the administrator unlock an account (``login_unlock``); each unlock is audited, and
failures before the last unlock no longer count.

Two-factor login (``kis_site.two_factor``): a wrong code at the second step is a failed login of
that username under both rules, and the right password alone is not yet a success (the count of
its address is reset only when the code is accepted), so passwords and codes add up to one limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from auditlog.models import LogEntry
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt, AccessFailureLog
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone

from kis_site.audit import log_unlock


def _window() -> timedelta:
    return settings.AXES_COOLOFF_TIME


def _last_unlock(username: str) -> datetime | None:
    User = get_user_model()
    pk = User._default_manager.filter(username=username).values_list("pk", flat=True).first()
    if pk is None:
        return None
    return (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User),
            object_pk=str(pk),
            additional_data__unlocked=username,
        )
        .order_by("-timestamp")
        .values_list("timestamp", flat=True)
        .first()
    )


def username_locked_until(username: str | None, *, now: datetime | None = None) -> datetime | None:
    """When the lock of ``username`` from every address ends, or None when it is not locked.

    Locked when the latest ``limit`` failures (after the last unlock) fall within one cool-off
    window and the latest of them is less than one window ago; the lock ends one window after it.
    """
    if not username:
        return None
    now = now or timezone.now()
    window, limit = _window(), settings.LOCKOUT_USERNAME_FAILURE_LIMIT
    times = list(
        AccessFailureLog.objects.filter(
            username=username, attempt_time__gt=now - 2 * window, attempt_time__lte=now
        )
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)[:limit]
    )
    if len(times) < limit or times[0] <= now - window or times[-1] < times[0] - window:
        return None
    unlocked = _last_unlock(username)
    if unlocked is not None and unlocked >= times[-1]:
        return None  # fewer than ``limit`` failures since the unlock
    return times[0] + window


class KisLockoutHandler(AxesDatabaseHandler):
    """axes' database handler plus the lock of a username from any address."""

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        username = get_client_username(request, credentials)
        now = getattr(request, "axes_attempt_time", None)
        return username_locked_until(username, now=now) is not None

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        username = get_client_username(request, credentials)
        if username_locked_until(username, now=request.axes_attempt_time) is not None:
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes", request=request, username=username, ip_address=request.axes_ip_address
            )

    def user_logged_in(self, sender, request, user, **kwargs):
        # A password alone is not a successful login while a code is still due: the failures
        # (wrong codes included) are reset only when the code is accepted (second_step_passed).
        from kis_site.two_factor import decide_at_login

        request.kis_code_due = decide_at_login(request, user)
        super().user_logged_in(sender, request, user, **kwargs)

    def reset_user_attempts(self, request, credentials=None) -> int:
        if getattr(request, "kis_code_due", False):
            return 0
        return super().reset_user_attempts(request, credentials)

    def remove_out_of_limit_failure_logs(self, *, username: str, limit: int | None = None) -> int:
        """Keep the newest ``limit`` failures of ``username`` (axes drops the newest instead,
        which would hide the failures the lock counts)."""
        if limit is None:
            limit = settings.AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT
        failures = AccessFailureLog.objects.filter(username=username)
        beyond = list(
            failures.order_by("-attempt_time", "-pk").values_list("pk", "attempt_time")[
                limit : limit + 1
            ]
        )
        if not beyond:
            return 0
        pk, moment = beyond[0]
        count, _ = (
            failures.filter(attempt_time__lt=moment)
            | failures.filter(attempt_time=moment, pk__lte=pk)
        ).delete()
        return count


# --- The second step of the login (kis_site.two_factor) ---------------------------------------
# A code is asked of someone who has given the right password: a wrong code counts as a failed
# login for their username, under the same rules and limits as a wrong password.


def _credentials(user) -> dict:
    return {"username": user.get_username()}


def second_step_locked(request, user) -> bool:
    """Is ``user``'s login locked from this address (or everywhere)? Then no code is checked,
    and the response becomes the lockout page (AxesMiddleware)."""
    credentials = _credentials(user)
    if not AxesProxyHandler.is_locked(request, credentials):
        return False
    request.axes_locked_out = True
    request.axes_credentials = credentials
    return True


def second_step_failed(request, user) -> bool:
    """Count a wrong code as a failed login; True when it has just locked the login."""
    user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
    return bool(getattr(request, "axes_locked_out", False))


def second_step_passed(request, user) -> None:
    """The code was right: now the login succeeded, and its address's failures are forgotten
    (what AXES_RESET_ON_SUCCESS does at the login of someone who owes no code)."""
    if settings.AXES_RESET_ON_SUCCESS:
        AxesProxyHandler.update_request(request)
        AxesProxyHandler.get_implementation().reset_user_attempts(request, _credentials(user))


@dataclass
class LockedLogin:
    user: object
    until: datetime
    everywhere: bool = False
    addresses: list[str] = field(default_factory=list)


def locked_logins(*, now: datetime | None = None) -> list[LockedLogin]:
    """Accounts whose login is locked now: from some addresses or from everywhere."""
    now = now or timezone.now()
    window = _window()
    found: dict[str, LockedLogin] = {}
    pairs = (
        AccessAttempt.objects.filter(attempt_time__gte=now - window)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
    )
    for row in pairs:
        lock = found.setdefault(row["username"], LockedLogin(None, row["last"] + window))
        lock.until = max(lock.until, row["last"] + window)
        lock.addresses.append(row["ip_address"])
    candidates = (
        AccessFailureLog.objects.filter(attempt_time__gt=now - 2 * window)
        .values("username")
        .annotate(failures=Count("id"))
        .filter(failures__gte=settings.LOCKOUT_USERNAME_FAILURE_LIMIT)
        .values_list("username", flat=True)
    )
    for username in candidates:
        until = username_locked_until(username, now=now)
        if until is not None:
            lock = found.setdefault(username, LockedLogin(None, until))
            lock.until, lock.everywhere = max(lock.until, until), True
    if not found:
        return []
    users = (
        get_user_model()
        ._default_manager.filter(username__in=found)
        .order_by("last_name", "first_name", "username")
    )
    result = []
    for user in users:
        lock = found[user.username]
        lock.user = user
        lock.addresses.sort()
        result.append(lock)
    return result


def login_lock_of(user, *, now: datetime | None = None) -> LockedLogin | None:
    for lock in locked_logins(now=now):
        if lock.user.pk == user.pk:
            return lock
    return None


def login_unlock(*, user, by) -> LogEntry:
    """Unlock ``user``'s login from every address, and record who did it."""
    username = user.get_username()
    with transaction.atomic():
        attempts = AccessAttempt.objects.filter(username=username)
        addresses = set(attempts.values_list("ip_address", flat=True))
        addresses |= set(
            AccessFailureLog.objects.filter(
                username=username, attempt_time__gt=timezone.now() - 2 * _window()
            ).values_list("ip_address", flat=True)
        )
        attempts.delete()
        return log_unlock(by=by, user=user, addresses={a for a in addresses if a})

"""Two-factor login (TOTP through django-otp): who must use it, enrolment with recovery codes, the
check of a code, and the guard that keeps a person who has given only the password at that step.

Who: the technical administrator and every role that sees a sensitive section in the role table
(``policy().reaches_sensitive_sections``), unless the KIS manager relaxed it for the role
(``TwoFactorRolePolicy``, audited); superusers always. Anyone else may enrol of their own accord,
and whoever has a device is always asked for a code.

When: decided at each login and kept in the session, so a change of the rules applies from the
next login. The lockout (``kis_site.lockout``) does not count a password alone as a successful
login when a code is still due, and counts wrong codes like wrong passwords.
"""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from urllib.parse import urlencode, urlparse

import segno
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kis_site.access import policy
from kis_site.accounts import TECHNICAL_ROLES, grants_all_roles, unlocks_logins
from kis_site.audit import log_two_factor
from kis_site.models import TwoFactorRolePolicy
from kis_site.roles import user_roles
from kis_site.vocabulary import Role

# True: this session has to pass the second step before anything else (decided at login).
SESSION_KEY = "kis_two_factor"
# The recovery codes just made, shown once on the next page and then forgotten.
CODES_SESSION_KEY = "kis_recovery_codes"
RECOVERY_CODES = 10
TOTP_DIGITS = 6


# --- Who must use it --------------------------------------------------------------------------


def required_by_default(role: Role) -> bool:
    """The technical administrator and the roles that see sensitive sections (the role table)."""
    return role in TECHNICAL_ROLES or policy().reaches_sensitive_sections(role)


def role_requirements() -> dict[Role, bool]:
    """Whether each role must use two-factor login: the manager's decision, else the default."""
    stored = dict(TwoFactorRolePolicy.objects.values_list("role", "required"))
    return {role: stored.get(role.value, required_by_default(role)) for role in Role}


def requires_two_factor(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    roles = user_roles(user)
    if not roles:
        return False
    requirements = role_requirements()
    return any(requirements[role] for role in roles)


def has_device(user) -> bool:
    """Has ``user`` set up two-factor login (a confirmed app or recovery codes)?"""
    return user_has_device(user, confirmed=True)


@dataclass
class RequirementRow:
    role: Role
    default: bool
    required: bool
    decision: TwoFactorRolePolicy | None


def requirement_rows() -> list[RequirementRow]:
    stored = {row.role: row for row in TwoFactorRolePolicy.objects.select_related("changed_by")}
    rows = []
    for role in Role:
        decision = stored.get(role.value)
        default = required_by_default(role)
        rows.append(
            RequirementRow(role, default, decision.required if decision else default, decision)
        )
    return rows


def sees_requirements(user) -> bool:
    """The manager and the technical administrator see the requirement of each role."""
    return unlocks_logins(user)


def decides_requirements(user) -> bool:
    """Only the KIS manager decides (the technical administrator, whose own role is one of
    those concerned, does not)."""
    return grants_all_roles(user)


def requirement_change_error(*, actor, role: Role, required: bool) -> str | None:
    """Why ``actor`` may not set the requirement of ``role`` to ``required``, or None.

    Only the KIS manager decides (``decides_requirements``); nobody relaxes it for a role they
    hold themselves."""
    if not decides_requirements(actor):
        return _("Only the KIS manager decides which roles must use two-factor login.")
    if not required and role in user_roles(actor):
        return _("Nobody relaxes two-factor login for a role they hold themselves (%(role)s).") % {
            "role": role.label
        }
    return None


def set_requirement(*, role: Role, required: bool, by) -> TwoFactorRolePolicy:
    """Record the manager's decision for ``role`` (the audit log keeps every change)."""
    decision, _created = TwoFactorRolePolicy.objects.update_or_create(
        role=role.value,
        defaults={"required": required, "changed_by": by, "changed_at": timezone.now()},
    )
    return decision


# --- Devices and codes ------------------------------------------------------------------------


def pending_device(user) -> TOTPDevice:
    """The app being set up: the same key on every visit until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


def device_secret(device: TOTPDevice) -> str:
    """The key as an authenticator app takes it typed by hand: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice, label: str) -> str:
    """The device's otpauth:// address as a QR code, inline SVG made on the server."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=1, border=4, dark="#000", light="#fff", svgclass="kis-qr", omitsize=True
    )
    named = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return mark_safe(named)  # noqa: S308 - segno's markup of our own address, the label escaped


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def new_recovery_codes(user) -> list[str]:
    """Ten new one-time codes; the earlier ones stop working. The device itself is kept, so a
    session verified with one of its codes stays verified."""
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=_("Recovery codes"), confirmed=True)
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODES:
        codes.add(StaticToken.random_token())
    with transaction.atomic():
        device.token_set.all().delete()
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return sorted(codes)


def shown_code(code: str) -> str:
    """A recovery code as shown: two groups of four ("abcd-efgh")."""
    return f"{code[:4]}-{code[4:]}"


def normalised(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


@dataclass
class CodeCheck:
    device: object | None = None  # the device that accepted the code
    wait_until: datetime | None = None  # refused unchecked: too many wrong codes just now
    codes: list[str] = field(default_factory=list)  # new recovery codes (at enrolment)

    @property
    def accepted(self) -> bool:
        return self.device is not None


def _check_on(device, code: str) -> CodeCheck:
    """One device, locked for the check: throttled, accepted or refused. django-otp refuses a
    TOTP code of a time step already used (no replay) and deletes a recovery code once used."""
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return CodeCheck(wait_until=(details or {}).get("locked_until"))
    if device.verify_token(code):
        return CodeCheck(device=device)
    return CodeCheck()


def check_code(user, code: str) -> CodeCheck:
    """A code at the second step: six digits from the app, or one of the recovery codes."""
    code = normalised(code)
    model = TOTPDevice if len(code) == TOTP_DIGITS and code.isdigit() else StaticDevice
    result = CodeCheck()
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            result = _check_on(device, code)
            if result.accepted or result.wait_until:
                return result
    return result


def confirm_device(user, device: TOTPDevice, code: str) -> CodeCheck:
    """The first code from the app being set up: when right, the app replaces any earlier one
    and ten new recovery codes are made (and audited)."""
    was_enrolled = has_device(user)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        result = _check_on(device, normalised(code))
        if not result.accepted:
            return result
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        result.codes = new_recovery_codes(user)
        log_two_factor(
            by=user,
            user=user,
            before=_state("on") if was_enrolled else _state("off"),
            after=_state("on (new app)") if was_enrolled else _state("on"),
            event="enrolled",
        )
    return result


def _state(state: str) -> str:
    """A state of someone's two-factor login as the audit log shows it (kept in Polish)."""
    return {
        "on": pgettext("two-factor login", "on"),
        "off": pgettext("two-factor login", "off"),
        "on (new app)": pgettext("two-factor login", "on (new app)"),
        "new recovery codes": pgettext("two-factor login", "new recovery codes"),
        "reset": pgettext("two-factor login", "reset"),
    }[state]


def regenerate_recovery_codes(user) -> list[str]:
    with transaction.atomic():
        codes = new_recovery_codes(user)
        log_two_factor(
            by=user,
            user=user,
            before=_state("on"),
            after=_state("new recovery codes"),
            event="recovery_codes",
        )
    return codes


def reset_error(*, actor, target) -> str | None:
    """Why ``actor`` may not reset ``target``'s two-factor login (a lost phone), or None: the
    manager and the technical administrator reset it, nobody their own."""
    if target.pk == actor.pk:
        return _(
            "You cannot reset your own two-factor login; the KIS manager or the administrator "
            "does it."
        )
    if unlocks_logins(actor):
        return None
    return _("Only the KIS manager and the administrator reset two-factor login.")


def reset_two_factor(*, user, by) -> None:
    """Forget ``user``'s app and recovery codes (a lost phone): at the next login they set up a
    new app if their role requires it. A session verified with them is no longer verified."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        end_sessions(user)
        log_two_factor(by=by, user=user, before=_state("on"), after=_state("reset"), event="reset")


def end_sessions(user) -> int:
    """Log ``user`` out everywhere (their sessions are deleted): after a reset of their app no
    session verified with it may go on. Sessions are few (the staff's open browsers)."""
    from django.contrib.sessions.models import Session

    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


# --- The session ------------------------------------------------------------------------------


def must_pass_second_step(request, user=None) -> bool:
    """Does this session have to pass the second step? Decided once, at login."""
    if not settings.TWO_FACTOR_ENFORCED:
        return False
    session = request.session
    if SESSION_KEY not in session:
        user = user if user is not None else request.user
        session[SESSION_KEY] = has_device(user) or requires_two_factor(user)
    return session[SESSION_KEY]


def decide_at_login(request, user) -> bool:
    """At each login: is a code (or an enrolment) still due? Once per request, whoever asks first
    (the lockout handler asks before counting the login a success)."""
    decided = getattr(request, "_kis_second_step", None)
    if decided is None:
        request.session.pop(SESSION_KEY, None)
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        decided = request._kis_second_step = must_pass_second_step(request, user)
    return decided


@receiver(user_logged_in, dispatch_uid="kis_two_factor_at_login")
def _at_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        decide_at_login(request, user)


def is_verified(request) -> bool:
    """Did this session pass the second step? The session (kept on the server) holds the app
    or recovery code that passed it (``mark_verified``); nothing is read from the database on
    each request, since resetting a person's app ends their sessions (``reset_two_factor``)."""
    return bool(request.session.get(DEVICE_ID_SESSION_KEY))


def mark_verified(request, device) -> None:
    otp_login(request, device)
    request.session[SESSION_KEY] = True


def release(request) -> None:
    """Nothing is due after all (the device was reset and the role does not require one)."""
    request.session[SESSION_KEY] = False


def with_next(name: str, next_url: str) -> str:
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def second_step_url(request, next_url: str) -> str | None:
    """Where a person who has just given their password goes next, or None when nowhere."""
    if not must_pass_second_step(request) or is_verified(request):
        return None
    if has_device(request.user):
        return with_next("two-factor-verify", next_url)
    return with_next("two-factor-enrol", next_url)


@cache
def _open_paths() -> frozenset[str]:
    return frozenset(
        reverse(name)
        for name in (
            "two-factor-verify",
            "two-factor-enrol",
            "logout",
            "session-keepalive",
            "health",
        )
    )


class TwoFactorMiddleware:
    """An authenticated person who still owes the second step reaches only its pages (the code,
    the enrolment, logging out), the static files and the health check. Every other request,
    the admin and htmx requests included, is sent to the step (htmx: by HX-Redirect)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.TWO_FACTOR_ENFORCED and self._held(request):
            return self._to_second_step(request)
        return self.get_response(request)

    @staticmethod
    def _held(request) -> bool:
        path = request.path
        if path in _open_paths() or path.startswith(settings.STATIC_URL):
            return False
        if not request.user.is_authenticated:
            return False
        return must_pass_second_step(request) and not is_verified(request)

    @staticmethod
    def _to_second_step(request):
        if request.headers.get("HX-Request"):
            current = urlparse(request.headers.get("HX-Current-URL", ""))
            next_url = current.path + (f"?{current.query}" if current.query else "")
            response = HttpResponse(status=204)
            response["HX-Redirect"] = with_next("two-factor-verify", next_url or "/")
            return response
        next_url = request.get_full_path() if request.method in ("GET", "HEAD") else ""
        return HttpResponseRedirect(with_next("two-factor-verify", next_url))

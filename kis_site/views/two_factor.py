"""The pages of two-factor login: the code after the password, setting up the app, the recovery
codes, the person's own account page, and the manager's requirement for each role. The rules
live in ``kis_site.two_factor``; wrong codes go to the lockout (``kis_site.lockout``)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from kis_site import two_factor
from kis_site.forms import form_helper
from kis_site.lockout import second_step_failed, second_step_locked, second_step_passed


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
                "class": "kis-code-input",
            }
        ),
    )

    def __init__(self, *args, help_text="", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()
        self.fields["code"].help_text = help_text


def _refused(form, message: str) -> None:
    """The message next to the field, which is emptied for the next code."""
    form.add_error("code", message)
    form.data = form.data.copy()
    form.data["code"] = ""


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


def _wait_message(until) -> str:
    seconds = max(1, int((until - timezone.now()).total_seconds()) + 1) if until else 1
    return _(
        "Too many wrong codes in a row. Wait %(seconds)s s, then type the code the app shows now."
    ) % {"seconds": seconds}


@require_http_methods(["GET", "HEAD", "POST"])
def verify(request):
    """The second step: a code from the app, or one recovery code."""
    user = request.user
    next_url = _next_url(request)
    if two_factor.is_verified(request):
        return redirect(next_url)
    if not two_factor.has_device(user):
        if two_factor.requires_two_factor(user):
            return redirect(two_factor.with_next("two-factor-enrol", next_url))
        two_factor.release(request)  # the device was reset and the role needs none
        return redirect(next_url)
    form = CodeForm(
        request.POST if request.method == "POST" else None,
        help_text=_("Six digits from the authenticator app, or one of your recovery codes."),
    )
    if request.method == "POST":
        if second_step_locked(request, user):
            logout(request)
            return HttpResponse(status=429)  # AxesMiddleware answers with the lockout page
        if form.is_valid():
            result = two_factor.check_code(user, form.cleaned_data["code"])
            if result.accepted:
                two_factor.mark_verified(request, result.device)
                second_step_passed(request, user)
                _after_recovery_code(request, result.device)
                return redirect(next_url)
            if result.wait_until:
                _refused(form, _wait_message(result.wait_until))
            else:
                if second_step_failed(request, user):
                    logout(request)
                    return HttpResponse(status=429)
                _refused(
                    form,
                    _(
                        "This code is not right. Type the code the app shows now (it changes "
                        "every 30 seconds), or an unused recovery code."
                    ),
                )
    return render(
        request,
        "registration/two_factor_verify.html",
        {
            "form": form,
            "next": next_url,
            "two_factor_step": True,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
        },
    )


def _after_recovery_code(request, device) -> None:
    if not isinstance(device, two_factor.StaticDevice):
        return
    left = two_factor.recovery_codes_left(request.user)
    messages.warning(
        request,
        _(
            "You logged in with a recovery code; it cannot be used again. Recovery codes left: "
            "%(left)s. If you lost your phone, set up the app again on your account page."
        )
        % {"left": left},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def enrol(request):
    """Setting up the authenticator app: the QR code, the key to type by hand, the first code.
    Whoever has already set it up must give a code first (the guard sends them to it)."""
    user = request.user
    next_url = _next_url(request)
    if two_factor.has_device(user) and not two_factor.is_verified(request):
        return redirect(two_factor.with_next("two-factor-verify", next_url))
    device = two_factor.pending_device(user)
    form = CodeForm(
        request.POST if request.method == "POST" else None,
        help_text=_("The six digits the app shows for this account."),
    )
    if request.method == "POST" and form.is_valid():
        result = two_factor.confirm_device(user, device, form.cleaned_data["code"])
        if result.accepted:
            two_factor.mark_verified(request, result.device)
            request.session[two_factor.CODES_SESSION_KEY] = result.codes
            return redirect(two_factor.with_next("two-factor-recovery-codes", next_url))
        if result.wait_until:
            _refused(form, _wait_message(result.wait_until))
        else:
            _refused(
                form,
                _(
                    "This code is not right. Check that the phone sets its time automatically, "
                    "then type the code the app shows now."
                ),
            )
    required = two_factor.requires_two_factor(user)
    return render(
        request,
        "registration/two_factor_enrol.html",
        {
            "form": form,
            "next": next_url,
            "qr": two_factor.qr_svg(device, _("QR code to scan with the authenticator app")),
            "secret": two_factor.device_secret(device),
            "account_label": f"{settings.OTP_TOTP_ISSUER} ({user.get_username()})",
            "required": required,
            "replacing": two_factor.has_device(user),
            # Led here from the login: no menu until the step is done.
            "two_factor_step": two_factor.must_pass_second_step(request)
            and not two_factor.is_verified(request),
        },
    )


@require_http_methods(["GET", "POST"])  # no HEAD: it would use up the one showing
def recovery_codes(request):
    """GET: the recovery codes just made, shown once. POST: ten new ones (the old stop working)."""
    user = request.user
    if request.method == "POST":
        if not two_factor.has_device(user):
            raise PermissionDenied
        request.session[two_factor.CODES_SESSION_KEY] = two_factor.regenerate_recovery_codes(user)
        return redirect(two_factor.with_next("two-factor-recovery-codes", reverse("account")))
    codes = request.session.pop(two_factor.CODES_SESSION_KEY, None)
    return render(
        request,
        "registration/two_factor_recovery_codes.html",
        {
            "codes": [two_factor.shown_code(code) for code in codes or []],
            "left": two_factor.recovery_codes_left(user),
            "next": _next_url(request),
            "title": _("Recovery codes"),
        },
    )


@require_safe
def account(request):
    """The person's own account: their two-factor login."""
    user = request.user
    app = two_factor.TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()
    return render(
        request,
        "kis_site/account.html",
        {
            "title": _("My account"),
            "breadcrumbs": [],
            "app": app,
            "enrolled": two_factor.has_device(user),
            "codes_left": two_factor.recovery_codes_left(user),
            "code_count": two_factor.RECOVERY_CODES,
            "required": two_factor.requires_two_factor(user),
            "sees_requirements": two_factor.sees_requirements(user),
        },
    )


class RequirementForm(forms.Form):
    """One tick per role: two-factor login required."""

    def __init__(self, *args, rows, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.actor = actor
        for row in rows:
            self.fields[row.role.value] = forms.BooleanField(
                label=row.role.label,
                required=False,
                initial=row.required,
                # Only the manager changes it, and never relaxes it for her own role.
                disabled=two_factor.requirement_change_error(
                    actor=actor, role=row.role, required=not row.required
                )
                is not None,
            )

    def clean(self):
        data = super().clean()
        self.changes = []
        for row in self.rows:
            required = bool(data.get(row.role.value))
            if required == row.required:
                continue
            error = two_factor.requirement_change_error(
                actor=self.actor, role=row.role, required=required
            )
            if error:
                self.add_error(row.role.value, error)
            else:
                self.changes.append((row.role, required))
        return data


@require_http_methods(["GET", "HEAD", "POST"])
def requirements(request):
    """Which roles must log in with a second factor: the manager decides (each change audited),
    the technical administrator sees it."""
    user = request.user
    if not two_factor.sees_requirements(user):
        raise PermissionDenied
    decides = two_factor.decides_requirements(user)
    if request.method == "POST" and not decides:
        raise PermissionDenied
    rows = two_factor.requirement_rows()
    form = RequirementForm(
        request.POST if request.method == "POST" else None, rows=rows, actor=user
    )
    if request.method == "POST" and form.is_valid():
        for role, required in form.changes:
            two_factor.set_requirement(role=role, required=required, by=user)
        if form.changes:
            messages.success(
                request,
                _("Saved. The change applies from each person's next login."),
            )
        return redirect("two-factor-roles")
    return render(
        request,
        "kis_site/two_factor_roles.html",
        {
            "title": _("Two-factor login of the roles"),
            "breadcrumbs": [(_("My account"), reverse("account"))],
            "form": form,
            "rows": [
                {
                    "row": row,
                    "field": form[row.role.value],
                    "own": decides and form.fields[row.role.value].disabled,
                }
                for row in rows
            ],
            "decides": decides,
        },
    )

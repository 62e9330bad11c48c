"""Two-factor sign-in pages: set up an authenticator app, give a code, turn it off."""

import django_otp
from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp.models import Device

from smsadmin.accounts import twofactor
from smsadmin.audit.actions import Action
from smsadmin.audit.models import Outcome
from smsadmin.audit.recorder import record
from smsadmin.http import SignedInRequest, safe_next

# Fewer recovery codes than this left: say so after one is used.
_FEW_RECOVERY_CODES = 3


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        strip=True,
        help_text=gettext_lazy(
            "The six digits your authenticator app shows, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


def _target(request: SignedInRequest) -> str:
    return f"user:{request.user.get_username()}"


def _sign_in_with(request: SignedInRequest, device: Device) -> None:
    """Mark the session as verified by ``device``, under a new session key."""
    django_otp.login(request, device)
    # The session now carries more trust than the one a thief may have seen.
    request.session.cycle_key()


@require_http_methods(["GET", "POST"])
@never_cache
def setup(request: SignedInRequest) -> HttpResponse:
    """Enrol an authenticator app with a QR code, then hand out recovery codes once."""
    user = request.user
    required = twofactor.is_required_for(user)
    if twofactor.has_second_factor(user):
        return TemplateResponse(
            request,
            "accounts/twofactor_status.html",
            {
                "codes_left": twofactor.recovery_codes_left(user),
                "required": required,
            },
        )
    device, created = twofactor.pending_app_device(user)
    if created:
        record(Action.TWO_FACTOR_SETUP_STARTED, request=request, target=_target(request))
    form = CodeForm(request.POST or None)
    next_url = safe_next(request, "")
    if request.method == "POST" and form.is_valid() and (wait := twofactor.seconds_to_wait(device)):
        # During the pause django-otp refuses even the right code: say so, not "wrong".
        form.add_error("code", twofactor.wait_text(wait))
        _record_refused_code(request, "setup", paused=True)
    elif request.method == "POST" and form.is_valid():
        codes = twofactor.confirm_app_device(user, device, form.cleaned_data["code"])
        if codes is not None:
            _sign_in_with(request, device)
            record(
                Action.TWO_FACTOR_ENROLLED,
                request=request,
                target=_target(request),
                details={"recovery_codes": len(codes)},
            )
            return TemplateResponse(
                request,
                "accounts/twofactor_codes.html",
                {"codes": codes, "next": next_url or reverse("home")},
            )
        device.refresh_from_db()
        wait = twofactor.seconds_to_wait(device)
        if wait:
            mismatch = ngettext(
                "That code did not match. Scan the QR code again or type the secret, then "
                "wait %(seconds)s second and enter the code the app shows then (right after "
                "a wrong code every code is refused for a moment).",
                "That code did not match. Scan the QR code again or type the secret, then "
                "wait %(seconds)s seconds and enter the code the app shows then (right after "
                "a wrong code every code is refused for a moment).",
                wait,
            ) % {"seconds": wait}
        else:
            mismatch = gettext(
                "That code did not match. Scan the QR code again or type the secret, then "
                "enter the code the app shows now."
            )
        form.add_error("code", mismatch)
        _record_refused_code(request, "setup")
    return TemplateResponse(
        request,
        "accounts/twofactor_setup.html",
        {
            "form": form,
            "enrolment": twofactor.Enrolment.of(device),
            "required": required,
            "next": next_url,
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
def verify(request: SignedInRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, or a recovery code."""
    user = request.user
    next_url = safe_next(request, reverse("home"))
    if user.is_verified() or not twofactor.has_second_factor(user):
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = twofactor.check_code(user, form.cleaned_data["code"])
        if check.device is not None:
            _sign_in_with(request, check.device)
            method = "recovery code" if check.used_recovery_code else "authenticator app"
            record(
                Action.TWO_FACTOR_VERIFIED,
                request=request,
                target=_target(request),
                details={"method": method},
            )
            if check.used_recovery_code:
                _note_recovery_code_used(request)
            return redirect(next_url)
        form.add_error("code", check.refusal)
        _record_refused_code(request, "sign-in")
    return TemplateResponse(
        request,
        "accounts/twofactor_verify.html",
        {"form": form, "next": next_url},
    )


def _record_refused_code(request: SignedInRequest, stage: str, *, paused: bool = False) -> None:
    details: dict[str, object] = {"stage": stage}
    if paused:
        details["paused"] = True  # not checked: typed within the pause after a wrong code
    record(
        Action.TWO_FACTOR_FAILED,
        request=request,
        outcome=Outcome.DENIED,
        target=_target(request),
        details=details,
    )


def _note_recovery_code_used(request: SignedInRequest) -> None:
    left = twofactor.recovery_codes_left(request.user)
    record(
        Action.RECOVERY_CODE_USED,
        request=request,
        target=_target(request),
        details={"codes_left": left},
    )
    if left < _FEW_RECOVERY_CODES:
        messages.warning(
            request,
            ngettext(
                "You signed in with a recovery code; %(left)s left. Each works once: "
                "turn two-factor sign-in off and on again to get new ones.",
                "You signed in with a recovery code; %(left)s left. Each works once: "
                "turn two-factor sign-in off and on again to get new ones.",
                left,
            )
            % {"left": left},
        )


@require_http_methods(["GET", "POST"])
@never_cache
def disable(request: SignedInRequest) -> HttpResponse:
    """Remove the app and the recovery codes, after one more code proves it is the owner."""
    user = request.user
    if not twofactor.has_second_factor(user):
        return redirect("twofactor_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = twofactor.check_code(user, form.cleaned_data["code"])
        if check.device is not None:
            twofactor.remove_second_factor(user)
            record(Action.TWO_FACTOR_DISABLED, request=request, target=_target(request))
            messages.success(request, gettext("Two-factor sign-in is off for your account."))
            return redirect("twofactor_setup")
        form.add_error("code", check.refusal)
        _record_refused_code(request, "turning off")
    return TemplateResponse(
        request,
        "accounts/twofactor_disable.html",
        {"form": form, "required": twofactor.is_required_for(user)},
    )

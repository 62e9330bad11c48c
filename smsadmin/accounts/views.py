from django.contrib import messages
from django.contrib.auth.views import PasswordChangeView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from smsadmin.accounts import operators
from smsadmin.accounts.devices import device_choices
from smsadmin.accounts.forms import OperatorForm, PreferencesForm
from smsadmin.audit.actions import Action
from smsadmin.audit.models import Outcome
from smsadmin.audit.recorder import OPERATOR_SESSION_KEY, record


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@require_http_methods(["GET", "POST"])
def operator(request: HttpRequest) -> HttpResponse:
    """A person on a shared login says who they are, first thing and whenever they switch."""
    login = request.user
    if not login.is_shared:
        return redirect("home")
    current = request.session.get(OPERATOR_SESSION_KEY, "")
    still_allowed = operators.may_work_as(login, current)
    form = OperatorForm(request.POST or None, login=login, current=current)
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["name"]
        request.session[OPERATOR_SESSION_KEY] = name
        if still_allowed and name != current:
            record(
                Action.OPERATOR_SWITCHED,
                request=request,
                details={"before": current, "after": name},
            )
        elif name != current:
            record(Action.OPERATOR_NAMED, request=request)
        return redirect(_safe_next(request, "home"))
    return TemplateResponse(
        request,
        "accounts/operator.html",
        {
            "form": form,
            "next": _safe_next(request, ""),
            "current": current if still_allowed else "",
        },
    )


_change_own_password = PasswordChangeView.as_view(success_url=reverse_lazy("password_change_done"))


@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password; a shared login's is changed by an admin only."""
    if request.user.is_shared:
        record(
            Action.PERMISSION_DENIED,
            request=request,
            outcome=Outcome.DENIED,
            target=request.path[:255],
            details={"reason": "shared login", "method": request.method},
        )
        return TemplateResponse(request, "accounts/shared_password_refused.html", status=403)
    return _change_own_password(request)


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    choices = device_choices(request.user)
    form = PreferencesForm(request.POST or None, instance=request.user, devices=choices.devices)
    if request.method == "POST" and form.is_valid():
        form.save()
        record("preferences changed", request=request, details={"fields": form.changed_data})
        messages.success(request, "Your preferences are saved.")
        return redirect("preferences")
    return TemplateResponse(
        request,
        "accounts/preferences.html",
        {"form": form, "devices_unavailable_because": choices.unavailable_because},
    )

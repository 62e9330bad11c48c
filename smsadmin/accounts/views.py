from typing import Literal, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView, LogoutView, PasswordChangeView
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from smsadmin import problems
from smsadmin.accounts import operators, throttling
from smsadmin.accounts.forms import OperatorForm, PreferencesForm
from smsadmin.accounts.operators import OPERATOR_SESSION_KEY
from smsadmin.accounts.phones import device_choices
from smsadmin.audit.actions import Action
from smsadmin.audit.models import Outcome
from smsadmin.audit.recorder import record
from smsadmin.http import SignedInRequest, safe_next


class _OnlyOwnPaths:
    """Django's own ``next`` handling, replaced by the site's one rule."""

    request: HttpRequest

    def get_redirect_url(self) -> str:
        return safe_next(self.request, "")


class SignInView(_OnlyOwnPaths, LoginView):
    """Django's sign-in, with the per-account throttle in front of the password check."""

    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        username = str(request.POST.get("username", ""))
        failures = throttling.refusal(request, username)
        if failures is None:
            return super().post(request, *args, **kwargs)
        record(
            Action.SIGN_IN_THROTTLED,
            request=request,
            outcome=Outcome.DENIED,
            username=username[:150],
            details={"failures_last_hour": round(failures)},
        )
        # An unbound form: a bound one would check the password when it renders.
        form = self.get_form_class()(request, initial={"username": username})
        context = self.get_context_data(form=form, throttled=problems.SIGN_IN_THROTTLED)
        return self.render_to_response(context, status=429)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        throttling.remember_device(self.request, response, form.get_user().get_username())
        return response


class SignOutView(_OnlyOwnPaths, LogoutView):
    pass


@require_http_methods(["GET", "POST"])
def operator(request: SignedInRequest) -> HttpResponse:
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
        return redirect(safe_next(request, reverse("home")))
    return TemplateResponse(
        request,
        "accounts/operator.html",
        {
            "form": form,
            "next": safe_next(request, ""),
            "current": current if still_allowed else "",
        },
    )


_change_own_password = PasswordChangeView.as_view(success_url=reverse_lazy("password_change_done"))


@require_http_methods(["GET", "POST"])
def password_change(request: SignedInRequest) -> HttpResponseBase:
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


@login_not_required
@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    """The language picker of the sign-in page and the footer: a cookie, and the preference.

    Signed in, the choice is also the person's preference (it follows them to
    other browsers); before signing in, the cookie carries it to the next page.
    """
    code = request.POST.get("language", "")
    back = redirect(safe_next(request, reverse("home")))
    if code not in dict(settings.LANGUAGES):
        record(Action.LANGUAGE_CHOSEN, request=request, outcome=Outcome.INVALID)
        return back
    if request.user.is_authenticated:
        request.user.language = code
        request.user.save(update_fields=["language"])
    translation.activate(code)
    record(Action.LANGUAGE_CHOSEN, request=request, details={"language": code})
    back.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
        # A str in settings; one of the values set_cookie takes ("Lax" here).
        samesite=cast(Literal["Lax", "Strict", "None"], settings.LANGUAGE_COOKIE_SAMESITE),
    )
    return back


@require_http_methods(["GET", "POST"])
def preferences(request: SignedInRequest) -> HttpResponse:
    choices = device_choices(request.user)
    form = PreferencesForm(request.POST or None, instance=request.user, devices=choices.devices)
    if request.method == "POST" and form.is_valid():
        form.save()
        record(Action.PREFERENCES_CHANGED, request=request, details={"fields": form.changed_data})
        if "language" in form.changed_data:
            translation.activate(request.user.language or settings.LANGUAGE_CODE)
        messages.success(request, gettext("Your preferences are saved."))
        return redirect("preferences")
    return TemplateResponse(
        request,
        "accounts/preferences.html",
        {"form": form, "devices_unavailable_because": choices.unavailable_because},
    )

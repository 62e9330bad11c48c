import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext
from django_htmx.http import HttpResponseClientRedirect

from smsadmin.accounts import operators, twofactor
from smsadmin.accounts.operators import OPERATOR_SESSION_KEY
from smsadmin.audit.actions import Action
from smsadmin.http import own_path

LOGIN_AT_KEY = "smsadmin_login_at"
SEEN_AT_KEY = "smsadmin_seen_at"
# The idle clock is written at most this often, so a busy page does not save
# the session on every request.
_SEEN_RESOLUTION = 60


def htmx_aware_redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect that also works when htmx made the request (it swaps, not navigates).

    Reads the header itself, so it does not depend on django-htmx's
    middleware having run first.
    """
    if request.headers.get("HX-Request") == "true":
        # The site's one htmx redirect style (django-htmx's), as compose uses too.
        return HttpResponseClientRedirect(url)
    return redirect(url)


class SessionLifetimeMiddleware:
    """Signs a person out after idle time and after an absolute session lifetime."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            login_at = session.get(LOGIN_AT_KEY, now)
            seen_at = session.get(SEEN_AT_KEY, now)
            if now - seen_at > settings.SESSION_IDLE_TIMEOUT:
                return self._expire(
                    request, "idle", gettext("You were signed out after a period of inactivity.")
                )
            if now - login_at > settings.SESSION_COOKIE_AGE:
                return self._expire(
                    request,
                    "lifetime",
                    gettext("Your session reached its maximum length. Please sign in again."),
                )
            if now - seen_at >= _SEEN_RESOLUTION or SEEN_AT_KEY not in session:
                session[SEEN_AT_KEY] = now
            session.setdefault(LOGIN_AT_KEY, now)
        return self.get_response(request)

    def _expire(self, request: HttpRequest, why: str, text: str) -> HttpResponse:
        from smsadmin.audit.recorder import record

        record(Action.SESSION_EXPIRED, request=request, details={"reason": why})
        logout(request)
        messages.info(request, text)
        return htmx_aware_redirect(request, reverse("login"))


def _next_url(request: HttpRequest) -> str:
    """Where to go back to: for htmx, the page on screen rather than the fragment's URL.

    The header is read through the one redirect rule: it is the client's to
    write, and ``http://[`` is not even a URL.
    """
    on_screen = request.headers.get("HX-Current-URL") if request.headers.get("HX-Request") else None
    return own_path(on_screen, request) or request.get_full_path()


class TwoFactorMiddleware:
    """After the password, nobody with a second factor reaches a page before giving a code.

    A person who must use a second factor (SMSADMIN_2FA_REQUIRED) but has none
    is sent to set one up first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            not user.is_authenticated
            or user.is_verified()
            or request.path.startswith(settings.STATIC_URL)
            or request.path in {reverse(name) for name in ("login", "logout", "healthz")}
        ):
            return self.get_response(request)
        if twofactor.has_second_factor(user):
            step = "twofactor_verify"
        elif twofactor.is_required_for(user):
            step = "twofactor_setup"
        else:
            return self.get_response(request)
        if request.path == reverse(step):
            return self.get_response(request)
        return htmx_aware_redirect(
            request, f"{reverse(step)}?{urlencode({'next': _next_url(request)})}"
        )


# Pages a shared login may reach before naming its operator: signing in,
# second factor included, comes first.
_OPERATOR_EXEMPT_NAMES = ("operator", "logout", "healthz", "twofactor_verify", "twofactor_setup")


class SharedLoginOperatorMiddleware:
    """On a shared team login, nobody reaches a page before saying who they are."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "is_shared", False)
            and not request.path.startswith(settings.STATIC_URL)
            and request.path not in {reverse(name) for name in _OPERATOR_EXEMPT_NAMES}
            and not operators.may_work_as(user, request.session.get(OPERATOR_SESSION_KEY, ""))
        ):
            if dropped := request.session.pop(OPERATOR_SESSION_KEY, ""):
                # An admin took the name off the list: nothing more is done under it.
                messages.info(
                    request,
                    gettext(
                        "“%(name)s” is no longer on this login's list of operators. "
                        "Say who you are to go on."
                    )
                    % {"name": dropped},
                )
            return htmx_aware_redirect(
                request, f"{reverse('operator')}?{urlencode({'next': request.get_full_path()})}"
            )
        return self.get_response(request)


class UserTimeZoneMiddleware:
    """Shows every time in the signed-in person's own zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            timezone.activate(request.user.zone)
        else:
            timezone.deactivate()
        return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in person's chosen language wins over the cookie and the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and request.user.language:
            translation.activate(request.user.language)
            request.LANGUAGE_CODE = request.user.language
        return self.get_response(request)


class NoStoreMiddleware:
    """Nothing shown to a signed-in person is kept by a browser or a proxy.

    Message text, numbers and audit rows would otherwise outlive the session
    in the back button, the disk cache or a shared proxy. A request that signs
    someone in or out counts as signed in.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if signed_in or request.user.is_authenticated:
            add_never_cache_headers(response)
        return response

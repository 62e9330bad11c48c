import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from smsadmin.audit.recorder import OPERATOR_SESSION_KEY

LOGIN_AT_KEY = "smsadmin_login_at"
SEEN_AT_KEY = "smsadmin_seen_at"
# The idle clock is written at most this often, so a busy page does not save
# the session on every request.
_SEEN_RESOLUTION = 60


def htmx_aware_redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect that also works when htmx made the request (it swaps, not navigates)."""
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
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
                    request, "idle", "You were signed out after a period of inactivity."
                )
            if now - login_at > settings.SESSION_COOKIE_AGE:
                return self._expire(
                    request,
                    "lifetime",
                    "Your session reached its maximum length. Please sign in again.",
                )
            if now - seen_at >= _SEEN_RESOLUTION or SEEN_AT_KEY not in session:
                session[SEEN_AT_KEY] = now
            session.setdefault(LOGIN_AT_KEY, now)
        return self.get_response(request)

    def _expire(self, request: HttpRequest, why: str, text: str) -> HttpResponse:
        from smsadmin.audit.recorder import record

        record("session expired", request=request, details={"reason": why})
        logout(request)
        messages.info(request, text)
        return htmx_aware_redirect(request, reverse("login"))


# Pages a shared login may reach before naming its operator.
_OPERATOR_EXEMPT_NAMES = ("operator", "logout", "healthz")


class SharedLoginOperatorMiddleware:
    """On a shared team login, nobody reaches a page before saying who they are."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "is_shared", False)
            and not request.session.get(OPERATOR_SESSION_KEY)
            and not request.path.startswith(settings.STATIC_URL)
            and request.path not in {reverse(name) for name in _OPERATOR_EXEMPT_NAMES}
        ):
            return htmx_aware_redirect(
                request, f"{reverse('operator')}?next={request.get_full_path()}"
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

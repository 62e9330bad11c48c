"""Sign-in events go to the audit log from Django's and django-axes' signals."""

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from smsadmin.accounts import throttling
from smsadmin.accounts.middleware import LOGIN_AT_KEY, SEEN_AT_KEY
from smsadmin.accounts.models import User
from smsadmin.audit.actions import Action
from smsadmin.audit.models import Outcome
from smsadmin.audit.recorder import record


@receiver(user_logged_in)
def on_login(sender: type, request: HttpRequest, user: User, **kwargs: object) -> None:
    now = time.time()
    request.session[LOGIN_AT_KEY] = now
    request.session[SEEN_AT_KEY] = now
    record(Action.LOGIN, request=request, actor=user)


@receiver(user_logged_out)
def on_logout(sender: type, request: HttpRequest, user: User | None, **kwargs: object) -> None:
    record(Action.LOGOUT, request=request, actor=user)


@receiver(user_login_failed)
def on_login_failed(
    sender: type, credentials: dict, request: HttpRequest | None = None, **kwargs: object
) -> None:
    username = str(credentials.get("username", ""))
    throttling.note_failure(request, username)
    record(Action.FAILED_LOGIN, request=request, outcome=Outcome.DENIED, username=username[:150])


@receiver(user_locked_out)
def on_lockout(
    sender: str, request: HttpRequest, username: str, ip_address: str, **kwargs: object
) -> None:
    record(
        Action.LOCKOUT,
        request=request,
        outcome=Outcome.DENIED,
        username=str(username or "")[:150],
        details={"ip_address": ip_address},
    )

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from smsadmin.accounts.middleware import htmx_aware_redirect
from smsadmin.keys.selection import active_key

View = Callable[..., HttpResponse]


def api_key_required(view: View) -> View:
    """Sets ``request.api_key``, or sends the person to the keys page to add one."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        key = active_key(request.user)
        if key is None:
            messages.info(
                request,
                "You need a Sociostacks API key before you can see or send messages. "
                "Add your own here, or ask an admin to give your team one.",
            )
            return htmx_aware_redirect(request, reverse("keys:list"))
        request.api_key = key  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper

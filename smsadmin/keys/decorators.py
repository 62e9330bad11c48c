from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext

from smsadmin.accounts.decorators import refuse
from smsadmin.accounts.middleware import htmx_aware_redirect
from smsadmin.accounts.roles import Role
from smsadmin.audit.actions import Action
from smsadmin.audit.models import Outcome
from smsadmin.audit.recorder import record
from smsadmin.http import SignedInRequest, is_storable_id
from smsadmin.keys.models import ApiKey
from smsadmin.keys.selection import active_key

View = Callable[..., HttpResponseBase]


def api_key_required(view: View) -> View:
    """Sets ``request.api_key``, or sends the person to the keys page to add one."""

    @wraps(view)
    def wrapper(request: SignedInRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        key = active_key(request.user)
        if key is None:
            messages.info(
                request,
                gettext(
                    "You need a Sociostacks API key before you can see or send messages. "
                    "Add your own here, or ask an admin to give your team one."
                ),
            )
            return htmx_aware_redirect(request, reverse("keys:list"))
        request.api_key = key  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def changeable_key(view: View) -> View:
    """Passes the key named by ``key_id`` to a view that changes it, if the person may.

    Someone else's personal key answers 404, so ids do not reveal which keys
    exist; a team key answers the explaining 403 to a member who is not an
    admin. Both refusals are recorded.
    """

    @wraps(view)
    def wrapper(
        request: HttpRequest, key_id: int, *args: object, **kwargs: object
    ) -> HttpResponseBase:
        visible = ApiKey.objects.visible_to(request.user).select_related("team")
        key = visible.filter(pk=key_id).first() if is_storable_id(key_id) else None
        if key is None:
            record(
                Action.PERMISSION_DENIED,
                request=request,
                outcome=Outcome.DENIED,
                target=f"key:{key_id}",
                details={"reason": "no such key for this person", "method": request.method},
            )
            raise Http404(gettext("No such key."))
        if not key.may_be_changed_by(request.user):
            return refuse(request, Role.ADMIN)
        return view(request, key, *args, **kwargs)

    return wrapper

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse

from smsadmin.accounts.roles import ROLE_DESCRIPTIONS, Role, has_role, role_label
from smsadmin.audit.actions import Action
from smsadmin.audit.models import Outcome
from smsadmin.audit.recorder import record

View = Callable[..., HttpResponseBase]


def refuse(request: HttpRequest, role: Role) -> TemplateResponse:
    """The explaining 403 page for an action that needs ``role``, recorded as a denial."""
    record(
        Action.PERMISSION_DENIED,
        request=request,
        outcome=Outcome.DENIED,
        target=request.path[:255],
        details={"needed_role": str(role), "method": request.method},
    )
    return TemplateResponse(
        request,
        "403.html",
        {
            "needed_role": role,
            "needed_role_label": role_label(role),
            "role_allows": ROLE_DESCRIPTIONS[role],
        },
        status=403,
    )


def role_required(role: Role) -> Callable[[View], View]:
    """Refuse the view with an explaining 403 page (and an audit event) without ``role``."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
            if has_role(request.user, role):
                return view(request, *args, **kwargs)
            return refuse(request, role)

        return wrapper

    return decorator

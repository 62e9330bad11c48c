from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from smsadmin.accounts.operators import OPERATOR_SESSION_KEY
from smsadmin.accounts.roles import Role, has_role
from smsadmin.keys.selection import active_key


def navigation(request: HttpRequest) -> dict[str, object]:
    """What the navigation shows: only what the person may use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "can_view": has_role(user, Role.VIEWER),
        "can_send": has_role(user, Role.SENDER),
        "can_audit": has_role(user, Role.AUDITOR),
        "is_admin": has_role(user, Role.ADMIN),
        "operator_name": request.session.get(OPERATOR_SESSION_KEY, ""),
        # The header names the Sociostacks account every page works with.
        "working_key": SimpleLazyObject(lambda: _working_key(request)),
    }


def _working_key(request: HttpRequest) -> object:
    # A view behind api_key_required has looked it up already.
    if not request.user.is_authenticated:
        return ""
    return getattr(request, "api_key", None) or active_key(request.user) or ""

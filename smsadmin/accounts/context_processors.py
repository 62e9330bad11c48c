from django.http import HttpRequest

from smsadmin.accounts.operators import OPERATOR_SESSION_KEY
from smsadmin.accounts.roles import Role, has_role


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
    }

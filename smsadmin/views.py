"""Site-wide views: the health check, the home page and the error pages."""

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache

from smsadmin.accounts.roles import Role, has_role
from smsadmin.audit.actions import Action
from smsadmin.audit.models import Outcome
from smsadmin.audit.recorder import record
from smsadmin.http import SignedInRequest
from smsadmin.mirror import views as mirror_views


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 when not. Says nothing secret."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def home(request: SignedInRequest) -> HttpResponseBase:
    """The dashboard; an auditor who may not read messages starts at the audit log."""
    if has_role(request.user, Role.AUDITOR) and not has_role(request.user, Role.VIEWER):
        return redirect("audit:review")
    return mirror_views.dashboard(request)


def _error_page(template: str, status: int):
    @login_not_required
    def view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
        response = TemplateResponse(request, template, status=status)
        # Error pages may be rendered outside the normal response cycle.
        return response.render()

    return view


bad_request = _error_page("400.html", 400)
permission_denied = _error_page("403.html", 403)
page_not_found = _error_page("404.html", 404)


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form post Django could not trust (a stale page, blocked cookies), said plainly."""
    record(
        Action.FORM_REFUSED,
        request=request,
        outcome=Outcome.DENIED,
        target=request.path[:255],
        details={"reason": reason[:200], "method": request.method},
    )
    return TemplateResponse(request, "403.html", {"form_expired": True}, status=403).render()


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the database may be what failed.
    body = render_to_string("500.html", {"request_id": getattr(request, "request_id", "")})
    return HttpResponse(body, status=500)

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from smsadmin.accounts.decorators import role_required
from smsadmin.accounts.roles import Role
from smsadmin.audit.models import AuditEvent


@role_required(Role.AUDITOR)
def review(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.all()[:100]
    return TemplateResponse(request, "audit/review.html", {"events": events})

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from smsadmin.accounts.decorators import role_required
from smsadmin.accounts.roles import Role


@role_required(Role.VIEWER)
def message_list(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "sms/list.html", {})


@role_required(Role.VIEWER)
def scheduled(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "sms/list.html", {})


@role_required(Role.SENDER)
def compose(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "sms/list.html", {})

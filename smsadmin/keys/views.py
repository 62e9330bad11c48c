from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from smsadmin.keys.models import ApiKey
from smsadmin.keys.selection import active_key


def key_list(request: HttpRequest) -> HttpResponse:
    keys = ApiKey.objects.usable_by(request.user).select_related("team")
    return TemplateResponse(
        request, "keys/list.html", {"keys": keys, "active": active_key(request.user)}
    )

"""The site's URLs plus one page that crashes, to see the 500 page as a person would."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from smsadmin.urls import handler400, handler403, handler404, handler500
from smsadmin.urls import urlpatterns as site_urlpatterns

CRASH_TEXT = "kaboom: secret internals sk-live-should-never-show"


def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(CRASH_TEXT)


urlpatterns = [path("crash/", crash), *site_urlpatterns]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

"""Request ids, client addresses and the log filter that ties them together."""

import contextvars
import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    """Stamps every log record with the id of the request being served."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class RequestIdMiddleware:
    """Gives each request an id, echoed in X-Request-ID and in every log line.

    An incoming X-Request-ID is not trusted: ids are ours, so an audit event's
    request id always points at exactly one request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


def client_ip(request: HttpRequest) -> str:
    """The client's address, believing X-Forwarded-For only as far as our proxies.

    Each trusted proxy appends the address it saw, so with N trusted proxies the
    client is the N-th entry from the right; anything further left was written
    by the client and may be forged.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = settings.SMSADMIN_TRUSTED_PROXIES
    if trusted <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < trusted:
        return remote
    return forwarded[-trusted]

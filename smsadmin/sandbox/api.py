"""The /api endpoints, quirks included, as pure functions over the store.

The HTTP plumbing (latency, failure injection, rate limiting, bearer parsing) lives in
server.py; everything here runs with `Store.lock` held.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from .config import PAGE_SIZES, Quirks
from .forms import php_int
from .state import API_DATETIME_FORMAT, Account, Store

CONTENT_MAX_CHARS = 1000
# 66text inserts recipients in chunks of this size and rebuilds the id list per chunk.
INSERT_CHUNK_SIZE = 5000
REQUIRED_SEND_FIELDS = ("content", "device_id", "sim_subscription_id", "phone_numbers")
_SCHEDULE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")
_BEARER = re.compile(r"Bearer\s+(\S+)\s*", re.IGNORECASE)

MISSING_BEARER = "The request is missing the Bearer Authentication header."
NO_ACCESS = "You do not have access to the API."
MISSING_FIELDS = "You must fill all the required fields."
NOT_FOUND = "The resource you are looking for does not exist."
RATE_LIMITED = "You reached the limit of requests in one minute, please wait."
# What PHP prints for an uncaught exception, under the JSON label the API set before.
INTERNAL_ERROR_PAGE = (
    b"<!DOCTYPE html><html><head><title>Internal server error</title></head><body>"
    b"<h1>Internal server error</h1></body></html>"
)


@dataclass(frozen=True)
class ApiRequest:
    query: dict[str, str]
    form: dict[str, str]
    api_key: str
    # Scheme and authority the client used, for pagination links ("http://127.0.0.1:8001").
    origin: str
    # The quirks in force when the request arrived.
    quirks: Quirks = field(default_factory=Quirks)


@dataclass
class ApiResponse:
    status: int
    body: bytes
    content_type: str = "application/json"


Handler = Callable[[Account, ApiRequest, int, datetime], ApiResponse]


@dataclass(frozen=True)
class Route:
    name: str
    handler: Handler | None = None
    object_id: int = 0


def json_response(status: int, payload: Any) -> ApiResponse:
    return ApiResponse(status, json.dumps(payload).encode())


def error_response(
    status: int, title: str, *, status_field: int | str | None = None
) -> ApiResponse:
    field_value = status if status_field is None else status_field
    return json_response(status, {"errors": [{"title": title, "status": field_value}]})


def missing_bearer_response() -> ApiResponse:
    # Quirk: the only error whose "status" is a string.
    return error_response(401, MISSING_BEARER, status_field="401")


def bearer_token(authorization: str | None) -> str | None:
    match = _BEARER.fullmatch(authorization or "")
    return match.group(1) if match else None


def handle(store: Store, route: Route, request: ApiRequest) -> ApiResponse:
    with store.lock:
        account = store.account(request.api_key)
        if account is None:
            return error_response(401, NO_ACCESS)
        if route.handler is None:
            return error_response(404, NOT_FOUND)
        return route.handler(account, request, route.object_id, store.clock())


# --- listing -------------------------------------------------------------------------


def _paginated(
    rows: list[Any], account: Account, request: ApiRequest, resource: str
) -> ApiResponse:
    size = _page_size(request.query.get("results_per_page"), request.quirks.account_page_size)
    raw_page = request.query.get("page")
    page = 1 if raw_page is None else max(1, php_int(raw_page))
    total_pages = math.ceil(len(rows) / size)
    visible = rows[(page - 1) * size : page * size]

    def link(number: int) -> str:
        # Quirk: 66text builds "?" + (empty filter string) + "&page=N".
        return f"{request.origin}/api/{resource}?&page={number}"

    return json_response(
        200,
        {
            "data": [row.to_api() for row in visible],
            "meta": {
                # Quirk: the raw query value is echoed, so "2" comes back as a string.
                "page": 1 if raw_page is None else raw_page,
                "results_per_page": size,
                "total_results": len(rows),
                "total_pages": total_pages,
            },
            "links": {
                "first": link(1),
                "last": link(total_pages) if total_pages else None,
                "next": link(page + 1) if page < total_pages else None,
                "prev": link(page - 1) if page > 1 else None,
                "self": link(page),
            },
        },
    )


def _newest_first(rows: dict[int, Any]) -> list[Any]:
    return [rows[row_id] for row_id in sorted(rows, reverse=True)]


def _page_size(raw: str | None, account_default: int) -> int:
    # Quirk: a size outside the allowed set is silently replaced by the account default.
    if raw is not None and raw.isascii() and raw.isdigit() and int(raw) in PAGE_SIZES:
        return int(raw)
    return account_default


def list_messages(account: Account, request: ApiRequest, _id: int, _now: datetime) -> ApiResponse:
    return _paginated(_newest_first(account.messages), account, request, "sms")


def list_devices(account: Account, request: ApiRequest, _id: int, _now: datetime) -> ApiResponse:
    return _paginated(_newest_first(account.devices), account, request, "devices")


def list_contacts(account: Account, request: ApiRequest, _id: int, _now: datetime) -> ApiResponse:
    return _paginated(_newest_first(account.contacts), account, request, "contacts")


# --- single objects ------------------------------------------------------------------


def _one(rows: dict[int, Any], object_id: int) -> ApiResponse:
    row = rows.get(object_id)
    if row is None:
        return error_response(404, NOT_FOUND)
    return json_response(200, {"data": row.to_api()})


def get_message(account: Account, _request: ApiRequest, sms_id: int, _now: datetime) -> ApiResponse:
    return _one(account.messages, sms_id)


def get_device(
    account: Account, _request: ApiRequest, device_id: int, _now: datetime
) -> ApiResponse:
    return _one(account.devices, device_id)


def get_contact(
    account: Account, _request: ApiRequest, contact_id: int, _now: datetime
) -> ApiResponse:
    return _one(account.contacts, contact_id)


def get_user(account: Account, _request: ApiRequest, _id: int, _now: datetime) -> ApiResponse:
    return json_response(200, {"data": account.user.to_api()})


def delete_message(
    account: Account, _request: ApiRequest, sms_id: int, _now: datetime
) -> ApiResponse:
    if not account.delete_message(sms_id):
        return error_response(404, NOT_FOUND)
    # Quirk: 200 with an empty body (not 204), still labelled as JSON.
    return ApiResponse(200, b"")


# --- sending -------------------------------------------------------------------------


def create_messages(account: Account, request: ApiRequest, _id: int, now: datetime) -> ApiResponse:
    form = request.form
    quirks = request.quirks
    # PHP-style check: a field counts as filled unless absent or "" ("0" is filled).
    if any(form.get(name, "") == "" for name in REQUIRED_SEND_FIELDS):
        return error_response(401, MISSING_FIELDS)
    device = account.devices.get(php_int(form["device_id"]))
    sim_subscription_id = php_int(form["sim_subscription_id"])
    if device is None or not device.has_sim(sim_subscription_id):
        if quirks.unknown_sender_is_401:
            return error_response(401, MISSING_FIELDS)
        return error_response(404, NOT_FOUND)
    phone_numbers = normalise_phone_numbers(form["phone_numbers"])
    unparseable = [number for number in phone_numbers if not parses(number)]
    if unparseable and quirks.bad_number_is_html_500:
        return ApiResponse(500, INTERNAL_ERROR_PAGE)
    phone_numbers = [number for number in phone_numbers if number not in unparseable]
    if not quirks.sends_to_opted_out:
        opted_out = account.opted_out_numbers()
        phone_numbers = [number for number in phone_numbers if number not in opted_out]
    if quirks.rewrites_content:
        content = stored_content(form["content"])
    else:
        content = form["content"][:CONTENT_MAX_CHARS]
    if not phone_numbers or not content:
        # Nothing sendable, or nothing left of the text: both count as a missing field.
        return error_response(401, MISSING_FIELDS)
    sms_ids = account.send(
        device=device,
        sim_subscription_id=sim_subscription_id,
        content=content,
        phone_numbers=phone_numbers,
        scheduled_at=scheduled_at(form, account.user.timezone, now, quirks),
        now=now,
        new_contacts_owned=not quirks.unowned_new_contacts,
    )
    if quirks.last_chunk_ids_only:
        sms_ids = _last_chunk(sms_ids)
    return json_response(201, {"data": {"sms_ids": sms_ids}})


def _last_chunk(sms_ids: list[int]) -> list[int]:
    # Quirk: every message is created, but the id list is rebuilt per chunk of
    # 5000 and only the last one's survives: exactly 5000 answer none at all.
    return sms_ids[len(sms_ids) - len(sms_ids) % INSERT_CHUNK_SIZE :]


def normalise_phone_numbers(raw: str) -> list[str]:
    """Split on newlines and commas, drop empties and repeats, then reduce each to "+digits".

    The repeats go before the digits are taken, so "+49 151 …" and "+49151…"
    are two recipients, like on the real server.
    """
    pieces = (piece.strip() for piece in re.split(r"[\r\n,]", raw))
    return ["+" + re.sub(r"[^0-9]", "", piece) for piece in dict.fromkeys(p for p in pieces if p)]


def parses(number: str) -> bool:
    """Whether 66text's phone number parser would read "+digits" as a number at all.

    Its parser (libphonenumber) refuses a country code starting with 0 (what
    "0049…" becomes) and digits too few or too many to be a number; the
    sandbox stays in the standard library and checks just that shape.
    """
    return _PARSEABLE.fullmatch(number) is not None


_PARSEABLE = re.compile(r"\+[1-9][0-9]{2,16}")


def stored_content(posted: str) -> str:
    """What 66text keeps of a message's content: sociostacks-api.md's four rules, in order."""
    text = _strip_tags(posted)
    text = text.replace("'", "&#39;").replace('"', "&#34;")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(_TYPOGRAPHY.get(char, char) for char in text if char not in _ZERO_WIDTH)
    lines = (re.sub(" {2,}", " ", line).strip(" ") for line in text.split("\n"))
    text = "\n".join(lines).strip("\n")
    return text[:CONTENT_MAX_CHARS]


def _strip_tags(text: str) -> str:
    """Drop every "<…>", and everything after a "<" that no ">" closes."""
    kept: list[str] = []
    in_tag = False
    for char in text:
        if in_tag:
            in_tag = char != ">"
        elif char == "<":
            in_tag = True
        else:
            kept.append(char)
    return "".join(kept)


_TYPOGRAPHY = {
    "\N{RIGHT SINGLE QUOTATION MARK}": "'",
    "\N{LEFT SINGLE QUOTATION MARK}": "'",
    "\N{LEFT DOUBLE QUOTATION MARK}": '"',
    "\N{RIGHT DOUBLE QUOTATION MARK}": '"',
    "\N{EM DASH}": "-",
    "\N{EN DASH}": "-",
    "\N{HORIZONTAL ELLIPSIS}": "...",
}
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")


def scheduled_at(form: dict[str, str], timezone: str, now: datetime, quirks: Quirks) -> datetime:
    """When a new message becomes due, in UTC."""
    # Quirk: the mere presence of is_scheduled schedules, even with "0" or "false".
    if "is_scheduled" not in form:
        return now
    raw = form.get("scheduled_datetime", "")
    # Quirk: a missing or malformed time silently means "now".
    if not _SCHEDULE_SHAPE.fullmatch(raw):
        return now
    try:
        local = datetime.strptime(raw, API_DATETIME_FORMAT)
    except ValueError:
        return now
    # Quirk: the time is read in the account's zone, not UTC; a time the clocks
    # pass twice is the second one.
    zone = ZoneInfo(timezone)
    first, second = local.replace(tzinfo=zone), local.replace(tzinfo=zone, fold=1)
    # Both readings exist only in the repeated hour; in the skipped one neither does.
    repeated = first.utcoffset() != second.utcoffset() and (
        first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local
    )
    return (second if repeated and quirks.dst_second_occurrence else first).astimezone(UTC)


# --- routing -------------------------------------------------------------------------

_ROUTES: tuple[tuple[str, re.Pattern[str], str, Handler], ...] = (
    ("GET", re.compile(r"/sms"), "GET /sms", list_messages),
    ("POST", re.compile(r"/sms"), "POST /sms", create_messages),
    ("GET", re.compile(r"/sms/([0-9]+)"), "GET /sms/{id}", get_message),
    ("DELETE", re.compile(r"/sms/([0-9]+)"), "DELETE /sms/{id}", delete_message),
    ("GET", re.compile(r"/devices"), "GET /devices", list_devices),
    ("GET", re.compile(r"/devices/([0-9]+)"), "GET /devices/{id}", get_device),
    ("GET", re.compile(r"/contacts"), "GET /contacts", list_contacts),
    ("GET", re.compile(r"/contacts/([0-9]+)"), "GET /contacts/{id}", get_contact),
    ("GET", re.compile(r"/user"), "GET /user", get_user),
)


def match_route(method: str, api_path: str) -> Route:
    """`api_path` is the path after /api; a trailing slash is accepted everywhere."""
    path = api_path.rstrip("/")
    for route_method, pattern, name, handler in _ROUTES:
        match = pattern.fullmatch(path)
        if match and route_method == method:
            object_id = int(match.group(1)) if match.groups() else 0
            return Route(name, handler, object_id)
    return Route(f"{method} {path or '/'}")

"""The Sociostacks HTTP client: the only module of smsadmin that imports requests.

Everything about the wire lives here: base URL, Bearer header, time-outs,
retries (GETs only: the API has no idempotency key, so a repeated POST sends
the SMS twice), one pooled Session per thread, error mapping, rate-limit
headers, batching, and the upstream quirks listed in sociostacks-api.md.
"""

import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from importlib import metadata
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests
from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext

from . import budget, content, reads
from .errors import (
    InvalidRequest,
    NotFound,
    PartialSendError,
    RateLimited,
    SenderUnavailable,
    SociostacksError,
    UnreadableResponse,
    UpstreamUnavailable,
    ValidationRefused,
    error_for,
)
from .reads import PAGE_SIZES
from .types import Account, BatchResult, Contact, Device, Message, Page, record, sms_ids

T = TypeVar("T")

logger = logging.getLogger("smsadmin.sociostacks")

# Upstream inserts recipients in chunks of 5000 and answers only the last
# chunk's ids (none at all for exactly 5000): one short of a chunk, every id comes back.
MAX_RECIPIENTS_PER_POST = 4999
# What a validated number looks like; anything else may not parse upstream,
# and one such number fails the whole POST with an HTML 500.
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
GET_RETRIES = 2
_RETRY_STATUSES = frozenset({502, 503, 504})
DEFAULT_RETRY_AFTER = 60
# The only format upstream accepts; anything else silently means "now".
_SCHEDULED_FORMAT = "%Y-%m-%d %H:%M:%S"


def _version() -> str:
    try:
        return metadata.version("smsadmin")
    except metadata.PackageNotFoundError:
        return "0"


USER_AGENT = f"smsadmin/{_version()} (+python-requests)"

_local = threading.local()


def _session() -> requests.Session:
    """This thread's pooled Session (a Session is not safe to share across threads)."""
    session: requests.Session | None = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        _local.session = session
    return session


class _BearerAuth(requests.auth.AuthBase):
    """Per-request auth, so one thread's Session serves every key, and ~/.netrc never wins."""

    def __init__(self, api_key: str) -> None:
        self._api_key = api_key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._api_key}"
        return request

    def __repr__(self) -> str:
        return "<BearerAuth>"


def _pause_before_retry() -> None:
    # Jitter for back-off, not a secret.
    time.sleep(random.uniform(0.2, 0.6))  # nosec B311


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        content_type = response.headers.get("Content-Type", "unknown")
        raise UnreadableResponse(
            f"HTTP {response.status_code} answer is not JSON ({content_type})",
            status=response.status_code,
        ) from None


def _error_title(response: requests.Response) -> str:
    """Upstream's `errors[0].title`, or "" for an answer that is not its JSON."""
    try:
        return str(response.json()["errors"][0]["title"])
    except (ValueError, KeyError, IndexError, TypeError):
        return ""


def _positive_id(value: int, what: str) -> int:
    # Ids go into URL paths: nothing but a positive int may get there.
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidRequest(f"{what} must be a positive whole number.")
    return value


def _check_paging(page: int, results_per_page: int) -> None:
    _positive_id(page, "The page number")
    if results_per_page not in PAGE_SIZES:
        sizes = ", ".join(map(str, PAGE_SIZES))
        raise InvalidRequest(f"Results per page must be one of {sizes}.")


def _content_to_post(typed: str) -> str:
    """What to post for ``typed``, refused when upstream would store nothing or cut it."""
    rewrite = content.rewrite(typed)
    if rewrite.is_empty:
        raise InvalidRequest(
            gettext("Nothing of the message is left once Sociostacks has rewritten it.")
        )
    if rewrite.cut:
        raise InvalidRequest(
            gettext(
                "The message is %(length)s characters as Sociostacks stores it; at most "
                "%(most)s are kept, so its end would be lost."
            )
            % {"length": rewrite.length, "most": content.MAX_STORED_CHARS}
        )
    return rewrite.sent


def _check_future(when: datetime) -> None:
    if when.tzinfo is None or when.utcoffset() is None:
        raise InvalidRequest(gettext("The scheduled time needs a time zone."))
    if when <= datetime.now(UTC):
        raise InvalidRequest(gettext("The scheduled time is not in the future."))


def repeated_wall_time(local: datetime) -> bool:
    """Whether the clocks show this wall time twice (the hour repeated when they go back)."""
    first, second = local.replace(fold=0), local.replace(fold=1)
    return first.utcoffset() != second.utcoffset() and (
        first.astimezone(UTC).astimezone(local.tzinfo).replace(tzinfo=None)
        == local.replace(tzinfo=None)
    )


def scheduled_wall_time(when: datetime, zone: ZoneInfo) -> str:
    """``when`` as the account-zone wall time upstream reads, or why it cannot be said.

    Upstream reads a wall time the clocks show twice as its second occurrence:
    the first one cannot be asked for, and sending it would go out an hour late.
    """
    local = when.astimezone(zone)
    if repeated_wall_time(local) and local.fold == 0:
        raise InvalidRequest(
            gettext(
                "%(time)s happens twice in %(zone)s (the clocks go back), and "
                "Sociostacks reads it as the second time, an hour later than picked. "
                "Pick a time outside that hour."
            )
            % {"time": date_format(local, "SHORT_DATETIME_FORMAT"), "zone": zone.key}
        )
    return local.strftime(_SCHEDULED_FORMAT)


def _recipients(phone_numbers: Sequence[str]) -> list[str]:
    # A lone string is a Sequence[str] too, and would be sent one digit at a time.
    if isinstance(phone_numbers, str):
        raise InvalidRequest(gettext("Recipients must be a list of phone numbers."))
    numbers = list(dict.fromkeys(number.strip() for number in phone_numbers if number.strip()))
    if not numbers:
        raise InvalidRequest(gettext("There are no recipients."))
    # Upstream splits on newlines and commas: one entry must stay one recipient.
    if any("," in number or "\n" in number for number in numbers):
        raise InvalidRequest(gettext("A phone number may not contain a comma or a line break."))
    if not all(_E164.fullmatch(number) for number in numbers):
        raise InvalidRequest(
            gettext("Every phone number must be written as +country code and number.")
        )
    return numbers


class SociostacksClient:
    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None = None,
        timeout: tuple[float, float] | None = None,
    ) -> None:
        if not api_key:
            raise InvalidRequest("An API key is required.")
        self._auth = _BearerAuth(api_key)
        self._fingerprint = budget.key_fingerprint(api_key)
        self.base_url = (base_url or settings.SOCIOSTACKS_API_URL).rstrip("/")
        self.timeout: tuple[float, float] = timeout or settings.SOCIOSTACKS_TIMEOUT

    def __repr__(self) -> str:
        return f"<SociostacksClient {self.base_url} key={self._fingerprint}>"

    @property
    def fingerprint(self) -> str:
        return self._fingerprint

    # --- Messages -------------------------------------------------------------

    def list_messages(self, page: int = 1, results_per_page: int = 25) -> Page[Message]:
        return self._list("/sms/", Message.from_json, page, results_per_page)

    def get_message(self, sms_id: int) -> Message:
        return Message.from_json(record(self._get(f"/sms/{_positive_id(sms_id, 'sms_id')}")))

    def delete_message(self, sms_id: int) -> None:
        """Delete a message, which also cancels it when scheduled.

        Success is 200 with an empty body (204 is accepted too): nothing to parse.
        """
        path = f"/sms/{_positive_id(sms_id, 'sms_id')}"
        try:
            self._request("DELETE", path)
        finally:
            budget.invalidate(self._fingerprint)

    def create_messages(
        self,
        *,
        content: str,
        device_id: int,
        sim_subscription_id: int,
        phone_numbers: Sequence[str],
        scheduled_at: datetime | None = None,
        on_batch: Callable[[BatchResult], None] | None = None,
    ) -> list[int]:
        """Send ``content`` (as typed) to every number, in POSTs of at most 4999 recipients.

        Returns every sms_id the answers listed. ``on_batch`` hears each POST's
        numbers and ids; a POST whose ids do not match its numbers one for one
        is still reported, never guessed at (``BatchResult.confirmed``). A
        failing batch after the first raises PartialSendError; nothing is
        ever resent. A "required fields" refusal of fields that were all there
        means the device or SIM is gone: SenderUnavailable.
        """
        numbers = _recipients(phone_numbers)
        fields = {
            "content": _content_to_post(content),
            "device_id": str(_positive_id(device_id, "device_id")),
            "sim_subscription_id": str(_positive_id(sim_subscription_id, "sim_subscription_id")),
        }
        if scheduled_at is not None:
            _check_future(scheduled_at)
            # Upstream treats `is_scheduled` as true whenever it is present, and
            # reads the time in the account's zone: only add both when scheduling.
            wall_time = scheduled_wall_time(scheduled_at, self.account_timezone())
            fields |= {"is_scheduled": "1", "scheduled_datetime": wall_time}

        sent_ids: list[int] = []
        sent_numbers: list[str] = []
        try:
            for index, start in enumerate(range(0, len(numbers), MAX_RECIPIENTS_PER_POST)):
                batch = tuple(numbers[start : start + MAX_RECIPIENTS_PER_POST])
                try:
                    ids = self._post_sms({**fields, "phone_numbers": "\n".join(batch)})
                except SociostacksError as exc:
                    if not sent_numbers:
                        raise
                    raise PartialSendError(
                        sent_ids=sent_ids,
                        sent_numbers=sent_numbers,
                        unsent_numbers=numbers[start:],
                        cause=exc,
                    ) from exc
                sent_ids.extend(ids)
                sent_numbers.extend(batch)
                if on_batch is not None:
                    on_batch(BatchResult(index, batch, ids))
        finally:
            budget.invalidate(self._fingerprint)
        return sent_ids

    def _post_sms(self, fields: Mapping[str, str]) -> tuple[int, ...]:
        # `files=` with (None, value) makes requests send multipart/form-data
        # without file names, which is what the endpoint reads.
        form = {name: (None, value) for name, value in fields.items()}
        try:
            return sms_ids(_json(self._request("POST", "/sms", files=form)))
        except (ValidationRefused, NotFound) as exc:
            # Every field was checked before the call, so what upstream finds
            # missing is the device or the SIM (sociostacks-api.md, "Errors").
            # A 404 without upstream's own title is a wrong address instead.
            if isinstance(exc, NotFound) and not exc.title:
                raise
            raise SenderUnavailable(
                exc.title,
                device_id=int(fields["device_id"]),
                sim_subscription_id=int(fields["sim_subscription_id"]),
                status=exc.status,
            ) from exc

    # --- Devices, contacts, account --------------------------------------------

    def list_devices(self, page: int = 1, results_per_page: int = 100) -> Page[Device]:
        return self._list("/devices/", Device.from_json, page, results_per_page)

    def get_device(self, device_id: int) -> Device:
        path = f"/devices/{_positive_id(device_id, 'device_id')}"
        return Device.from_json(record(self._get(path)))

    def all_devices(self) -> list[Device]:
        return list(self._walk(self.list_devices))

    def list_contacts(self, page: int = 1, results_per_page: int = 1000) -> Page[Contact]:
        return self._list("/contacts/", Contact.from_json, page, results_per_page)

    def get_contact(self, contact_id: int) -> Contact:
        path = f"/contacts/{_positive_id(contact_id, 'contact_id')}"
        return Contact.from_json(record(self._get(path)))

    def all_contacts(self) -> dict[int, Contact]:
        return {contact.id: contact for contact in self._walk(self.list_contacts)}

    def get_account(self) -> Account:
        return Account.from_json(record(self._get("/user")))

    def account(self, *, reserve: int | None = None) -> Account:
        """The key's account, through the shared cache: fresh for an hour.

        ``reserve=0`` is for a write that needs it: it may spend the calls
        that reads leave to writes.
        """
        return reads.account(self, reserve=reserve).value

    def account_timezone(self) -> ZoneInfo:
        """The zone upstream reads `scheduled_datetime` in, cached for an hour."""
        account = self.account()
        try:
            return ZoneInfo(account.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            logger.warning("unknown account time zone %r, using UTC", account.timezone)
            return ZoneInfo("UTC")

    # --- The wire ---------------------------------------------------------------

    def _list(
        self,
        path: str,
        parse: Callable[[Mapping[str, Any]], T],
        page: int,
        results_per_page: int,
    ) -> Page[T]:
        _check_paging(page, results_per_page)
        body = self._get(path, {"page": page, "results_per_page": results_per_page})
        return Page.from_json(body, parse)

    def _walk(self, list_page: Callable[[int, int], Page[T]]) -> Iterator[T]:
        """Every item of a listing, at the largest page size to spend fewest calls."""
        number = 1
        while True:
            page = list_page(number, max(PAGE_SIZES))
            yield from page.items
            # An empty page also ends the walk, whatever total_pages claims.
            if not page.items or number >= page.total_pages:
                return
            number += 1

    def _get(self, path: str, params: Mapping[str, int] | None = None) -> Any:
        return _json(self._request("GET", path, params=params))

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, int] | None = None,
        files: Mapping[str, tuple[None, str]] | None = None,
    ) -> requests.Response:
        """One call, raising the matching SociostacksError for any failure.

        Only GETs are retried, on connection errors and 502/503/504. A read
        time-out is not retried: the server is slow, and asking again would
        triple the wait.
        """
        retries_left = GET_RETRIES if method == "GET" else 0
        address = self.base_url + path
        connect_seconds, read_seconds = self.timeout
        while True:
            try:
                response = self._send(method, path, params, files)
            except requests.ConnectionError as exc:
                if not retries_left:
                    timed_out = isinstance(exc, requests.Timeout)
                    raise UpstreamUnavailable(
                        type(exc).__name__,
                        timed_out=timed_out,
                        address=address,
                        waited=connect_seconds if timed_out else None,
                    ) from exc
            except requests.Timeout as exc:
                raise UpstreamUnavailable(
                    type(exc).__name__, timed_out=True, address=address, waited=read_seconds
                ) from exc
            except requests.RequestException as exc:
                raise UpstreamUnavailable(type(exc).__name__, address=address) from exc
            else:
                if not retries_left or response.status_code not in _RETRY_STATUSES:
                    return self._checked(response)
            retries_left -= 1
            _pause_before_retry()

    def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, int] | None,
        files: Mapping[str, tuple[None, str]] | None,
    ) -> requests.Response:
        budget.count_call(self._fingerprint)
        started = time.monotonic()
        outcome = "error"
        try:
            response = _session().request(
                method,
                self.base_url + path,
                params=params,
                files=files,
                auth=self._auth,
                timeout=self.timeout,
            )
            outcome = str(response.status_code)
        except requests.RequestException as exc:
            outcome = type(exc).__name__
            raise
        finally:
            elapsed_ms = (time.monotonic() - started) * 1000
            logger.info(
                "method=%s path=%s status=%s ms=%.0f key=%s",
                method,
                path,
                outcome,
                elapsed_ms,
                self._fingerprint,
            )
        budget.record_response(self._fingerprint, response.headers, status=response.status_code)
        return response

    def _checked(self, response: requests.Response) -> requests.Response:
        status = response.status_code
        if 200 <= status < 300:
            return response
        title = _error_title(response)
        if status == 429:
            retry_after = budget.reset_seconds(response.headers) or DEFAULT_RETRY_AFTER
            budget.record_rate_limited(self._fingerprint, retry_after)
            raise RateLimited(title, retry_after=retry_after)
        error = error_for(status, title)
        if isinstance(error, UpstreamUnavailable):
            error.address = response.url.split("?", 1)[0]
        raise error

"""The API's records as frozen dataclasses, parsed defensively from its JSON.

Parsing is where upstream's looseness stops: ids may arrive as numeric
strings, `meta.page` echoes the raw query value ("2"), the total is `total`
or `total_results`, datetimes are naive UTC text (sometimes wrapped in stray
quotes, as on the vendor's own page). Anything that cannot be made sense of
raises `UnreadableResponse` instead of leaking a KeyError into a view.
"""

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from .content import shown
from .errors import UnreadableResponse

T = TypeVar("T")

_INTEGER = re.compile(r"\s*-?[0-9]+\s*")
_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
# `scheduled_datetime` equals the creation time for unscheduled sends, give or
# take the time the server took to insert the row.
_SCHEDULED_SLACK = timedelta(seconds=60)


def _int(value: Any, field: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value):
        return int(value)
    raise UnreadableResponse(f"{field} is not an integer: {value!r}")


def _optional_int(value: Any, field: str) -> int | None:
    return None if value is None or value == "" else _int(value, field)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes"}
    return bool(value)


def parse_datetime(value: Any) -> datetime | None:
    """Upstream's `YYYY-MM-DD HH:MM:SS` (UTC) as an aware datetime; blank → None."""
    if value is None:
        return None
    text = str(value).strip().strip('"').strip()
    if not text or text.startswith("0000-00-00"):
        return None
    try:
        return datetime.strptime(text, _DATETIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise UnreadableResponse(f"unreadable datetime: {value!r}") from None


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise UnreadableResponse(f"{what} is not an object")
    return value


def record(body: Any) -> Mapping[str, Any]:
    """The `data` object of a single-record answer."""
    return _mapping(_mapping(body, "answer").get("data"), "data")


def sms_ids(body: Any) -> tuple[int, ...]:
    """The ids in a `POST /sms` answer: `{"data": {"sms_ids": [...]}}`."""
    ids = record(body).get("sms_ids")
    if not isinstance(ids, list):
        raise UnreadableResponse("sms_ids is not a list")
    return tuple(_int(sms_id, "sms_id") for sms_id in ids)


@dataclass(frozen=True)
class Message:
    sms_id: int
    device_id: int | None
    sim_subscription_id: int | None
    contact_id: int | None
    campaign_id: int | None
    flow_id: int | None
    rss_automation_id: int | None
    recurring_campaign_id: int | None
    user_id: int | None
    type: str
    content: str
    status: str
    error: str | None
    scheduled_at: datetime | None
    created_at: datetime | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Message":
        def optional(name: str) -> int | None:
            return _optional_int(data.get(name), name)

        return cls(
            sms_id=_int(data.get("sms_id"), "sms_id"),
            device_id=optional("device_id"),
            sim_subscription_id=optional("sim_subscription_id"),
            contact_id=optional("contact_id"),
            campaign_id=optional("campaign_id"),
            flow_id=optional("flow_id"),
            rss_automation_id=optional("rss_automation_id"),
            recurring_campaign_id=optional("recurring_campaign_id"),
            user_id=optional("user_id"),
            type=_text(data.get("type")),
            # Upstream stores quotes as entities; the text meant has the quotes.
            content=shown(_text(data.get("content"))),
            status=_text(data.get("status")),
            error=_text(data.get("error")) or None,
            scheduled_at=parse_datetime(data.get("scheduled_datetime")),
            # `datetime` is overwritten when the status changes (sociostacks-api.md).
            created_at=parse_datetime(data.get("datetime")),
        )

    @property
    def is_outgoing(self) -> bool:
        return self.type == "sent"

    @property
    def is_pending(self) -> bool:
        return self.status == "pending"

    def is_scheduled_in_future(self, now: datetime) -> bool:
        return self.scheduled_at is not None and self.scheduled_at > now

    @property
    def scheduled_differs(self) -> bool:
        if self.scheduled_at is None or self.created_at is None:
            return False
        return abs(self.scheduled_at - self.created_at) > _SCHEDULED_SLACK


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    page: int
    total_pages: int
    total: int
    results_per_page: int

    @property
    def has_next(self) -> bool:
        return self.page < self.total_pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @classmethod
    def from_json(cls, body: Any, parse_item: Callable[[Mapping[str, Any]], T]) -> "Page[T]":
        body = _mapping(body, "answer")
        rows = body.get("data")
        if not isinstance(rows, list):
            raise UnreadableResponse("data is not a list")
        items = tuple(parse_item(_mapping(row, "row")) for row in rows)
        meta = _mapping(body.get("meta") or {}, "meta")
        # The implementation says `total_results`, the vendor's page `total`.
        total = meta.get("total_results", meta.get("total", len(items)))
        return cls(
            items=items,
            page=_int(meta.get("page", 1), "meta.page"),
            total_pages=_int(meta.get("total_pages", 1 if items else 0), "meta.total_pages"),
            total=_int(total, "meta.total"),
            results_per_page=_int(meta.get("results_per_page", len(items)), "meta.per_page"),
        )


@dataclass(frozen=True)
class Sim:
    subscription_id: int
    phone_number: str
    carrier_name: str
    display_name: str
    slot_index: int | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Sim":
        return cls(
            subscription_id=_int(data.get("subscription_id"), "subscription_id"),
            phone_number=_text(data.get("phone_number")),
            carrier_name=_text(data.get("carrier_name")),
            display_name=_text(data.get("display_name")),
            slot_index=_optional_int(data.get("slot_index"), "slot_index"),
        )

    @property
    def label(self) -> str:
        """Like "SIM 1 · Carrier · +number"; Android slots count from 0, people from 1."""
        slot = "SIM" if self.slot_index is None else f"SIM {self.slot_index + 1}"
        parts = (slot, self.carrier_name or self.display_name, self.phone_number)
        return " · ".join(part for part in parts if part)


@dataclass(frozen=True)
class DeviceTotals:
    sent: int
    pending: int
    received: int
    failed: int


@dataclass(frozen=True)
class Device:
    id: int
    name: str
    sims: tuple[Sim, ...]
    model: str
    brand: str
    os: str
    battery: int | None
    is_charging: bool
    totals: DeviceTotals
    last_ping_at: datetime | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Device":
        def count(name: str) -> int:
            return _optional_int(data.get(name), name) or 0

        return cls(
            id=_int(data.get("id"), "id"),
            name=_text(data.get("name")),
            sims=tuple(Sim.from_json(_mapping(sim, "sim")) for sim in _sim_rows(data.get("sims"))),
            model=_text(data.get("device_model")),
            brand=_text(data.get("device_brand")),
            os=_text(data.get("device_os")),
            battery=_optional_int(data.get("device_battery"), "device_battery"),
            is_charging=_flag(data.get("device_is_charging")),
            totals=DeviceTotals(
                sent=count("total_sent_sms"),
                pending=count("total_pending_sms"),
                received=count("total_received_sms"),
                failed=count("total_failed_sms"),
            ),
            last_ping_at=parse_datetime(data.get("last_ping_datetime")),
        )


def _sim_rows(value: Any) -> list[Any]:
    # 66text stores `sims` as a JSON column; tolerate it arriving still encoded.
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except ValueError:
            raise UnreadableResponse("sims is not JSON") from None
    if value is None:
        return []
    if not isinstance(value, list):
        raise UnreadableResponse("sims is not a list")
    return value


@dataclass(frozen=True)
class Contact:
    id: int
    phone_number: str
    name: str
    has_opted_out: bool

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Contact":
        return cls(
            id=_int(data.get("id"), "id"),
            phone_number=_text(data.get("phone_number")),
            name=_text(data.get("name")),
            has_opted_out=_flag(data.get("has_opted_out")),
        )


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    email: str
    language: str
    timezone: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Account":
        return cls(
            id=_int(data.get("id"), "id"),
            name=_text(data.get("name")),
            email=_text(data.get("email")),
            language=_text(data.get("language")),
            timezone=_text(data.get("timezone")) or "UTC",
        )


@dataclass(frozen=True)
class BatchResult:
    """One POST of a large send: which numbers it carried, which ids came back."""

    index: int
    numbers: tuple[str, ...]
    sms_ids: tuple[int, ...]

    @property
    def confirmed(self) -> bool:
        """One id per number, in the numbers' order: then each id is known to be its number's.

        Anything else (upstream answers only its last chunk of 5000) leaves
        how many messages the POST created, and which is which, unknown.
        """
        return len(self.sms_ids) == len(self.numbers)

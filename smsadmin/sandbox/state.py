"""In-memory accounts, devices, contacts and messages, plus the "phone" that moves them along.

Everything here is plain data guarded by `Store.lock`; the HTTP layer takes the lock
around every read or write, and so does the life thread.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

API_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"

# Short texts an Android phone reports for a failed SMS (66text stores at most 32 chars).
PHONE_ERRORS = (
    "RESULT_ERROR_GENERIC_FAILURE",
    "RESULT_ERROR_NO_SERVICE",
    "RESULT_ERROR_RADIO_OFF",
    "RESULT_ERROR_LIMIT_EXCEEDED",
    "No service",
    "SIM not ready",
)
FAILURE_ONE_IN = 10

INBOUND_REPLIES = (
    "Yes, confirmed. Thanks!",
    "Can we move it to Thursday?",
    "Ok 👍",
    "Who is this?",
    "Running 10 min late, sorry",
    "STOP",
)


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_api_datetime(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime(API_DATETIME_FORMAT)


@dataclass
class Sim:
    subscription_id: int
    phone_number: str
    carrier_name: str
    display_name: str
    slot_index: int

    def to_api(self) -> dict[str, Any]:
        return {
            "subscription_id": self.subscription_id,
            "phone_number": self.phone_number,
            "carrier_name": self.carrier_name,
            "display_name": self.display_name,
            "slot_index": self.slot_index,
        }


@dataclass
class Device:
    id: int
    user_id: int
    name: str
    sims: list[Sim]
    device_model: str
    device_brand: str
    device_os: str
    device_battery: int
    device_is_charging: bool
    last_ping_datetime: datetime
    created: datetime
    total_sent_sms: int = 0
    total_pending_sms: int = 0
    total_received_sms: int = 0
    total_failed_sms: int = 0

    def has_sim(self, subscription_id: int) -> bool:
        return any(sim.subscription_id == subscription_id for sim in self.sims)

    def count_status(self, status: str, delta: int) -> None:
        counter = f"total_{status}_sms"
        setattr(self, counter, max(0, getattr(self, counter) + delta))

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user_id": self.user_id,
            "name": self.name,
            "sims": [sim.to_api() for sim in self.sims],
            "device_model": self.device_model,
            "device_brand": self.device_brand,
            "device_os": self.device_os,
            "device_battery": self.device_battery,
            "device_is_charging": self.device_is_charging,
            "total_sent_sms": self.total_sent_sms,
            "total_pending_sms": self.total_pending_sms,
            "total_received_sms": self.total_received_sms,
            "total_failed_sms": self.total_failed_sms,
            "last_ping_datetime": format_api_datetime(self.last_ping_datetime),
            "datetime": format_api_datetime(self.created),
        }


@dataclass
class Contact:
    id: int
    # None for the contacts a send creates on the real server: nobody owns them.
    user_id: int | None
    phone_number: str
    # Contacts created implicitly by a send have no name: the admin must cope with null.
    name: str | None
    has_opted_out: bool
    created: datetime
    custom_parameters: dict[str, str] = field(default_factory=dict)

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user_id": self.user_id,
            "phone_number": self.phone_number,
            "name": self.name,
            "custom_parameters": dict(self.custom_parameters),
            "has_opted_out": self.has_opted_out,
            "datetime": format_api_datetime(self.created),
        }


@dataclass
class Message:
    sms_id: int
    user_id: int
    device_id: int
    sim_subscription_id: int
    contact_id: int
    type: str
    content: str
    status: str
    error: str | None
    scheduled_datetime: datetime | None
    # 66text overwrites `datetime` whenever the status changes; it is not the creation time.
    datetime: datetime
    campaign_id: int = 0
    flow_id: int = 0
    rss_automation_id: int = 0
    recurring_campaign_id: int = 0

    def to_api(self) -> dict[str, Any]:
        return {
            "sms_id": self.sms_id,
            "device_id": self.device_id,
            "sim_subscription_id": self.sim_subscription_id,
            "contact_id": self.contact_id,
            "campaign_id": self.campaign_id,
            "flow_id": self.flow_id,
            "rss_automation_id": self.rss_automation_id,
            "recurring_campaign_id": self.recurring_campaign_id,
            "user_id": self.user_id,
            "type": self.type,
            "content": self.content,
            "status": self.status,
            "error": self.error,
            "scheduled_datetime": format_api_datetime(self.scheduled_datetime),
            "datetime": format_api_datetime(self.datetime),
        }


@dataclass
class User:
    id: int
    name: str
    email: str
    language: str
    timezone: str
    country: str
    created: datetime

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "language": self.language,
            "timezone": self.timezone,
            "country": self.country,
            "is_enabled": True,
            "datetime": format_api_datetime(self.created),
        }


class IdSequences:
    """Ids are global across accounts, like database auto-increments, so one key's ids
    are never valid for another key."""

    def __init__(self) -> None:
        self._users = itertools.count(1)
        self._devices = itertools.count(1)
        self._contacts = itertools.count(1)
        self._messages = itertools.count(1)

    def next_user_id(self) -> int:
        return next(self._users)

    def next_device_id(self) -> int:
        return next(self._devices)

    def next_contact_id(self) -> int:
        return next(self._contacts)

    def next_sms_id(self) -> int:
        return next(self._messages)


@dataclass
class Account:
    user: User
    ids: IdSequences
    devices: dict[int, Device] = field(default_factory=dict)
    contacts: dict[int, Contact] = field(default_factory=dict)
    # Contacts created by sends with no owner: messages point at them, but
    # neither GET /contacts nor GET /contacts/{id} shows them.
    unowned_contacts: dict[int, Contact] = field(default_factory=dict)
    messages: dict[int, Message] = field(default_factory=dict)

    def create_contact(self, phone_number: str, now: datetime, *, owned: bool = True) -> Contact:
        contact = Contact(
            id=self.ids.next_contact_id(),
            user_id=self.user.id if owned else None,
            phone_number=phone_number,
            name=None,
            has_opted_out=False,
            created=now,
        )
        (self.contacts if owned else self.unowned_contacts)[contact.id] = contact
        return contact

    def opted_out_numbers(self) -> set[str]:
        return {c.phone_number for c in self.contacts.values() if c.has_opted_out}

    def add_message(self, message: Message) -> None:
        self.messages[message.sms_id] = message
        self.devices[message.device_id].count_status(message.status, +1)

    def send(
        self,
        device: Device,
        sim_subscription_id: int,
        content: str,
        phone_numbers: list[str],
        scheduled_at: datetime,
        now: datetime,
        *,
        new_contacts_owned: bool = True,
    ) -> list[int]:
        """Queue one pending message per recipient, creating a contact for each new number.

        Only the account's own contacts are looked up, so a number sent to
        before through an unowned contact gets another one. Returns every new
        id in order."""
        contacts_by_number = {c.phone_number: c for c in self.contacts.values()}
        sms_ids = []
        for phone_number in phone_numbers:
            contact = contacts_by_number.get(phone_number)
            if contact is None:
                contact = self.create_contact(phone_number, now, owned=new_contacts_owned)
                contacts_by_number[phone_number] = contact
            message = Message(
                sms_id=self.ids.next_sms_id(),
                user_id=self.user.id,
                device_id=device.id,
                sim_subscription_id=sim_subscription_id,
                contact_id=contact.id,
                type="sent",
                content=content,
                status="pending",
                error=None,
                scheduled_datetime=scheduled_at,
                datetime=now,
            )
            self.add_message(message)
            sms_ids.append(message.sms_id)
        return sms_ids

    def remove_sim(self, device_id: int, subscription_id: int | None) -> bool:
        """Take a SIM out of a phone, or (without a SIM) the phone off the account."""
        device = self.devices.get(device_id)
        if device is None:
            return False
        if subscription_id is None:
            del self.devices[device_id]
            return True
        kept = [sim for sim in device.sims if sim.subscription_id != subscription_id]
        removed = len(kept) < len(device.sims)
        device.sims = kept
        return removed

    def delete_message(self, sms_id: int) -> bool:
        message = self.messages.pop(sms_id, None)
        if message is None:
            return False
        # A deleted pending message will never be sent, so the phone stops counting it;
        # totals of sent/failed/received are history and stay.
        device = self.devices.get(message.device_id)
        if message.status == "pending" and device is not None:
            device.count_status("pending", -1)
        return True

    def settle_due_messages(self, now: datetime, delay: timedelta, rng: random.Random) -> None:
        """The phone picks up pending messages once due and reports sent or failed."""
        for message in self.messages.values():
            if message.status != "pending" or message.scheduled_datetime is None:
                continue
            # A phone taken off the account never reports its queue.
            device = self.devices.get(message.device_id)
            if message.scheduled_datetime + delay > now or device is None:
                continue
            failed = rng.randrange(FAILURE_ONE_IN) == 0
            message.status = "failed" if failed else "sent"
            message.error = rng.choice(PHONE_ERRORS) if failed else None
            message.datetime = now
            device.count_status("pending", -1)
            device.count_status(message.status, +1)

    def receive_inbound(self, now: datetime, rng: random.Random) -> None:
        """A known contact who has not opted out texts one of the phones."""
        senders = [c for c in self.contacts.values() if not c.has_opted_out]
        phones = [device for device in self.devices.values() if device.sims]
        if not senders or not phones:
            return
        device = rng.choice(phones)
        message = Message(
            sms_id=self.ids.next_sms_id(),
            user_id=self.user.id,
            device_id=device.id,
            sim_subscription_id=rng.choice(device.sims).subscription_id,
            contact_id=rng.choice(senders).id,
            type="received",
            content=rng.choice(INBOUND_REPLIES),
            status="received",
            error=None,
            scheduled_datetime=None,
            datetime=now,
        )
        self.add_message(message)

    def ping_devices(self, now: datetime) -> None:
        for device in self.devices.values():
            device.last_ping_datetime = now


AccountSeeder = Callable[[str, int, IdSequences, datetime], Account]


class Store:
    """All accounts of one sandbox. Hold `lock` while touching anything reachable from here."""

    def __init__(
        self,
        api_keys: tuple[str, ...],
        seeder: AccountSeeder,
        seed: int,
        clock: Callable[[], datetime] = utc_now,
        admin_api_keys: tuple[str, ...] = (),
    ) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self._seeder = seeder
        self._seed = seed
        self._initial_api_keys = tuple(dict.fromkeys(api_keys + admin_api_keys))
        self._initial_admin_keys = frozenset(admin_api_keys)
        self._accounts: dict[str, Account] = {}
        self.admin_keys: set[str] = set()
        self._ids = IdSequences()
        self._life_rng = random.Random(seed)
        self.reset()

    def reset(self) -> None:
        """Back to the start-up state: same seed, and keys added at runtime are gone."""
        with self.lock:
            self._ids = IdSequences()
            self._life_rng = random.Random(self._seed)
            self._accounts = {}
            self.admin_keys = set(self._initial_admin_keys)
            for api_key in self._initial_api_keys:
                self.add_account(api_key)

    def add_account(self, api_key: str, *, admin: bool = False) -> None:
        with self.lock:
            if api_key not in self._accounts:
                index = len(self._accounts)
                self._accounts[api_key] = self._seeder(api_key, index, self._ids, self.clock())
            if admin:
                self.admin_keys.add(api_key)

    def is_admin_key(self, api_key: str | None) -> bool:
        with self.lock:
            return api_key in self.admin_keys

    def knows_key(self, api_key: str | None) -> bool:
        with self.lock:
            return api_key in self._accounts

    def remove_sim(self, device_id: int, subscription_id: int | None) -> bool:
        """Whether a phone (or one SIM of it) was there to take away, in any account."""
        with self.lock:
            return any(
                account.remove_sim(device_id, subscription_id)
                for account in self._accounts.values()
            )

    @property
    def api_keys(self) -> list[str]:
        with self.lock:
            return list(self._accounts)

    def account(self, api_key: str) -> Account | None:
        return self._accounts.get(api_key)

    def tick(self, send_delay_seconds: float, inbound_one_in: int) -> None:
        """One heartbeat of every account's phones."""
        with self.lock:
            now = self.clock()
            delay = timedelta(seconds=send_delay_seconds)
            for account in self._accounts.values():
                account.settle_due_messages(now, delay, self._life_rng)
                if inbound_one_in > 0 and self._life_rng.randrange(inbound_one_in) == 0:
                    account.receive_inbound(now, self._life_rng)
                account.ping_devices(now)

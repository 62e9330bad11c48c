"""Reading messages through the shared budget: pages, one message, the scheduled ones.

Every read goes through ``budget.cached_read`` so that one upstream answer
serves every viewer of the same key, and so that a 429 or an outage shows the
last answer we had instead of an error. Phone numbers and device names come
from directories fetched whole (one call per 1000 contacts), never one call
per table row; numbers the contact list does not show come from what
smsadmin wrote down (``numbers.known_numbers``).
"""

import contextvars
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

from smsadmin.sms.numbers import known_numbers
from smsadmin.sociostacks import budget
from smsadmin.sociostacks.budget import Cached
from smsadmin.sociostacks.client import SociostacksClient
from smsadmin.sociostacks.errors import SociostacksError
from smsadmin.sociostacks.types import Contact, Device, Message, Page, Sim

# When a page shows a contact the directory does not know yet (a number we
# just sent to for the first time), the directory may be refreshed this soon.
CONTACTS_REFRESH_FOR_UNKNOWN = 15
SCAN_PAGE_SIZE = 1000


@dataclass(frozen=True)
class Freshness:
    """How current what a page shows is: the oldest of the answers it is made of."""

    as_of: datetime
    is_fresh: bool
    refresh_in: int | None
    reason: str | None

    @classmethod
    def of(cls, *answers: Cached) -> "Freshness":
        oldest = min(answers, key=lambda answer: answer.fetched_at)
        stale = [answer for answer in answers if not answer.is_fresh]
        worst = stale[0] if stale else oldest
        return cls(
            as_of=oldest.fetched_at,
            is_fresh=not stale,
            refresh_in=max((a.refresh_in or 0) for a in stale) if stale else None,
            reason=worst.reason,
        )


@dataclass(frozen=True)
class Directory:
    """The account's contacts and devices, to name what a message only has ids for."""

    contacts: Mapping[int, Contact] = field(default_factory=dict)
    devices: Sequence[Device] = ()

    def contact(self, contact_id: int | None) -> Contact | None:
        return self.contacts.get(contact_id) if contact_id is not None else None

    def device(self, device_id: int | None) -> Device | None:
        return next((d for d in self.devices if d.id == device_id), None)

    def sim(self, device_id: int | None, subscription_id: int | None) -> Sim | None:
        device = self.device(device_id)
        if device is None:
            return None
        return next((s for s in device.sims if s.subscription_id == subscription_id), None)


@dataclass(frozen=True)
class MessageRow:
    """A message with the names a person needs to read it."""

    message: Message
    contact: Contact | None
    device: Device | None
    sim: Sim | None
    # The number smsadmin knows the message went to (or came from), when the
    # contact list does not show it.
    known_number: str = ""

    @property
    def number(self) -> str:
        return self.contact.phone_number if self.contact else self.known_number

    @property
    def is_cancellable(self) -> bool:
        """A pending message whose time has not come: deleting it cancels the send."""
        return self.message.is_scheduled_in_future(timezone.now())

    @property
    def delete_verb(self) -> str:
        return "Cancel" if self.is_cancellable else "Delete"


def describe(
    messages: Iterable[Message], directory: Directory, known: Mapping[int, str]
) -> list[MessageRow]:
    return [
        MessageRow(
            message=m,
            contact=directory.contact(m.contact_id),
            device=directory.device(m.device_id),
            sim=directory.sim(m.device_id, m.sim_subscription_id),
            known_number=known.get(m.sms_id, ""),
        )
        for m in messages
    ]


def _account_id(client: SociostacksClient) -> int | None:
    """The key's account, to look its numbers up under; None when it cannot be read now."""
    try:
        return client.account().id
    except SociostacksError:
        return None


def devices(client: SociostacksClient, *, refresh: bool = False) -> Cached[list[Device]]:
    """The account's phones; ``refresh`` reads them again now, if the budget allows."""
    return budget.cached_read(
        client.fingerprint,
        "devices",
        client.all_devices,
        fresh_for=0 if refresh else settings.SOCIOSTACKS_DIRECTORY_FRESH_SECONDS,
        invalidated_by_writes=False,
    )


def contacts(client: SociostacksClient, needed: set[int]) -> Cached[dict[int, Contact]]:
    """The contact directory; refreshed sooner when it misses a contact we need."""
    answer = budget.cached_read(
        client.fingerprint,
        "contacts",
        client.all_contacts,
        fresh_for=settings.SOCIOSTACKS_DIRECTORY_FRESH_SECONDS,
        invalidated_by_writes=False,
    )
    if needed <= answer.value.keys():
        return answer
    return budget.cached_read(
        client.fingerprint,
        "contacts",
        client.all_contacts,
        fresh_for=CONTACTS_REFRESH_FOR_UNKNOWN,
        invalidated_by_writes=False,
    )


def contacts_as_last_read(client: SociostacksClient) -> Mapping[int, Contact] | None:
    """The contact directory as some page last read it, without a call; None if never."""
    answer = budget.last_read(client.fingerprint, "contacts")
    return None if answer is None else answer.value


def directory_for(
    client: SociostacksClient,
    messages: Sequence[Message],
    *,
    read_ahead: "DirectoryReads | None" = None,
) -> tuple[Directory, dict[int, str], list[Cached]]:
    """Contacts and devices to name ``messages`` by, and the numbers smsadmin knows for them.

    A contact is only looked for when its message's number is not known
    already: the contacts a send creates never show up in the list, and
    waiting for them would re-read the list over and over. ``read_ahead``:
    the directory reads already started while the messages were fetched.
    """
    account_id = read_ahead.account_id() if read_ahead else _account_id(client)
    known = known_numbers(account_id, [m.sms_id for m in messages])
    needed = {m.contact_id for m in messages if m.contact_id and m.sms_id not in known}
    if read_ahead is None:
        contact_answer, device_answer = contacts(client, needed), devices(client)
    else:
        contact_answer, device_answer = read_ahead.contacts(needed), read_ahead.devices()
    directory = Directory(contact_answer.value, tuple(device_answer.value))
    return directory, known, [contact_answer, device_answer]


# A cold page makes up to four upstream reads (the page, contacts, devices,
# the account); each waits on the network, so they go out together. A few
# threads per process are enough: cached reads return before reaching them.
_READERS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="smsadmin-read")


def _in_background(read: Callable[[], Any]) -> "Future[Any]":
    # The request's context (its request id, for the upstream call's log line) goes along.
    context = contextvars.copy_context()

    def run() -> Any:
        try:
            return context.run(read)
        finally:
            # The shared cache may be the database: a reader thread's
            # connection must not outlive the read it was opened for.
            connections.close_all()

    return _READERS.submit(run)


class DirectoryReads:
    """The directory reads a page needs, started before the page itself is read.

    Each answer is taken in the order the page used to ask for them, so an
    error surfaces as it did when they were read one after the other.
    """

    def __init__(self, client: SociostacksClient) -> None:
        self._client = client
        self._account = _in_background(lambda: _account_id(client))
        self._contacts = _in_background(lambda: contacts(client, set()))
        self._devices = _in_background(lambda: devices(client))

    def account_id(self) -> int | None:
        return self._account.result()

    def contacts(self, needed: set[int]) -> Cached[dict[int, Contact]]:
        answer = self._contacts.result()
        if needed <= answer.value.keys():
            return answer
        return contacts(self._client, needed)  # reads again sooner when one is missing

    def devices(self) -> Cached[list[Device]]:
        return self._devices.result()

    def settle(self) -> None:
        """Wait for every read (their answers are cached for the next page)."""
        for future in (self._account, self._contacts, self._devices):
            future.exception()


@dataclass(frozen=True)
class MessagePage:
    page: Page[Message]
    rows: list[MessageRow]
    freshness: Freshness

    @property
    def has_pending(self) -> bool:
        return any(row.message.is_pending for row in self.rows)


# Pages up to this size also fill the cache for each of their messages, so
# opening one from the list costs no upstream call; bigger pages would cost
# more cache writes than the detail views they save.
PRIME_DETAILS_UP_TO = 250


def _message_name(sms_id: int) -> str:
    return f"message:{sms_id}"


def _messages(client: SociostacksClient, page: int, size: int) -> Cached[Page[Message]]:
    fingerprint = client.fingerprint

    def fetch() -> Page[Message]:
        generation = budget.current_generation(fingerprint)
        answer = client.list_messages(page=page, results_per_page=size)
        if size <= PRIME_DETAILS_UP_TO:
            budget.prime(
                fingerprint,
                {_message_name(m.sms_id): m for m in answer.items},
                generation=generation,
            )
        return answer

    return budget.cached_read(
        fingerprint,
        f"messages:{page}:{size}",
        fetch,
        fresh_for=settings.SOCIOSTACKS_LIST_FRESH_SECONDS,
    )


def message_page(client: SociostacksClient, page: int, size: int) -> MessagePage:
    """A page of messages with names; on a cold cache its reads go out together."""
    read_ahead = DirectoryReads(client)
    try:
        answer = _messages(client, page, size)
    except BaseException:
        read_ahead.settle()
        raise
    directory, known, directory_answers = directory_for(
        client, answer.value.items, read_ahead=read_ahead
    )
    return MessagePage(
        page=answer.value,
        rows=describe(answer.value.items, directory, known),
        freshness=Freshness.of(answer, *directory_answers),
    )


@dataclass(frozen=True)
class MessageDetail:
    row: MessageRow
    freshness: Freshness


def message_detail(client: SociostacksClient, sms_id: int) -> MessageDetail:
    answer = budget.cached_read(
        client.fingerprint,
        _message_name(sms_id),
        lambda: client.get_message(sms_id),
        fresh_for=settings.SOCIOSTACKS_LIST_FRESH_SECONDS,
    )
    directory, known, directory_answers = directory_for(client, [answer.value])
    (row,) = describe([answer.value], directory, known)
    return MessageDetail(row=row, freshness=Freshness.of(answer, *directory_answers))


@dataclass(frozen=True)
class ScheduledScan:
    rows: list[MessageRow]
    freshness: Freshness
    messages_examined: int
    total_messages: int

    @property
    def is_complete(self) -> bool:
        return self.messages_examined >= self.total_messages


def scheduled_messages(client: SociostacksClient, max_pages: int) -> ScheduledScan:
    """Pending messages due in the future, soonest first.

    The upstream cannot filter, so this reads the newest ``max_pages`` pages of
    1000 and says how far back it looked: a message scheduled long ago for a
    far future date can lie deeper than the budget allows us to read.
    """
    answers: list[Cached[Page[Message]]] = []
    for page_number in range(1, max_pages + 1):
        answer = _messages(client, page_number, SCAN_PAGE_SIZE)
        answers.append(answer)
        if not answer.value.has_next:
            break
    now = timezone.now()
    due = [m for a in answers for m in a.value.items if m.is_scheduled_in_future(now)]
    due.sort(key=lambda m: m.scheduled_at or now)
    directory, known, directory_answers = directory_for(client, due)
    return ScheduledScan(
        rows=describe(due, directory, known),
        freshness=Freshness.of(*answers, *directory_answers),
        messages_examined=sum(len(a.value.items) for a in answers),
        total_messages=answers[0].value.total,
    )

"""Naming what upstream reads return, for pages: rows, directories, freshness, the scheduled scan.

The reads themselves (cached, shared by every viewer of a key) live in
``sociostacks/reads.py``. Phone numbers and device names come from
directories fetched whole (one call per 1000 contacts), never one call per
table row; numbers the contact list does not show come from what smsadmin
wrote down (``numbers.known_numbers``).
"""

import contextvars
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import close_old_connections
from django.utils import timezone

from smsadmin.sms.numbers import known_numbers
from smsadmin.sociostacks import budget, reads
from smsadmin.sociostacks.budget import Cached
from smsadmin.sociostacks.client import SociostacksClient
from smsadmin.sociostacks.errors import SociostacksError
from smsadmin.sociostacks.types import Contact, Device, Message, Page, Sim

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

    @property
    def reason_words(self) -> str:
        return budget.reason_words(self.reason)


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
        return reads.account(client).value.id
    except SociostacksError:
        return None


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
        contact_answer, device_answer = reads.contacts(client, needed), reads.devices(client)
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
        # A reader thread lives on between requests: its database connection
        # (the shared cache may be the database) obeys CONN_MAX_AGE as a
        # request's does, and one that broke is not used again.
        close_old_connections()
        try:
            return context.run(read)
        finally:
            close_old_connections()

    return _READERS.submit(run)


def _done(value: Any) -> "Future[Any]":
    future: Future[Any] = Future()
    future.set_result(value)
    return future


class DirectoryReads:
    """The directory reads a page needs, started before the page itself is read.

    What the cache holds fresh is taken at once (one cache read, no thread);
    the rest is read in reader threads while the page is fetched. Each answer
    is taken in the order the page used to ask for them, so an error surfaces
    as it did when they were read one after the other.
    """

    def __init__(self, client: SociostacksClient) -> None:
        self._client = client
        fresh = reads.fresh_directory(client)
        self._account = (
            _done(fresh["account"].value.id)
            if "account" in fresh
            else _in_background(lambda: _account_id(client))
        )
        self._contacts = (
            _done(fresh["contacts"])
            if "contacts" in fresh
            else _in_background(lambda: reads.contacts(client, set()))
        )
        self._devices = (
            _done(fresh["devices"])
            if "devices" in fresh
            else _in_background(lambda: reads.devices(client))
        )

    def account_id(self) -> int | None:
        return self._account.result()

    def contacts(self, needed: set[int]) -> Cached[dict[int, Contact]]:
        answer = self._contacts.result()
        if needed <= answer.value.keys():
            return answer
        return reads.contacts(self._client, needed)  # read again sooner when one is missing

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


def message_page(client: SociostacksClient, page: int, size: int) -> MessagePage:
    """A page of messages with names; on a cold cache its reads go out together."""
    read_ahead = DirectoryReads(client)
    try:
        answer = reads.messages(client, page, size)
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
    answer = reads.message(client, sms_id)
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
        answer = reads.messages(client, page_number, SCAN_PAGE_SIZE)
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

"""Every cached upstream read, in one place: the account, devices, contacts and message pages.

Each goes through ``budget.cached_read`` so one upstream answer serves every
viewer of the same key, and a 429 or an outage shows the last answer instead
of an error. The cache entry of each read has one name and one freshness
here, so two pages reading the same thing share it rather than making each
other's copy stale (the account, devices and contacts are not changed by our
sends and deletes: ``invalidated_by_writes=False``; message pages are).
"""

from typing import TYPE_CHECKING

from django.conf import settings

from . import budget
from .budget import Cached
from .types import Account, Contact, Device, Message, Page

if TYPE_CHECKING:  # the client imports this module for its own account read
    from .client import SociostacksClient

# The page sizes upstream serves, smallest first; any other value is silently
# ignored upstream and the account default applies.
PAGE_SIZES = (10, 25, 50, 100, 250, 500, 1000)
# Which account a key opens, its name and time zone change rarely.
ACCOUNT_FRESH_SECONDS = 60 * 60
# When a page shows a contact the directory does not know yet (a number we
# just sent to for the first time), the directory may be refreshed this soon.
CONTACTS_REFRESH_FOR_UNKNOWN = 15
# Pages up to this size also fill the cache for each of their messages, so
# opening one from the list costs no upstream call; bigger pages would cost
# more cache writes than the detail views they save.
PRIME_DETAILS_UP_TO = 250


def account(client: "SociostacksClient", *, reserve: int | None = None) -> Cached[Account]:
    """The key's account (``GET /user``). ``reserve=0`` is for a write that needs it."""
    return budget.cached_read(
        client.fingerprint,
        "account",
        client.get_account,
        fresh_for=ACCOUNT_FRESH_SECONDS,
        reserve=reserve,
        invalidated_by_writes=False,
    )


def devices(client: "SociostacksClient", *, refresh: bool = False) -> Cached[list[Device]]:
    """The account's phones; ``refresh`` reads them again now, if the budget allows."""
    return budget.cached_read(
        client.fingerprint,
        "devices",
        client.all_devices,
        fresh_for=0 if refresh else settings.SOCIOSTACKS_DIRECTORY_FRESH_SECONDS,
        invalidated_by_writes=False,
    )


def contacts(client: "SociostacksClient", needed: set[int]) -> Cached[dict[int, Contact]]:
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


def contacts_as_last_read(client: "SociostacksClient") -> dict[int, Contact] | None:
    """The contact directory as some page last read it, without a call; None if never."""
    answer: Cached[dict[int, Contact]] | None = budget.last_read(client.fingerprint, "contacts")
    return None if answer is None else answer.value


def _message_name(sms_id: int) -> str:
    return f"message:{sms_id}"


def messages(client: "SociostacksClient", page: int, size: int) -> Cached[Page[Message]]:
    """One page of the message list, newest first."""
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


def message(client: "SociostacksClient", sms_id: int) -> Cached[Message]:
    """One message (``GET /sms/{id}``), often already primed by a page that listed it."""
    return budget.cached_read(
        client.fingerprint,
        _message_name(sms_id),
        lambda: client.get_message(sms_id),
        fresh_for=settings.SOCIOSTACKS_LIST_FRESH_SECONDS,
    )

"""The conversation with one number: every message to and from it, oldest first.

Built from the mirror, plus the messages on upstream's newest page that the
mirror does not hold yet (that page is one cached read shared with the message
list, so a conversation costs at most the call the list would make anyway).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import phonenumbers

from smsadmin.mirror.models import LIVE, MirroredMessage
from smsadmin.sms.reading import MessageRow

# A conversation page shows the latest this many messages (oldest of them at the top).
THREAD_LENGTH = 200


def e164(text: str) -> str | None:
    """``text`` as an E.164 number, or None when it is not a possible number.

    Only full international numbers are accepted: a conversation's address must
    mean the same number for everyone, whatever region their preferences name.
    """
    try:
        number = phonenumbers.parse(text.strip(), None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class ThreadMessage:
    sms_id: int
    is_outgoing: bool
    status: str
    at: datetime | None
    device_id: int | None
    sim_id: int | None
    content: str
    contact_name: str = ""
    newer_than_mirror: bool = False

    @classmethod
    def of_mirror(cls, row: MirroredMessage) -> "ThreadMessage":
        return cls(
            row.sms_id,
            row.is_outgoing,
            row.status,
            row.scheduled_at if row.is_outgoing and row.scheduled_at else row.happened_at,
            row.device_id,
            row.sim_id,
            row.content,
            row.contact_name,
        )

    @classmethod
    def of_upstream(cls, row: MessageRow) -> "ThreadMessage":
        message = row.message
        return cls(
            message.sms_id,
            message.is_outgoing,
            message.status,
            message.scheduled_at or message.created_at,
            message.device_id,
            message.sim_subscription_id,
            message.content,
            row.contact.name if row.contact else "",
            newer_than_mirror=True,
        )


@dataclass(frozen=True)
class Thread:
    number: str
    messages: list[ThreadMessage]
    earlier: int  # older messages not shown
    contact_name: str

    @property
    def last_received(self) -> ThreadMessage | None:
        return next((m for m in reversed(self.messages) if not m.is_outgoing), None)


def _sort_key(message: ThreadMessage) -> tuple[float, int]:
    return (message.at.timestamp() if message.at else 0.0, message.sms_id)


def thread(account_id: int, number: str, recent: Iterable[MessageRow] = ()) -> Thread:
    """The thread from the mirror, with ``recent`` upstream rows for this number added."""
    rows = MirroredMessage.objects.filter(LIVE, account_id=account_id, phone_digits=number[1:])
    total = rows.count()
    mirrored = [
        ThreadMessage.of_mirror(row)
        for row in rows.order_by("-happened_at", "-sms_id")[:THREAD_LENGTH]
    ]
    known = {m.sms_id for m in mirrored}
    newer = [
        ThreadMessage.of_upstream(row)
        for row in recent
        # The number smsadmin sent to counts too: Sociostacks hides those contacts.
        if row.number == number and row.message.sms_id not in known
    ]
    messages = sorted(mirrored + newer, key=_sort_key)[-THREAD_LENGTH:]
    name = next((m.contact_name for m in reversed(messages) if m.contact_name), "")
    return Thread(
        number=number,
        messages=messages,
        earlier=max(0, total - len(mirrored)),
        contact_name=name,
    )

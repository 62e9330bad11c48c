"""The conversation with one number: every mirrored message to and from it, oldest first."""

from dataclasses import dataclass

import phonenumbers

from smsadmin.mirror.models import LIVE, MirroredMessage

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
class Thread:
    number: str
    messages: list[MirroredMessage]
    earlier: int  # older messages not shown
    contact_name: str

    @property
    def last_received(self) -> MirroredMessage | None:
        return next((m for m in reversed(self.messages) if not m.is_outgoing), None)


def thread(account_id: int, number: str) -> Thread:
    rows = MirroredMessage.objects.filter(LIVE, account_id=account_id, phone_digits=number[1:])
    total = rows.count()
    newest = list(rows.order_by("-happened_at", "-sms_id")[:THREAD_LENGTH])
    newest.reverse()
    name = next((m.contact_name for m in reversed(newest) if m.contact_name), "")
    return Thread(number=number, messages=newest, earlier=total - len(newest), contact_name=name)

"""Compose started from a message: a reply, a send-again of a failed one, or a
reschedule of a scheduled one.

Compose stays the one place that sends: these functions fill its form, and
once the new message has really been created, finish what it was for — mark
the answered message handled, link the new message to the failed one, or
delete the message a reschedule replaces. What the form was started from is
kept in the session under the send's one-time token, so it cannot be forged
from the submitted form, and a form confirmed twice finishes once.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.http import QueryDict

from smsadmin.accounts.models import User
from smsadmin.conversations import inbox, threads
from smsadmin.conversations.models import MessageLink, SavedText
from smsadmin.http import query_int
from smsadmin.mirror.models import MirroredMessage

_SESSION_KEY = "smsadmin_compose_origins"
REPLY, AGAIN, RESCHEDULE = "reply_to", "again", "reschedule"
ORIGINS = (REPLY, AGAIN, RESCHEDULE)


@dataclass(frozen=True)
class Original:
    """What compose needs of the message it starts from."""

    sms_id: int
    number: str
    content: str
    device_id: int | None
    sim_id: int | None
    scheduled_at: datetime | None


def _contact_name(account_id: int | None, number: str) -> str:
    if account_id is None:
        return ""
    row = (
        MirroredMessage.objects.filter(account_id=account_id, phone_digits=number[1:])
        .exclude(contact_name="")
        .order_by("-happened_at")
        .first()
    )
    return row.contact_name if row else ""


def mirrored_original(account_id: int | None, sms_id: int) -> Original | None:
    if account_id is None:  # no account known: the mirror has nothing of it
        return None
    row = MirroredMessage.objects.filter(account_id=account_id, sms_id=sms_id).first()
    if row is None or not row.phone:
        return None
    return Original(sms_id, row.phone, row.content, row.device_id, row.sim_id, row.scheduled_at)


def origin_of(query: QueryDict) -> tuple[str, int] | None:
    """Which message compose was opened from, and why: ``?again=12`` → ("again", 12)."""
    for kind in ORIGINS:
        sms_id = query_int(query.get(kind))
        if sms_id is not None:
            return kind, sms_id
    return None


def compose_prefill(
    query: QueryDict,
    account_id: int | None,
    find_original: Callable[[int], Original | None],
) -> dict[str, Any]:
    """Initial compose values from ``?to=``, ``?saved_text=``, ``?again=``, ``?reschedule=``.

    ``find_original`` looks a message up (the mirror first, then upstream's
    cached read); a message that can't be found fills nothing.
    """
    initial: dict[str, Any] = {}
    number = threads.e164(query.get("to", "")) if query.get("to") else None
    origin = origin_of(query)
    if origin is not None and origin[0] in (AGAIN, RESCHEDULE):
        original = find_original(origin[1])
        if original is not None:
            number = original.number
            initial["content"] = original.content
            if original.device_id and original.sim_id:
                initial["device"] = original.device_id
                initial["sim"] = f"{original.device_id}:{original.sim_id}"
    if number:
        initial["recipients"] = number
    saved_id = query_int(query.get("saved_text"))
    text = SavedText.objects.filter(pk=saved_id).first() if saved_id is not None else None
    if text is not None:
        name = _contact_name(account_id, number) if number else ""
        initial["content"] = text.filled(name, text.name_fallback)
    return initial


def remember_origin(session: SessionBase, token: str, query: QueryDict) -> None:
    origin = origin_of(query)
    if origin is not None:
        origins = session.get(_SESSION_KEY, {})
        origins[token] = list(origin)
        # A person rarely has more than a few such forms open; keep the session small.
        session[_SESSION_KEY] = dict(list(origins.items())[-20:])


def pending_origin(session: SessionBase, token: str) -> tuple[str, int] | None:
    found = session.get(_SESSION_KEY, {}).get(token)
    return (found[0], int(found[1])) if found else None


def forget_origin(session: SessionBase, token: str) -> None:
    origins = session.get(_SESSION_KEY, {})
    if origins.pop(token, None) is not None:
        session[_SESSION_KEY] = origins


def mark_answered(account_id: int | None, sms_id: int, user: User, operator: str) -> list[int]:
    if account_id is None:
        return []
    return inbox.mark_handled(account_id, [sms_id], user, operator, how="reply")


def link(old_sms_id: int, new_sms_ids: list[int], kind: str) -> None:
    MessageLink.objects.bulk_create(
        [MessageLink(old_sms_id=old_sms_id, new_sms_id=new, kind=kind) for new in new_sms_ids],
        ignore_conflicts=True,
    )

"""Compose started from a conversation, the inbox or a saved text.

Compose stays the one place that sends: these functions only fill its form,
and, once a reply has really gone out, mark the message it answered handled.
The link between the two lives in the session under the send's one-time token,
so nothing about it can be forged from the form.
"""

from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.http import QueryDict

from smsadmin.accounts.models import User
from smsadmin.conversations import inbox, threads
from smsadmin.conversations.models import SavedText
from smsadmin.mirror.models import MirroredMessage

_SESSION_KEY = "smsadmin_replies"


def _id(value: str | None) -> int | None:
    if value and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


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


def compose_prefill(query: QueryDict, account_id: int | None) -> dict[str, Any]:
    """Initial compose values from ``?to=``, ``?saved_text=`` and ``?reply_to=``."""
    initial: dict[str, Any] = {}
    number = threads.e164(query.get("to", "")) if query.get("to") else None
    if number:
        initial["recipients"] = number
    text = SavedText.objects.filter(pk=_id(query.get("saved_text"))).first()
    if text is not None:
        name = _contact_name(account_id, number) if number else ""
        initial["content"] = text.filled(name, text.name_fallback)
    return initial


def remember_reply(session: SessionBase, token: str, query: QueryDict) -> None:
    """Note which received message the compose form under ``token`` answers."""
    sms_id = _id(query.get("reply_to"))
    if sms_id is not None:
        replies = session.get(_SESSION_KEY, {})
        replies[token] = sms_id
        # A person rarely has more than a few replies open; keep the session small.
        session[_SESSION_KEY] = dict(list(replies.items())[-20:])


def answered_by(session: SessionBase, token: str) -> int | None:
    return session.get(_SESSION_KEY, {}).get(token)


def settle_reply(
    session: SessionBase, token: str, account_id: int | None, user: User, operator_name: str
) -> list[int]:
    """After a reply went out: mark what it answered handled, once. The ids marked."""
    sms_id = answered_by(session, token)
    if sms_id is None or account_id is None:
        return []
    replies = session.get(_SESSION_KEY, {})
    replies.pop(token, None)
    session[_SESSION_KEY] = replies
    return inbox.mark_handled(account_id, [sms_id], user, operator_name, how="reply")

"""The one way to write the audit log: ``record`` and the ``audited`` pair.

Nothing else creates AuditEvent rows. A raw API key must never be passed in
``details``; callers pass ids, hints and labels only.

Targets name what an action was about, as ``kind:id``:

- ``sms:123`` for one message, ``sms:1,2,3`` for several (``message_target``);
  a send's outcome also lists its new ids in ``details["created_ids"]``;
- ``key:7`` for an API key, ``user:alice`` for a person, ``audit:42`` for an
  audit event (by seq); a refused page is named by its path.

Both places feed ``AuditEvent.message_ids`` and the ``AuditMessageRef`` index
the review page searches, so a message id finds every event about that
message, even in a send to more recipients than the 255-character target lists.
"""

import hashlib
import ipaddress
import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from smsadmin.accounts.models import User
from smsadmin.accounts.operators import OPERATOR_SESSION_KEY
from smsadmin.audit.actions import Action, known_action
from smsadmin.audit.chain import GENESIS_HASH, event_digest
from smsadmin.audit.models import AuditChainHead, AuditEvent, AuditMessageRef, Outcome
from smsadmin.http import is_storable_id, query_int
from smsadmin.observability import client_ip, current_request_id
from smsadmin.sociostacks.errors import (
    InvalidRequest,
    PartialSendError,
    SociostacksError,
    UpstreamUnavailable,
)


@dataclass(frozen=True)
class Who:
    """Who acted, and from where, as far as the request tells."""

    actor: User | None = None
    actor_username: str = ""
    operator_name: str = ""
    ip_address: str | None = None
    user_agent: str = ""
    session_hash: str = ""
    request_id: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest | None, actor: User | None = None) -> "Who":
        if request is None:
            return cls(actor=actor, actor_username=actor.get_username() if actor else "")
        user = actor or getattr(request, "user", None)
        if isinstance(user, AnonymousUser) or user is None or not user.is_authenticated:
            user = None
        session = getattr(request, "session", None)
        session_key = session.session_key if session is not None else None
        return cls(
            actor=user,
            actor_username=user.get_username() if user else "",
            operator_name=(session.get(OPERATOR_SESSION_KEY, "") if session is not None else ""),
            ip_address=_normalised_ip(client_ip(request)),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:512],
            # A hash, so the audit log cannot be used to hijack a live session.
            session_hash=hashlib.sha256(session_key.encode()).hexdigest() if session_key else "",
            request_id=getattr(request, "request_id", "") or current_request_id().strip("-"),
        )


def _normalised_ip(value: str) -> str | None:
    """The address spelled as the database will give it back, so that it hashes the same."""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    # Django writes IPv6 its own way (IPv4-mapped ones as ::ffff:192.0.2.1).
    return clean_ipv6_address(str(address)) if address.version == 6 else str(address)


MESSAGE_PREFIX = "sms:"
_TARGET_LENGTH = 255


def message_target(sms_ids: Iterable[int]) -> str:
    """The target for an action on these messages: ``sms:1,2,3``."""
    return MESSAGE_PREFIX + ",".join(str(int(sms_id)) for sms_id in sms_ids)


def message_ids_of(target: str, details: dict[str, Any]) -> list[int]:
    """Every message id an event is about: from its target and its created ids."""
    ids: set[int] = set()
    if target.startswith(MESSAGE_PREFIX):
        parts = target[len(MESSAGE_PREFIX) :].split(",")
        # A made-up id (0, ², beyond what a column stores) names no message to index.
        ids.update(n for part in parts if (n := query_int(part)) is not None)
    created = details.get("created_ids")
    if isinstance(created, list):
        ids.update(
            value
            for value in created
            if isinstance(value, int) and not isinstance(value, bool) and is_storable_id(value)
        )
    return sorted(ids)


def message_index(sms_ids: list[int]) -> str:
    """The ``message_ids`` column: ",12,345," (so that ",12," cannot match 123 or 512)."""
    return f",{','.join(map(str, sms_ids))}," if sms_ids else ""


def _text(value: str, limit: int) -> str:
    """Text as both databases store it; a cut is marked so nobody mistakes it for the whole."""
    value = _clean(value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


# PostgreSQL refuses NUL characters in text and lone surrogates in JSON; both
# can arrive in attacker-controlled input, and an event must never be lost to them.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _clean(value: str) -> str:
    return _UNSTORABLE.sub("\ufffd", value)


def _storable(details: dict[str, Any]) -> dict[str, Any]:
    """``details`` exactly as the JSON column will give it back, so it hashes the same."""

    def clean_strings(value: Any) -> Any:
        if isinstance(value, str):
            return _clean(value)
        if isinstance(value, dict):
            return {_clean(key): clean_strings(item) for key, item in value.items()}
        if isinstance(value, list):
            return [clean_strings(item) for item in value]
        return value

    return clean_strings(json.loads(json.dumps(details, cls=DjangoJSONEncoder)))


def record(
    action: Action,
    *,
    request: HttpRequest | None = None,
    actor: User | None = None,
    outcome: Outcome | str = Outcome.OK,
    target: str = "",
    details: dict[str, Any] | None = None,
    upstream_status: int | None = None,
    error_class: str = "",
    parent: AuditEvent | None = None,
    username: str = "",
    who: Who | None = None,
) -> AuditEvent:
    """Append one event to the chain and return it.

    ``who`` is built by the view, so domain code records without a request;
    else it comes from ``request`` and ``actor``. ``username`` names the actor
    when there is no user object (a failed login).
    """
    action = known_action(action)
    if who is None:
        who = Who.from_request(request, actor)
    details = _storable(details or {})
    target = _clean(target)
    sms_ids = message_ids_of(target, details)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_hash": GENESIS_HASH, "anchor_hash": GENESIS_HASH}
        )
        event = AuditEvent(
            seq=head.last_seq + 1,
            created_at=timezone.now(),
            actor=who.actor,
            actor_username=_text(who.actor_username or username, 150),
            operator_name=_text(who.operator_name, 64),
            ip_address=who.ip_address,
            user_agent=_text(who.user_agent, 512),
            session_hash=who.session_hash,
            request_id=who.request_id,
            action=action.value,
            target=_text(target, _TARGET_LENGTH),
            message_ids=message_index(sms_ids),
            outcome=str(outcome),
            error_class=error_class[:64],
            upstream_status=upstream_status,
            details=details,
            parent=parent,
            prev_hash=head.last_hash,
        )
        event.hash = event_digest(event, head.last_hash)
        event.save()
        AuditMessageRef.objects.bulk_create(
            AuditMessageRef(sms_id=sms_id, event_seq=event.seq) for sms_id in sms_ids
        )
        AuditChainHead.objects.filter(pk=1).update(last_seq=event.seq, last_hash=event.hash)
    return event


@dataclass
class Attempt:
    """The open half of an attempt/outcome pair; the body of ``audited`` fills it in."""

    event: AuditEvent
    outcome: Outcome = Outcome.OK
    details: dict[str, Any] = field(default_factory=dict)
    target: str | None = None

    def add(self, **details: Any) -> None:
        self.details.update(details)


@contextmanager
def audited(
    action: Action,
    *,
    request: HttpRequest | None = None,
    actor: User | None = None,
    target: str = "",
    details: dict[str, Any] | None = None,
    who: Who | None = None,
) -> Iterator[Attempt]:
    """Record the attempt before the body runs and its outcome after, linked.

    ``who`` (built by the view) or else ``request`` and ``actor`` say who acted.

    The attempt is committed first, so a crash or a hung upstream call in
    between still leaves a trace; that holds only outside the caller's own
    ``transaction.atomic`` block, whose rollback would take the attempt along.
    Upstream errors are recorded with their class and HTTP status and then
    re-raised for the view to explain.
    """
    if who is None:
        who = Who.from_request(request, actor)
    started = record(
        action,
        who=who,
        outcome=Outcome.STARTED,
        target=target,
        details=details,
    )
    attempt = Attempt(event=started)
    try:
        yield attempt
    except Exception as error:
        record_failure(
            action,
            error,
            who=who,
            target=attempt.target if attempt.target is not None else target,
            details=attempt.details,
            parent=started,
        )
        raise
    record(
        action,
        who=who,
        outcome=attempt.outcome,
        target=attempt.target if attempt.target is not None else target,
        details=attempt.details,
        parent=started,
    )


def record_failure(
    action: Action,
    error: Exception,
    *,
    request: HttpRequest | None = None,
    actor: User | None = None,
    target: str = "",
    details: dict[str, Any] | None = None,
    parent: AuditEvent | None = None,
    who: Who | None = None,
) -> AuditEvent:
    """One event for an action that failed: its outcome, error class and upstream status."""
    status = getattr(error, "status", None)
    return record(
        action,
        request=request,
        actor=actor,
        who=who,
        outcome=_outcome_of(error),
        target=target,
        details={**(details or {}), **_error_details(error)},
        upstream_status=status if isinstance(status, int) else None,
        error_class=type(error).__name__,
        parent=parent,
    )


def _outcome_of(error: Exception) -> Outcome:
    if isinstance(error, InvalidRequest):
        return Outcome.INVALID
    if isinstance(error, SociostacksError):
        return Outcome.UPSTREAM_ERROR
    return Outcome.FAILED


def _error_details(error: Exception) -> dict[str, Any]:
    """What went wrong, in words smsadmin wrote itself.

    Any other exception's text is left out: it may quote anything it was
    given, a key or a header included, and its class name says enough.
    """
    if isinstance(error, SociostacksError):
        found: dict[str, Any] = {"error": error.user_message[:500]}
        if isinstance(error, UpstreamUnavailable) and error.timed_out:
            found["timed_out"] = True
        if isinstance(error, PartialSendError):
            # What did go out is part of the send's outcome.
            found["created_ids"] = error.sent_ids
            found["unsent_count"] = len(error.unsent_numbers)
        return found
    if isinstance(error, InvalidRequest):
        return {"error": str(error)[:500]}
    return {"error": f"unexpected {type(error).__name__}"}

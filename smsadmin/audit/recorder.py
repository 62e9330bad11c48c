"""The one way to write the audit log: ``record`` and the ``audited`` pair.

Nothing else creates AuditEvent rows. A raw API key must never be passed in
``details``; callers pass ids, hints and labels only.
"""

import hashlib
import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from smsadmin.accounts.models import User
from smsadmin.audit.chain import GENESIS_HASH, event_digest
from smsadmin.audit.models import AuditChainHead, AuditEvent, Outcome
from smsadmin.observability import client_ip, current_request_id

OPERATOR_SESSION_KEY = "smsadmin_operator_name"


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
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def record(
    action: str,
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
) -> AuditEvent:
    """Append one event to the chain and return it.

    ``username`` names the actor when there is no user object (a failed login).
    """
    who = Who.from_request(request, actor)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_hash": GENESIS_HASH, "anchor_hash": GENESIS_HASH}
        )
        event = AuditEvent(
            seq=head.last_seq + 1,
            created_at=timezone.now(),
            actor=who.actor,
            actor_username=(who.actor_username or username)[:150],
            operator_name=who.operator_name,
            ip_address=who.ip_address,
            user_agent=who.user_agent,
            session_hash=who.session_hash,
            request_id=who.request_id,
            action=action,
            target=target[:255],
            outcome=str(outcome),
            error_class=error_class,
            upstream_status=upstream_status,
            details=details or {},
            parent=parent,
            prev_hash=head.last_hash,
        )
        event.hash = event_digest(event, head.last_hash)
        event.save()
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
    action: str,
    *,
    request: HttpRequest | None = None,
    actor: User | None = None,
    target: str = "",
    details: dict[str, Any] | None = None,
) -> Iterator[Attempt]:
    """Record the attempt before the body runs and its outcome after, linked.

    The attempt is committed first, so a crash or a hung upstream call in
    between still leaves a trace. Upstream errors are recorded with their class
    and HTTP status and then re-raised for the view to explain.
    """
    started = record(
        action,
        request=request,
        actor=actor,
        outcome=Outcome.STARTED,
        target=target,
        details=details,
    )
    attempt = Attempt(event=started)
    try:
        yield attempt
    except Exception as error:
        record(
            action,
            request=request,
            actor=actor,
            outcome=_outcome_of(error),
            target=attempt.target if attempt.target is not None else target,
            details={**attempt.details, "error": _error_text(error)},
            upstream_status=getattr(error, "status", None)
            if isinstance(getattr(error, "status", None), int)
            else None,
            error_class=type(error).__name__,
            parent=started,
        )
        raise
    record(
        action,
        request=request,
        actor=actor,
        outcome=attempt.outcome,
        target=attempt.target if attempt.target is not None else target,
        details=attempt.details,
        parent=started,
    )


def _outcome_of(error: Exception) -> Outcome:
    from smsadmin.sociostacks.errors import InvalidRequest, SociostacksError

    if isinstance(error, InvalidRequest):
        return Outcome.INVALID
    if isinstance(error, SociostacksError):
        return Outcome.UPSTREAM_ERROR
    return Outcome.FAILED


def _error_text(error: Exception) -> str:
    return str(getattr(error, "user_message", "") or error)[:500]

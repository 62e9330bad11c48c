"""Audit events as the sentences a reviewer reads: who did what, to whom, from which phone.

The details JSON stays the record (it is what the chain hashes); a sentence
is only a reading of it. An outcome event carries little of its own (the
attempt before it holds what was asked), so both are read together.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from smsadmin.audit.actions import Action
from smsadmin.audit.models import AuditEvent, Outcome

# Reads of a page: most of the log, and rarely what a review is after.
PAGE_VIEWS = frozenset(
    {
        Action.HOME,
        Action.LIST,
        Action.LIST_SCHEDULED,
        Action.VIEW,
        Action.INBOX_VIEWED,
        Action.CONVERSATION_VIEWED,
        Action.SEARCH,
        Action.DASHBOARD,
        Action.KEYS_VIEWED,
        Action.PEOPLE_VIEWED,
        Action.AUDIT_VIEWED,
    }
)

_QUOTE_CHARS = 40
_SHOWN_NUMBERS = 3


@dataclass(frozen=True)
class Reading:
    sentence: str
    recipients: str = ""


def who(event: AuditEvent) -> str:
    """ "Maria K. (frontdesk)" for an operator of a shared login, else the username."""
    if event.operator_name:
        return f"{event.operator_name} ({event.actor_username or 'shared login'})"
    return event.actor_username or "Someone not signed in"


def _quoted(text: object) -> str:
    text = " ".join(str(text or "").split())
    if len(text) > _QUOTE_CHARS:
        cut = text[: _QUOTE_CHARS - 1]
        text = (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip() + "…"
    return f"“{text}”"


def _numbers(count: int) -> str:
    return f"{count:,} number{'s' if count != 1 else ''}"


def recipients_of(details: Mapping[str, Any]) -> str:
    """The numbers a send went to, the first few and how many more."""
    numbers = details.get("recipients")
    if not isinstance(numbers, Sequence) or isinstance(numbers, str) or not numbers:
        return ""
    count = details.get("recipient_count")
    total = count if isinstance(count, int) and count >= len(numbers) else len(numbers)
    shown = ", ".join(str(number) for number in numbers[:_SHOWN_NUMBERS])
    rest = total - min(len(numbers), _SHOWN_NUMBERS)
    return shown + (f" and {rest:,} more" if rest > 0 else "")


def _sender(details: Mapping[str, Any]) -> str:
    device, sim = details.get("device"), details.get("sim")
    if device and sim:
        return f" from {device} · {sim}"
    return f" from {device}" if device else ""


def _target_id(event: AuditEvent) -> str:
    return event.target.split(":", 1)[1] if ":" in event.target else event.target


def _send(event: AuditEvent, details: Mapping[str, Any]) -> str:
    count = details.get("recipient_count")
    if not isinstance(count, int):
        recipients = details.get("recipients")
        count = len(recipients) if isinstance(recipients, list) else 0
    scheduled = event.action == Action.SCHEDULE
    what = f"{_quoted(details.get('content'))} to {_numbers(count)}{_sender(details)}"
    when = f" for {details['scheduled_at']}" if scheduled and details.get("scheduled_at") else ""
    verb = "scheduled" if scheduled else "sent"
    person = who(event)
    if event.outcome == Outcome.STARTED:
        return f"{person} started {'scheduling' if scheduled else 'sending'} {what}{when}"
    if event.outcome == Outcome.OK:
        return f"{person} {verb} {what}{when}"
    reason = details.get("reason") or details.get("error")
    because = f": {reason}" if reason else ""
    tried = "schedule" if scheduled else "send"
    return f"{person} tried to {tried} {what}{when}, but it was not done{because}"


_SIMPLE: dict[str, str] = {
    Action.LOGIN: "{who} signed in",
    Action.LOGOUT: "{who} signed out",
    Action.FAILED_LOGIN: "A sign-in as {who} failed",
    Action.LOCKOUT: "Signing in as {who} was locked",
    Action.HOME: "{who} opened the dashboard",
    Action.DASHBOARD: "{who} opened the dashboard",
    Action.LIST: "{who} looked at the message list",
    Action.LIST_SCHEDULED: "{who} looked at the scheduled messages",
    Action.VIEW: "{who} opened message {id}",
    Action.DELETE: "{who} deleted message {id}",
    Action.CANCEL: "{who} cancelled scheduled message {id}",
    Action.INBOX_VIEWED: "{who} looked at the inbox",
    Action.CONVERSATION_VIEWED: "{who} opened the conversation with {id}",
    Action.SEARCH: "{who} searched the messages",
    Action.KEYS_VIEWED: "{who} looked at the API keys",
    Action.KEY_ADDED: "{who} added the key {label}",
    Action.KEY_REPLACED: "{who} replaced the secret of the key {label}",
    Action.KEY_RENAMED: "{who} renamed a key to {label}",
    Action.KEY_DELETED: "{who} deleted the key {label}",
    Action.KEY_VERIFIED: "{who} checked the key {label} with Sociostacks",
    Action.KEY_ACTIVATED: "{who} chose to work with the key {label}",
    Action.PEOPLE_VIEWED: "{who} looked at the people",
    Action.AUDIT_VIEWED: "{who} looked at the audit log",
    Action.AUDIT_EXPORTED: "{who} exported the audit log",
    Action.TWO_FACTOR_ENROLLED: "{who} turned on two-factor sign-in",
    Action.TWO_FACTOR_FAILED: "{who} gave a wrong two-factor code",
    Action.TWO_FACTOR_DISABLED: "{who} turned off two-factor sign-in",
}

_OUTCOME_WORDS = {
    Outcome.STARTED: "started",
    Outcome.DENIED: "refused",
    Outcome.INVALID: "refused as invalid",
    Outcome.UPSTREAM_ERROR: "failed at Sociostacks",
    Outcome.FAILED: "failed",
}


def read(event: AuditEvent, attempt: AuditEvent | None = None) -> Reading:
    """The event as a sentence; ``attempt`` is its parent, whose details it adds to."""
    details: dict[str, Any] = {}
    if attempt is not None and isinstance(attempt.details, dict):
        details |= attempt.details
    if isinstance(event.details, dict):
        details |= event.details
    if event.action in (Action.SEND, Action.SCHEDULE):
        return Reading(_send(event, details) + ".", recipients_of(details))
    simple = _SIMPLE.get(event.action)
    if simple is None:
        sentence = f"{who(event)}: {event.action}" + (f" ({event.target})" if event.target else "")
    else:
        label = details.get("label")
        sentence = simple.format(
            who=who(event),
            id=_target_id(event) or "?",
            label=f"“{label}”" if label else "",
        ).replace("  ", " ")
        sentence = sentence.rstrip()
    words = _OUTCOME_WORDS.get(Outcome(event.outcome))
    if words and event.action not in (Action.FAILED_LOGIN, Action.TWO_FACTOR_FAILED):
        sentence += f" — {words}"
    error = details.get("error")
    if event.outcome not in (Outcome.OK, Outcome.STARTED) and isinstance(error, str):
        sentence += f": {error}"
    return Reading(sentence + ".", recipients_of(details))

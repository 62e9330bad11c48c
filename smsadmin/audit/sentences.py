"""Audit events as the sentences a reviewer reads: who did what, to whom, from which phone.

The details JSON stays the record (it is what the chain hashes); a sentence
is only a reading of it. An outcome event carries little of its own (the
attempt before it holds what was asked), so both are read together.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext, pgettext_lazy

from smsadmin.audit.actions import Action, action_label
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
        return pgettext("audit: an operator and the shared login", "%(operator)s (%(login)s)") % {
            "operator": event.operator_name,
            "login": event.actor_username or gettext("shared login"),
        }
    return event.actor_username or gettext("Someone not signed in")


def _quoted(text: object) -> str:
    text = " ".join(str(text or "").split())
    if len(text) > _QUOTE_CHARS:
        cut = text[: _QUOTE_CHARS - 1]
        text = (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip() + "…"
    # Translators: quotation marks around an SMS text or a key's label.
    return pgettext("audit: quoted text", "“%(text)s”") % {"text": text}


def _count(count: int) -> str:
    return number_format(count, force_grouping=True)


def recipients_of(details: Mapping[str, Any]) -> str:
    """The numbers a send went to, the first few and how many more."""
    numbers = details.get("recipients")
    if not isinstance(numbers, Sequence) or isinstance(numbers, str) or not numbers:
        return ""
    count = details.get("recipient_count")
    total = count if isinstance(count, int) and count >= len(numbers) else len(numbers)
    shown = ", ".join(str(number) for number in numbers[:_SHOWN_NUMBERS])
    rest = total - min(len(numbers), _SHOWN_NUMBERS)
    if rest <= 0:
        return shown
    return ngettext("%(numbers)s and %(count)s more", "%(numbers)s and %(count)s more", rest) % {
        "numbers": shown,
        "count": _count(rest),
    }


def _scheduled_time(value: object, zone: tzinfo | None) -> str:
    """The recorded ISO moment in the page's zone and language; anything else as recorded."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if zone is not None and moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    return date_format(moment, "SHORT_DATETIME_FORMAT")


def _what(details: Mapping[str, Any], count: int, scheduled: bool, zone: tzinfo | None) -> str:
    """ "“Your parcel…” to 3 numbers from Ops Pixel 8 · SIM 1 for 2026-12-02 09:00"."""
    values = {"text": _quoted(details.get("content")), "count": _count(count)}
    what = ngettext("%(text)s to %(count)s number", "%(text)s to %(count)s numbers", count) % values
    device, sim = details.get("device"), details.get("sim")
    if device and sim:
        what = gettext("%(what)s from %(device)s · %(sim)s") % {
            "what": what,
            "device": device,
            "sim": sim,
        }
    elif device:
        what = gettext("%(what)s from %(device)s") % {"what": what, "device": device}
    if scheduled and details.get("scheduled_at"):
        what = pgettext("audit: a scheduled time", "%(what)s for %(when)s") % {
            "what": what,
            "when": _scheduled_time(details["scheduled_at"], zone),
        }
    return what


def _target_id(event: AuditEvent) -> str:
    return event.target.split(":", 1)[1] if ":" in event.target else event.target


def _send(event: AuditEvent, details: Mapping[str, Any], zone: tzinfo | None) -> str:
    count = details.get("recipient_count")
    if not isinstance(count, int):
        recipients = details.get("recipients")
        count = len(recipients) if isinstance(recipients, list) else 0
    scheduled = event.action == Action.SCHEDULE
    values = {"who": who(event), "what": _what(details, count, scheduled, zone)}
    reason = details.get("reason") or details.get("error")
    if event.outcome == Outcome.STARTED:
        sentence = (
            gettext("%(who)s started scheduling %(what)s.")
            if scheduled
            else gettext("%(who)s started sending %(what)s.")
        )
    elif event.outcome == Outcome.OK:
        sentence = (
            gettext("%(who)s scheduled %(what)s.")
            if scheduled
            else gettext("%(who)s sent %(what)s.")
        )
    elif reason:
        values["reason"] = str(reason)
        sentence = (
            gettext("%(who)s tried to schedule %(what)s, but it was not done: %(reason)s.")
            if scheduled
            else gettext("%(who)s tried to send %(what)s, but it was not done: %(reason)s.")
        )
    else:
        sentence = (
            gettext("%(who)s tried to schedule %(what)s, but it was not done.")
            if scheduled
            else gettext("%(who)s tried to send %(what)s, but it was not done.")
        )
    return sentence % values


# Sentences with a key's label have one without, for a key whose label was not recorded.
_SIMPLE: dict[str, StrPromise] = {
    Action.LOGIN: gettext_lazy("%(who)s signed in"),
    Action.LOGOUT: gettext_lazy("%(who)s signed out"),
    Action.FAILED_LOGIN: gettext_lazy("A sign-in as %(who)s failed"),
    Action.LOCKOUT: gettext_lazy("Signing in as %(who)s was locked"),
    Action.HOME: gettext_lazy("%(who)s opened the dashboard"),
    Action.DASHBOARD: gettext_lazy("%(who)s opened the dashboard"),
    Action.LIST: gettext_lazy("%(who)s looked at the message list"),
    Action.LIST_SCHEDULED: gettext_lazy("%(who)s looked at the scheduled messages"),
    Action.VIEW: gettext_lazy("%(who)s opened message %(id)s"),
    Action.DELETE: gettext_lazy("%(who)s deleted message %(id)s"),
    Action.CANCEL: gettext_lazy("%(who)s cancelled scheduled message %(id)s"),
    Action.INBOX_VIEWED: gettext_lazy("%(who)s looked at the inbox"),
    Action.CONVERSATION_VIEWED: gettext_lazy("%(who)s opened the conversation with %(id)s"),
    Action.SEARCH: gettext_lazy("%(who)s searched the messages"),
    Action.KEYS_VIEWED: gettext_lazy("%(who)s looked at the API keys"),
    Action.KEY_ADDED: gettext_lazy("%(who)s added the key %(label)s"),
    Action.KEY_REPLACED: gettext_lazy("%(who)s replaced the secret of the key %(label)s"),
    Action.KEY_RENAMED: gettext_lazy("%(who)s renamed a key to %(label)s"),
    Action.KEY_DELETED: gettext_lazy("%(who)s deleted the key %(label)s"),
    Action.KEY_VERIFIED: gettext_lazy("%(who)s checked the key %(label)s with Sociostacks"),
    Action.KEY_ACTIVATED: gettext_lazy("%(who)s chose to work with the key %(label)s"),
    Action.PEOPLE_VIEWED: gettext_lazy("%(who)s looked at the people"),
    Action.AUDIT_VIEWED: gettext_lazy("%(who)s looked at the audit log"),
    Action.AUDIT_EXPORTED: gettext_lazy("%(who)s exported the audit log"),
    Action.TWO_FACTOR_ENROLLED: gettext_lazy("%(who)s turned on two-factor sign-in"),
    Action.TWO_FACTOR_FAILED: gettext_lazy("%(who)s gave a wrong two-factor code"),
    Action.TWO_FACTOR_DISABLED: gettext_lazy("%(who)s turned off two-factor sign-in"),
}

_UNLABELLED: dict[str, StrPromise] = {
    Action.KEY_ADDED: gettext_lazy("%(who)s added a key"),
    Action.KEY_REPLACED: gettext_lazy("%(who)s replaced the secret of a key"),
    Action.KEY_RENAMED: gettext_lazy("%(who)s renamed a key"),
    Action.KEY_DELETED: gettext_lazy("%(who)s deleted a key"),
    Action.KEY_VERIFIED: gettext_lazy("%(who)s checked a key with Sociostacks"),
    Action.KEY_ACTIVATED: gettext_lazy("%(who)s chose to work with a key"),
}

_OUTCOME_WORDS: dict[str, StrPromise] = {
    Outcome.STARTED: pgettext_lazy("audit sentence", "started"),
    Outcome.DENIED: pgettext_lazy("audit sentence", "refused"),
    Outcome.INVALID: pgettext_lazy("audit sentence", "refused as invalid"),
    Outcome.UPSTREAM_ERROR: pgettext_lazy("audit sentence", "failed at Sociostacks"),
    Outcome.FAILED: pgettext_lazy("audit sentence", "failed"),
}


def read(
    event: AuditEvent, attempt: AuditEvent | None = None, zone: tzinfo | None = None
) -> Reading:
    """The event as a sentence; ``attempt`` is its parent, whose details it adds to.

    Words and dates follow the active language; a scheduled time is shown in ``zone``.
    """
    details: dict[str, Any] = {}
    if attempt is not None and isinstance(attempt.details, dict):
        details |= attempt.details
    if isinstance(event.details, dict):
        details |= event.details
    if event.action in (Action.SEND, Action.SCHEDULE):
        return Reading(_send(event, details, zone), recipients_of(details))
    label = details.get("label")
    simple = _SIMPLE.get(event.action)
    if simple is None:
        values = {"who": who(event), "action": action_label(event.action)}
        if event.target:
            values["target"] = event.target
            sentence = pgettext("audit sentence", "%(who)s: %(action)s (%(target)s)") % values
        else:
            sentence = pgettext("audit sentence", "%(who)s: %(action)s") % values
    else:
        if not label and event.action in _UNLABELLED:
            simple = _UNLABELLED[event.action]
        sentence = str(simple) % {
            "who": who(event),
            "id": _target_id(event) or "?",
            "label": _quoted(label) if label else "",
        }
    words = _OUTCOME_WORDS.get(event.outcome)
    if words and event.action not in (Action.FAILED_LOGIN, Action.TWO_FACTOR_FAILED):
        # Translators: a sentence and what became of it: "vera deleted message 5 — refused".
        sentence = pgettext("audit sentence", "%(sentence)s — %(outcome)s") % {
            "sentence": sentence,
            "outcome": words,
        }
    error = details.get("error")
    if event.outcome not in (Outcome.OK, Outcome.STARTED) and isinstance(error, str):
        sentence = pgettext("audit sentence", "%(sentence)s: %(error)s") % {
            "sentence": sentence,
            "error": error,
        }
    return Reading(
        pgettext("audit sentence", "%(sentence)s.") % {"sentence": sentence}, recipients_of(details)
    )

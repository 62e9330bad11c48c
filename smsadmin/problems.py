"""Upstream failures, and what upstream does to a send, as sentences for any page to show."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse

from smsadmin.keys.crypto import KeyDecryptionError
from smsadmin.observability import current_request_id
from smsadmin.sociostacks.content import LESS_THAN_STANDIN, Rewrite
from smsadmin.sociostacks.errors import (
    AuthenticationFailed,
    InvalidRequest,
    NotFound,
    PlanLimitReached,
    RateLimited,
    SenderUnavailable,
    SociostacksError,
    UnreadableResponse,
    UpstreamUnavailable,
    ValidationRefused,
)
from smsadmin.sociostacks.types import Device


def _this_request() -> str:
    # Outside a request (the sync command, a worker) there is no id: "-".
    return current_request_id().strip("-")


@dataclass(frozen=True)
class Problem:
    """A sentence for the page, a way on, and what support needs to find it in the logs.

    ``request_id`` is the id every log line of the request carries (and its
    X-Request-ID header); ``address`` is the upstream address that was tried,
    shown to admins only.
    """

    sentence: str
    fix_url: str = ""
    fix_label: str = ""
    can_retry: bool = False
    address: str = ""
    request_id: str = field(default_factory=_this_request)


def _seconds(value: float) -> str:
    return f"{value:g} second{'s' if value != 1 else ''}"


def unavailable(error: UpstreamUnavailable) -> str:
    """What happened, in the words a person can act on: an error answer is not "unreachable"."""
    if error.status is not None:
        return f"Sociostacks answered with an error (HTTP {error.status})"
    if error.timed_out:
        waited = f" within {_seconds(error.waited)}" if error.waited else " in time"
        return f"Sociostacks did not answer{waited}"
    return "Sociostacks could not be reached"


def problem_for(error: SociostacksError | InvalidRequest) -> Problem:
    if isinstance(error, InvalidRequest):
        return Problem(str(error))
    if isinstance(error, AuthenticationFailed):
        return Problem(
            "Sociostacks refused the API key in use: it may be wrong, disabled, or its plan "
            "has no API access.",
            fix_url=reverse("keys:list"),
            fix_label="Check your API keys",
        )
    if isinstance(error, RateLimited):
        return Problem(
            f"The team's Sociostacks budget of requests for this minute is spent. "
            f"Fresh data can be fetched again in {error.retry_after} seconds.",
            can_retry=True,
        )
    if isinstance(error, UpstreamUnavailable):
        return Problem(
            f"{unavailable(error)}. Nothing was changed. Try again in a moment.",
            can_retry=True,
            address=error.address,
        )
    if isinstance(error, UnreadableResponse):
        return Problem(
            "Sociostacks sent an answer we could not read (it may be having trouble). "
            "Try again in a moment.",
            can_retry=True,
        )
    if isinstance(error, SenderUnavailable):
        return Problem("Sociostacks says the phone or SIM chosen is no longer on the account.")
    if isinstance(error, PlanLimitReached):
        return Problem("Your Sociostacks plan's limits are reached. Upgrade the plan or wait.")
    if isinstance(error, ValidationRefused):
        return Problem(f"Sociostacks refused the request as incomplete: {error.title}")
    if isinstance(error, NotFound):
        return Problem("Sociostacks has no such item, or it belongs to another account.")
    return Problem(error.user_message)


def sender_gone(
    *,
    device_id: int,
    sim_id: int,
    device_label: str,
    sim_label: str,
    devices: Sequence[Device] | None,
    listed_now: bool,
) -> Problem:
    """A send refused for its phone or SIM, said with what the device list shows now.

    ``devices`` is the list read again after the refusal (None when it could
    not be read), ``listed_now`` whether that read reached Sociostacks.
    """
    device = next((d for d in devices or () if d.id == device_id), None)
    sim = device and next((s for s in device.sims if s.subscription_id == sim_id), None)
    if devices is not None and listed_now and device is None:
        others = ", ".join(f"“{d.name or f'Device #{d.id}'}”" for d in devices if d.sims)
        rest = f"Phones still on the account: {others}." if others else "No phone is left on it."
        return Problem(
            f"The phone “{device_label}” is no longer on the Sociostacks account. {rest}"
        )
    if device is not None and listed_now and sim is None:
        left = ", ".join(f"“{s.label}”" for s in device.sims)
        rest = f"It still has {left}." if left else "It has no SIM left; choose another phone."
        return Problem(f"The SIM “{sim_label}” is no longer in “{device_label}”. {rest}")
    return Problem(
        f"Sociostacks refused “{device_label} · {sim_label}” as no longer available: the phone "
        "or its SIM was just removed, or the list of phones is not up to date yet. "
        "Choose the phone and SIM again."
    )


def unconfirmed_send(*, accepted: int, confirmed: int, list_url: str) -> Problem:
    """A send Sociostacks accepted without listing every message it made: say only what is known."""
    unknown = accepted - confirmed
    return Problem(
        f"Sociostacks accepted all {accepted:,} numbers, but listed the messages of only "
        f"{confirmed:,}. For the other {unknown:,} it is not known how many messages were "
        "created; most likely all of them were. Check the message list before sending to "
        "these numbers again.",
        fix_url=list_url,
        fix_label="Open the message list",
    )


def stored_text_notes(rewrite: Rewrite) -> list[str]:
    """What Sociostacks will change in the typed text, one sentence per kind of change."""
    notes = []
    if rewrite.tags:
        tags = " ".join(rewrite.tags[:5]) + (" …" if len(rewrite.tags) > 5 else "")
        notes.append(f"Sociostacks removes what looks like HTML tags: {tags}")
    if rewrite.lone_angle:
        lost = (
            rewrite.lone_angle if len(rewrite.lone_angle) <= 60 else rewrite.lone_angle[:60] + "…"
        )
        notes.append(
            f"Sociostacks removes everything from a “<” that no “>” follows, so “{lost}” "
            f"would not be sent. Replacing “<” with “{LESS_THAN_STANDIN}” keeps it."
        )
    if rewrite.typography:
        changed = ", ".join(rewrite.typography)
        notes.append(f"Sociostacks turns {changed} into plain quotes, hyphens or dots.")
    if rewrite.zero_width:
        notes.append(
            f"Sociostacks drops {rewrite.zero_width} invisible zero-width "
            f"character{'s' if rewrite.zero_width != 1 else ''}."
        )
    if rewrite.spacing_changed:
        notes.append(
            "Sociostacks makes runs of spaces one space and removes spaces at the start, "
            "at the end and around line breaks."
        )
    return notes


# --- Input the site refuses before asking anyone ----------------------------


def day_out_of_range(first: date, last: date) -> str:
    return f"Pick a day between {first:%-d %b %Y} and {last:%-d %b %Y}."


def not_a_message_id(text: str) -> str:
    return f"“{text}” is not a message id: Sociostacks numbers its messages from 1 up."


# --- The team's budget, for actions on many messages -------------------------


def too_many_to_delete_now(asked: int, allowed: int) -> str:
    left = f"only {allowed}" if allowed else "none"
    return (
        f"Deleting {asked:,} messages takes {asked:,} Sociostacks calls, and the team's "
        f"budget has {left} left this minute, so they are deleted as a job, paced within "
        "the key's budget: you may leave the page, and cancel the job from the Jobs page."
    )


def budget_ran_out(retry_after: int) -> str:
    return (
        "the team's Sociostacks budget for this minute ran out before its turn, so it was "
        f"not tried. Select it again in {retry_after} seconds."
    )


def send_outcome_unknown(status: int | None) -> str:
    """After a send that may have been carried out: never "nothing was changed"."""
    if status is None or status == 504:
        answered = "Sociostacks did not answer in time"
    else:
        answered = f"Sociostacks (or a proxy in front of it) answered HTTP {status}"
    return (
        f"{answered}, so it is not known whether the messages were created: they may or "
        "may not have been. Check the message list before you send again."
    )


def send_failed(error: SociostacksError | InvalidRequest, *, outcome_unknown: bool) -> Problem:
    """A send that failed; honest about one that may have happened (``outcome_unknown``)."""
    if outcome_unknown:
        return Problem(
            send_outcome_unknown(getattr(error, "status", None)),
            fix_url=reverse("sms:list"),
            fix_label="Open the message list",
        )
    return problem_for(error)


# Failures that say nothing about a key itself: trying again later may work.
_KEY_UNREACHABLE = (UpstreamUnavailable, UnreadableResponse, RateLimited)


def key_refused(error: SociostacksError | KeyDecryptionError, consequence: str) -> str:
    """Why a key could not be checked or used, then ``consequence`` (what did not happen)."""
    if isinstance(error, KeyDecryptionError):
        return (
            "This key can no longer be decrypted with the site's encryption keys, so it "
            f"cannot be used. Replace it with the key from your Sociostacks account. {consequence}"
        )
    if isinstance(error, AuthenticationFailed):
        return (
            "Sociostacks refused this key: it is wrong, was revoked, or its plan has no API "
            f"access. {consequence}"
        )
    if isinstance(error, UpstreamUnavailable):
        return (
            f"{unavailable(error)}, so the key could not be checked. {consequence} "
            "Try again in a moment."
        )
    if isinstance(error, _KEY_UNREACHABLE):
        return (
            f"Sociostacks could not be reached to check the key. {consequence} {error.user_message}"
        )
    return f"Sociostacks did not confirm the key. {consequence} {error.user_message}"


NO_KEY_FOR_DEVICES = "Add an API key on the keys page to choose a default phone and SIM."
KEY_UNDECRYPTABLE_FOR_DEVICES = (
    "Your active API key can no longer be decrypted, so your phones cannot be listed. "
    "Replace the key on the keys page."
)


def devices_not_loaded(error: SociostacksError) -> str:
    return (
        "Your phones could not be loaded from Sociostacks, so the default phone and SIM "
        f"cannot be changed right now. {error.user_message}"
    )


def too_many_to_check_live(entries: int, file_name: str) -> str:
    what = f"{file_name} is too large" if file_name else f"{entries:,} entries are too many"
    return (
        f"{what} to check while you type. Every number is checked when you press Review, "
        "before anything is sent."
    )


SIGN_IN_THROTTLED = (
    "This account had too many wrong passwords in the last hour from browsers it was never "
    "used on, so signing in from this browser is paused and the password was not checked. "
    "Browsers that signed in to it before still work. Try again within the hour, or ask "
    "an admin."
)


# The worker sending this was stopped mid-call (a crash, a restart): upstream
# may have created the messages or not, and cannot be asked.
WORKER_DIED_MID_SEND = (
    "The worker sending this stopped before Sociostacks answered, so it is not known "
    "whether these messages were created: they may or may not have been. Check the "
    "message list before you send them again; smsadmin will not resend them on its own."
)

JOB_KEY_GONE = "The API key this job spends was deleted, so the job stopped."

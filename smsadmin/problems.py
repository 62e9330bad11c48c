"""Upstream failures, and what upstream does to a send, as sentences for any page to show."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext, gettext_lazy, gettext_noop, ngettext

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


def _number(value: int) -> str:
    """A count as the language writes it: 1,234 in English, 1.234 in German."""
    return number_format(value, force_grouping=True)


def _quoted(text: str) -> str:
    """Upstream's own words (an error title), quoted as they came: never translated."""
    return f"“{text}”"


def unavailable(error: UpstreamUnavailable) -> str:
    """What happened, in the words a person can act on: an error answer is not "unreachable"."""
    if error.status is not None:
        return gettext("Sociostacks answered with an error (HTTP %(status)s)") % {
            "status": error.status
        }
    if error.timed_out:
        if error.waited:
            return ngettext(
                "Sociostacks did not answer within %(seconds)s second",
                "Sociostacks did not answer within %(seconds)s seconds",
                # A whole number picks the plural form; 2.5 is "seconds" in every language here.
                1 if error.waited == 1 else 2,
            ) % {"seconds": f"{error.waited:g}"}
        return gettext("Sociostacks did not answer in time")
    return gettext("Sociostacks could not be reached")


def problem_for(error: SociostacksError | InvalidRequest) -> Problem:
    if isinstance(error, InvalidRequest):
        return Problem(str(error))
    if isinstance(error, AuthenticationFailed):
        return Problem(
            gettext(
                "Sociostacks refused the API key in use: it may be wrong, disabled, or its plan "
                "has no API access."
            ),
            fix_url=reverse("keys:list"),
            fix_label=gettext("Check your API keys"),
        )
    if isinstance(error, RateLimited):
        return Problem(
            ngettext(
                "The team's Sociostacks budget of requests for this minute is spent. "
                "Fresh data can be fetched again in %(seconds)s second.",
                "The team's Sociostacks budget of requests for this minute is spent. "
                "Fresh data can be fetched again in %(seconds)s seconds.",
                error.retry_after,
            )
            % {"seconds": error.retry_after},
            can_retry=True,
        )
    if isinstance(error, UpstreamUnavailable):
        return Problem(
            gettext("%(what_happened)s. Nothing was changed. Try again in a moment.")
            % {"what_happened": unavailable(error)},
            can_retry=True,
            address=error.address,
        )
    if isinstance(error, UnreadableResponse):
        return Problem(
            gettext(
                "Sociostacks sent an answer we could not read (it may be having trouble). "
                "Try again in a moment."
            ),
            can_retry=True,
        )
    if isinstance(error, SenderUnavailable):
        return Problem(
            gettext("Sociostacks says the phone or SIM chosen is no longer on the account.")
        )
    if isinstance(error, PlanLimitReached):
        return Problem(
            gettext("Your Sociostacks plan's limits are reached. Upgrade the plan or wait.")
        )
    if isinstance(error, ValidationRefused):
        # Upstream's title is data: shown as it came, in its own language.
        return Problem(
            gettext("Sociostacks refused the request as incomplete: %(upstream_title)s")
            % {"upstream_title": _quoted(error.title) if error.title else ""}
        )
    if isinstance(error, NotFound):
        return Problem(gettext("Sociostacks has no such item, or it belongs to another account."))
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
        others = ", ".join(
            f"“{d.name or gettext('Device #%(id)s') % {'id': d.id}}”" for d in devices if d.sims
        )
        if others:
            return Problem(
                gettext(
                    "The phone “%(phone)s” is no longer on the Sociostacks account. "
                    "Phones still on the account: %(others)s."
                )
                % {"phone": device_label, "others": others}
            )
        return Problem(
            gettext(
                "The phone “%(phone)s” is no longer on the Sociostacks account. "
                "No phone is left on it."
            )
            % {"phone": device_label}
        )
    if device is not None and listed_now and sim is None:
        left = ", ".join(f"“{s.label}”" for s in device.sims)
        if left:
            return Problem(
                gettext("The SIM “%(sim)s” is no longer in “%(phone)s”. It still has %(left)s.")
                % {"sim": sim_label, "phone": device_label, "left": left}
            )
        return Problem(
            gettext(
                "The SIM “%(sim)s” is no longer in “%(phone)s”. "
                "It has no SIM left; choose another phone."
            )
            % {"sim": sim_label, "phone": device_label}
        )
    return Problem(
        gettext(
            "Sociostacks refused “%(phone)s · %(sim)s” as no longer available: the phone "
            "or its SIM was just removed, or the list of phones is not up to date yet. "
            "Choose the phone and SIM again."
        )
        % {"phone": device_label, "sim": sim_label}
    )


def unconfirmed_send(*, accepted: int, confirmed: int, list_url: str) -> Problem:
    """A send Sociostacks accepted without listing every message it made: say only what is known."""
    unknown = accepted - confirmed
    return Problem(
        ngettext(
            "Sociostacks accepted all %(accepted)s numbers, but listed the messages of only "
            "%(confirmed)s. For the other %(unknown)s it is not known how many messages were "
            "created; most likely all of them were. Check the message list before sending to "
            "this number again.",
            "Sociostacks accepted all %(accepted)s numbers, but listed the messages of only "
            "%(confirmed)s. For the other %(unknown)s it is not known how many messages were "
            "created; most likely all of them were. Check the message list before sending to "
            "these numbers again.",
            unknown,
        )
        % {
            "accepted": _number(accepted),
            "confirmed": _number(confirmed),
            "unknown": _number(unknown),
        },
        fix_url=list_url,
        fix_label=gettext("Open the message list"),
    )


def stored_text_notes(rewrite: Rewrite) -> list[str]:
    """What Sociostacks will change in the typed text, one sentence per kind of change."""
    notes = []
    if rewrite.tags:
        tags = " ".join(rewrite.tags[:5]) + (" …" if len(rewrite.tags) > 5 else "")
        notes.append(
            gettext("Sociostacks removes what looks like HTML tags: %(tags)s") % {"tags": tags}
        )
    if rewrite.lone_angle:
        lost = (
            rewrite.lone_angle if len(rewrite.lone_angle) <= 60 else rewrite.lone_angle[:60] + "…"
        )
        notes.append(
            gettext(
                "Sociostacks removes everything from a “<” that no “>” follows, so “%(lost)s” "
                "would not be sent. Replacing “<” with “%(standin)s” keeps it."
            )
            % {"lost": lost, "standin": LESS_THAN_STANDIN}
        )
    if rewrite.typography:
        changed = ", ".join(rewrite.typography)
        notes.append(
            gettext("Sociostacks turns %(changed)s into plain quotes, hyphens or dots.")
            % {"changed": changed}
        )
    if rewrite.zero_width:
        notes.append(
            ngettext(
                "Sociostacks drops %(count)s invisible zero-width character.",
                "Sociostacks drops %(count)s invisible zero-width characters.",
                rewrite.zero_width,
            )
            % {"count": rewrite.zero_width}
        )
    if rewrite.spacing_changed:
        notes.append(
            gettext(
                "Sociostacks makes runs of spaces one space and removes spaces at the start, "
                "at the end and around line breaks."
            )
        )
    return notes


# --- Input the site refuses before asking anyone ----------------------------


def _day(day: date) -> str:
    # The short "1 Jan 1970" of a hint, with the month in the reader's language.
    return date_format(day, gettext("j M Y"))


def day_out_of_range(first: date, last: date) -> str:
    return gettext("Pick a day between %(first)s and %(last)s.") % {
        "first": _day(first),
        "last": _day(last),
    }


def not_a_message_id(text: str) -> str:
    return gettext(
        "“%(text)s” is not a message id: Sociostacks numbers its messages from 1 up."
    ) % {"text": text}


# --- The team's budget, for actions on many messages -------------------------


def too_many_to_delete_now(asked: int, allowed: int) -> str:
    values = {"asked": _number(asked), "allowed": _number(allowed)}
    if allowed:
        return (
            ngettext(
                "Deleting %(asked)s messages takes %(asked)s Sociostacks calls, and the team's "
                "budget has only %(allowed)s left this minute, so they are deleted as a job, paced "
                "within the key's budget: you may leave the page, and cancel the job from the Jobs "
                "page.",
                "Deleting %(asked)s messages takes %(asked)s Sociostacks calls, and the team's "
                "budget has only %(allowed)s left this minute, so they are deleted as a job, paced "
                "within the key's budget: you may leave the page, and cancel the job from the Jobs "
                "page.",
                asked,
            )
            % values
        )
    return (
        ngettext(
            "Deleting %(asked)s messages takes %(asked)s Sociostacks calls, and the team's "
            "budget has none left this minute, so they are deleted as a job, paced within "
            "the key's budget: you may leave the page, and cancel the job from the Jobs page.",
            "Deleting %(asked)s messages takes %(asked)s Sociostacks calls, and the team's "
            "budget has none left this minute, so they are deleted as a job, paced within "
            "the key's budget: you may leave the page, and cancel the job from the Jobs page.",
            asked,
        )
        % values
    )


def budget_ran_out(retry_after: int) -> str:
    return ngettext(
        "the team's Sociostacks budget for this minute ran out before its turn, so it was "
        "not tried. Select it again in %(seconds)s second.",
        "the team's Sociostacks budget for this minute ran out before its turn, so it was "
        "not tried. Select it again in %(seconds)s seconds.",
        retry_after,
    ) % {"seconds": retry_after}


def send_outcome_unknown(status: int | None) -> str:
    """After a send that may have been carried out: never "nothing was changed"."""
    if status is None or status == 504:
        return gettext(
            "Sociostacks did not answer in time, so it is not known whether the messages were "
            "created: they may or may not have been. Check the message list before you send "
            "again."
        )
    return gettext(
        "Sociostacks (or a proxy in front of it) answered HTTP %(status)s, so it is not known "
        "whether the messages were created: they may or may not have been. Check the message "
        "list before you send again."
    ) % {"status": status}


def send_failed(error: SociostacksError | InvalidRequest, *, outcome_unknown: bool) -> Problem:
    """A send that failed; honest about one that may have happened (``outcome_unknown``)."""
    if outcome_unknown:
        return Problem(
            send_outcome_unknown(getattr(error, "status", None)),
            fix_url=reverse("sms:list"),
            fix_label=gettext("Open the message list"),
        )
    return problem_for(error)


# Failures that say nothing about a key itself: trying again later may work.
_KEY_UNREACHABLE = (UpstreamUnavailable, UnreadableResponse, RateLimited)


def key_refused(error: SociostacksError | KeyDecryptionError, consequence: str) -> str:
    """Why a key could not be checked or used, then ``consequence`` (what did not happen)."""
    values = {"consequence": consequence}
    if isinstance(error, KeyDecryptionError):
        return (
            gettext(
                "This key can no longer be decrypted with the site's encryption keys, so it "
                "cannot be used. Replace it with the key from your Sociostacks account. "
                "%(consequence)s"
            )
            % values
        )
    if isinstance(error, AuthenticationFailed):
        return (
            gettext(
                "Sociostacks refused this key: it is wrong, was revoked, or its plan has no API "
                "access. %(consequence)s"
            )
            % values
        )
    if isinstance(error, UpstreamUnavailable):
        return gettext(
            "%(what_happened)s, so the key could not be checked. %(consequence)s "
            "Try again in a moment."
        ) % {**values, "what_happened": unavailable(error)}
    if isinstance(error, _KEY_UNREACHABLE):
        return gettext(
            "Sociostacks could not be reached to check the key. %(consequence)s %(explanation)s"
        ) % {**values, "explanation": error.user_message}
    return gettext("Sociostacks did not confirm the key. %(consequence)s %(explanation)s") % {
        **values,
        "explanation": error.user_message,
    }


NO_KEY_FOR_DEVICES = gettext_lazy(
    "Add an API key on the keys page to choose a default phone and SIM."
)
KEY_UNDECRYPTABLE_FOR_DEVICES = gettext_lazy(
    "Your active API key can no longer be decrypted, so your phones cannot be listed. "
    "Replace the key on the keys page."
)


def devices_not_loaded(error: SociostacksError) -> str:
    return gettext(
        "Your phones could not be loaded from Sociostacks, so the default phone and SIM "
        "cannot be changed right now. %(explanation)s"
    ) % {"explanation": error.user_message}


def too_many_to_check_live(entries: int, file_name: str) -> str:
    if file_name:
        return gettext(
            "%(file_name)s is too large to check while you type. Every number is checked when "
            "you press Review, before anything is sent."
        ) % {"file_name": file_name}
    return ngettext(
        "%(entries)s entry is too many to check while you type. Every number is checked when "
        "you press Review, before anything is sent.",
        "%(entries)s entries are too many to check while you type. Every number is checked "
        "when you press Review, before anything is sent.",
        entries,
    ) % {"entries": _number(entries)}


SIGN_IN_THROTTLED = gettext_lazy(
    "This account had too many wrong passwords in the last hour from browsers it was never "
    "used on, so signing in from this browser is paused and the password was not checked. "
    "Browsers that signed in to it before still work. Try again within the hour, or ask "
    "an admin."
)


# The worker sending this was stopped mid-call (a crash, a restart): upstream
# may have created the messages or not, and cannot be asked. Both sentences are
# stored with the job (in English, the worker has no reader): the page showing
# them translates them then, with gettext() of the stored text.
WORKER_DIED_MID_SEND = gettext_noop(
    "The worker sending this stopped before Sociostacks answered, so it is not known "
    "whether these messages were created: they may or may not have been. Check the "
    "message list before you send them again; smsadmin will not resend them on its own."
)

JOB_KEY_GONE = gettext_noop("The API key this job spends was deleted, so the job stopped.")

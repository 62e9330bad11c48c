"""Upstream failures as a sentence and a way forward, for any page to show."""

from dataclasses import dataclass
from datetime import date

from django.urls import reverse

from smsadmin.sociostacks.errors import (
    AuthenticationFailed,
    InvalidRequest,
    NotFound,
    PlanLimitReached,
    RateLimited,
    SociostacksError,
    UnreadableResponse,
    UpstreamUnavailable,
    ValidationRefused,
)


@dataclass(frozen=True)
class Problem:
    sentence: str
    fix_url: str = ""
    fix_label: str = ""
    can_retry: bool = False


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
            "Sociostacks could not be reached"
            + (" in time" if error.timed_out else "")
            + ". Nothing was changed. Try again in a moment.",
            can_retry=True,
        )
    if isinstance(error, UnreadableResponse):
        return Problem(
            "Sociostacks sent an answer we could not read (it may be having trouble). "
            "Try again in a moment.",
            can_retry=True,
        )
    if isinstance(error, PlanLimitReached):
        return Problem("Your Sociostacks plan's limits are reached. Upgrade the plan or wait.")
    if isinstance(error, ValidationRefused):
        return Problem(f"Sociostacks refused the request as incomplete: {error.title}")
    if isinstance(error, NotFound):
        return Problem("Sociostacks has no such item, or it belongs to another account.")
    return Problem(error.user_message)


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
        f"budget has {left} left this minute, so it is not done while you wait. Nothing "
        "was deleted: a selection this large is done as a background job, paced within "
        "the budget."
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

"""Asking Sociostacks whether a key works, and saying plainly why it does not."""

from django.views.decorators.debug import sensitive_variables

from smsadmin.keys.crypto import KeyDecryptionError
from smsadmin.problems import unavailable
from smsadmin.sociostacks.client import SociostacksClient
from smsadmin.sociostacks.errors import (
    AuthenticationFailed,
    RateLimited,
    SociostacksError,
    UnreadableResponse,
    UpstreamUnavailable,
)
from smsadmin.sociostacks.types import Account

# Failures that say nothing about the key itself: trying again later may work.
UNREACHABLE = (UpstreamUnavailable, UnreadableResponse, RateLimited)


@sensitive_variables("raw_key")
def account_for(raw_key: str) -> Account:
    """The Sociostacks account a key opens (``GET /user``); raises SociostacksError."""
    return SociostacksClient(raw_key).get_account()


def why_refused(error: SociostacksError | KeyDecryptionError, consequence: str) -> str:
    """A sentence for the page: what went wrong, then ``consequence`` (what did not happen)."""
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
    if isinstance(error, UNREACHABLE):
        return (
            f"Sociostacks could not be reached to check the key. {consequence} {error.user_message}"
        )
    return f"Sociostacks did not confirm the key. {consequence} {error.user_message}"

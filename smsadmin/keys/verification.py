"""Asking Sociostacks whether a key works (why it does not is ``problems.key_refused``)."""

from django.views.decorators.debug import sensitive_variables

from smsadmin.sociostacks.client import SociostacksClient
from smsadmin.sociostacks.types import Account


@sensitive_variables("raw_key")
def account_for(raw_key: str) -> Account:
    """The Sociostacks account a key opens (``GET /user``); raises SociostacksError."""
    return SociostacksClient(raw_key).get_account()

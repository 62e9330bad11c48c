"""What the phone's error text on a failed message means, in words an operator acts on.

66text stores whatever short text the Android app reported when a send
failed: usually an ``SmsManager`` result code (``RESULT_ERROR_RADIO_OFF``),
sometimes a sentence of its own ("SIM not ready"). The codes say nothing to
most people, so every page shows the explanation and keeps the raw text in
small print for whoever reads the phone's logs. This is the one place that
knows them.
"""

from dataclasses import dataclass

from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext, gettext_lazy

# Android's SmsManager.RESULT_* names (the app reports the name, not the
# number); each explanation says what happened and what to check.
_EXPLAINED: dict[str, StrPromise] = {
    "RESULT_ERROR_GENERIC_FAILURE": gettext_lazy(
        "The phone could not send it (generic radio failure: no signal or airplane mode?)"
    ),
    "RESULT_ERROR_RADIO_OFF": gettext_lazy("The phone's radio is off (airplane mode?)"),
    "RESULT_ERROR_NULL_PDU": gettext_lazy(
        "The phone could not encode the message (empty or invalid PDU)"
    ),
    "RESULT_ERROR_NO_SERVICE": gettext_lazy("The phone had no mobile service"),
    "RESULT_ERROR_LIMIT_EXCEEDED": gettext_lazy(
        "The phone refused: too many messages sent in a short time"
    ),
    "RESULT_ERROR_FDN_CHECK_FAILURE": gettext_lazy(
        "The SIM's fixed dialling list does not allow this number"
    ),
    "RESULT_ERROR_SHORT_CODE_NOT_ALLOWED": gettext_lazy(
        "The phone did not allow a message to this short code"
    ),
    "RESULT_ERROR_SHORT_CODE_NEVER_ALLOWED": gettext_lazy(
        "The phone never allows messages to this short code"
    ),
    "RESULT_RADIO_NOT_AVAILABLE": gettext_lazy("The phone's radio was not available"),
    "RESULT_NETWORK_REJECT": gettext_lazy("The mobile network rejected the message"),
    "RESULT_INVALID_ARGUMENTS": gettext_lazy("The phone rejected the message as invalid"),
    "RESULT_INVALID_STATE": gettext_lazy("The phone was not in a state to send (restarting?)"),
    "RESULT_NO_MEMORY": gettext_lazy("The phone ran out of memory"),
    "RESULT_INVALID_SMS_FORMAT": gettext_lazy("The phone could not format the message"),
    "RESULT_SYSTEM_ERROR": gettext_lazy("The phone's system reported an error"),
    "RESULT_MODEM_ERROR": gettext_lazy("The phone's modem reported an error"),
    "RESULT_NETWORK_ERROR": gettext_lazy("The mobile network reported an error"),
    "RESULT_ENCODING_ERROR": gettext_lazy("The phone could not encode the text"),
    "RESULT_INVALID_SMSC_ADDRESS": gettext_lazy("The SIM's message centre (SMSC) number is wrong"),
    "RESULT_OPERATION_NOT_ALLOWED": gettext_lazy("The phone did not allow the send"),
    "RESULT_INTERNAL_ERROR": gettext_lazy("The phone reported an internal error"),
    "RESULT_NO_RESOURCES": gettext_lazy("The phone was busy (no resources free)"),
    "RESULT_CANCELLED": gettext_lazy("The send was cancelled on the phone"),
    "RESULT_REQUEST_NOT_SUPPORTED": gettext_lazy("The phone does not support this kind of message"),
    "RESULT_SMS_BLOCKED_DURING_EMERGENCY": gettext_lazy(
        "The phone blocks messages during an emergency call"
    ),
    "RESULT_SMS_SEND_RETRY_FAILED": gettext_lazy("The phone retried and still could not send it"),
    "RESULT_NO_DEFAULT_SMS_APP": gettext_lazy(
        "The SMS app is not the phone's default messaging app"
    ),
    # Texts of the 66text app itself, already words but worth a hint.
    "NO SERVICE": gettext_lazy("The phone had no mobile service"),
    "SIM NOT READY": gettext_lazy("The SIM was not ready (missing, locked or still starting)"),
}


@dataclass(frozen=True)
class PhoneError:
    """One failure as shown: ``words`` for people, ``code`` (the raw text) in small print."""

    words: str
    code: str

    @property
    def code_is_news(self) -> bool:
        """False when the raw text already says what ``words`` say (nothing to add)."""
        return self.code.casefold() != self.words.casefold()


def explain(raw: str | None) -> PhoneError | None:
    """The failure text a phone reported, explained; None when it reported none."""
    code = (raw or "").strip()
    if not code:
        return None
    words = _EXPLAINED.get(code.upper())
    if words is None and code.upper().startswith("RESULT_"):
        return PhoneError(gettext("The phone could not send it"), code)
    return PhoneError(code if words is None else str(words), code)
